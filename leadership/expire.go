package leadership

import (
	"sort"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/lease"
)

// wake refreshes what the manager knows and expires what has run out:
// every lease (wakeAll) if the client is no lease.SingleRefresher, MaxSleep
// has passed since the last full refresh, or a call since missed the store
// (outage); else only the leases due, or the clocks if none is (wakeDue).
// With a lease.StepRefresher, a wake that reads every lease reads it in
// steps, the loop serving requests between two (wakeStep), and ends at
// the last. It emits an [EventWake] (an error if it must back off) and
// returns only tomb.ErrDying: client errors back the wake off.
func (m *manager) wake() error {
	if m.stepping != nil {
		return m.wakeStep()
	}
	start := m.stamp()
	var err error
	switch {
	case m.single != nil && !m.outage.stale && m.now().Before(m.sleepFrom.Add(m.maxSleep)):
		err = m.wakeDue()
	case m.stepper != nil:
		return m.beginWakeAll(start)
	default:
		err = m.wakeAll()
	}
	m.woken(start, err)
	return err
}

// woken ends the wake that began at start with err (from wakeAll or
// wakeDue): it emits the wake's EventWake.
func (m *manager) woken(start time.Time, err error) {
	switch {
	case err != nil:
		m.stopping = true
		m.emit(Event{Kind: EventWake, Result: ResultError, Err: err}, start)
	case m.retry.err != nil:
		m.emit(Event{Kind: EventWake, Result: ResultError, Err: m.retry.err}, start)
	default:
		m.emit(Event{Kind: EventWake, Result: ResultOK}, start)
	}
}

// wakeAll refreshes the client, rebuilds the view from its leases, and
// expires those due at now (refreshedAll).
func (m *manager) wakeAll() error {
	return m.refreshedAll(m.refreshAll())
}

// refreshedAll ends a wake whose refresh of every lease returned err: it
// rebuilds the view from the client's leases and expires those due at
// now. A refresh error backs the wake off (readFailed); a corrupt document
// does not, and the others are served.
func (m *manager) refreshedAll(err error) error {
	if readFailed(err) && !errors.Is(err, lease.ErrCorrupt) {
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

// wakeDue reads each lease due at now and expires those still due; if
// none is, it polls (ClockPoll) when the client can. It reads the leases
// someone is blocked on again if the count of releases changed
// (followReleases), and re-records their expiries, since the skews may
// have changed. Errors as for wakeAll.
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

// expire expires each named lease due at now, in name order, starting
// after the one that failed last; if read is not nil it reads each first,
// so the decision is taken on what the store says now. It sends batches of
// up to MaxBatch (expireBatch) and answers waiting claims between two
// (serveWaitingClaims). ErrInvalid (someone got there first, or the lease
// was extended) is ignored; any other client error ends the expiries once
// its batch is answered, and backs the wake off. It returns only
// tomb.ErrDying.
func (m *manager) expire(names []string, now time.Time, read func(string) error) error {
	sort.Strings(names)
	// Start after the lease that failed last, so that it does not starve
	// the others.
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

// expireBatch expires the named leases (all different) in one transaction
// (applyWrites) and records what the client then says of each. With read,
// it expires only those still held and due after reading each (a failed
// read ends the reads); without, it expires them unread, as Juju did, the
// caller having just refreshed every lease. It returns the first lease
// whose read or expiry failed other than with ErrInvalid, and the error.
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

// claimsBetweenExpiries is how many waiting claims a wake answers, at
// most, between two expiry batches.
const claimsBetweenExpiries = 4

// serveWaitingClaims answers up to claimsBetweenExpiries waiting claims,
// without waiting, and returns an error that must stop the manager (see
// handleClaim). Units released by a long wake's first expiries lead soon
// after, and what is granted does not change
// (docs/design.md#manager-batches).
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

// woke records a wake at the clock's reading, and returns it: no second
// wake at that reading, the next clock poll ClockPoll after it, and, if
// all, MaxSleep counted from it.
func (m *manager) woke(all bool) time.Time {
	now := m.now()
	m.lastWake = now
	if all {
		m.sleepFrom = now
	}
	return now
}

// retryable reports whether err, from the client, goes to the caller of
// the request that met it (a wake backs off and tries again): every error
// but lease.ErrInvalid, which the manager handles itself. None stops the
// manager; all but lease.ErrCorrupt (logged at error level) pass in time.
// lease.ErrUnavailable and unclassified errors make the manager read
// again (outage.go).
func retryable(err error) bool {
	return err != nil && !errors.Is(err, lease.ErrInvalid)
}

// readFailed reports whether err, from a read of the store, is an error.
// Every read error goes to the request's caller or backs the wake off, and
// none stops the manager; lease.ErrInvalid, which no read should give,
// fails the one request.
func readFailed(err error) bool {
	return err != nil
}
