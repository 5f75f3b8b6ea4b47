package leadership

import (
	"time"

	"github.com/juju/errors"
)

// A manager whose client is a lease.ReleaseWatcher (and SingleRefresher)
// learns of a release made elsewhere within one ClockPoll: each poll reads
// the count of releases and, when it changed, reads again only the leases
// someone is blocked on (docs/design.md#releases).

// watching reports whether the manager must poll for releases without
// reading clocks: its client counts releases, and someone blocks or
// watches.
func (m *manager) watching() bool {
	return m.watcher != nil && m.clocks == nil && (len(m.blocked) > 0 || len(m.watched) > 0)
}

// poll reads the clocks, or, for a client that does not read them, the
// count of releases alone.
func (m *manager) poll() error {
	if m.clocks != nil {
		return m.refreshClocks()
	}
	return m.refreshReleases()
}

// followReleases, if the count of releases changed since last time, reads
// again each lease someone is blocked on or watches, in name order, and
// records it. A release the count includes was written before it, so the
// reads see it; the count is taken as seen only once every read has
// succeeded (docs/design.md#releases). Errors are handled as a wake's.
func (m *manager) followReleases() error {
	if m.watcher == nil {
		return nil
	}
	count := m.watcher.Releases()
	if count == m.releasesSeen {
		return nil
	}
	for _, name := range m.followedNames() {
		if err := m.refreshOne(name); err != nil {
			return errors.Trace(err)
		}
		m.sync(name)
	}
	m.releasesSeen = count
	return nil
}

// watchStarted notes, when the first block or watch is taken, that a
// client that counts releases but reads no clocks must now be polled.
func (m *manager) watchStarted(now time.Time) {
	if len(m.blocked) == 0 && len(m.watched) == 0 {
		m.watchFrom = now
	}
}
