package leadership

import (
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// Stopping is implemented by managers that say when they begin to stop,
// so what depends on them can stop at once. The manager [NewManager]
// returns implements it; a [Tracker] on it stops ([ErrStopped]) as soon as
// the manager is killed.
type Stopping interface {
	// Dying returns a channel that is closed once the manager has begun
	// to stop: from then on, every call returns [ErrStopped].
	Dying() <-chan struct{}
}

var _ Stopping = (*manager)(nil)

// Dying is part of the [Stopping] interface.
func (m *manager) Dying() <-chan struct{} {
	return m.tomb.Dying()
}

// outage is what the manager remembers of calls that could not use the
// store (failedStore), to find its way back to what the store holds
// (docs/design.md#store-failures).
type outage struct {
	// stale: the next wake refreshes every lease, and clears it.
	stale bool
	// readAt is when to wake for that: minRetryDelay after the failure.
	readAt time.Time
	// unsure holds the leases whose last write's outcome is unknown
	// (mgo/txn may apply it later): the next request reads them first.
	unsure map[string]bool
}

// failedStore reports whether err says the store could not be used: any
// error but lease.ErrInvalid, contention, a time out of range, a refused
// argument and a corrupt document (for all of which the store answered,
// or was not asked).
func failedStore(err error) bool {
	return err != nil && !errors.Is(err, lease.ErrInvalid) &&
		!errors.Is(err, lease.ErrExcessiveContention) && !errors.Is(err, lease.ErrTimeOutOfRange) &&
		!errors.Is(err, lease.ErrInvalidArgument) && !errors.Is(err, lease.ErrCorrupt)
}

// noteCall records the outcome of a client call: a read of every lease
// (all), of name, or a write of name. A store failure makes the next wake,
// minRetryDelay from now, read every lease, and a write's lease unsure; a
// success clears what it read; a write the store answered ends a wake's
// back-off (storeAnswered).
func (m *manager) noteCall(all bool, name string, write bool, err error) {
	if failedStore(err) {
		if !m.outage.stale {
			m.outage.stale = true
			m.outage.readAt = m.lastNow.Add(minRetryDelay)
		}
		if m.stepping != nil {
			m.stepping.failed = true
		}
		if write {
			if m.outage.unsure == nil {
				m.outage.unsure = make(map[string]bool)
			}
			m.outage.unsure[name] = true
			if m.stepping != nil {
				if m.stepping.unsure == nil {
					m.stepping.unsure = make(map[string]bool)
				}
				m.stepping.unsure[name] = true
			}
		}
		return
	}
	if err != nil && !errors.Is(err, lease.ErrInvalid) && !errors.Is(err, lease.ErrCorrupt) {
		return
	}
	if write {
		m.storeAnswered()
	}
	switch {
	case all:
		m.outage = outage{}
	case name != "":
		delete(m.outage.unsure, name)
		if m.stepping != nil {
			delete(m.stepping.unsure, name)
		}
	}
}

// settle reads the named lease first if its last write's outcome is
// unknown; it returns the read's error, for the request's caller.
func (m *manager) settle(name string) error {
	if !m.outage.unsure[name] {
		return nil
	}
	return m.refreshLease(name)
}

// outageAlarm returns when to wake to read every lease after a store
// failure; false if no need, or a back-off already says when.
func (m *manager) outageAlarm() (time.Time, bool) {
	if !m.outage.stale || !m.retry.at.IsZero() {
		return time.Time{}, false
	}
	return m.outage.readAt, true
}

// storeAnswered ends the back-off of a wake that failed the store once a
// write shows the store answers again, so waiting units are released as
// soon as it allows; the delay is kept, and only writes count
// (docs/design.md#store-failures).
func (m *manager) storeAnswered() {
	if m.retry.at.IsZero() || !failedStore(m.retry.err) || !m.retry.at.After(m.lastNow) {
		return
	}
	m.retry.at = m.lastNow
}
