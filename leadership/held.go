package leadership

import "github.com/seed07a61904/leadership/lease"

// Which leases a manager holds, for [Event.Held] and the [LogLost]
// line: kept only while someone observes the manager, in m.held (lease
// name to unit), at O(1) per lease recorded.

// hold records that the unit has claimed or extended the named lease
// through this manager.
func (m *manager) hold(name, unit string) {
	if m.observing {
		m.held[name] = unit
	}
}

// unhold forgets the named lease without a log line: its holder ended it
// through this manager.
func (m *manager) unhold(name string) {
	delete(m.held, name)
}

// checkHeld forgets the named lease if this manager held it and the
// client now says it is gone (held false) or held by someone else, and
// logs the loss.
func (m *manager) checkHeld(name string, info lease.Info, held bool) {
	unit, ok := m.held[name]
	if !ok || (held && info.Holder == unit) {
		return
	}
	delete(m.held, name)
	m.logLost(name, unit, held, info.Holder)
}

// checkAllHeld does checkHeld for every lease this manager holds, against
// a snapshot of every lease: O(held), on a wake that is O(n) anyway.
func (m *manager) checkAllHeld(leases map[string]lease.Info) {
	for name := range m.held {
		info, held := leases[name]
		m.checkHeld(name, info, held)
	}
}
