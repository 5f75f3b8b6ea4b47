package endtoend_test

import (
	"context"
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// ReleaseSuite: a release (a revocation, or an expiry) through one
// controller reaches the units blocked through another within that
// controller's next poll (ClockPoll, 200ms by default), whatever the
// lease's length and MaxSleep: each poll reads the count of releases in
// the clock document, and, when it has changed, the leases someone waits
// on.
type ReleaseSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ReleaseSuite{})

// defaultClockPoll is ManagerConfig.ClockPoll's default.
const defaultClockPoll = 200 * time.Millisecond

// startObservedManager starts a manager with the default ClockPoll and a
// MaxSleep of one hour over a new lease client, and returns it with a
// channel that receives each of its events.
func (s *ReleaseSuite) startObservedManager(c *gc.C, id string, clock lease.Clock) (leadership.ManagerWorker, <-chan leadership.Event) {
	events := make(chan leadership.Event, 10000)
	manager := s.startManagerWith(c, id, clock, leadership.ManagerConfig{
		MaxSleep: time.Hour,
		Observer: leadership.ObserverFunc(func(e leadership.Event) { events <- e }),
	})
	return manager, events
}

// waitBlocked waits until the manager has taken a block on the service:
// its read of the lease as it takes the block (the first after an event
// that after accepts, if after is not nil), then a round trip through its
// loop, which answers only once the waiter is recorded.
func waitBlocked(c *gc.C, m leadership.Manager, events <-chan leadership.Event, service string, after func(leadership.Event) bool) {
	deadline := time.After(longWait)
	for found := false; !found; {
		select {
		case e := <-events:
			switch {
			case after != nil:
				if after(e) {
					after = nil
				}
			case e.Kind == leadership.EventRefresh && e.Call == leadership.CallRefreshLease && e.Service == service:
				found = true
			}
		case <-deadline:
			c.Fatalf("no block on %q taken", service)
		}
	}
	_, err := m.CheckLeadership(service, service+"/99")
	c.Assert(err, gc.NotNil)
}

// waitEvent waits for an event that want accepts.
func waitEvent(c *gc.C, events <-chan leadership.Event, want func(leadership.Event) bool) leadership.Event {
	deadline := time.After(longWait)
	for {
		select {
		case e := <-events:
			if want(e) {
				return e
			}
		case <-deadline:
			c.Fatalf("event never came")
		}
	}
}

// The graceful handover across controllers, with one-minute terms:
// redis/0's tracker, through A, stops and revokes; redis/1's tracker,
// waiting through B, leads once B has polled, one ClockPoll later, not
// when redis/0's term would have run out, nor at B's MaxSleep.
func (s *ReleaseSuite) TestRevokeReachesTrackerOnOtherController(c *gc.C) {
	clock := clocktest.NewClock(start)
	managerA, _ := s.startObservedManager(c, "machine-0", clock)
	managerB, eventsB := s.startObservedManager(c, "machine-1", clock)
	newTracker := func(m leadership.Manager, unit string) leadership.Tracker {
		t, err := leadership.NewTracker(leadership.TrackerConfig{
			Manager: m, ServiceName: "redis", UnitName: unit, Duration: time.Minute, Clock: clock,
		})
		c.Assert(err, jc.ErrorIsNil)
		s.AddCleanup(func(c *gc.C) {
			t.Kill()
			c.Check(t.Wait(), jc.ErrorIsNil)
		})
		return t
	}
	first := newTracker(managerA, "redis/0")
	c.Assert(first.WaitLeader().Wait(), jc.IsTrue)
	second := newTracker(managerB, "redis/1")
	c.Assert(second.WaitMinion().Wait(), jc.IsTrue)
	waitBlocked(c, managerB, eventsB, "redis", func(e leadership.Event) bool {
		return e.Kind == leadership.EventClaim && e.Unit == "redis/1" && e.Result == leadership.ResultDenied
	})
	leading := second.WaitLeader()

	first.Kill()
	c.Assert(first.Wait(), jc.ErrorIsNil) // it has revoked
	clock.Advance(defaultClockPoll)
	select {
	case ok := <-waitTicket(leading):
		c.Check(ok, jc.IsTrue)
	case <-time.After(longWait):
		c.Fatalf("redis/1 does not lead one ClockPoll after redis/0's revocation")
	}
	leaders, err := managerA.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/1"})
}

// waitTicket returns a channel that receives the ticket's answer.
func waitTicket(t leadership.Ticket) <-chan bool {
	ch := make(chan bool, 1)
	go func() { ch <- t.Wait() }()
	return ch
}

// An expiry through A releases the unit blocked through B, which would
// itself expire the lease only much later. X leads redis for a minute and
// dies; A read X's clock right after X's claim, so that for A the lease
// runs out when the minute does; B started 50s later, and has bounded X's
// clock only then, so that for B the lease runs out 50s after that. A
// expires it; B's next poll sees the count of releases change, reads the
// lease and releases its waiter, who can then lead.
func (s *ReleaseSuite) TestExpiryReachesWaiterOnOtherController(c *gc.C) {
	clock := clocktest.NewClock(start)
	managerX := s.startManager(c, "machine-2", clock)
	managerA, eventsA := s.startObservedManager(c, "machine-0", clock)
	c.Assert(managerX.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	_, err := managerA.CheckLeadership("redis", "redis/9")
	c.Assert(err, gc.NotNil)
	managerX.Kill()
	c.Assert(managerX.Wait(), jc.ErrorIsNil)

	clock.Advance(50 * time.Second)
	managerB, eventsB := s.startObservedManager(c, "machine-1", clock)
	released := goErr(func() error { return managerB.BlockUntilLeadershipReleased("redis") })
	waitBlocked(c, managerB, eventsB, "redis", nil)

	clock.Advance(10*time.Second + time.Nanosecond)
	e := waitEvent(c, eventsA, func(e leadership.Event) bool { return e.Kind == leadership.EventExpire })
	c.Assert(e.Result, gc.Equals, leadership.ResultExpired)
	clock.Advance(defaultClockPoll)
	waitNil(c, released, "B's waiter not released one ClockPoll after A's expiry")
	c.Check(managerB.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
}

// RevokeSuite checks RevokeLeadership, the context wait and Leaders across
// two controllers on the embedded server.
type RevokeSuite struct {
	mongoSuite
}

var _ = gc.Suite(&RevokeSuite{})

// Controller A's unit revokes; its token stops fencing at once, and
// controller B, which waited with a context, sees the release at its next
// poll, ClockPoll later, long before the lease would have run out.
func (s *RevokeSuite) TestRevokeAcrossControllers(c *gc.C) {
	clock := clocktest.NewClock(start)
	managerA, managerB := s.startPair(c, clock, clock)

	c.Assert(managerA.ClaimLeadership("redis", "redis/0", time.Hour), jc.ErrorIsNil)
	c.Check(managerB.ClaimLeadership("redis", "redis/1", time.Hour), gc.Equals, leadership.ErrClaimDenied)
	token, err := managerA.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	leaders, err := managerB.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/0"})

	released := goErr(func() error {
		return managerB.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(context.Background(), "redis")
	})
	c.Assert(managerA.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Check(s.runFenced(token, "after-revoke"), gc.Equals, txn.ErrAborted)

	// B's poll reads the clock document, finds the count of releases
	// changed, and reads the lease again.
	c.Assert(clock.WaitAlarms(1, longWait), jc.ErrorIsNil)
	clock.Advance(defaultClockPoll)
	waitNil(c, released, "B never saw the revocation")
	c.Assert(managerB.ClaimLeadership("redis", "redis/1", time.Hour), jc.ErrorIsNil)
	leaders, err = managerA.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/1"})
}

// A unit that claimed through controller A is revoked through controller
// B, whose cache had not seen the claim; a unit that does not lead cannot
// be revoked. A's cache still has the lease until its next read, so its
// CheckLeadership may still answer yes, but the token no longer fences.
func (s *RevokeSuite) TestRevokeThroughOtherController(c *gc.C) {
	clock := clocktest.NewClock(start)
	managerA, managerB := s.startPair(c, clock, clock)

	c.Assert(managerA.ClaimLeadership("redis", "redis/0", time.Hour), jc.ErrorIsNil)
	err := managerB.(leadership.Revoker).RevokeLeadership("redis", "redis/1")
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
	c.Assert(managerB.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	token, err := managerA.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.runFenced(token, "after-revoke"), gc.Equals, txn.ErrAborted)

	// After its next read of the store, A knows.
	_, err = managerA.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	_, err = managerA.CheckLeadership("redis", "redis/0")
	c.Check(err, gc.ErrorMatches, `"redis/0" is not leader of "redis"`)
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
}
