package leadership_test

import (
	"context"
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
)

// resign starts tracker's Resign on a goroutine of its own, and returns
// the channel that receives its error.
func resign(c *gc.C, tracker leadership.Tracker, ctx context.Context) <-chan error {
	r, ok := tracker.(leadership.Resigner)
	c.Assert(ok, jc.IsTrue, gc.Commentf("%T is no Resigner", tracker))
	result := make(chan error, 1)
	go func() { result <- r.Resign(ctx) }()
	return result
}

// Resign ends the leader context, counts the unit a minion at once,
// revokes once the work has returned, and claims again only after the
// pause (Duration by default), to lead again.
func (s *TrackerSuite) TestResignRevokesAfterWorkThenClaimsAfterPause(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	ctx := w.started(c)
	result := resign(c, tracker, context.Background())
	assertDone(c, ctx, leadership.ErrResigned)
	assertTicket(c, tracker.WaitMinion(), true)
	assertTicket(c, tracker.ClaimLeader(), false)
	leaderTicket := tracker.WaitLeader()
	s.manager.expectNone(c)

	s.revokeAfterWork(c, w)
	c.Check(receive(c, result, "Resign did not return"), jc.ErrorIsNil)

	// No claim, no renewal, until the pause ends.
	s.clock.Set(offset(trackDuration / 2))
	s.manager.expectNone(c)
	assertNotReady(c, leaderTicket)
	s.advanceTo(c, trackDuration)
	s.claim(c, nil)
	assertTicket(c, leaderTicket, true)
	assertTicket(c, tracker.ClaimLeader(), true)
}

// A minion resigns at once, with nothing to revoke; its wait for a
// release goes on, and the claim it leads to waits for the pause.
func (s *TrackerSuite) TestResignMinion(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	block := s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	c.Check(receive(c, resign(c, tracker, context.Background()), "Resign did not return"), jc.ErrorIsNil)
	block.reply <- nil
	s.manager.expectNone(c)
	s.advanceTo(c, trackDuration)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

// A renewal in flight when Resign comes is waited for; granted, it is
// revoked.
func (s *TrackerSuite) TestResignWaitsForClaimInFlight(c *gc.C) {
	tracker := s.startLeading(c)
	s.advanceTo(c, trackDuration/2)
	renewal := s.manager.expect(c, "ClaimLeadership")
	result := resign(c, tracker, context.Background())
	assertTicket(c, tracker.WaitMinion(), true)
	s.manager.expectNone(c)
	renewal.reply <- nil
	s.manager.expect(c, "RevokeLeadership").reply <- nil
	c.Check(receive(c, result, "Resign did not return"), jc.ErrorIsNil)
	// The pause counts from the end of the resignation.
	s.advanceTo(c, trackDuration/2+trackDuration)
	s.claim(c, nil)
}

// Work that outlives the term is not waited for longer: the tracker does
// not revoke, and Resign says so; the tracker goes on.
func (s *TrackerSuite) TestResignLeavesWorkThatOutlivesTheTerm(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	w.started(c)
	result := resign(c, tracker, context.Background())
	s.advanceTo(c, trackDuration)
	err := receive(c, result, "Resign did not return")
	c.Check(errors.Is(err, leadership.ErrLeaderWorkRunning), jc.IsTrue, gc.Commentf("%v", err))
	s.manager.expectNone(c)
	w.end(c)
	// Claims resume after the pause.
	s.advanceTo(c, 2*trackDuration)
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
}

// A failed revoke is Resign's error; Kill then revokes again.
func (s *TrackerSuite) TestResignRevokeFails(c *gc.C) {
	tracker := s.startLeading(c)
	result := resign(c, tracker, context.Background())
	s.manager.expect(c, "RevokeLeadership").reply <- errors.New("lol borken")
	c.Check(receive(c, result, "Resign did not return"), gc.ErrorMatches, `cannot revoke leadership of "redis" for "redis/0": lol borken`)
	tracker.Kill()
	s.revokedThenStops(c, tracker)
}

// Resign's context bounds only the wait: the resignation goes on.
func (s *TrackerSuite) TestResignContextBoundsTheWaitOnly(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	ctx := w.started(c)
	resignCtx, cancel := context.WithCancel(context.Background())
	result := resign(c, tracker, resignCtx)
	assertDone(c, ctx, leadership.ErrResigned)
	cancel()
	c.Check(receive(c, result, "Resign did not return"), gc.Equals, context.Canceled)
	close(w.finish)
	s.manager.expect(c, "RevokeLeadership").reply <- nil
	assertTicket(c, tracker.WaitMinion(), true)
}

// Kill while a resignation waits for the work answers Resign.
func (s *TrackerSuite) TestKillDuringResign(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	w.started(c)
	result := resign(c, tracker, context.Background())
	assertTicket(c, tracker.WaitMinion(), true)
	tracker.Kill()
	c.Check(receive(c, result, "Resign did not return"), gc.Equals, leadership.ErrTrackerKilled)
	close(w.finish)
	s.revokedThenStops(c, tracker)
}

// Resign, then another unit leads; the tracker stays a candidate: after
// its pause it claims, is denied, waits for a release, and leads again
// when the other unit stops.
func (s *TrackerHandoverSuite) TestResignThenAnotherLeadsThenLeadsAgain(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	config := trackerConfig(m, s.clock, "redis/0", trackDuration)
	config.ResignPause = trackDuration / 4
	first, err := leadership.NewTracker(config)
	c.Assert(err, jc.ErrorIsNil)
	defer worker.Stop(first)
	assertTicket(c, first.WaitLeader(), true)
	second := s.tracker(c, m, "redis/1")
	defer worker.Stop(second)
	assertTicket(c, second.WaitMinion(), true)

	w := runWork(c, first)
	ctx := w.started(c)
	result := resign(c, first, context.Background())
	assertDone(c, ctx, leadership.ErrResigned)
	w.end(c)
	c.Check(receive(c, result, "Resign did not return"), jc.ErrorIsNil)
	// The clock has not moved: the revoke released the waiting unit.
	assertTicket(c, second.WaitLeader(), true)
	assertTicket(c, first.WaitMinion(), true)
	assertTicket(c, first.ClaimLeader(), false)

	// After its pause, the first tracker claims, is denied, and waits.
	leaderTicket := first.WaitLeader()
	resignedAt := s.clock.Now()
	c.Assert(s.clock.WaitAlarmFor(resignedAt.Add(trackDuration/4), LongWait), jc.ErrorIsNil)
	s.clock.Set(resignedAt.Add(trackDuration / 4))
	// Settled: the claim has been denied, and the wait for a release
	// begun.
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	assertNotReady(c, leaderTicket)
	assertTicket(c, second.ClaimLeader(), true)

	c.Check(worker.Stop(second), jc.ErrorIsNil)
	assertTicket(c, leaderTicket, true)
	assertTicket(c, first.ClaimLeader(), true)
}
