package leadership

import "time"

// refreshLease brings the client's cache up to date for the named lease:
// by reading that lease only, if the client is a lease.SingleRefresher,
// and otherwise by refreshing every lease.
func (m *manager) refreshLease(name string) error {
	if m.single != nil {
		return m.refreshOne(name)
	}
	return m.refreshAll()
}

// pollAt returns when the manager next reads the clocks, ClockPoll after
// its last wake (or its start), and false if it never does: its client is
// not a lease.ClockRefresher, or ClockPoll is negative.
func (m *manager) pollAt() (time.Time, bool) {
	if m.clocks == nil {
		return time.Time{}, false
	}
	from := m.lastWake
	if from.IsZero() {
		from = m.sleepFrom
	}
	return from.Add(m.clockPoll), true
}
