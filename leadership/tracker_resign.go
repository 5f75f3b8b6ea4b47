package leadership

import (
	"context"
	"time"

	"github.com/juju/errors"
)

// Resigner is implemented by the [Tracker] that [NewTracker] returns;
// assert to it (tracker.(leadership.Resigner)). It lets a running tracker
// give up its unit's leadership and stay a candidate, as etcd's Resign
// lets a campaign go on.
type Resigner interface {
	// Resign gives up the unit's leadership, and keeps the tracker
	// running. At once, the tracker counts the unit a minion (a false
	// ClaimLeader, a true WaitMinion, an [EventLeading] minion), ends
	// every leader context with the cause [ErrResigned], and stops
	// renewing. Then, once the leader-only work under those contexts
	// has stopped and any claim in flight has returned, it revokes the
	// unit's leadership if the unit may hold it, so that another unit
	// can lead at once. It waits for that work at most until the unit's
	// last term ends: if some still runs then, it does not revoke, and
	// the lease runs out on its own (see [LeaderRunner]).
	//
	// Having stood aside, the tracker makes no claim for
	// [TrackerConfig.ResignPause] (Duration by default), which gives the
	// other candidates time to claim; then it claims again and, if
	// another unit leads, waits for a release as a minion does. A unit
	// with no rival therefore leads again after the pause. A true
	// ClaimLeader answered before Resign is cut short by it: Resign
	// revokes without waiting for the guarantee to run out, only for
	// the work run under leader contexts.
	//
	// Resign returns nil once the tracker has stood aside (revoked, or
	// found nothing to revoke; a manager that cannot revoke leaves the
	// lease to run out); an error matching [ErrLeaderWorkRunning] if
	// work still ran at the end of the term; the revoke's error (the
	// tracker will revoke again if killed); [ErrTrackerKilled], or the
	// error the tracker stops with, if it stops first; or ctx's cause if
	// ctx is done first. ctx bounds only the wait: the tracker goes on
	// resigning whatever becomes of it. Resigning again while a
	// resignation is under way waits for that one; afterwards, it starts
	// the pause again.
	Resign(ctx context.Context) error
}

var _ Resigner = (*tracker)(nil)

// resignation is a tracker's resignation under way: owned by its loop.
type resignation struct {
	// waiters are the replies of the Resign calls it will answer; each
	// is buffered, so the loop never waits on a caller.
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
// reply to those it will answer: the unit stops counting as leader (see
// leading), its live work ends, and no claim is scheduled until the
// resignation is over (a wait for a release in flight goes on: the claim
// it leads to waits for the pause).
func (t *tracker) handleResign(reply chan error, now reading) {
	if t.resigning == nil {
		t.resigning = &resignation{}
		t.endLiveWork(now, ErrResigned)
		t.nextClaim = time.Time{}
	}
	t.resigning.waiters = append(t.resigning.waiters, reply)
}

// advanceResign takes a resignation under way as far as it can go at now:
// once no claim or revoke is in flight, and the leader-only work has
// stopped or the unit's last term has ended, it starts the revoke (if
// the unit may hold the lease, no work runs, and the manager can revoke)
// or finishes.
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

// handleRevokeResult finishes the resignation whose revoke returned err:
// the unit no longer holds the lease unless the revoke failed otherwise
// than by finding nothing to revoke. It returns only the error that must
// stop the tracker: one matching ErrStopped.
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

// finishResign ends the resignation, answering its callers with err: the
// tracker counts no term from its past claims, and makes no claim for
// ResignPause from now.
func (t *tracker) finishResign(now reading, err error) {
	t.answerResigns(err)
	t.resigning = nil
	t.termEnd, t.termEndWall = time.Time{}, time.Time{}
	t.pauseUntil = now.mono.Add(t.timing.resignPause)
	if t.calling == noCall {
		t.nextClaim = t.pauseUntil
	}
}

// answerResigns answers the callers of the resignation under way, if
// any, with err.
func (t *tracker) answerResigns(err error) {
	if t.resigning == nil {
		return
	}
	for _, reply := range t.resigning.waiters {
		reply <- err
	}
	t.resigning.waiters = nil
}

// startRevoke starts a revoke of the unit's leadership on a goroutine of
// its own.
func (t *tracker) startRevoke() {
	t.calling = revokeCall
	t.startCallActivity("revoke")
	go func() {
		err := t.revoker.RevokeLeadership(t.config.ServiceName, t.config.UnitName)
		t.deliver(callResult{kind: revokeCall, err: err})
	}()
}
