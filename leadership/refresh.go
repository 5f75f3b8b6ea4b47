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

// pollAt returns when the manager next polls, ClockPoll after its last
// wake (or its start), and false if it does not: its client is not a
// lease.ClockRefresher, or ClockPoll is negative. A client that counts
// releases but does not read clocks (see watching) is polled only while
// someone is blocked, ClockPoll after the last wake or the first block,
// whichever is later.
func (m *manager) pollAt() (time.Time, bool) {
	watching := m.watching()
	if m.clocks == nil && !watching {
		return time.Time{}, false
	}
	from := m.lastWake
	if from.IsZero() {
		from = m.sleepFrom
	}
	if watching && m.watchFrom.After(from) {
		from = m.watchFrom
	}
	return from.Add(m.clockPoll), true
}
