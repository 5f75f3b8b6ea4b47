package leadership

import (
	"context"
	"time"

	"github.com/juju/errors"
)

// Resigner is implemented by the [Tracker] that [NewTracker] returns
// (assert to it). It lets a running tracker give up its unit's leadership
// and stay a candidate, as etcd's Resign lets a campaign go on.
type Resigner interface {
	// Resign gives up the unit's leadership and keeps the tracker
	// running. At once the tracker counts the unit a minion, ends every
	// leader context with [ErrResigned], and stops renewing; once the
	// work under those contexts has stopped and any claim in flight has
	// returned, it revokes if the unit may hold the lease (at most until
	// the last term ends: work still running then means no revoke, and
	// the lease runs out). A true ClaimLeader answered before is cut
	// short. Then it makes no claim for [TrackerConfig.ResignPause], so
	// other candidates may claim, and claims again as usual.
	//
	// It returns nil once the tracker has stood aside (a manager that
	// cannot revoke leaves the lease to run out); [ErrLeaderWorkRunning]
	// if work still ran at the term's end; the revoke's error (Kill will
	// revoke again); [ErrTrackerKilled] or the tracker's stop error if it
	// stops first; or ctx's cause, if ctx is done first (ctx bounds only
	// the wait). Resigning during a resignation waits for it; after, it
	// restarts the pause.
	Resign(ctx context.Context) error
}

var _ Resigner = (*tracker)(nil)

// resignation is a tracker's resignation under way: owned by its loop.
type resignation struct {
	// waiters are the buffered replies of the Resign calls to answer.
	waiters []chan error
}

// Resign is part of the [Resigner] interface.
func (t *tracker) Resign(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case t.resigns <- reply:
	case <-t.closed:
		return t.closeCause
	}
	select {
	case err := <-reply:
		return err
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// The rest runs on the tracker's loop.

// handleResign starts a resignation, unless one is under way, and adds
// reply to its waiters: the unit stops counting as leader, live work
// ends, and no claim is scheduled until it is over.
func (t *tracker) handleResign(reply chan error, now reading) {
	if t.resigning == nil {
		t.resigning = &resignation{}
		t.endLiveWork(now, ErrResigned)
		t.nextClaim = time.Time{}
	}
	t.resigning.waiters = append(t.resigning.waiters, reply)
}

// advanceResign takes the resignation as far as it goes at now: with no
// call in flight and the work stopped (or the term ended), it starts the
// revoke if the unit may hold the lease and no work runs, else finishes.
func (t *tracker) advanceResign(now reading) {
	if t.resigning == nil || t.calling == claimCall || t.calling == revokeCall {
		return
	}
	termLasts := t.isLeader(now)
	switch {
	case len(t.works) > 0 && termLasts:
		// Wait for the work, or the end of the term (setAlarm).
	case len(t.works) > 0 && t.mayHold && t.revoker != nil:
		t.finishResign(now, errors.Annotatef(ErrLeaderWorkRunning, "not revoking leadership of %q for %q", t.config.ServiceName, t.config.UnitName))
	case t.mayHold && t.revoker != nil:
		t.startRevoke()
	default:
		t.finishResign(now, nil)
	}
}

// handleRevokeResult finishes the resignation whose revoke returned err.
// It returns only an error matching ErrStopped, which stops the tracker.
func (t *tracker) handleRevokeResult(err error, now reading) error {
	switch {
	case errors.Is(err, ErrStopped):
		return errors.Annotatef(err, "tracking leadership of %q for %q", t.config.ServiceName, t.config.UnitName)
	case err == nil, errors.Is(err, ErrNotLeader), errors.Is(err, ErrRevokeNotSupported):
		if err == nil || errors.Is(err, ErrNotLeader) {
			t.mayHold = false
		}
		t.finishResign(now, nil)
	default:
		t.finishResign(now, errors.Annotatef(err, "cannot revoke leadership of %q for %q", t.config.ServiceName, t.config.UnitName))
	}
	return nil
}

// finishResign ends the resignation with err: no term counts from past
// claims, and no claim for ResignPause from now.
func (t *tracker) finishResign(now reading, err error) {
	t.answerResigns(err)
	t.resigning = nil
	t.termEnd, t.termEndWall = time.Time{}, time.Time{}
	t.pauseUntil = now.mono.Add(t.timing.resignPause)
	if t.calling == noCall {
		t.nextClaim = t.pauseUntil
	}
}

// answerResigns answers the resignation's callers, if any, with err.
func (t *tracker) answerResigns(err error) {
	if t.resigning == nil {
		return
	}
	for _, reply := range t.resigning.waiters {
		reply <- err
	}
	t.resigning.waiters = nil
}

// startRevoke starts a revoke of the unit's leadership on its own
// goroutine.
func (t *tracker) startRevoke() {
	t.calling = revokeCall
	t.startCallActivity("revoke")
	go func() {
		err := t.revoker.RevokeLeadership(t.config.ServiceName, t.config.UnitName)
		t.deliver(callResult{kind: revokeCall, err: err})
	}()
}
