package leadership

import (
	"github.com/juju/errors"
)

// CheckLeadership is part of the [Manager] interface.
func (m *manager) CheckLeadership(serviceName, unitName string) (Token, error) {
	if err := checkNames(serviceName, unitName); err != nil {
		return nil, refuse(err, "cannot check leadership")
	}
	return check{newUnitRequest[checked](serviceName, unitName, m.tomb.Dying())}.invoke(m.checks)
}

// check is a request to check a unit's leadership.
type check struct {
	unitRequest[checked]
}

// checked is the loop's answer to a check: a token if the unit is leader,
// neither if it is not, or the error that kept the loop from finding out.
type checked struct {
	token Token
	err   error
}

// invoke sends c on ch and returns a Token if the loop answers that the
// unit is leader, an error if it answers that it is not, or ErrStopped if
// the manager stops first.
func (c check) invoke(ch chan<- check) (Token, error) {
	r, err := send(ch, c, c.reply)
	switch {
	case err != nil:
		return nil, err
	case r.err != nil:
		return nil, r.err
	case r.token == nil:
		return nil, &notLeaderError{service: c.service, unit: c.unit}
	}
	return r.token, nil
}

// handleCheck answers with a token if the client's cache says the unit
// holds the lease. If it does not, or the outcome of the manager's last
// write of the lease is unknown (see outage), it refreshes the client
// once and looks again: only that lease, if the client is a lease.SingleRefresher, so that
// a miss costs the same however many leases there are.
//
// Both answers go back to the caller, and so does an error from the
// refresh (see readFailed): it never returns an error of the client. Either
// way it emits the check's [EventCheck].
func (m *manager) handleCheck(c check) error {
	start := m.stamp()
	r, err := m.check(c)
	result := ResultMiss
	switch {
	case err != nil:
		m.emit(Event{Kind: EventCheck, Result: ResultError, Service: c.service, Unit: c.unit, Err: stopped(err)}, start)
		return err
	case r.err != nil:
		result = ResultError
	case r.token != nil:
		result = ResultHit
	}
	m.emit(Event{Kind: EventCheck, Result: result, Service: c.service, Unit: c.unit, Err: r.err}, start)
	c.respond(r)
	return nil
}

// check decides c, as handleCheck describes: it returns the answer for
// the caller, or the error that must stop the manager.
func (m *manager) check(c check) (checked, error) {
	info, held := m.lease(c.service)
	if !held || info.Holder != c.unit || m.outage.unsure[c.service] {
		if err := m.refreshLease(c.service); readFailed(err) {
			return checked{err: errors.Annotatef(err, "cannot check leadership of %q for %q", c.service, c.unit)}, nil
		}
		info, held = m.lease(c.service)
	}
	m.record(c.service, info, held)
	if held && info.Holder == c.unit {
		return checked{token: token{assertOp: info.AssertOp, termOp: info.TermAssertOp, term: info.Term}}, nil
	}
	return checked{}, nil
}
