package leadership

import (
	"sort"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// wake refreshes the client, rebuilds the view from one snapshot of its
// leases, and tries to expire every lease in it whose expiry is not after
// now, in name order, starting after the lease whose expiry failed last.
//
// ErrInvalid from ExpireLease is expected (someone else got there first,
// or the lease was extended) and ignored. An error that says the store or
// the clock is not ready yet (see retryable) ends the wake's expiries and
// makes the manager back off before it wakes again: it keeps running, and
// tries again then. It returns any other client error, which must stop the
// manager.
func (m *manager) wake() error {
	if err := m.client.Refresh(); err != nil {
		if !retryable(err) {
			return errors.Trace(err)
		}
		m.retry.failed(m.retry.after, m.woke(), m.maxSleep)
		return nil
	}
	now := m.woke()
	leases := m.client.Leases()
	m.view.reset(leases)
	var expired []string
	for name, info := range leases {
		if !info.Expiry.After(now) {
			expired = append(expired, name)
		}
	}
	sort.Strings(expired)
	// Start after the lease that failed last, so that one lease that
	// keeps failing does not keep the others from being tried.
	first := sort.SearchStrings(expired, m.retry.after)
	if first < len(expired) && expired[first] == m.retry.after {
		first++
	}
	failed := false
	for _, name := range append(expired[first:], expired[:first]...) {
		err := m.client.ExpireLease(name)
		if err != nil && !errors.Is(err, lease.ErrInvalid) && !retryable(err) {
			return errors.Trace(err)
		}
		m.sync(name)
		if retryable(err) {
			m.retry.failed(name, now, m.maxSleep)
			failed = true
			break
		}
	}
	if !failed {
		m.retry.succeeded()
	}
	for name := range m.blocked {
		if !m.view.has(name) {
			m.release(name)
		}
	}
	return nil
}

// woke records a wake at the clock's reading, which it returns: MaxSleep
// counts from it, and the manager does not wake again at that reading.
func (m *manager) woke() time.Time {
	now := m.now()
	m.sleepFrom, m.lastWake = now, now
	return now
}

// retryable reports whether err, from the client, says that the operation
// failed for a reason that says nothing of the store's health, so that the
// manager must not stop for it: the store kept changing under the client
// (which is also what a client whose clock stepped back behind its own last
// write reports), or a time the operation would write or compute from (a
// requested expiry, or the clock's reading) is one the store cannot hold.
// The first passes in time; the second, for a clock reading, once the
// clock is mended.
func retryable(err error) bool {
	return errors.Is(err, lease.ErrExcessiveContention) || errors.Is(err, lease.ErrTimeOutOfRange)
}
