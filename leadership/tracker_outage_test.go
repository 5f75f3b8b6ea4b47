package leadership_test

import (
	"errors"
	"fmt"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// armedClock is the suite's clock as one tracker sees it: it records the
// latest alarm the tracker asked for, so that a test can wait until the
// tracker has settled after the clock moved.
type armedClock struct {
	*clocktest.Clock
	mu      sync.Mutex
	latest  time.Time
	changed chan struct{}
}

func newArmedClock(clock *clocktest.Clock) *armedClock {
	return &armedClock{Clock: clock, changed: make(chan struct{})}
}

// armedLeader starts manager "a" and, on an armedClock over s.clock, a
// tracker for redis/0 that leads; the caller stops the tracker.
func (s *TrackerHandoverSuite) armedLeader(c *gc.C) (leadership.ManagerWorker, *armedClock, leadership.Tracker) {
	m := s.manager(c, "a", time.Hour)
	clock := newArmedClock(s.clock)
	tracker := newTrackerFor(c, m, clock, "redis/0", trackDuration)
	assertTicket(c, tracker.WaitLeader(), true)
	return m, clock, tracker
}

// Alarm is part of the lease.Clock interface.
func (a *armedClock) Alarm(t time.Time) <-chan time.Time {
	ch := a.Clock.Alarm(t)
	a.armed(t)
	return ch
}

// MonotonicAlarm is part of the lease.MonotonicClock interface: a tracker
// sets its alarms on monotonic time. These tests never step the clock
// back, so the monotonic time and Now agree.
func (a *armedClock) MonotonicAlarm(t time.Time) <-chan time.Time {
	ch := a.Clock.MonotonicAlarm(t)
	a.armed(t)
	return ch
}

// armed records t as the latest alarm requested.
func (a *armedClock) armed(t time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.latest = t
	close(a.changed)
	a.changed = make(chan struct{})
}

// waitArmed waits until the tracker's latest alarm is after the clock's
// reading: it has handled everything due, and its calls have returned
// (a tracker re-arms after each; it has no alarm only while a call is in
// flight or it waits for a release, which these tests do not reach).
func (a *armedClock) waitArmed(c *gc.C) {
	deadline := time.After(LongWait)
	for {
		a.mu.Lock()
		armed, changed := a.latest.After(a.Now()), a.changed
		a.mu.Unlock()
		if armed {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			c.Fatalf("tracker not re-armed after %v; alarms %v", LongWait, a.Alarms())
		}
	}
}

// stepUntil moves the clock to its earliest pending alarm, again and
// again, until tk is answered, and returns the clock's reading then.
// Before each step it waits until the tracker has set its next alarm, so
// that no step passes over it. It fails the test if the next alarm is
// after limit.
func (s *TrackerHandoverSuite) stepUntil(c *gc.C, clock *armedClock, tk leadership.Ticket, limit time.Time) time.Time {
	for {
		clock.waitArmed(c)
		select {
		case <-tk.Ready():
			return s.clock.Now()
		default:
		}
		next := s.clock.Alarms()[0]
		if next.After(limit) {
			c.Fatalf("ticket not answered by %v; next alarm %v", limit, next)
		}
		s.clock.Set(next)
	}
}

// A tracker keeps going while the store is down: it counts itself a
// minion once its term has ended, and leads again once the store is back,
// within its back-off cap (Duration/2) of the restart. Its manager keeps
// running too.
func (s *TrackerHandoverSuite) TestTrackerOutlivesOutage(c *gc.C) {
	m, clock, tracker := s.armedLeader(c)
	defer worker.Stop(tracker)
	stopped := make(chan error, 1)
	go func() { stopped <- tracker.Wait() }()

	s.store.Stop()
	termEnd := s.clock.Now().Add(trackDuration)
	at := s.stepUntil(c, clock, tracker.WaitMinion(), termEnd)
	c.Logf("minion at %v, term ended at %v", at, termEnd)
	assertTicket(c, tracker.ClaimLeader(), false)
	// A minute more of outage: the tracker keeps trying.
	for end := s.clock.Now().Add(time.Minute); s.clock.Now().Before(end); {
		clock.waitArmed(c)
		s.clock.Set(s.clock.Alarms()[0])
	}
	select {
	case err := <-stopped:
		c.Fatalf("tracker stopped during the outage: %v", err)
	default:
	}

	s.store.Restart()
	restart := s.clock.Now()
	at = s.stepUntil(c, clock, tracker.WaitLeader(), restart.Add(trackDuration/2))
	c.Logf("leader again %v after the restart", at.Sub(restart))
	assertTicket(c, tracker.ClaimLeader(), true)
	checkLeaders(c, m, map[string]string{"redis": "redis/0"})
}

// A leading tracker stops as soon as its manager is killed, with an error
// matching ErrStopped, without the clock moving: before, it learnt of it
// only at its next renewal.
func (s *TrackerHandoverSuite) TestTrackerStopsWhenManagerKilled(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	leader := s.tracker(c, m, "redis/0")
	assertTicket(c, leader.WaitLeader(), true)
	minion := s.tracker(c, m, "redis/1")
	assertTicket(c, minion.WaitMinion(), true)

	m.Kill()
	for _, tracker := range []leadership.Tracker{leader, minion} {
		done := make(chan error, 1)
		go func() { done <- tracker.Wait() }()
		select {
		case err := <-done:
			c.Check(errors.Is(err, leadership.ErrStopped), jc.IsTrue, gc.Commentf("stopped with %v", err))
		case <-time.After(LongWait):
			c.Fatalf("tracker still running %v after its manager was killed", LongWait)
		}
		assertTicket(c, tracker.ClaimLeader(), false)
	}
}

// A first claim fails with an error that leaves its outcome unknown (the
// store's reply was lost: mgo/txn may still apply the write); the tracker
// is then killed. The unit may hold the lease, so the tracker revokes it,
// and another unit need not wait for the lease to run out.
func (s *TrackerSuite) TestKillAfterClaimOfUnknownOutcomeRevokes(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, fmt.Errorf("cannot claim leadership: %w", lease.ErrUnavailable))
	assertTicket(c, tracker.WaitMinion(), true)
	tracker.Kill()
	s.manager.expect(c, "RevokeLeadership").reply <- leadership.ErrNotLeader
	c.Check(tracker.Wait(), jc.ErrorIsNil)
}

// The same, with the tracker killed while that claim is in flight.
func (s *TrackerSuite) TestKillDuringClaimOfUnknownOutcomeRevokes(c *gc.C) {
	tracker := s.start(c, s.manager)
	mc := s.manager.expect(c, "ClaimLeadership")
	tracker.Kill()
	mc.reply <- fmt.Errorf("cannot claim leadership: %w", lease.ErrUnavailable)
	s.revokedThenStops(c, tracker)
}
