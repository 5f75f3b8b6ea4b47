package leadership

import (
	"time"

	"github.com/juju/errors"
)

// A manager whose client is a lease.ReleaseWatcher (and a
// lease.SingleRefresher) learns of a release made through another
// controller within one ClockPoll: each poll reads the store's count of
// releases, in the same small read as the clocks (or alone, for a client
// that does not read clocks, while someone is blocked), and, when the
// count has changed, reads again the leases someone is blocked on, and
// only those. Why that never releases a waiter early, nor leaves one
// waiting, is in docs/design.md#releases.

// watching reports whether the manager must poll for releases although it
// does not read the clocks: its client counts releases, and someone is
// blocked or watches (see watch_read.go).
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

// followReleases reads again each lease someone is blocked on or
// watches, in name order, and records what it finds (which releases the
// waiters of a lease that is no longer held, and tells its watches), if
// the client's count of releases has changed
// since the manager last did so. The count it compares is the one the
// client read last, before any of these reads: a release that count
// includes was written to its lease before the count (see lease's
// releaseClockOps), so the reads that follow see it. Only once every read
// has succeeded does the manager take the count as seen; until then every
// poll reads again.
//
// It returns the client's error, which the caller handles as a wake's.
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

// watchStarted records, when a block or a watch is taken while nobody else
// is blocked or watches, that a client that counts releases but does not
// read clocks must be polled from now on (see pollAt).
func (m *manager) watchStarted(now time.Time) {
	if len(m.blocked) == 0 && len(m.watched) == 0 {
		m.watchFrom = now
	}
}
