package leadership

import (
	"sort"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// What a manager reads for its watches (docs/design.md#watches). Every lease it records tells the lease's watches (see
// record); beyond what it reads anyway, a manager with watches
//   - polls its client's count of releases while someone watches, as
//     while someone is blocked (see watching), and, when the count has
//     changed, reads again the watched leases with those blocked on (see
//     followReleases): a release through another controller reaches the
//     watches within one ClockPoll;
//   - on each wake that reads single leases (wakeDue), reads each watched
//     lease that its view shows no unit holding (see followWatched): a
//     claim through another controller of a lease that was free reaches
//     the watches within one poll. A lease held is read when it falls
//     due, as every lease is.

// noteLeaders tells every watch of what leases, one snapshot of every
// lease, says of its service: after the view has been rebuilt from it.
// It costs O(watched services), on a step that is O(n) anyway.
func (m *manager) noteLeaders(leases map[string]lease.Info) {
	for service := range m.watched {
		info, held := leases[service]
		m.noteLeader(service, info.Holder, held)
	}
}

// followWatched reads, in name order, each watched lease that the view
// shows no unit holding, and records it, if the client reads single
// leases; it returns the first read's error, which the caller handles as
// a wake's.
func (m *manager) followWatched() error {
	if m.single == nil {
		return nil
	}
	var names []string
	for name := range m.watched {
		if !m.view.has(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	for _, name := range names {
		if err := m.refreshOne(name); err != nil {
			return errors.Trace(err)
		}
		m.sync(name)
	}
	return nil
}

// followedNames returns, in name order, the leases a change in the count
// of releases makes the manager read again: those someone is blocked on
// or watches.
func (m *manager) followedNames() []string {
	names := make([]string, 0, len(m.blocked)+len(m.watched))
	for name := range m.blocked {
		names = append(names, name)
	}
	for name := range m.watched {
		if _, blocked := m.blocked[name]; !blocked {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}
