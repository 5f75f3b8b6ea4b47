package leadership

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// Revoker is implemented by managers that can end a unit's leadership
// before its lease runs out, so that another unit can take over at once.
// The manager [NewManager] returns implements it. (etcd's Election.Resign
// and Kubernetes' ReleaseOnCancel do the same; Juju added it to its lease
// manager later as Revoke.)
type Revoker interface {
	// RevokeLeadership ends the unit's leadership of the service now and
	// returns nil. Waiters blocked on this manager are released at once;
	// the unit's tokens no longer hold (their transactions abort) until
	// the unit leads again (a token checks who leads, not which term:
	// see [Token]); other
	// managers see the release at their next read of the lease, at the
	// latest their next wake (MaxSleep). It reads the store first if this
	// manager's copy may be out of date, so a leader that claimed through
	// another manager can be revoked through this one.
	//
	// It returns an error matching [ErrNotLeader] if the unit is not
	// leader; [ErrRevokeNotSupported] if the manager's client cannot revoke;
	// an error matching [lease.ErrExcessiveContention] if the lease kept
	// changing (the caller may try again), [lease.ErrUnavailable] if the
	// store could not be reached (the revoke may or may not have been
	// applied; the manager reads the lease before its next decision on
	// it), or [lease.ErrTimeOutOfRange] if the clock reads a time the
	// store cannot hold; [ErrStopped] if the manager stops first.
	//
	// Only the unit itself should revoke, once it has stopped acting as
	// leader: revoking cuts short the guarantee its last claim gave it.
	RevokeLeadership(serviceName, unitName string) error
}

var _ Revoker = (*manager)(nil)

// RevokeLeadership is part of the [Revoker] interface.
func (m *manager) RevokeLeadership(serviceName, unitName string) error {
	if err := checkNames(serviceName, unitName); err != nil {
		return refuse(err, "cannot revoke leadership")
	}
	return revoke{newUnitRequest[error](serviceName, unitName, m.tomb.Dying())}.invoke(m.revokes)
}

// revoke is a request to end a unit's leadership.
type revoke struct {
	unitRequest[error]
}

// invoke sends r on ch and returns the loop's answer, or ErrStopped if the
// manager stops first.
func (r revoke) invoke(ch chan<- revoke) error {
	return sendErr(ch, r, r.reply)
}

// handleRevoke revokes the service's lease if the unit holds it. If the
// client's cache says it does not, it refreshes the client once and looks
// again (the unit may have claimed through another manager). ErrInvalid
// from the client means the store changed under it: it reads the lease
// again and retries, up to maxClaimAttempts times.
//
// Success, not-leader, no revoker and every client error but ErrInvalid
// (see retryable) go back to the caller: it never returns an error of the
// client. If the outcome of the manager's last write of the lease is
// unknown (see outage), it reads the store first. Either way it emits the
// revocation's [EventRevoke].
//
// The writes queued behind r go with it (see handleWrites).
func (m *manager) handleRevoke(r revoke) error {
	return m.handleWrites(m.newRevokeJob(r))
}

// revokeJob is a revocation the loop has taken, through its attempts (see
// handleRevoke and writeJob).
type revokeJob struct {
	writeBase
	began  bool  // whether the first attempt has been decided
	answer error // the caller's answer, once the job is done
}

var _ writeJob = (*revokeJob)(nil)

// newRevokeJob takes r.
func (m *manager) newRevokeJob(r revoke) *revokeJob {
	return &revokeJob{writeBase: m.newWriteBase(r.unitRequest)}
}

// next is part of the writeJob interface: it decides the revocation's
// next attempt, as handleRevoke describes.
func (j *revokeJob) next() (lease.Op, bool, error) {
	m, r := j.m, j.req
	if !j.began {
		j.began = true
		if m.revoker == nil {
			return j.fail(ErrRevokeNotSupported)
		}
		info, held := m.lease(r.service)
		if !held || info.Holder != r.unit || m.outage.unsure[r.service] {
			if err := m.refreshAll(); readFailed(err) {
				return j.fail(err)
			}
		}
	}
	if !j.attempts.another() {
		m.sync(r.service)
		return j.fail(errTooQuickly)
	}
	info, held := m.lease(r.service)
	if !held || info.Holder != r.unit {
		m.record(r.service, info, held)
		j.answer = &notLeaderError{service: r.service, unit: r.unit}
		return lease.Op{}, true, nil
	}
	return lease.Op{Kind: lease.OpRevoke, Lease: r.service, Request: lease.Request{Holder: r.unit}}, false, nil
}

// fail makes the job done with err, annotated, for the caller.
func (j *revokeJob) fail(err error) (lease.Op, bool, error) {
	j.answer = errors.Annotatef(err, "cannot revoke leadership of %q for %q", j.req.service, j.req.unit)
	return lease.Op{}, true, nil
}

// applied is part of the writeJob interface.
func (j *revokeJob) applied(err error) bool {
	m, r := j.m, j.req
	switch {
	case errors.Is(err, lease.ErrInvalid):
		return false
	case retryable(err):
		// The client ran out of attempts, or its clock reads a time
		// the store cannot hold, or the store could not be used: tell
		// the caller, and stay alive.
		m.sync(r.service)
		j.fail(err)
		return true
	}
	// The lease is gone: sync removes it from the view and releases
	// this manager's waiters.
	m.unhold(r.service)
	m.sync(r.service)
	j.answer = nil
	return true
}

// finish is part of the writeJob interface.
func (j *revokeJob) finish(stop error) {
	result := ResultError
	switch {
	case j.answer == nil:
		result = ResultRevoked
	case errors.Is(j.answer, ErrNotLeader):
		result = ResultDenied
	}
	j.done(EventRevoke, result, j.answer, stop)
}
