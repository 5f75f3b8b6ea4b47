package leadership

import (
	"context"
	"time"

	"github.com/seed07a61904/leadership/internal/timeshift"
)

// LeaderRunner is implemented by the [Tracker] that [NewTracker] returns
// (assert to it). It runs a unit's leader-only work (calls to other
// services, files, processes: what no [Token] fences) under a leader
// context, which is done as soon as the tracker counts the unit no longer
// leader, with context.Cause saying why: [ErrLeadershipLost] (a claim was
// denied), [ErrTermEnded] (the last term ran out before a renewal
// succeeded), [ErrTrackerKilled], [ErrResigned], or the error the tracker
// stops with ([ErrStopped] when its manager stops). It is also done when
// its parent is.
//
// It is done at the latest when the unit's last term ends on the tracker's
// monotonic time, by an alarm no hanging call, outage or stopped manager
// holds up. Its Deadline is the term's end on the tracker's wall clock as
// of the latest renewal, or the parent's if earlier. (Deadline asks the
// tracker's loop: do not call it from the tracker's Observer.)
//
// Kill and Resign end every leader context, wait until the work under each
// has stopped (f has returned, or LeaderContext's cancel was called), and
// only then revoke, so no other unit leads while this one still acts. They
// wait at most until the last term ends: work still running then is left
// to run, the lease runs out instead of being revoked, and Wait (or
// Resign) returns [ErrLeaderWorkRunning] (docs/design.md#leader-only-work).
//
// A done context stops nothing by itself: the work must check it before
// each action, and an action begun just before the end may finish after
// it. Store writes are fenced by a [Token] instead.
type LeaderRunner interface {
	// LeaderContext waits until the unit leads, then returns a leader
	// context derived from ctx and a cancel function to call once the
	// work under it has stopped (until then Kill and Resign wait). It
	// returns an error and no context if ctx is done first (ctx's cause)
	// or the tracker stops first ([ErrTrackerKilled], or its stop error).
	LeaderContext(ctx context.Context) (context.Context, context.CancelFunc, error)

	// RunAsLeader waits until the unit leads, calls f with a leader
	// context derived from ctx, and returns f's error once f returns. It
	// returns without calling f, with LeaderContext's error, if ctx is
	// done or the tracker stops first. It calls f once; call it in a
	// loop for work that resumes whenever the unit leads again.
	RunAsLeader(ctx context.Context, f func(context.Context) error) error
}

var _ LeaderRunner = (*tracker)(nil)

// leaderWork is one request for a leader context, then the work under it.
// The loop grants it (closing granted) once the unit leads and ends it
// (deadline, ended, ctx's cancel) when the unit stops leading; the
// requester releases it once the work stopped or it gave up.
type leaderWork struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	granted chan struct{} // closed by the loop when it grants the work
	ended   chan struct{} // closed by the loop when it ends or releases granted work
	// deadline is the final deadline, written by the loop before it
	// closes ended.
	deadline time.Time
	// state is owned by the loop.
	state workState
}

// workState is where a leaderWork stands, as the tracker's loop sees it.
type workState int

const (
	// workWaiting: not yet granted; in tracker.waiting.
	workWaiting workState = iota
	// workLive: granted and leading: in tracker.works, deadline moving.
	workLive
	// workEnded: context ended; in tracker.works until released.
	workEnded
	// workReleased: released, or given up before granted; in no set.
	workReleased
)

// leaderContext is the context a [LeaderRunner] hands out; its Deadline
// is asked of the tracker's loop.
type leaderContext struct {
	context.Context
	t *tracker
	w *leaderWork
}

// Deadline is part of the [context.Context] interface: the earlier of the
// parent's deadline and the term's end on the tracker's wall clock.
func (c *leaderContext) Deadline() (time.Time, bool) {
	d := c.t.workDeadline(c.w)
	if p, ok := c.Context.Deadline(); ok && p.Before(d) {
		return p, true
	}
	return d, true
}

// deadlineRequest asks the tracker's loop for the deadline of w.
type deadlineRequest struct {
	w     *leaderWork
	reply chan time.Time // buffered: the loop never waits on it
}

// LeaderContext is part of the [LeaderRunner] interface.
func (t *tracker) LeaderContext(ctx context.Context) (context.Context, context.CancelFunc, error) {
	wctx, cancel := context.WithCancelCause(ctx)
	w := &leaderWork{ctx: wctx, cancel: cancel, granted: make(chan struct{}), ended: make(chan struct{})}
	select {
	case t.workRequests <- w:
	case <-wctx.Done():
		cancel(nil)
		return nil, nil, context.Cause(wctx)
	case <-t.closed:
		cancel(t.closeCause)
		return nil, nil, t.closeCause
	}
	select {
	case <-w.granted:
		return &leaderContext{Context: wctx, t: t, w: w}, func() { t.release(w) }, nil
	case <-wctx.Done():
		// ctx is done, or the tracker is stopping and has cancelled
		// the request; it may have granted it meanwhile.
		t.release(w)
		return nil, nil, context.Cause(wctx)
	}
}

// RunAsLeader is part of the [LeaderRunner] interface.
func (t *tracker) RunAsLeader(ctx context.Context, f func(context.Context) error) error {
	leaderCtx, release, err := t.LeaderContext(ctx)
	if err != nil {
		return err
	}
	defer release()
	return f(leaderCtx)
}

// release cancels w's context and tells the loop the work has stopped (or
// was given up). Calling it again, or after the loop returned, is harmless.
func (t *tracker) release(w *leaderWork) {
	w.cancel(context.Canceled)
	select {
	case t.releases <- w:
	case <-t.tomb.Dead():
	}
}

// workDeadline returns w's deadline, asked of the loop while it may move.
func (t *tracker) workDeadline(w *leaderWork) time.Time {
	r := deadlineRequest{w: w, reply: make(chan time.Time, 1)}
	select {
	case <-w.ended:
		return w.deadline
	case t.deadlines <- r:
		return <-r.reply
	}
}

// The rest runs on the tracker's loop.

// handleWorkRequest queues w until the unit leads (update grants it).
func (t *tracker) handleWorkRequest(w *leaderWork) {
	t.waiting = append(t.waiting, w)
}

// handleRelease forgets w, ending its context first if still live. A
// second release does nothing.
func (t *tracker) handleRelease(w *leaderWork, now reading) {
	switch w.state {
	case workWaiting:
		for i, v := range t.waiting {
			if v == w {
				t.waiting = append(t.waiting[:i], t.waiting[i+1:]...)
				break
			}
		}
	case workLive:
		t.endWork(w, now, context.Canceled)
		delete(t.works, w)
	case workEnded:
		delete(t.works, w)
	}
	w.state = workReleased
}

// handleDeadline answers r: w's deadline, current while w is live.
func (t *tracker) handleDeadline(r deadlineRequest, now reading) {
	if r.w.state == workLive {
		r.reply <- t.termDeadline(now)
	} else {
		r.reply <- r.w.deadline
	}
}

// grantWork grants every waiting request: the unit leads.
func (t *tracker) grantWork() {
	for _, w := range t.waiting {
		w.state = workLive
		t.works[w] = struct{}{}
		close(w.granted)
	}
	t.waiting = nil
}

// endLiveWork ends the context of every live work with cause; the works
// stay in t.works until released.
func (t *tracker) endLiveWork(now reading, cause error) {
	for w := range t.works {
		if w.state == workLive {
			t.endWork(w, now, cause)
		}
	}
}

// endWork records w's final deadline, closes ended and cancels with cause.
func (t *tracker) endWork(w *leaderWork, now reading, cause error) {
	w.deadline = t.termDeadline(now)
	w.state = workEnded
	close(w.ended)
	w.cancel(cause)
}

// termDeadline returns the term's end on the wall clock at now: earlier if
// the monotonic end comes first (a step back); now's wall time if no term.
func (t *tracker) termDeadline(now reading) time.Time {
	wall := now.wall.Round(0)
	if t.termEnd.IsZero() {
		return wall
	}
	d := t.termEndWall
	if mono := timeshift.Shift(wall, t.termEnd, now.mono); mono.Before(d) {
		d = mono
	}
	return d
}

// closeService ends, once and for all, the tracker's service of leader
// contexts and resignations with cause: it ends live work, cancels waiting
// requests, answers pending Resigns, and closes t.closed, after which
// requests get cause without reaching the loop.
func (t *tracker) closeService(now reading, cause error) {
	select {
	case <-t.closed:
		return
	default:
	}
	t.endLiveWork(now, cause)
	for _, w := range t.waiting {
		w.state = workReleased
		w.cancel(cause)
	}
	t.waiting = nil
	t.answerResigns(cause)
	t.closeCause = cause
	close(t.closed)
}
