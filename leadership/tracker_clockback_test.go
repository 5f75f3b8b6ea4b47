package leadership_test

import (
	"errors"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// The tracker's clock steps back (as NTP can, or a fake clock set to an
// earlier time): the tracker counts its terms on the clock's monotonic
// time, which no step moves, so that it never counts itself leader past
// the lease's real end, whether it reads the step or not.

// TestClockStepsBackDuringFirstClaim: the tracker reads 0s and claims; the
// clock steps back 20s (the manager would read -20s, and its lease end at
// 10s), and the claim returns 15s later, at -5s. The term ends 30s after
// the claim's start in real time: at 10s on the stepped clock, not at 25s
// (the start moved back by the 5s the tracker saw between its readings).
// The renewal, 15s after the start, is due as the claim returns.
func (s *TrackerSuite) TestClockStepsBackDuringFirstClaim(c *gc.C) {
	tracker := s.start(c, s.manager)
	mc := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(-20 * time.Second))
	s.clock.Advance(15 * time.Second)
	mc.reply <- nil
	assertTicket(c, tracker.ClaimLeader(), true)
	s.renewalHangsTermEndsAt(c, tracker, 10*time.Second)
}

// TestClockStepsBackUnreadWhileIdle: the leader claims at 0s and goes
// idle until its renewal; 5s later the clock steps back 10s, and the
// tracker reads nothing until then. Its renewal is still due 15s after the
// claim in real time (at 5s on the stepped clock), and its term ends 30s
// after it (at 20s), not at 15s and 30s on the clock, which the step made
// 10s late.
func (s *TrackerSuite) TestClockStepsBackUnreadWhileIdle(c *gc.C) {
	tracker := s.startLeading(c)
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Advance(5 * time.Second)
	s.clock.Set(offset(-5 * time.Second))
	s.advanceTo(c, 5*time.Second)
	s.renewalHangsTermEndsAt(c, tracker, 20*time.Second)
}

// TestClockStepsBackCenturies: a step back of 300 years, more than a
// time.Duration counts (time.Time.Sub saturates at about 292 years), moves
// nothing the tracker counts: the renewal is due 15s after the claim, and
// the term ends 30s after it, in real time.
func (s *TrackerSuite) TestClockStepsBackCenturies(c *gc.C) {
	tracker := s.startLeading(c)
	back := offset(0).AddDate(-300, 0, 0)
	s.clock.Set(back)
	assertTicket(c, tracker.ClaimLeader(), true) // the tracker reads the step
	c.Assert(s.clock.WaitAlarmFor(back.Add(trackDuration/2), LongWait), jc.ErrorIsNil)
	s.clock.Advance(trackDuration / 2)
	renewal := s.manager.expect(c, "ClaimLeadership")
	s.clock.Advance(trackDuration/2 - time.Nanosecond)
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Advance(time.Nanosecond)
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, tracker.ClaimLeader(), false)
	renewal.reply <- leadership.ErrStopped
}

// TestWallClockStepsForward: the clock's Now steps forward 20s at 5s
// while its monotonic time does not (as Go's monotonic clock ignores an
// NTP step): the other controllers, once the manager writes again, take
// the lease to end 20s early, so the term ends when the wall clock reads
// 30s, 10s after the claim in real time.
func (s *TrackerSuite) TestWallClockStepsForward(c *gc.C) {
	clock := &aheadClock{Clock: s.clock}
	tracker := newTrackerFor(c, s.manager, clock, "redis/0", trackDuration)
	s.tracker = tracker
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Advance(5 * time.Second)
	clock.step(20 * time.Second)
	// 25s on the wall clock: the term cannot cover ClaimDuration.
	early := tracker.ClaimLeader()
	assertNotReady(c, early)
	s.clock.Advance(5*time.Second - time.Nanosecond)
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Advance(time.Nanosecond)
	// The tracker reads the wall clock at 30s when asked; its alarm is
	// for its renewal, at 15s monotonic.
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, early, false)
}

// aheadClock is a lease.MonotonicClock whose Now can step forward
// without its monotonic time, as the system clock's does.
type aheadClock struct {
	*clocktest.Clock
	mu    sync.Mutex
	ahead time.Duration
}

func (c *aheadClock) step(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ahead += d
}

func (c *aheadClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.Clock.Now().Add(c.ahead)
}

// TestClockStepsBackDuringRenewal: the renewal starts at 15s and returns
// to -5s; its term ends at 25s, not 45s.
func (s *TrackerSuite) TestClockStepsBackDuringRenewal(c *gc.C) {
	tracker := s.startLeading(c)
	s.advanceTo(c, trackDuration/2)
	mc := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(-5 * time.Second))
	mc.reply <- nil
	s.advanceTo(c, 10*time.Second)
	s.renewalHangsTermEndsAt(c, tracker, 25*time.Second)
}

// TestClockStepsBackWhileLeader: a step back the tracker reads between
// calls moves its term's end and its renewal back by the step.
func (s *TrackerSuite) TestClockStepsBackWhileLeader(c *gc.C) {
	tracker := s.startLeading(c)
	s.clock.Set(offset(-10 * time.Second))
	// The term now ends at 20s: ClaimDuration from -10s is covered.
	assertTicket(c, tracker.ClaimLeader(), true)
	s.advanceTo(c, 5*time.Second)
	s.renewalHangsTermEndsAt(c, tracker, 20*time.Second)
}

// TestClockStepsBackDuringBackOff: the retry after a failed claim moves
// back with the clock, so a step back an hour does not delay it an hour.
func (s *TrackerSuite) TestClockStepsBackDuringBackOff(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, errors.New("store unreachable"))
	assertTicket(c, tracker.WaitMinion(), true)
	s.clock.Set(offset(-time.Hour))
	assertTicket(c, tracker.ClaimLeader(), false) // the loop reads the clock
	s.advanceTo(c, -time.Hour+trackDuration/16)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

// waitReleasedThenClaim waits for manager to see redis released, and
// claims it for redis/1.
func waitReleasedThenClaim(c *gc.C, manager leadership.Manager) {
	released := make(chan error, 1)
	go func() { released <- manager.BlockUntilLeadershipReleased("redis") }()
	c.Assert(receive(c, released, "lease never released"), jc.ErrorIsNil)
	c.Assert(manager.ClaimLeadership("redis", "redis/1", trackDuration), jc.ErrorIsNil)
}

// TestClockStepsBackDuringClaimOneLeader: the tracker reads 0s and
// claims; the clock steps back 20s before the manager reads it, so the
// lease ends at 10s; the claim returns 15s later, at -5s. The renewals
// fail; once redis/1 holds the lease, at 11s, redis/0's tracker must not
// lead (it did until 25s: it had moved its claim's start back by only the
// 5s it saw between its readings).
func (s *TrackerHandoverSuite) TestClockStepsBackDuringClaimOneLeader(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	fail := func() error { return errors.New("store unreachable") }
	wrapped := &scriptedClaims{Manager: m, step: map[int]func() error{
		1: func() error { s.clock.Set(s.clock.Now().Add(-20 * time.Second)); return nil },
		2: fail, 3: fail, 4: fail, 5: fail, 6: fail, 7: fail, 8: fail,
	}, after: map[int]func(){
		1: func() { s.clock.Advance(15 * time.Second) },
	}}
	tracker := s.tracker(c, wrapped, "redis/0")
	defer func() { c.Check(worker.Stop(tracker), jc.ErrorIsNil) }()
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Set(offset(11 * time.Second))
	waitReleasedThenClaim(c, m)
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, tracker.ClaimLeader(), false)
}

// scriptedClaims runs the nth claim (from 1) through step[n], if any: it
// may step the clock, or fail the claim instead of passing it on; and,
// once the manager has answered it, through after[n], if any (time the
// answer takes to come back).
type scriptedClaims struct {
	leadership.Manager
	mu    sync.Mutex
	n     int
	step  map[int]func() error
	after map[int]func()
}

func (m *scriptedClaims) ClaimLeadership(service, unit string, d time.Duration) error {
	m.mu.Lock()
	m.n++
	f, after := m.step[m.n], m.after[m.n]
	m.mu.Unlock()
	if f != nil {
		if err := f(); err != nil {
			return err
		}
	}
	err := m.Manager.ClaimLeadership(service, unit, d)
	if after != nil {
		after()
	}
	return err
}

// TestClockStepsBackDuringRenewalOneLeader: the first claim takes a second
// (its lease ends at 31s, its term at 30s); the renewal starts at 15s and
// the clock steps back 20s before the manager extends the lease (which
// keeps 31s: an extension never shortens it); every renewal after that
// fails. The renewed term ends at 25s, not 45s: at 32s redis/1 holds the
// lease and redis/0's tracker is a minion.
func (s *TrackerHandoverSuite) TestClockStepsBackDuringRenewalOneLeader(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	renewed := make(chan struct{})
	fail := func() error { return errors.New("store unreachable") }
	wrapped := &scriptedClaims{Manager: m, step: map[int]func() error{
		1: func() error { s.clock.Advance(time.Second); return nil },
		2: func() error { s.clock.Set(s.clock.Now().Add(-20 * time.Second)); return nil },
		3: fail, 4: fail, 5: fail, 6: fail,
	}, after: map[int]func(){
		2: func() { close(renewed) },
	}}
	tracker := s.tracker(c, wrapped, "redis/0")
	defer func() { c.Check(worker.Stop(tracker), jc.ErrorIsNil) }()
	assertTicket(c, tracker.WaitLeader(), true)
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration/2), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(trackDuration / 2))
	// The renewal returns at -5s: its term ends at 25s, the next
	// renewal is due at 10s. The clock must not move on before the
	// manager has extended the lease.
	select {
	case <-renewed:
	case <-time.After(LongWait):
		c.Fatalf("the renewal never returned")
	}
	c.Assert(s.clock.WaitAlarmFor(offset(10*time.Second), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(16 * time.Second))
	// The renewals fail from here; the term cannot cover ClaimDuration.
	early := tracker.ClaimLeader()
	s.clock.Set(offset(trackDuration))
	assertTicket(c, early, false)
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), true)
	s.clock.Set(offset(32 * time.Second))
	waitReleasedThenClaim(c, m)
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), true)
}

// TestHangingClaimClockBackThenPastTerm: the first claim hangs, the clock
// steps back an hour and then forward to the claim's start plus Duration
// (the tracker reads neither step until the claim returns); the claim then
// succeeds: its term is over, so the tracker is not leader, and claims
// again.
func (s *TrackerSuite) TestHangingClaimClockBackThenPastTerm(c *gc.C) {
	tracker := s.start(c, s.manager)
	hung := s.manager.expect(c, "ClaimLeadership")
	claimTicket := tracker.ClaimLeader()
	s.clock.Set(offset(-time.Hour))
	assertNotReady(c, claimTicket)
	s.clock.Set(offset(trackDuration))
	hung.reply <- nil
	assertTicket(c, claimTicket, false)
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	assertTicket(c, tracker.WaitMinion(), true)
}

// TestLateRenewalAfterJumpPastTerm: a renewal hangs while the clock jumps
// past the term; the tracker is a minion from the jump, the late success
// (whose term, counted from its start, has ended) does not make it leader,
// and it claims again at once.
func (s *TrackerSuite) TestLateRenewalAfterJumpPastTerm(c *gc.C) {
	tracker := s.startLeading(c)
	assertTicket(c, tracker.WaitLeader(), true)
	s.advanceTo(c, trackDuration/2)
	hung := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(trackDuration + time.Hour))
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, tracker.ClaimLeader(), false)
	hung.reply <- nil
	next := s.manager.expect(c, "ClaimLeadership")
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), true)
	next.reply <- nil
	assertTicket(c, tracker.WaitLeader(), true)
}

// TestReadingWithoutMonotonicEndsTerm: on a clock that is not a
// lease.MonotonicClock, a reading that carries no monotonic reading ends
// the term at once: on it, the tracker cannot tell how much is left.
// (The clock is the system's, whose alarms never come within the test:
// nothing waits for them.)
func (s *TrackerSuite) TestReadingWithoutMonotonicEndsTerm(c *gc.C) {
	clock := &strippingClock{}
	tracker := newTrackerFor(c, s.manager, clock, "redis/0", time.Hour)
	s.tracker = tracker
	s.manager.expect(c, "ClaimLeadership").reply <- nil
	assertTicket(c, tracker.ClaimLeader(), true)
	clock.strip(true)
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), true)
	clock.strip(false)
	assertTicket(c, tracker.ClaimLeader(), false)
}

// strippingClock reads the system's clock, with or without its monotonic
// reading; it is no lease.MonotonicClock.
type strippingClock struct {
	mu       sync.Mutex
	stripped bool
}

func (c *strippingClock) strip(v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stripped = v
}

func (c *strippingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stripped {
		return lease.SystemClock{}.Now().Round(0)
	}
	return lease.SystemClock{}.Now()
}

func (c *strippingClock) Alarm(t time.Time) <-chan time.Time {
	return lease.SystemClock{}.Alarm(t)
}

// TestClockStepsBackDuringClaimThenForward: the tracker reads 0s and
// claims; the clock steps back 20s before the manager reads it, so the
// lease ends at 10s on that clock; the claim returns at -20s, and the wall
// clock then steps forward 20s again without its monotonic time (an NTP
// correction). The manager, on the same clock, takes the lease to have
// ended when its clock reads 10s, 10s after the claim in real time; the
// tracker's term must end then too, not 30s after the claim.
func (s *TrackerSuite) TestClockStepsBackDuringClaimThenForward(c *gc.C) {
	clock := &aheadClock{Clock: s.clock}
	tracker := newTrackerFor(c, s.manager, clock, "redis/0", trackDuration)
	s.tracker = tracker
	mc := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(-20 * time.Second))
	// The manager reads -20s: its lease ends at 10s on this clock.
	mc.reply <- nil
	assertTicket(c, tracker.WaitLeader(), true)
	clock.step(20 * time.Second)
	s.clock.Advance(10*time.Second - time.Nanosecond)
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Advance(time.Nanosecond)
	// The wall clock reads 10s: the lease has ended.
	assertTicket(c, tracker.ClaimLeader(), false)
	assertTicket(c, tracker.WaitMinion(), true)
}
