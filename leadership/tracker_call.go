package leadership

import (
	"context"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/lease"
)

// callKind is the kind of a tracker's call to its manager.
type callKind int

const (
	noCall callKind = iota
	// claimCall is a ClaimLeadership for the tracker's Duration.
	claimCall
	// blockCall is a wait for the service to have no leader.
	blockCall
	// revokeCall is a RevokeLeadership, to resign.
	revokeCall
)

// callResult is what a call on its own goroutine reports to the loop.
type callResult struct {
	kind callKind
	err  error
}

// startClaim starts a claim on its own goroutine; its start, now, taken
// before the call, is what the term counts from.
func (t *tracker) startClaim(now reading) {
	t.calling = claimCall
	t.nextClaim = time.Time{}
	t.claimStart = now
	t.claimWall = now.wall.Round(0)
	t.startCallActivity("claim")
	go func() {
		err := t.config.Manager.ClaimLeadership(t.config.ServiceName, t.config.UnitName, t.timing.lease)
		t.deliver(callResult{kind: claimCall, err: err})
	}()
}

// startBlock starts a wait for a release on its own goroutine; stop
// cancels it if the manager takes a context.
func (t *tracker) startBlock() {
	t.calling = blockCall
	ctx, cancel := context.WithCancel(context.Background())
	t.cancelBlock = cancel
	activity := t.startCallActivity("wait for a release")
	go func() {
		var err error
		if t.blocker != nil {
			err = t.blocker.BlockUntilLeadershipReleasedContext(withActivity(ctx, activity), t.config.ServiceName)
		} else {
			err = t.config.Manager.BlockUntilLeadershipReleased(t.config.ServiceName)
		}
		busy(activity)
		t.deliver(callResult{kind: blockCall, err: err})
	}()
}

// deliver sends r to the loop, or drops it once the tracker is dead.
func (t *tracker) deliver(r callResult) {
	select {
	case t.results <- r:
	case <-t.tomb.Dead():
	}
}

// handleResult records a call's outcome at now and schedules what follows:
// a successful claim begins a term (beginTerm) and schedules the renewal
// RenewAfter after its start; a denial ends the term (ErrLeadershipLost)
// and waits for a release; a release schedules a claim at once; any other
// error retries the claim after a back-off; a revoke ends the resignation.
// While resigning it schedules nothing: the resignation does. It returns
// only errors that stop the tracker: ErrStopped, or a claim's
// lease.ErrTimeOutOfRange when durationOutOfRange.
func (t *tracker) handleResult(r callResult, now reading) error {
	start, startWall := t.claimStart, t.claimWall
	t.calling, t.claimStart, t.claimWall = noCall, reading{}, time.Time{}
	t.endCallActivity()
	if r.kind == blockCall {
		t.cancelBlock()
		t.cancelBlock = nil
	}
	if r.kind == revokeCall {
		return t.handleRevokeResult(r.err, now)
	}
	if t.resigning != nil {
		// The resignation schedules the next claim when it ends.
		defer func() { t.nextClaim = time.Time{} }()
	}
	switch {
	case errors.Is(r.err, ErrStopped),
		r.kind == claimCall && errors.Is(r.err, lease.ErrTimeOutOfRange) && t.durationOutOfRange(start):
		return errors.Annotatef(r.err, "tracking leadership of %q for %q", t.config.ServiceName, t.config.UnitName)
	case r.err != nil && !errors.Is(r.err, ErrClaimDenied):
		if r.kind == claimCall {
			t.mayHold = true // see mayHoldAfter
		}
		t.failures++
		t.nextClaim = now.mono.Add(t.timing.backoff(t.failures))
		t.logRetry(r.err, t.timing.backoff(t.failures))
		if r.kind == claimCall {
			t.decided = true
		}
		return nil
	}
	t.failures = 0
	switch {
	case r.kind == blockCall:
		t.nextClaim = now.mono
	case r.err == nil:
		t.decided, t.mayHold = true, true
		t.beginTerm(start, startWall)
		t.nextClaim = t.timing.renewAt(start.mono)
	default: // denied
		t.decided, t.mayHold = true, false
		t.endLiveWork(now, ErrLeadershipLost)
		t.termEnd, t.termEndWall = time.Time{}, time.Time{}
		if t.resigning == nil {
			t.startBlock()
		}
	}
	return nil
}

// beginTerm records a successful claim's term: Duration from start in
// monotonic time, and from startWall on the wall clock; none if blind.
func (t *tracker) beginTerm(start reading, startWall time.Time) {
	if !start.blind {
		t.termEnd = t.timing.termEnd(start.mono)
		t.termEndWall = t.timing.termEnd(startWall)
	}
}

// durationOutOfRange reports whether start is in the store's range but
// its expiry is not: only then is Duration, not the clock, at fault (every
// retry would fail alike). A blind start says nothing.
func (t *tracker) durationOutOfRange(start reading) bool {
	if start.blind {
		return false
	}
	wall := start.wall.Round(0)
	return stored.InRange(wall) && !stored.InRange(wall.Add(t.config.Duration))
}

// mayHoldAfter reports whether the unit may hold the lease after a claim
// that returned err: yes unless denied or the manager stopped, since a
// failed claim may have been written (lease.ErrUnavailable); a stopping
// tracker then revokes, which is fenced, rather than leave the lease to
// run out.
func mayHoldAfter(err error) bool {
	return !errors.Is(err, ErrClaimDenied) && !errors.Is(err, ErrStopped)
}
