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

// callResult is what a call running on its own goroutine reports back to
// the tracker's loop.
type callResult struct {
	kind callKind
	err  error
}

// startClaim starts a claim on a goroutine of its own. Its start, now, is
// the loop's latest reading, taken before the call: the term it may begin
// is counted from it, in monotonic time (see isLeader).
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

// startBlock starts, on a goroutine of its own, a wait for the service to
// have no leader; stop cancels it if the manager takes a context (a plain
// BlockUntilLeadershipReleased returns only when the manager releases or
// stops).
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

// handleResult records the outcome of a call, at now (a reading already
// noted in claimWall), and schedules what follows:
//   - a successful claim begins a term of Duration from its start, in
//     monotonic time, and from claimWall on the wall clock (none if its
//     start was a blind reading), and schedules the renewal RenewAfter
//     after that start;
//   - a denied claim ends any term (and its leader contexts, with
//     ErrLeadershipLost) and starts a wait for a release;
//   - a release schedules a claim at once;
//   - any other error schedules the call's retry, a claim, after a
//     back-off;
//   - a revoke ends the resignation that made it (handleRevokeResult).
//
// While the tracker resigns, it schedules no claim and starts no wait: the
// resignation schedules the next claim when it ends.
//
// It returns only the errors that must stop the tracker: one matching
// ErrStopped (its manager has stopped), or a claim's error matching
// lease.ErrTimeOutOfRange when the claim's start, on the wall clock, is
// in the store's range and the start plus Duration is not (the store
// cannot hold the claim's expiry, so every retry would fail the same way;
// a start out of range, or an expiry in range, says the clock stepped,
// and a later claim may work).
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
		// No claim is scheduled while the tracker resigns: the
		// resignation schedules the next one when it ends.
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

// beginTerm records the term of a successful claim that started at start,
// with claimWall startWall: lease long from its start in monotonic time,
// and from startWall on the wall clock; none if start is a blind reading.
func (t *tracker) beginTerm(start reading, startWall time.Time) {
	if !start.blind {
		t.termEnd = t.timing.termEnd(start.mono)
		t.termEndWall = t.timing.termEnd(startWall)
	}
}

// durationOutOfRange reports whether a claim started at start has an
// expiry the store cannot hold although start itself can be held: only
// then does lease.ErrTimeOutOfRange say the tracker's Duration is at
// fault rather than its clock. A blind start says nothing.
func (t *tracker) durationOutOfRange(start reading) bool {
	if start.blind {
		return false
	}
	wall := start.wall.Round(0)
	return stored.InRange(wall) && !stored.InRange(wall.Add(t.config.Duration))
}

// mayHoldAfter reports whether the unit may hold the lease after a claim
// that returned err: unless the claim was denied or the manager stopped,
// yes. A claim that failed otherwise may have been written (a store whose
// reply was lost, lease.ErrUnavailable: mgo/txn may still apply the
// write), so a stopping tracker revokes, which is fenced and answers
// ErrNotLeader if the unit does not hold it, rather than leave another
// unit waiting for the lease to run out.
func mayHoldAfter(err error) bool {
	return !errors.Is(err, ErrClaimDenied) && !errors.Is(err, ErrStopped)
}
