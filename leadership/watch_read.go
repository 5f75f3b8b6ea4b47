package leadership

import (
	"sort"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// What a manager reads for its watches (docs/design.md#watches): besides
// what it reads anyway, it polls the count of releases while someone
// watches, reading the watched leases again when it changes
// (followReleases), and on each wake that reads single leases it reads
// each watched lease no unit holds (followWatched).

// noteLeaders tells every watch what a snapshot of every lease says of its
// service, once the view is rebuilt from it: O(watched services).
func (m *manager) noteLeaders(leases map[string]lease.Info) {
	for service := range m.watched {
		info, held := leases[service]
		m.noteLeader(service, info.Holder, held)
	}
}

// followWatched reads and records, in name order, each watched lease the
// view shows free, if the client reads single leases; errors as a wake's.
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

// followedNames returns, in name order, the leases someone is blocked on
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
