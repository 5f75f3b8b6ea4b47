package leadership

import (
	"github.com/juju/errors"
)

// LeaderReader is implemented by managers that can say who leads each
// service. The manager [NewManager] returns implements it.
type LeaderReader interface {
	// Leaders refreshes the manager's client from the store and returns
	// the leading unit of every service whose lease is held, by service;
	// the caller owns the map. A lease past its expiry not yet expired is
	// listed, as for [Manager.CheckLeadership]. Errors:
	// [lease.ErrExcessiveContention] or [lease.ErrUnavailable] (try
	// again), [ErrStopped].
	Leaders() (map[string]string, error)
}

var _ LeaderReader = (*manager)(nil)

// Leaders is part of the [LeaderReader] interface.
func (m *manager) Leaders() (map[string]string, error) {
	return (&leaders{newReply[leadersResult](m.tomb.Dying())}).invoke(m.requests)
}

// leaders is a request for every service's leader.
type leaders struct {
	reply[leadersResult]
}

// leadersResult is the loop's answer to a leaders request.
type leadersResult struct {
	leaders map[string]string
	err     error
}

// invoke sends l on ch and returns the loop's answer, or ErrStopped if the
// manager stops first.
func (l *leaders) invoke(ch chan<- request) (map[string]string, error) {
	result, err := send[request](ch, l, l.reply)
	if err != nil {
		return nil, err
	}
	return result.leaders, result.err
}

// handle is part of the request interface: see handleLeaders.
func (l *leaders) handle(m *manager) error { return m.handleLeaders(*l) }

// handleLeaders refreshes the client, rebuilds the view (releasing waiters
// on leases gone, expiring nothing), and answers with each holder; a
// Refresh error goes to the caller too.
func (m *manager) handleLeaders(l leaders) error {
	if err := m.refreshAll(); readFailed(err) {
		l.respond(leadersResult{err: errors.Annotate(err, "cannot read leaders")})
		return nil
	}
	leases := m.client.Leases()
	m.view.reset(leases)
	m.noteLeaders(leases)
	if m.observing {
		m.checkAllHeld(leases)
	}
	for name := range m.blocked {
		if !m.view.has(name) {
			m.release(name)
		}
	}
	result := make(map[string]string, len(leases))
	for name, info := range leases {
		result[name] = info.Holder
	}
	l.respond(leadersResult{leaders: result})
	return nil
}
