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

// TestStopFailsEveryCall: while the store is stopped, every call of every
// client that would reach it fails with lease.ErrUnavailable and changes
// nothing; caches still answer; after Restart everything works on the
// leases the store held.
func (s *OutageSuite) TestStopFailsEveryCall(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	a := store.MustNewClient("a")
	b := store.MustNewClient("b")
	request := lease.Request{Holder: "redis/0", Duration: time.Minute}
	c.Assert(a.ClaimLease("redis", request), jc.ErrorIsNil)
	c.Assert(a.ClaimLease("mysql", lease.Request{Holder: "mysql/0", Duration: time.Second}), jc.ErrorIsNil)
	c.Assert(b.Refresh(), jc.ErrorIsNil)

	store.Stop()
	store.Stop() // stopping a stopped store does nothing
	clock.Advance(2 * time.Second)
	calls := map[string]func() error{
		"ClaimLease":   func() error { return b.ClaimLease("pgsql", request) },
		"ExtendLease":  func() error { return a.ExtendLease("redis", request) },
		"ExpireLease":  func() error { return a.ExpireLease("mysql") },
		"RevokeLease":  func() error { return a.RevokeLease("redis", "redis/0") },
		"Refresh":      func() error { return b.Refresh() },
		"RefreshLease": func() error { return b.RefreshLease("redis") },
		// A release through a, read through b: the count must not
		// reach b while the store is down.
		"RefreshReleases": func() error { return b.RefreshReleases() },
		"NewClient":       func() error { _, err := store.NewClient("c"); return err },
		// Refused by b's cache alone while the store is up; down, it
		// fails like the others.
		"ClaimLease (held)": func() error { return b.ClaimLease("redis", request) },
	}
	for name, call := range calls {
		err := call()
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%s: %v", name, err))
	}
	c.Check(a.Leases(), gc.HasLen, 2)
	info, held := b.Lease("redis")
	c.Check(held, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "redis/0")

	store.Restart()
	c.Assert(b.Refresh(), jc.ErrorIsNil)
	c.Check(b.Leases(), gc.HasLen, 2)
	c.Check(b.ExpireLease("mysql"), jc.ErrorIsNil)
	c.Check(b.ClaimLease("redis", request), gc.Equals, lease.ErrInvalid)
	c.Check(a.ExtendLease("redis", request), jc.ErrorIsNil)
}

// TestValidationBeforeOutage: a call's own bad input is its error, even
// while the store is stopped.
func (s *OutageSuite) TestValidationBeforeOutage(c *gc.C) {
	store := leasetest.NewStore(leasetest.NewClock(leasetest.Start))
	client := store.MustNewClient("a")
	store.Stop()
	err := client.ClaimLease("bad name", lease.Request{Holder: "redis/0", Duration: time.Minute})
	c.Check(err, gc.ErrorMatches, `invalid lease name "bad name": .*`)
	c.Check(errors.Is(err, lease.ErrInvalidArgument), jc.IsTrue)
	c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsFalse)
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
