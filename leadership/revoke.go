package leadership

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// Revoker is implemented by managers that can end a unit's leadership
// before its lease runs out, so another unit can take over at once (as
// etcd's Election.Resign). The manager [NewManager] returns implements it.
type Revoker interface {
	// RevokeLeadership ends the unit's leadership of the service now and
	// returns nil. Waiters on this manager are released at once; the
	// unit's tokens no longer hold until it leads again; other managers
	// see the release at their next read of the lease (MaxSleep at the
	// latest). It reads the store first if this manager's copy may be
	// stale, so a leader that claimed elsewhere can be revoked here.
	//
	// Errors: [ErrNotLeader]; [ErrRevokeNotSupported];
	// [lease.ErrExcessiveContention] (try again); [lease.ErrUnavailable]
	// (outcome unknown; the lease is read before the next decision);
	// [lease.ErrTimeOutOfRange]; [ErrStopped].
	//
	// Only the unit itself should revoke, once it has stopped acting as
	// leader: revoking cuts short its last claim's guarantee.
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

// handleRevoke revokes the lease if the unit holds it, refreshing once if
// the cache says not (the unit may have claimed elsewhere), reading first
// after an unknown outcome (outage), and retrying after ErrInvalid up to
// maxClaimAttempts. Every outcome, client errors included, goes to the
// caller with its [EventRevoke]; queued writes go with it (handleWrites).
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

// next is part of the writeJob interface (see handleRevoke).
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
		// Out of attempts, a time out of range, or the store unusable:
		// tell the caller, and stay alive.
		m.sync(r.service)
		j.fail(err)
		return true
	}
	// Gone: sync drops it from the view and releases waiters.
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
