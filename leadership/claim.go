package leadership

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClaimLeadership is part of the [Manager] interface.
func (m *manager) ClaimLeadership(serviceName, unitName string, duration time.Duration) error {
	if err := checkNames(serviceName, unitName); err != nil {
		return refuse(err, "cannot claim leadership")
	}
	if err := checkDuration(duration); err != nil {
		return refuse(err, "cannot claim leadership")
	}
	return claim{
		service:  serviceName,
		unit:     unitName,
		duration: duration,
		response: make(chan error),
		abort:    m.tomb.Dying(),
	}.invoke(m.claims)
}

// claim is a request to claim or extend leadership.
type claim struct {
	service  string
	unit     string
	duration time.Duration
	response chan error
	abort    <-chan struct{}
}

// invoke sends c on ch and returns the loop's answer, or ErrStopped if the
// manager stops first.
func (c claim) invoke(ch chan<- claim) error {
	for {
		select {
		case <-c.abort:
			return ErrStopped
		case ch <- c:
			ch = nil
		case err := <-c.response:
			return err
		}
	}
}

// respond sends the outcome of the claim back to its caller, unless the
// manager is stopping.
func (c claim) respond(err error) {
	select {
	case <-c.abort:
	case c.response <- err:
	}
}

// handleClaim extends the lease if the unit holds it, claims it if nobody
// does, and denies the claim if another unit holds it: if the client is a
// lease.SingleRefresher, only once the lease read from the store says so
// (the cache may be stale: the lease expired elsewhere since). ErrInvalid
// from the client means its view changed: it reads the lease again and
// retries, up to maxClaimAttempts times.
//
// If the outcome of the manager's last write of the lease is unknown (see
// outage), it reads the lease first.
//
// Success, denial, running out of attempts (here, or in the client, which
// reports [lease.ErrExcessiveContention]), and every client error but
// ErrInvalid (see retryable) go back to the caller. It returns only
// tomb.ErrDying, which stops the manager. Either way it emits the claim's
// [EventClaim].
func (m *manager) handleClaim(c claim) error {
	start := m.stamp()
	if m.shortestClaim == 0 || c.duration < m.shortestClaim {
		m.shortestClaim = c.duration
	}
	result, answer, err := m.claim(c)
	if err != nil {
		m.emit(Event{Kind: EventClaim, Result: ResultError, Service: c.service, Unit: c.unit, Err: stopped(err)}, start)
		return err
	}
	m.emit(Event{Kind: EventClaim, Result: result, Service: c.service, Unit: c.unit, Err: answerErr(result, answer)}, start)
	c.respond(answer)
	return nil
}

// answerErr returns the error an event with result carries: answer, for
// ResultError only.
func answerErr(result Result, answer error) error {
	if result == ResultError {
		return answer
	}
	return nil
}

// claim decides c, as handleClaim describes: it returns the result, the
// answer for the caller (nil if granted or extended), and the error, if
// any, that must stop the manager.
func (m *manager) claim(c claim) (Result, error, error) {
	request := lease.Request{Holder: c.unit, Duration: c.duration}
	if err := m.settle(c.service); err != nil {
		return ResultError, errors.Annotatef(err, "cannot claim leadership of %q for %q", c.service, c.unit), nil
	}
	read := false // whether the lease has been read from the store
	for attempt := 0; attempt < maxClaimAttempts; attempt++ {
		select {
		case <-m.tomb.Dying():
			return ResultError, nil, tomb.ErrDying
		default:
		}
		var err error
		info, held := m.lease(c.service)
		if held && info.Holder != c.unit && m.single != nil && !read {
			// Deny only on what the store says now.
			read = true
			if err := m.refreshOne(c.service); readFailed(err) {
				return ResultError, errors.Annotatef(err, "cannot claim leadership of %q for %q", c.service, c.unit), nil
			}
			info, held = m.lease(c.service)
		}
		result := ResultGranted
		switch {
		case !held:
			err = m.claimLease(c.service, request)
		case info.Holder == c.unit:
			result = ResultExtended
			err = m.extendLease(c.service, request)
		default:
			m.record(c.service, info, held)
			return ResultDenied, ErrClaimDenied, nil
		}
		switch {
		case errors.Is(err, lease.ErrInvalid):
			// The client has read the lease again (see lease.ErrInvalid).
			read = true
			continue
		case retryable(err):
			// The client ran out of attempts itself, or the request
			// or the clock gives a time the store cannot hold: tell
			// the caller, and stay alive.
			m.sync(c.service)
			return ResultError, errors.Annotatef(err, "cannot claim leadership of %q for %q", c.service, c.unit), nil
		case err != nil:
			return ResultError, nil, errors.Trace(err)
		}
		m.sync(c.service)
		m.hold(c.service, c.unit)
		return result, nil, nil
	}
	m.sync(c.service)
	return ResultError, errors.Annotatef(errTooQuickly, "cannot claim leadership of %q for %q", c.service, c.unit), nil
}
