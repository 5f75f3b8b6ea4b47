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

// runner returns tracker as a leadership.LeaderRunner.
func runner(c *gc.C, tracker leadership.Tracker) leadership.LeaderRunner {
	r, ok := tracker.(leadership.LeaderRunner)
	c.Assert(ok, jc.IsTrue, gc.Commentf("%T is no LeaderRunner", tracker))
	return r
}

// leaderContext returns a leader context of tracker, which must be
// granted within LongWait, and its cancel function.
func leaderContext(c *gc.C, tracker leadership.Tracker) (context.Context, context.CancelFunc) {
	type granted struct {
		ctx    context.Context
		cancel context.CancelFunc
		err    error
	}
	done := make(chan granted, 1)
	go func() {
		ctx, cancel, err := runner(c, tracker).LeaderContext(context.Background())
		done <- granted{ctx, cancel, err}
	}()
	g := receive(c, done, "no leader context")
	c.Assert(g.err, jc.ErrorIsNil)
	return g.ctx, g.cancel
}

// assertDone waits up to LongWait for ctx to be done, and checks that its
// cause matches want.
func assertDone(c *gc.C, ctx context.Context, want error) {
	receive(c, ctx.Done(), "context not done")
	cause := context.Cause(ctx)
	c.Check(errors.Is(cause, want), jc.IsTrue, gc.Commentf("cause %v, want %v", cause, want))
}

// assertNotDone fails if ctx is done within ShortWait.
func assertNotDone(c *gc.C, ctx context.Context) {
	select {
	case <-ctx.Done():
		c.Fatalf("context done unexpectedly: %v", context.Cause(ctx))
	case <-time.After(ShortWait):
	}
}

// assertDeadline checks ctx's deadline.
func assertDeadline(c *gc.C, ctx context.Context, want time.Time) {
	deadline, ok := ctx.Deadline()
	c.Check(ok, jc.IsTrue)
	c.Check(deadline.Equal(want), jc.IsTrue, gc.Commentf("deadline %v, want %v", deadline, want))
}

// work is leader-only work run by RunAsLeader on a goroutine of its own,
// which returns only when the test lets it.
type work struct {
	ctx      chan context.Context // receives f's context when f starts
	finish   chan struct{}        // closed by the test to let f return
	returned chan struct{}        // closed by f as it returns
	result   chan error           // receives RunAsLeader's error
}

// runWork starts RunAsLeader on tracker with a work that returns only
// when the test calls finish, whatever its context says.
func runWork(c *gc.C, tracker leadership.Tracker) *work {
	w := &work{
		ctx:      make(chan context.Context, 1),
		finish:   make(chan struct{}),
		returned: make(chan struct{}),
		result:   make(chan error, 1),
	}
	r := runner(c, tracker)
	go func() {
		w.result <- r.RunAsLeader(context.Background(), func(ctx context.Context) error {
			w.ctx <- ctx
			<-w.finish
			close(w.returned)
			return errWorkDone
		})
	}()
	return w
}

// errWorkDone is what a work's f returns.
var errWorkDone = errors.New("work done")

// started waits up to LongWait for w's f to start, and returns its context.
func (w *work) started(c *gc.C) context.Context {
	select {
	case ctx := <-w.ctx:
		return ctx
	case <-time.After(LongWait):
		c.Fatalf("work not started after %v", LongWait)
	}
	panic("unreachable")
}

// end lets w's f return, and checks RunAsLeader's error.
func (w *work) end(c *gc.C) {
	close(w.finish)
	c.Check(receive(c, w.result, "RunAsLeader did not return"), gc.Equals, errWorkDone)
}

// revokeAfterWork lets w's work return, checks that the tracker revokes
// only once it has, and answers the revoke with nil.
func (s *TrackerSuite) revokeAfterWork(c *gc.C, w *work) {
	close(w.finish)
	revoke := s.manager.expect(c, "RevokeLeadership")
	select {
	case <-w.returned:
	default:
		c.Fatalf("revoked before the work returned")
	}
	revoke.reply <- nil
}

// revokedThenStops answers the tracker's revoke with nil and checks that
// the tracker then stops cleanly.
func (s *TrackerSuite) revokedThenStops(c *gc.C, tracker leadership.Tracker) {
	s.manager.expect(c, "RevokeLeadership").reply <- nil
	c.Check(tracker.Wait(), jc.ErrorIsNil)
}

// The leader context ends exactly at the end of the last term when the
// renewal hangs, with nothing but the clock moving.
func (s *TrackerSuite) TestLeaderContextEndsAtTermEndWhenRenewalHangs(c *gc.C) {
	tracker := s.startLeading(c)
	ctx, cancel := leaderContext(c, tracker)
	defer cancel()
	assertDeadline(c, ctx, offset(trackDuration))

	s.advanceTo(c, trackDuration/2)
	hung := s.manager.expect(c, "ClaimLeadership")
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(trackDuration - time.Nanosecond))
	assertNotDone(c, ctx)
	s.clock.Set(offset(trackDuration))
	assertDone(c, ctx, leadership.ErrTermEnded)
	assertDeadline(c, ctx, offset(trackDuration))
	hung.reply <- nil
}

// Each renewal moves the deadline to the end of its term.
func (s *TrackerSuite) TestLeaderContextDeadlineMovesWithRenewals(c *gc.C) {
	tracker := s.startLeading(c)
	ctx, cancel := leaderContext(c, tracker)
	defer cancel()
	s.advanceTo(c, trackDuration/2)
	renewal := s.manager.expect(c, "ClaimLeadership")
	// A nanosecond into the renewal, the term no longer covers a
	// ClaimLeader: once it is answered true, the renewal is recorded.
	s.clock.Set(offset(trackDuration/2 + time.Nanosecond))
	renewal.reply <- nil
	assertTicket(c, tracker.ClaimLeader(), true)
	assertDeadline(c, ctx, offset(trackDuration/2+trackDuration))
	// The first term's end passes; the renewal's term lasts.
	s.advanceTo(c, trackDuration)
	s.claim(c, nil)
	assertNotDone(c, ctx)
}

// failRenewal starts a leading tracker with a leader context, answers
// its renewal (half a term after its claim) with claimErr, and checks
// that the context ends at once with want. It returns the tracker.
func (s *TrackerSuite) failRenewal(c *gc.C, claimErr, want error) leadership.Tracker {
	tracker := s.startLeading(c)
	ctx, cancel := leaderContext(c, tracker)
	defer cancel()
	s.advanceTo(c, trackDuration/2)
	s.claim(c, claimErr)
	assertDone(c, ctx, want)
	return tracker
}

// A denied claim ends the leader context at once, before the term's end.
func (s *TrackerSuite) TestLeaderContextEndsAtOnceOnLostClaim(c *gc.C) {
	tracker := s.failRenewal(c, leadership.ErrClaimDenied, leadership.ErrLeadershipLost)
	c.Check(s.clock.Now().Equal(offset(trackDuration/2)), jc.IsTrue)
	assertTicket(c, tracker.WaitMinion(), true)
}

// LeaderContext waits until the unit leads.
func (s *TrackerSuite) TestLeaderContextWaitsForLeadership(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	w := runWork(c, tracker)
	block := s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	select {
	case <-w.ctx:
		c.Fatalf("work started while the unit was a minion")
	case <-time.After(ShortWait):
	}
	block.reply <- nil
	s.claim(c, nil)
	ctx := w.started(c)
	c.Check(ctx.Err(), jc.ErrorIsNil)
	w.end(c)
}

// A LeaderContext given up by its context leaves nothing behind: once the
// unit leads, Kill revokes without waiting for it.
func (s *TrackerSuite) TestLeaderContextGivenUp(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	block := s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	ctx, cancel := context.WithCancel(context.Background())
	result := make(chan error, 1)
	go func() {
		_, _, err := runner(c, tracker).LeaderContext(ctx)
		result <- err
	}()
	cancel()
	c.Check(receive(c, result, "LeaderContext did not return"), gc.Equals, context.Canceled)
	block.reply <- nil
	s.claim(c, nil)
	assertTicket(c, tracker.WaitLeader(), true)
	tracker.Kill()
	s.revokedThenStops(c, tracker)
}

// Kill ends the leader context, and revokes only after the work under it
// has returned.
func (s *TrackerSuite) TestKillWaitsForLeaderWorkBeforeRevoking(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	ctx := w.started(c)
	tracker.Kill()
	assertDone(c, ctx, leadership.ErrTrackerKilled)
	s.manager.expectNone(c)

	s.revokeAfterWork(c, w)
	c.Check(tracker.Wait(), jc.ErrorIsNil)
	c.Check(receive(c, w.result, "RunAsLeader did not return"), gc.Equals, errWorkDone)
}

// Work that does not return is waited for until the end of the last term,
// with no renewal meanwhile; then the tracker stops without revoking.
func (s *TrackerSuite) TestKillLeavesWorkThatOutlivesTheTerm(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	w.started(c)
	tracker.Kill()
	waited := make(chan error, 1)
	go func() { waited <- tracker.Wait() }()
	// No renewal when it is due.
	s.clock.Set(offset(trackDuration / 2))
	s.manager.expectNone(c)
	select {
	case err := <-waited:
		c.Fatalf("Wait returned %v while the work ran within its term", err)
	default:
	}
	s.clock.Set(offset(trackDuration))
	err := receive(c, waited, "Wait did not return")
	c.Check(errors.Is(err, leadership.ErrLeaderWorkRunning), jc.IsTrue, gc.Commentf("%v", err))
	c.Check(err, gc.ErrorMatches, `not revoking leadership of "redis" for "redis/0": leader-only work still running at the end of the term`)
	s.manager.expectNone(c)
	w.end(c)
}

// A Kill during a renewal waits for it: the renewal's term bounds the
// wait for the work, and the revoke still follows the work's return.
func (s *TrackerSuite) TestKillDuringRenewalWaitsForItAndTheWork(c *gc.C) {
	tracker := s.startLeading(c)
	w := runWork(c, tracker)
	w.started(c)
	s.advanceTo(c, trackDuration/2)
	renewal := s.manager.expect(c, "ClaimLeadership")
	tracker.Kill()
	renewal.reply <- nil
	// The first term's end passes: the renewal's term still lasts.
	s.clock.Set(offset(trackDuration))
	s.manager.expectNone(c)
	s.revokeAfterWork(c, w)
	c.Check(tracker.Wait(), jc.ErrorIsNil)
}

// A tracker whose manager stops ends its leader contexts with its error,
// and stops without waiting for the work: it has nothing to revoke.
func (s *TrackerSuite) TestManagerStoppedEndsLeaderContext(c *gc.C) {
	tracker := s.failRenewal(c, leadership.ErrStopped, leadership.ErrStopped)
	c.Check(errors.Is(receive(c, waitChan(tracker), "Wait did not return"), leadership.ErrStopped), jc.IsTrue)
	_, _, err := runner(c, tracker).LeaderContext(context.Background())
	c.Check(errors.Is(err, leadership.ErrStopped), jc.IsTrue, gc.Commentf("%v", err))
}

// waitChan returns a channel that receives tracker's Wait.
func waitChan(tracker leadership.Tracker) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- tracker.Wait() }()
	return ch
}

// A killed tracker runs no work, and takes no resignation.
func (s *TrackerSuite) TestKilledTrackerRefusesWork(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	c.Check(stopTracker(c, tracker), jc.ErrorIsNil)
	ran := false
	err := runner(c, tracker).RunAsLeader(context.Background(), func(context.Context) error {
		ran = true
		return nil
	})
	c.Check(err, gc.Equals, leadership.ErrTrackerKilled)
	c.Check(ran, jc.IsFalse)
	c.Check(tracker.(leadership.Resigner).Resign(context.Background()), gc.Equals, leadership.ErrTrackerKilled)
}

// A waiting LeaderContext is answered when the tracker is killed.
func (s *TrackerSuite) TestKillAnswersWaitingLeaderContext(c *gc.C) {
	tracker := s.start(c, s.manager)
	s.claim(c, leadership.ErrClaimDenied)
	s.manager.expect(c, "BlockUntilLeadershipReleasedContext")
	result := make(chan error, 1)
	go func() {
		_, _, err := runner(c, tracker).LeaderContext(context.Background())
		result <- err
	}()
	tracker.Kill()
	c.Check(receive(c, result, "LeaderContext did not return"), gc.Equals, leadership.ErrTrackerKilled)
	c.Check(tracker.Wait(), jc.ErrorIsNil)
}

// doneTicket is a context as a leadership.Ticket, answered true when the
// context is done.
type doneTicket struct{ ctx context.Context }

func (t doneTicket) Wait() bool {
	<-t.ctx.Done()
	return true
}

func (t doneTicket) Ready() <-chan struct{} {
	return t.ctx.Done()
}

// With the store down, the leader context ends by the end of the last
// term, the tracker and its manager running on.
func (s *TrackerHandoverSuite) TestLeaderContextEndsByTermEndWhenStoreDown(c *gc.C) {
	_, clock, tracker := s.armedLeader(c)
	defer worker.Stop(tracker)
	w := runWork(c, tracker)
	ctx := w.started(c)
	termEnd := s.clock.Now().Add(trackDuration)
	assertDeadline(c, ctx, termEnd)

	s.store.Stop()
	at := s.stepUntil(c, clock, doneTicket{ctx}, termEnd)
	c.Logf("leader context done at %v, term ended at %v", at, termEnd)
	c.Check(errors.Is(context.Cause(ctx), leadership.ErrTermEnded), jc.IsTrue, gc.Commentf("%v", context.Cause(ctx)))
	w.end(c)
	s.store.Restart()
	assertTicket(c, tracker.WaitMinion(), true)
}

// A clock stepped back after the claim moves the deadline back with it:
// the context ends when the term ends in monotonic time, and its Deadline
// says when that is on the wall clock as it now reads.
func (s *TrackerSuite) TestLeaderContextDeadlineAfterStepBack(c *gc.C) {
	tracker := s.startLeading(c)
	ctx, cancel := leaderContext(c, tracker)
	defer cancel()
	s.clock.Set(offset(-time.Hour))
	assertDeadline(c, ctx, offset(trackDuration-time.Hour))
	// The renewal, due half a term after the claim, hangs.
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration/2-time.Hour), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(trackDuration/2 - time.Hour))
	hung := s.manager.expect(c, "ClaimLeadership")
	c.Assert(s.clock.WaitAlarmFor(offset(trackDuration-time.Hour), LongWait), jc.ErrorIsNil)
	s.clock.Set(offset(trackDuration - time.Hour))
	assertDone(c, ctx, leadership.ErrTermEnded)
	hung.reply <- nil
}

// A manager that is killed ends its tracker's leader contexts at once,
// with an error matching ErrStopped, without the clock moving.
func (s *TrackerHandoverSuite) TestLeaderContextEndsWhenManagerKilled(c *gc.C) {
	m := s.manager(c, "a", time.Hour)
	tracker := s.tracker(c, m, "redis/0")
	assertTicket(c, tracker.WaitLeader(), true)
	w := runWork(c, tracker)
	ctx := w.started(c)
	m.Kill()
	assertDone(c, ctx, leadership.ErrStopped)
	c.Check(errors.Is(receive(c, waitChan(tracker), "Wait did not return"), leadership.ErrStopped), jc.IsTrue)
	w.end(c)
}
