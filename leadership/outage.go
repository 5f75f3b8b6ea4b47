package leadership

import (
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// Stopping is implemented by managers that say when they begin to stop,
// so that what depends on them can stop at once rather than at its next
// call. The manager [NewManager] returns implements it, and a [Tracker]
// on such a manager stops, with an error matching [ErrStopped], as soon
// as its manager is killed.
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

// outage is what the manager remembers of client calls that failed
// because the store could not be used (see failedStore): nothing but
// Kill stops a manager, so it must find its way back to what the store
// holds once the store answers again.
type outage struct {
	// stale is set when a call failed so: the view and the client's cache
	// may miss what other controllers did meanwhile, so the next wake
	// refreshes every lease (see wake), and clears it when that works.
	stale bool
	// readAt is when the manager wakes to do so, if no back-off is set
	// already: minRetryDelay after the failure.
	readAt time.Time
	// unsure holds the leases whose last write failed so: it may or may
	// not have been applied (or be applied later, when mgo/txn resumes
	// it), so the next claim, check or revoke of the lease reads it from
	// the store before it decides (see settle).
	unsure map[string]bool
}

// failedStore reports whether err, from a client call, says that the
// store could not be used: anything but success, [lease.ErrInvalid] (the
// store answered no), contention and a time out of range (both say the
// store answered), an argument the client refused before it used the
// store ([lease.ErrInvalidArgument]), and a corrupt document (the store answered, and the
// damage is reported with each call about that lease, not mended by
// reading again).
func failedStore(err error) bool {
	return err != nil && !errors.Is(err, lease.ErrInvalid) &&
		!errors.Is(err, lease.ErrExcessiveContention) && !errors.Is(err, lease.ErrTimeOutOfRange) &&
		!errors.Is(err, lease.ErrInvalidArgument) && !errors.Is(err, lease.ErrCorrupt)
}

// noteCall records the outcome of one client call (see calls.go): a
// read of every lease if all, else of the named lease or, for a write, a
// write of it. A call that failed the store makes the manager read every
// lease again at its next wake, which it brings forward to
// minRetryDelay after now, and makes a write's lease unsure; a call that
// worked (or read every lease but the corrupt ones) clears what it read.
// A write the store answered, while the manager backs off after a wake
// that failed the store, ends the back-off (see storeAnswered).
func (m *manager) noteCall(all bool, name string, write bool, err error) {
	if failedStore(err) {
		if !m.outage.stale {
			m.outage.stale = true
			m.outage.readAt = m.lastNow.Add(minRetryDelay)
		}
		if write {
			if m.outage.unsure == nil {
				m.outage.unsure = make(map[string]bool)
			}
			m.outage.unsure[name] = true
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
	}
}

// settle reads the named lease from the store if its last write's outcome
// is unknown, so that the request about it is decided on what the store
// holds; it returns the read's error, for the caller of that request.
func (m *manager) settle(name string) error {
	if !m.outage.unsure[name] {
		return nil
	}
	return m.refreshLease(name)
}

// outageAlarm returns when the manager must wake to read every lease again
// after a call that failed the store, and false if it need not (nothing
// failed, or a back-off already says when).
func (m *manager) outageAlarm() (time.Time, bool) {
	if !m.outage.stale || !m.retry.at.IsZero() {
		return time.Time{}, false
	}
	return m.outage.readAt, true
}

// storeAnswered ends the back-off of a wake that failed the store, once a
// write (a claim, an extension, an expiry or a revoke, answered or
// aborted) shows that the store answers again: the manager wakes at once
// rather than up to maxRetryDelay later, reads every lease again, expires
// what ran out meanwhile and polls again, so that the units waiting on
// this controller are released as soon as the store allows. The delay is
// kept, so that a store that fails that wake again is retried after twice
// as long, as if nothing had answered in between; and each such early wake
// follows a write a caller asked for, so the manager never spins on its
// own. Reads do not count: a stepped-down primary still answers them
// while it refuses every write. A back-off after contention or a time out
// of range (the store answered) is left as it is.
func (m *manager) storeAnswered() {
	if m.retry.at.IsZero() || !failedStore(m.retry.err) || !m.retry.at.After(m.lastNow) {
		return
	}
	m.retry.at = m.lastNow
}
