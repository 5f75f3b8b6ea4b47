package leadership_test

import (
	"errors"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
)

// The tracker's clock steps back (as NTP can, or a clock with no monotonic
// reading): everything it counted on the clock moves back by the step it
// sees, so that it never counts itself leader past the lease's real end.

// TestClockStepsBackDuringFirstClaim: the claim returns to a reading 20s
// before its start, so its term ends Duration after that reading (at 10s,
// not 30s), and the renewal is due at -5s.
func (s *TrackerSuite) TestClockStepsBackDuringFirstClaim(c *gc.C) {
	tracker := s.start(c, s.manager)
	mc := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(-20 * time.Second))
	mc.reply <- nil
	assertTicket(c, tracker.ClaimLeader(), true)
	s.advanceTo(c, -5*time.Second)
	renewal := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(10*time.Second - time.Nanosecond))
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Set(offset(10 * time.Second))
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, tracker.ClaimLeader(), false)
	renewal.reply <- leadership.ErrStopped
}

// TestClockStepsBackDuringRenewal: the renewal starts at 15s and returns
// to -5s; its term ends at 25s, not 45s.
func (s *TrackerSuite) TestClockStepsBackDuringRenewal(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, nil)
	s.advanceTo(c, trackDuration/2)
	mc := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(-5 * time.Second))
	mc.reply <- nil
	s.advanceTo(c, 10*time.Second)
	renewal := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(25*time.Second - time.Nanosecond))
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Set(offset(25 * time.Second))
	assertTicket(c, tracker.WaitMinion(), true)
	renewal.reply <- leadership.ErrStopped
}

// TestClockStepsBackWhileLeader: a step back the tracker reads between
// calls moves its term's end and its renewal back by the step.
func (s *TrackerSuite) TestClockStepsBackWhileLeader(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, nil)
	s.clock.Set(offset(-10 * time.Second))
	// The term now ends at 20s: ClaimDuration from -10s is covered.
	assertTicket(c, tracker.ClaimLeader(), true)
	s.advanceTo(c, 5*time.Second)
	renewal := s.manager.expect(c, "ClaimLeadership")
	s.clock.Set(offset(20*time.Second - time.Nanosecond))
	assertTicket(c, tracker.WaitLeader(), true)
	s.clock.Set(offset(20 * time.Second))
	assertTicket(c, tracker.WaitMinion(), true)
	renewal.reply <- leadership.ErrStopped
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
	select {
	case err := <-released:
		c.Assert(err, jc.ErrorIsNil)
	case <-time.After(LongWait):
		c.Fatalf("lease never released")
	}
	c.Assert(manager.ClaimLeadership("redis", "redis/1", trackDuration), jc.ErrorIsNil)
}

// TestClockStepsBackDuringClaimOneLeader: the manager writes the lease
// at a reading 20s (more than Duration/2) before the tracker's: the lease
// ends at 10s. The renewals fail; once redis/1 holds the lease, redis/0's
// tracker must not lead.
func (s *TrackerHandoverSuite) TestClockStepsBackDuringClaimOneLeader(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	fail := func() error { return errors.New("store unreachable") }
	wrapped := &scriptedClaims{Manager: m, step: map[int]func() error{
		1: func() error { s.clock.Set(s.clock.Now().Add(-20 * time.Second)); return nil },
		2: fail, 3: fail, 4: fail,
	}}
	tracker := s.tracker(c, wrapped, "redis/0")
	defer func() { c.Check(worker.Stop(tracker), jc.ErrorIsNil) }()
	assertTicket(c, tracker.WaitLeader(), true)
	// The renewal is due at -5s, not at 15s.
	c.Assert(s.clock.WaitAlarmFor(offset(-5*time.Second), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(11 * time.Second))
	waitReleasedThenClaim(c, m)
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, tracker.ClaimLeader(), false)
}

// scriptedClaims runs the nth claim (from 1) through step[n], if any: it
// may step the clock, or fail the claim instead of passing it on.
type scriptedClaims struct {
	leadership.Manager
	mu   sync.Mutex
	n    int
	step map[int]func() error
}

func (m *scriptedClaims) ClaimLeadership(service, unit string, d time.Duration) error {
	m.mu.Lock()
	m.n++
	f := m.step[m.n]
	m.mu.Unlock()
	if f != nil {
		if err := f(); err != nil {
			return err
		}
	}
	return m.Manager.ClaimLeadership(service, unit, d)
}

// TestClockStepsBackDuringRenewalOneLeader: the first claim takes a second
// (its lease ends at 31s, its term at 30s); the renewal starts at 15s and
// the clock steps back 20s before the manager extends the lease (which
// keeps 31s: an extension never shortens it); every renewal after that
// fails. The renewed term ends at 25s, not 45s: at 32s redis/1 holds the
// lease and redis/0's tracker is a minion.
func (s *TrackerHandoverSuite) TestClockStepsBackDuringRenewalOneLeader(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	fail := func() error { return errors.New("store unreachable") }
	wrapped := &scriptedClaims{Manager: m, step: map[int]func() error{
		1: func() error { s.clock.Advance(time.Second); return nil },
		2: func() error { s.clock.Set(s.clock.Now().Add(-20 * time.Second)); return nil },
		3: fail, 4: fail, 5: fail, 6: fail,
	}}
	tracker := s.tracker(c, wrapped, "redis/0")
	defer func() { c.Check(worker.Stop(tracker), jc.ErrorIsNil) }()
	assertTicket(c, tracker.WaitLeader(), true)
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration/2), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(trackDuration / 2))
	// The renewal returns at -5s: its term ends at 25s, the next
	// renewal is due at 10s. (Had the clock moved forward before the
	// tracker read it, the step would be invisible to it.)
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
	tracker := s.start(c, s.manager)
	s.claim(c, nil)
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
