package leadership

import (
	"github.com/juju/errors"
)

// CheckLeadership is part of the [Manager] interface.
func (m *manager) CheckLeadership(serviceName, unitName string) (Token, error) {
	if !isValidService(serviceName) {
		return nil, errors.Errorf("cannot check leadership: invalid service name %q", serviceName)
	}
	if !isValidUnit(unitName) {
		return nil, errors.Errorf("cannot check leadership: invalid unit name %q", unitName)
	}
	return check{
		service:  serviceName,
		unit:     unitName,
		response: make(chan Token),
		abort:    m.tomb.Dying(),
	}.invoke(m.checks)
}

// check is a request to check a unit's leadership.
type check struct {
	service  string
	unit     string
	response chan Token
	abort    <-chan struct{}
}

// invoke sends c on ch and returns a Token if the loop answers that the
// unit is leader, an error if it answers that it is not, or ErrStopped if
// the manager stops first.
func (c check) invoke(ch chan<- check) (Token, error) {
	for {
		select {
		case <-c.abort:
			return nil, ErrStopped
		case ch <- c:
			ch = nil
		case t := <-c.response:
			if t == nil {
				return nil, &notLeaderError{service: c.service, unit: c.unit}
			}
			return t, nil
		}
	}
}

// respond sends t, nil if the unit is not leader, back to the caller,
// unless the manager is stopping.
func (c check) respond(t Token) {
	select {
	case <-c.abort:
	case c.response <- t:
	}
}

// handleCheck answers with a token if the client's cache says the unit
// holds the lease. If it does not, it refreshes the client once and looks
// again.
//
// Both answers go back to the caller. It returns only an error from
// Refresh, which must stop the manager.
func (m *manager) handleCheck(c check) error {
	info, held := m.lease(c.service)
	if !held || info.Holder != c.unit {
		if err := m.client.Refresh(); err != nil {
			return errors.Trace(err)
		}
		info, held = m.lease(c.service)
	}
	m.record(c.service, info, held)
	if held && info.Holder == c.unit {
		c.respond(token{info.AssertOp})
	} else {
		c.respond(nil)
	}
	return nil
}
