package leadership

import (
	"github.com/juju/errors"
)

// LeaderReader is implemented by managers that can say who leads each
// service. The manager [NewManager] returns implements it. (Juju's later
// lease manager offered the same as Leases; etcd's as Election.Leader.)
type LeaderReader interface {
	// Leaders refreshes the manager's client from the store and returns,
	// for every service whose lease is held, the name of the leading unit,
	// keyed by service name. The caller owns the map. As with
	// [Manager.CheckLeadership], a lease past its expiry that no manager
	// has yet expired is still listed: the answer says who held each lease
	// at the read, not for how long. It returns an error matching
	// [lease.ErrExcessiveContention] or [lease.ErrUnavailable] if the
	// store could not be read just then (the caller may try again), or
	// [ErrStopped] if the manager stops first.
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

// handleLeaders refreshes the client, rebuilds the view from what it read
// (releasing waiters on leases now gone, as a wake does, but expiring
// nothing), and answers with each lease's holder.
//
// The answer goes back to the caller, and so does a Refresh error (see
// readFailed): it never returns an error of the client.
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
