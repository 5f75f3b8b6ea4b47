package leadership

import (
	"sort"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// wake refreshes what the manager knows and expires what has run out. If
// the client is not a lease.SingleRefresher, or MaxSleep has passed since
// the manager last refreshed every lease, or a call since could not use
// the store (see outage), it refreshes every lease (wakeAll); otherwise it reads only the leases that are due, or, if none
// is, the clocks (wakeDue).
//
// It returns only tomb.ErrDying (from a claim it answers between two
// expiries), which stops the manager: a client error makes the wake back
// off (see wakeAll and wakeDue). Either way it emits the wake's
// [EventWake]: an error if the wake must back off.
func (m *manager) wake() error {
	start := m.stamp()
	var err error
	if m.single == nil || m.outage.stale || !m.now().Before(m.sleepFrom.Add(m.maxSleep)) {
		err = m.wakeAll()
	} else {
		err = m.wakeDue()
	}
	switch {
	case err != nil:
		m.stopping = true
		m.emit(Event{Kind: EventWake, Result: ResultError, Err: err}, start)
	case m.retry.err != nil:
		m.emit(Event{Kind: EventWake, Result: ResultError, Err: m.retry.err}, start)
	default:
		m.emit(Event{Kind: EventWake, Result: ResultOK}, start)
	}
	return err
}

// wakeAll refreshes the client, rebuilds the view from one snapshot of its
// leases, and tries to expire every lease in it whose expiry is not after
// now (see expire).
//
// An error from the refresh makes the manager back off before it wakes
// again (see readFailed): it keeps running, and tries again then. A
// corrupt document does not: the client has read every other lease, and
// the wake goes on with them.
func (m *manager) wakeAll() error {
	if err := m.refreshAll(); readFailed(err) && !errors.Is(err, lease.ErrCorrupt) {
		m.retry.failed(m.retry.after, m.woke(false), m.maxSleep, err)
		return nil
	}
	now := m.woke(true)
	leases := m.client.Leases()
	m.view.reset(leases)
	m.noteLeaders(leases)
	if m.observing {
		m.checkAllHeld(leases)
	}
	var expired []string
	for name, info := range leases {
		if !info.Expiry.After(now) {
			expired = append(expired, name)
		}
	}
	if err := m.expire(expired, now, nil); err != nil {
		return errors.Trace(err)
	}
	for name := range m.blocked {
		if !m.view.has(name) {
			m.release(name)
		}
	}
	return nil
}

// wakeDue reads from the store each lease in the view whose expiry is not
// after now, and expires those that are still due (see expire). If none
// is due, it polls instead, when the client can (see poll and
// ManagerConfig.ClockPoll). If the client's count of releases has changed,
// it reads again the leases someone is blocked on (see followReleases).
// Either way the skews the client knows may have changed, so it records
// again the expiry of every lease someone is blocked on: those are the
// ones whose expiry must not be late.
//
// Its errors are handled as wakeAll's are.
func (m *manager) wakeDue() error {
	now := m.woke(false)
	due := m.view.due(now)
	if len(due) == 0 && (m.clocks != nil || m.watching()) {
		if err := m.poll(); readFailed(err) {
			m.retry.failed(m.retry.after, now, m.maxSleep, err)
			return nil
		}
		m.retry.succeeded()
	}
	if err := m.expire(due, now, m.refreshOne); err != nil {
		return errors.Trace(err)
	}
	if err := m.followReleases(); readFailed(err) {
		m.retry.failed(m.retry.after, now, m.maxSleep, err)
		return nil
	}
	if err := m.followWatched(); readFailed(err) {
		m.retry.failed(m.retry.after, now, m.maxSleep, err)
		return nil
	}
	for name := range m.blocked {
		m.sync(name)
	}
	return nil
}

// expire tries to expire each named lease whose expiry is not after now,
// in name order, starting after the lease whose expiry failed last; if read
// is not nil, it first reads each lease with it, so that the decision is
// taken on what the store says of that lease now. It sends the expiries in
// batches of up to MaxBatch (one at a time if the client is not a
// lease.Batcher; see expireBatch), and between two batches it answers the
// claims that are waiting (see serveWaitingClaims), so that a unit
// waiting on a lease of one batch is answered before the next.
//
// ErrInvalid from ExpireLease is expected (someone else got there first,
// or the lease was extended) and ignored. Any other client error (see
// retryable) ends the expiries once its batch has been answered, and
// makes the manager back off before it wakes again. It returns only
// tomb.ErrDying.
func (m *manager) expire(names []string, now time.Time, read func(string) error) error {
	sort.Strings(names)
	// Start after the lease that failed last, so that one lease that
	// keeps failing does not keep the others from being tried.
	first := sort.SearchStrings(names, m.retry.after)
	if first < len(names) && names[first] == m.retry.after {
		first++
	}
	names = append(names[first:], names[:first]...)
	size := m.batchSize()
	for i := 0; i < len(names); i += size {
		if i > 0 {
			if err := m.serveWaitingClaims(); err != nil {
				return errors.Trace(err)
			}
		}
		batch := names[i:]
		if len(batch) > size {
			batch = batch[:size]
		}
		if failed, err := m.expireBatch(batch, now, read); err != nil {
			m.retry.failed(failed, now, m.maxSleep, err)
			return nil
		}
	}
	m.retry.succeeded()
	return nil
}

// expireBatch expires the named leases, each of a different lease, in one
// transaction (see applyWrites), and records what the client then says of
// each, releasing the blocks waiting on those that are gone. If read is
// not nil, it reads each lease with it first, and expires only those that
// are still held and due at now; a read that fails ends the reads, and
// the leases read before it are expired. Otherwise it expires them without
// looking, as Juju did, since the caller has just refreshed every lease.
//
// It returns the first lease whose read or expiry failed with an error
// other than ErrInvalid, and that error (see expire); "" and nil if none
// did.
func (m *manager) expireBatch(names []string, now time.Time, read func(string) error) (string, error) {
	start := m.stamp()
	ops := make([]lease.Op, 0, len(names))
	unread, readErr := "", error(nil)
	for _, name := range names {
		if read != nil {
			if err := read(name); err != nil {
				if errors.Is(err, lease.ErrInvalid) {
					// Not the expiry's ErrInvalid, which expire
					// ignores: a read that broke the client's rules
					// (see readFailed) backs the wake off.
					err = errors.Errorf("cannot read lease %q: %v", name, err)
				}
				unread, readErr = name, err
				break
			}
			if info, held := m.lease(name); !held || info.Expiry.After(now) {
				m.sync(name)
				continue
			}
		}
		ops = append(ops, lease.Op{Kind: lease.OpExpire, Lease: name})
	}
	failed, failErr := "", error(nil)
	for i, err := range m.applyWrites(ops) {
		name := ops[i].Lease
		m.sync(name)
		switch {
		case retryable(err):
			m.emit(Event{Kind: EventExpire, Result: ResultError, Service: name, Err: err}, start)
			if failErr == nil {
				failed, failErr = name, err
			}
		case err == nil:
			m.emit(Event{Kind: EventExpire, Result: ResultExpired, Service: name}, start)
		}
	}
	if readErr != nil {
		m.sync(unread)
		m.emit(Event{Kind: EventExpire, Result: ResultError, Service: unread, Err: readErr}, start)
		if failErr == nil {
			failed, failErr = unread, readErr
		}
	}
	return failed, failErr
}

// claimsBetweenExpiries is how many waiting claims a manager answers, at
// most, between two expiries of one wake.
const claimsBetweenExpiries = 4

// serveWaitingClaims answers up to claimsBetweenExpiries claims that are
// waiting to be taken, without waiting for any, and returns the error, if
// any, that must stop the manager (see handleClaim).
//
// A wake that expires many leases (a dead controller's, all due within
// one lease period) would otherwise keep every claim waiting until the
// last expiry: on a store that runs a few transactions a second, the
// units released by the first expiries would wait for all the others.
// Answering claims in between lets each unit lead soon after its own
// lease is expired. It changes nothing of what is granted: a claim is
// decided as it would be between two wakes, the expiries that follow
// still assert what the client knows of each lease, and a lease a claim
// has just extended is not due, so its expiry is refused.
func (m *manager) serveWaitingClaims() error {
	for i := 0; i < claimsBetweenExpiries; i++ {
		select {
		case c := <-m.claims:
			if err := m.handleClaim(c); err != nil {
				return err
			}
		default:
			return nil
		}
	}
	return nil
}

// woke records a wake at the clock's reading, which it returns: the
// manager does not wake again at that reading, and reads the clocks again
// ClockPoll after it. If all is true, the wake refreshed every lease, and
// MaxSleep counts from it.
func (m *manager) woke(all bool) time.Time {
	now := m.now()
	m.lastWake = now
	if all {
		m.sleepFrom = now
	}
	return now
}

// retryable reports whether err, from the client, is an error the manager
// reports to the caller of the request that met it (a wake backs off and
// tries again): every error but lease.ErrInvalid, which the manager
// handles itself. Nothing but Kill stops a manager. The store may have
// kept changing under the client (lease.ErrExcessiveContention, which is
// also what a client whose clock stepped back behind its own last write
// reports); a time the operation would write or compute from may be one
// the store cannot hold (lease.ErrTimeOutOfRange); the client may have
// refused an argument of the call (lease.ErrInvalidArgument: a name it
// cannot store, which is that call's error); the store may be out
// of reach (lease.ErrUnavailable, or any error the client does not
// classify: see outage.go for what the manager reads again once it
// answers); or it may hold a corrupt document (lease.ErrCorrupt, which
// fails every call about that lease until a person mends it, and is
// logged at error level). All but the last pass in time.
func retryable(err error) bool {
	return err != nil && !errors.Is(err, lease.ErrInvalid)
}

// readFailed reports whether err, from a read of the store (Refresh,
// RefreshLease, RefreshClocks, RefreshReleases), is an error: every error
// of a read goes to the caller of the request that made it, or backs off
// the wake that made it, and none stops the manager. lease.ErrInvalid is
// a write's answer, which no read should give (a client that breaks that
// rule fails the one request, as a store error would).
func readFailed(err error) bool {
	return err != nil
}
