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
	return revoke{
		service:  serviceName,
		unit:     unitName,
		response: make(chan error),
		abort:    m.tomb.Dying(),
	}.invoke(m.revokes)
}

// revoke is a request to end a unit's leadership.
type revoke struct {
	service  string
	unit     string
	response chan error
	abort    <-chan struct{}
}

// invoke sends r on ch and returns the loop's answer, or ErrStopped if the
// manager stops first.
func (r revoke) invoke(ch chan<- revoke) error {
	for {
		select {
		case <-r.abort:
			return ErrStopped
		case ch <- r:
			ch = nil
		case err := <-r.response:
			return err
		}
	}
}

// respond sends the outcome back to the caller, unless the manager is
// stopping.
func (r revoke) respond(err error) {
	select {
	case <-r.abort:
	case r.response <- err:
	}
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
func (m *manager) handleRevoke(r revoke) error {
	start := m.stamp()
	answer, err := m.revoke(r)
	result := ResultError
	switch {
	case err != nil:
		m.emit(Event{Kind: EventRevoke, Result: ResultError, Service: r.service, Unit: r.unit, Err: stopped(err)}, start)
		return err
	case answer == nil:
		result = ResultRevoked
	case errors.Is(answer, ErrNotLeader):
		result = ResultDenied
	}
	m.emit(Event{Kind: EventRevoke, Result: result, Service: r.service, Unit: r.unit, Err: answerErr(result, answer)}, start)
	r.respond(answer)
	return nil
}

// revoke decides r, as handleRevoke describes: it returns the answer for
// the caller, or the error that must stop the manager.
func (m *manager) revoke(r revoke) (error, error) {
	revoker, ok := m.client.(lease.Revoker)
	if !ok {
		return errors.Annotatef(ErrRevokeNotSupported, "cannot revoke leadership of %q for %q", r.service, r.unit), nil
	}
	info, held := m.lease(r.service)
	if !held || info.Holder != r.unit || m.outage.unsure[r.service] {
		if err := m.refreshAll(); readFailed(err) {
			return errors.Annotatef(err, "cannot revoke leadership of %q for %q", r.service, r.unit), nil
		}
	}
	for attempt := 0; attempt < maxClaimAttempts; attempt++ {
		info, held = m.lease(r.service)
		if !held || info.Holder != r.unit {
			m.record(r.service, info, held)
			return &notLeaderError{service: r.service, unit: r.unit}, nil
		}
		err := m.revokeLease(revoker, r.service, r.unit)
		switch {
		case errors.Is(err, lease.ErrInvalid):
			continue
		case retryable(err):
			// The client ran out of attempts, or its clock reads a
			// time the store cannot hold: tell the caller, and stay
			// alive.
			m.sync(r.service)
			return errors.Annotatef(err, "cannot revoke leadership of %q for %q", r.service, r.unit), nil
		case err != nil:
			return nil, errors.Trace(err)
		}
		// The lease is gone: sync removes it from the view and
		// releases this manager's waiters.
		m.unhold(r.service)
		m.sync(r.service)
		return nil, nil
	}
	m.sync(r.service)
	return errors.Annotatef(errTooQuickly, "cannot revoke leadership of %q for %q", r.service, r.unit), nil
}
