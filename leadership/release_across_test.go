package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
)

// ReleaseAcrossSuite runs two managers, two controllers, over one
// in-memory store, with one-hour MaxSleep and the default ClockPoll: a
// release through one reaches the units blocked through the other at
// that one's next poll, whatever the lease's length.
type ReleaseAcrossSuite struct {
	storeFixture
}

var _ = gc.Suite(&ReleaseAcrossSuite{})

// defaultClockPoll is ManagerConfig.ClockPoll's default.
const defaultClockPoll = 200 * time.Millisecond

// manager starts a manager over a new client of the store, and returns it
// with a channel that receives each of its events.
func (s *ReleaseAcrossSuite) manager(c *gc.C, id string) (leadership.ManagerWorker, <-chan leadership.Event) {
	events := make(chan leadership.Event, 1000)
	m, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   s.store.MustNewClient(id),
		Clock:    s.clock,
		MaxSleep: time.Hour,
		Observer: leadership.ObserverFunc(func(e leadership.Event) { events <- e }),
	})
	c.Assert(err, jc.ErrorIsNil)
	s.stop = append(s.stop, m)
	return m, events
}

// waitBlocked waits until the manager has taken a block on the service:
// the first read of its lease after the event that after accepts (nil:
// any), which the manager makes as it takes the block, followed by a
// round trip through the manager's loop, which it answers only once it
// has recorded the waiter.
func waitBlocked(c *gc.C, m leadership.Manager, events <-chan leadership.Event, service string, after func(leadership.Event) bool) {
	deadline := time.After(LongWait)
	for {
		select {
		case e := <-events:
			switch {
			case after != nil:
				if after(e) {
					after = nil
				}
				continue
			case e.Kind != leadership.EventRefresh || e.Call != leadership.CallRefreshLease || e.Service != service:
				continue
			}
		case <-deadline:
			c.Fatalf("no block on %q taken", service)
		}
		break
	}
	_, err := m.CheckLeadership(service, service+"/99")
	c.Assert(err, gc.NotNil)
}

// claimDenied accepts the event of a claim of unit's denied.
func claimDenied(unit string) func(leadership.Event) bool {
	return func(e leadership.Event) bool {
		return e.Kind == leadership.EventClaim && e.Unit == unit && e.Result == leadership.ResultDenied
	}
}

// The graceful handover across controllers: redis/0 leads through a with
// one-minute terms, redis/1's tracker waits through b; redis/0's tracker
// stops, which revokes through a; redis/1 leads once b has polled, one
// ClockPoll later, not at the lease's expiry nor at b's MaxSleep.
func (s *ReleaseAcrossSuite) TestRevokeReachesWaiterOnOtherManager(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, eventsB := s.manager(c, "b")
	first := newTrackerFor(c, a, s.clock, "redis/0", time.Minute)
	assertTicket(c, first.WaitLeader(), true)
	second := newTrackerFor(c, b, s.clock, "redis/1", time.Minute)
	defer worker.Stop(second)
	assertTicket(c, second.WaitMinion(), true)
	waitBlocked(c, b, eventsB, "redis", claimDenied("redis/1"))
	leaderTicket := second.WaitLeader()

	c.Assert(worker.Stop(first), jc.ErrorIsNil)
	assertNotReady(c, leaderTicket) // b has not polled yet
	s.clock.Advance(defaultClockPoll)
	assertTicket(c, leaderTicket, true)
	checkLeaders(c, a, map[string]string{"redis": "redis/1"})
}

// A revocation through a releases every service's waiters on b at b's
// next poll, and b reads only the leases someone waits on: the release of
// a service nobody waits on makes it read those, and nothing else.
func (s *ReleaseAcrossSuite) TestPollReadsOnlyWaitedLeases(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, eventsB := s.manager(c, "b")
	for _, service := range []string{"mysql", "redis", "wordpress"} {
		c.Assert(a.ClaimLeadership(service, service+"/0", time.Minute), jc.ErrorIsNil)
	}
	released := blockedAcross(c, b, eventsB)

	revoker := a.(leadership.Revoker)
	c.Assert(revoker.RevokeLeadership("mysql", "mysql/0"), jc.ErrorIsNil)
	s.clock.Advance(defaultClockPoll)
	reads := readsUntilWake(c, eventsB)
	c.Check(reads, jc.DeepEquals, []string{"RefreshReleases", "RefreshLease redis"})
	select {
	case err := <-released:
		c.Fatalf("released early: %v", err)
	default:
	}

	c.Assert(revoker.RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	s.clock.Advance(defaultClockPoll)
	c.Assert(receive(c, released, "redis never released on b"), jc.ErrorIsNil)
}

// A poll when no release was counted reads the count alone.
func (s *ReleaseAcrossSuite) TestQuietPollReadsCountOnly(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, eventsB := s.manager(c, "b")
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	go b.BlockUntilLeadershipReleased("redis")
	waitBlocked(c, b, eventsB, "redis", nil)
	for i := 0; i < 3; i++ {
		s.clock.Advance(defaultClockPoll)
		c.Check(readsUntilWake(c, eventsB), jc.DeepEquals, []string{"RefreshReleases"})
	}
}

// readsUntilWake returns the store reads ("Call service", or "Call" for
// one without a service) of the manager's next wake, in order: those
// since the last event of another kind (an answered call, whose reads
// come before it).
func readsUntilWake(c *gc.C, events <-chan leadership.Event) []string {
	var reads []string
	for {
		select {
		case e := <-events:
			switch e.Kind {
			case leadership.EventRefresh:
				read := string(e.Call)
				if e.Service != "" {
					read += " " + e.Service
				}
				reads = append(reads, read)
			case leadership.EventWake:
				return reads
			default:
				reads = nil
			}
		case <-time.After(LongWait):
			c.Fatalf("no wake; reads so far: %v", reads)
		}
	}
}

// blockedAcross starts a wait on b for redis's release, waits until b has
// taken it (see waitBlocked), and returns the channel its answer comes
// on.
func blockedAcross(c *gc.C, b leadership.Manager, eventsB <-chan leadership.Event) <-chan error {
	released := make(chan error, 1)
	go func() { released <- b.BlockUntilLeadershipReleased("redis") }()
	waitBlocked(c, b, eventsB, "redis", nil)
	return released
}

// A clock that steps back while someone waits does not put off the polls
// of a client that reads no clocks: a revocation through a, after b's
// clock stepped back an hour, still reaches b's waiter one ClockPoll
// later.
func (s *ReleaseAcrossSuite) TestClockStepBackKeepsPolling(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, eventsB := s.manager(c, "b")
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	released := blockedAcross(c, b, eventsB)

	s.clock.Set(s.clock.Now().Add(-time.Hour))
	// A round trip, and then Settle, so that b has read the clock since
	// the step before the clock moves on: b answers the check before it
	// reads the clock to set its alarm, and had it read it only after
	// the Advance below, it would have taken the step to be ClockPoll
	// shorter, and its poll to be due ClockPoll later.
	_, err := b.CheckLeadership("redis", "redis/9")
	c.Assert(err, gc.NotNil)
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	c.Assert(a.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	s.clock.Advance(defaultClockPoll)
	select {
	case err := <-released:
		c.Assert(err, jc.ErrorIsNil)
	case <-time.After(LongWait):
		c.Fatalf("b's waiter not released one ClockPoll after the revocation; alarms %v", s.clock.Alarms())
	}
}

// A poll for releases that fails because the store is down is a call that
// failed the store, as a failed read of the clocks is: once the store is
// back, the manager reads every lease again (other controllers may have
// written meanwhile), not only the leases someone waits on, and not an
// hour later at MaxSleep.
func (s *ReleaseAcrossSuite) TestFailedPollReadsEveryLeaseAfterOutage(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, eventsB := s.manager(c, "b")
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	blockedAcross(c, b, eventsB)

	s.store.Stop()
	c.Assert(s.clock.AdvanceSettled(defaultClockPoll, LongWait), jc.ErrorIsNil)
	s.store.Restart()
	c.Assert(s.clock.AdvanceSettled(time.Second, LongWait), jc.ErrorIsNil)
	var failed, refreshed bool
	for !refreshed {
		select {
		case e := <-eventsB:
			switch {
			case e.Kind != leadership.EventRefresh:
			case e.Call == leadership.CallRefreshReleases && e.Result == leadership.ResultUnavailable:
				failed = true
			case e.Call == leadership.CallRefresh && failed && e.Result == leadership.ResultOK:
				refreshed = true
			}
		default:
			c.Fatalf("no full refresh after the outage (poll failed: %v)", failed)
		}
	}
}
