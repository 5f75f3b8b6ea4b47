package leasetest_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

type OutageSuite struct{}

var _ = gc.Suite(&OutageSuite{})

// TestStopReachesTheStoreFirst: while the store is stopped, a call that
// its client's cache alone would refuse fails as unavailable, as every
// call that reaches the store does (the conformance suite checks the
// others); stopping it twice, or restarting it twice, does nothing more.
func (s *OutageSuite) TestStopReachesTheStoreFirst(c *gc.C) {
	store := leasetest.NewStore(leasetest.NewClock(leasetest.Start))
	a := store.MustNewClient("a")
	request := lease.Request{Holder: "redis/0", Duration: time.Minute}
	c.Assert(a.ClaimLease("redis", request), jc.ErrorIsNil)

	store.Stop()
	store.Stop()
	err := a.ClaimLease("redis", request)
	c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%v", err))
	store.Restart()
	store.Restart()
	c.Check(a.ClaimLease("redis", request), gc.Equals, lease.ErrInvalid)
	c.Check(a.ExtendLease("redis", request), jc.ErrorIsNil)
}

// stepUntil moves the clock from one pending alarm to the next until the
// ticket is answered, and returns the answer: how a test waits for a
// tracker that retries on its own back-off, without knowing when its next
// try is due. (The manager always has an alarm pending, so there is
// always a next one.)
func stepUntil(clock *leasetest.Clock, tk leadership.Ticket) bool {
	for {
		select {
		case <-tk.Ready():
			return tk.Wait()
		default:
		}
		if err := clock.WaitAlarms(1, 10*time.Second); err != nil {
			panic(err)
		}
		clock.Set(clock.Alarms()[0])
	}
}

// A unit's tracker through a store outage, all on the fake clock: the
// store goes down while the unit leads; calls fail with
// lease.ErrUnavailable, the renewals fail, and the tracker counts itself
// a minion once its term has run out, without stopping; once the store is
// back, it leads again at its next try (within half its Duration).
func ExampleStore_Stop() {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: store.MustNewClient("controller-0"),
		Clock:  clock,
	})
	if err != nil {
		panic(err)
	}
	defer worker.Stop(manager)
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     manager,
		ServiceName: "redis",
		UnitName:    "redis/0",
		Duration:    time.Minute,
		Clock:       clock,
	})
	if err != nil {
		panic(err)
	}
	defer worker.Stop(tracker)
	fmt.Println("leader:", tracker.WaitLeader().Wait())

	store.Stop()
	_, err = manager.CheckLeadership("redis", "redis/1")
	fmt.Println("check while stopped, unavailable:", errors.Is(err, lease.ErrUnavailable))
	clock.Advance(time.Minute) // the term runs out; its renewal fails
	fmt.Println("minion once its term ended:", tracker.WaitMinion().Wait())

	store.Restart()
	fmt.Println("leader again:", stepUntil(clock, tracker.WaitLeader()))
	// Output:
	// leader: true
	// check while stopped, unavailable: true
	// minion once its term ended: true
	// leader again: true
}
