package leadership

import (
	"context"
	"time"

	"github.com/seed07a61904/leadership/internal/timeshift"
)

// LeaderRunner is implemented by the [Tracker] that [NewTracker] returns;
// assert to it (tracker.(leadership.LeaderRunner)), as to [Revoker] on a
// manager. It runs a unit's leader-only work (calls to other services,
// files, processes: what no [Token] fences) under a leader context, which
// ends with the unit's leadership.
//
// A leader context is done as soon as its tracker counts the unit no
// longer leader, and context.Cause says why:
//   - [ErrLeadershipLost]: a claim was denied (another unit leads);
//   - [ErrTermEnded]: the unit's last term ran out before a renewal
//     succeeded (a renewal that hangs or fails, a store that is down);
//   - [ErrTrackerKilled]: Kill;
//   - [ErrResigned]: [Resigner.Resign];
//   - the error the tracker stops with, if it stops by itself (matching
//     [ErrStopped] when its manager stops).
//
// It is done at the latest when the unit's last term ends on the
// tracker's monotonic time (see "Clocks that step back" on [Tracker]),
// whatever else happens: the tracker's loop keeps an alarm for it, which
// no hanging call, store outage or stopped manager holds up. (A step
// forward of the wall clock ends the term when the tracker next reads its
// clock, as for [EventLeading].) It is also done when the context it was
// made from is. Its Deadline is the end of the unit's term on the
// tracker's wall clock as of the latest renewal (later after each one),
// or the parent's deadline if that is earlier; the context is done by its
// Deadline unless the wall clock steps, and by the end of the term in
// monotonic time in any case. (Deadline asks the tracker's loop: do not
// call it from the tracker's Observer, which runs on that loop.)
//
// Kill and Resign wait for leader-only work before they revoke: they end
// every leader context at once, then wait until the work under each has
// stopped (RunAsLeader's f has returned, or the cancel function
// LeaderContext returned has been called), and only then revoke, so that
// no other unit is granted leadership through the revoke while this one
// still acts. They make no renewal meanwhile, so they wait at most until
// the unit's last term ends: work still running then is left to run, the
// tracker does not revoke (the lease runs out on its own, as after a
// crash: letting it expire is safe, revoking would not be), and Wait, or
// Resign, returns an error matching [ErrLeaderWorkRunning]. A tracker
// whose manager stops ends its leader contexts and does not wait: it has
// nothing left to revoke.
//
// A done context stops nothing by itself: leader-only work must check it
// (ctx.Err, ctx.Done) before each action, and an action begun just before
// the end may still finish after it. Writes to the store are fenced by a
// [Token] instead, which holds only while the unit leads.
type LeaderRunner interface {
	// LeaderContext waits until the unit leads, then returns a leader
	// context derived from ctx and a cancel function, to be called once
	// the work under that context has stopped: until it is called, Kill
	// and Resign wait for the work (see above). It returns an error, and
	// no context, if ctx is done first (ctx's cause) or if the tracker
	// stops first ([ErrTrackerKilled], or the error the tracker stops
	// with).
	LeaderContext(ctx context.Context) (context.Context, context.CancelFunc, error)

	// RunAsLeader waits until the unit leads, calls f with a leader
	// context derived from ctx, and returns f's error once f returns. It
	// returns without calling f, with LeaderContext's error, if ctx is
	// done or the tracker stops first. It calls f once; call it in a
	// loop for work that resumes whenever the unit leads again.
	RunAsLeader(ctx context.Context, f func(context.Context) error) error
}

var _ LeaderRunner = (*tracker)(nil)

// leaderWork is one request for a leader context, and then the work under
// it. The requester makes it; the tracker's loop grants it (closing
// granted) once the unit leads, and ends it (writing deadline, closing
// ended and cancelling ctx) when the unit stops leading; the requester
// releases it, through the loop's releases channel, once the work has
// stopped or it gives up waiting.
type leaderWork struct {
	ctx     context.Context
	cancel  context.CancelCauseFunc
	granted chan struct{} // closed by the loop when it grants the work
	ended   chan struct{} // closed by the loop when it ends or releases granted work
	// deadline is the context's final deadline (the term's end on the
	// wall clock when the loop ended it): written by the loop before it
	// closes ended, read only after.
	deadline time.Time
	// state is owned by the loop.
	state workState
}

// workState is where a leaderWork stands, as the tracker's loop sees it.
type workState int

const (
	// workWaiting: requested, not yet granted; in tracker.waiting.
	workWaiting workState = iota
	// workLive: granted, and the unit still leads: in tracker.works; its
	// context is not done (unless its parent is) and its deadline moves.
	workLive
	// workEnded: the loop ended its context; in tracker.works until
	// released: the work may still run.
	workEnded
	// workReleased: released, or given up before it was granted; in no
	// set.
	workReleased
)

// leaderContext is the context a [LeaderRunner] hands out: the work's
// context (cancelled by the tracker with a cause), whose Deadline is the
// end of the unit's term, asked of the tracker's loop.
type leaderContext struct {
	context.Context
	t *tracker
	w *leaderWork
}

// Deadline is part of the [context.Context] interface: the earlier of
// the parent's deadline and the end of the unit's term on the tracker's
// wall clock, as of the latest renewal.
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

// release cancels w's context and tells the loop that the work under it
// has stopped, or that its requester gave up. It may be called more than
// once; after the loop has returned, there is nothing left to tell.
func (t *tracker) release(w *leaderWork) {
	w.cancel(context.Canceled)
	select {
	case t.releases <- w:
	case <-t.tomb.Dead():
	}
}

// workDeadline returns w's deadline: asked of the loop while it may move,
// and its final value once the loop has ended the work.
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

// handleRelease forgets w: a request given up before it was granted, or
// work that has stopped (ending its context first, if the unit still
// leads). A second release of w does nothing.
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

// endLiveWork ends the context of every live work with cause: the unit
// no longer leads, as far as that work is concerned. The works stay in
// t.works until released.
func (t *tracker) endLiveWork(now reading, cause error) {
	for w := range t.works {
		if w.state == workLive {
			t.endWork(w, now, cause)
		}
	}
}

// endWork records w's final deadline, closes its ended channel, and
// cancels its context with cause.
func (t *tracker) endWork(w *leaderWork, now reading, cause error) {
	w.deadline = t.termDeadline(now)
	w.state = workEnded
	close(w.ended)
	w.cancel(cause)
}

// termDeadline returns the end of the unit's term on the wall clock at
// now: the wall-clock end of the term, or earlier if the monotonic end
// comes first as the wall clock reads now (it stepped back); now's wall
// time if the unit has no term.
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

// closeService ends the tracker's service of leader contexts and
// resignations, once and for all, with cause (why the tracker stops):
// it ends every live work, cancels every waiting request, answers every
// pending Resign, and closes t.closed, after which requests are answered
// with cause without reaching the loop. Work that runs stays in t.works.
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
