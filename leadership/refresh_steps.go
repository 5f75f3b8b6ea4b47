package leadership

import (
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// steppedRefresh is a wake's refresh of every lease through a
// lease.StepRefresher, in flight: one step a turn of the loop, which
// serves the requests queued between two (docs/design.md#stepped-refreshes).
type steppedRefresh struct {
	steps lease.RefreshSteps
	// wakeStart and start stamp the wake and the refresh, whose events
	// the last step emits.
	wakeStart, start time.Time
	// replaced: a refresh of every lease (refreshAll) ran since, which
	// abandoned the steps; result is its error, which ends the wake.
	replaced bool
	result   error
	// unsure holds the leases whose write failed the store while the
	// steps ran: the steps may have read them before the write, so the
	// refresh's end leaves them unsure (keepUnsure).
	unsure map[string]bool
	// failed: a call could not use the store while the steps ran; the
	// steps may have read some leases before that, so the refresh's end
	// leaves the next wake to read every lease again (keepUnsure).
	failed bool
}

// stepNow is the alarm while a refresh is in flight: it has always fired,
// so the loop takes the next step as soon as no request is waiting.
var stepNow = func() <-chan time.Time {
	ch := make(chan time.Time)
	close(ch)
	return ch
}()

// stepWake is what the loop reports to a lease.Settler that it waits for
// while a refresh is in flight: a channel already closed (see idleOn).
var stepWake = func() <-chan struct{} {
	ch := make(chan struct{})
	close(ch)
	return ch
}()

// beginWakeAll begins the wake, stamped start, of a client that is a
// lease.StepRefresher and must read every lease, and takes its first step.
// It returns only tomb.ErrDying, as wake does.
func (m *manager) beginWakeAll(start time.Time) error {
	m.stepping = &steppedRefresh{steps: m.stepper.BeginRefresh(0), wakeStart: start, start: m.stamp()}
	return m.wakeStep()
}

// wakeStep serves the requests queued (serveQueued), then takes the next
// step of the refresh in flight. After the last (or a step that failed, or
// once a refresh of every lease replaced the steps), it emits the
// refresh's EventRefresh, with its whole duration, and ends the wake as
// wakeAll does after its refresh (refreshedAll). It returns only
// tomb.ErrDying, as wake does, or a request's error that must stop the
// manager.
func (m *manager) wakeStep() error {
	for i := 0; i < requestsBetweenSteps; i++ {
		served, err := m.serveQueued()
		if err != nil {
			return err
		}
		if !served {
			break
		}
	}
	r := m.stepping
	err := r.result
	if !r.replaced {
		done, stepErr := r.steps.Step()
		if !done {
			return nil
		}
		err = stepErr
		m.emitCall(EventRefresh, CallRefresh, "", "", r.start, err)
		m.noteCall(true, "", false, err)
		m.keepUnsure(r)
	}
	m.stepping = nil
	err = m.refreshedAll(err)
	m.woken(r.wakeStart, err)
	return err
}

// replaceSteps records that a refresh of every lease, which returned err,
// ran while steps were in flight, abandoning them: the next turn of the
// loop ends the wake with that refresh's outcome.
func (m *manager) replaceSteps(err error) {
	if m.stepping != nil {
		m.stepping.replaced, m.stepping.result = true, err
		m.stepping.unsure, m.stepping.failed = nil, false
	}
}

// keepUnsure marks unsure again the leases whose write failed the store
// while r's steps ran, which the end of r (noteCall) forgot: what r read
// of them may be older than the write. If any call failed the store while
// r ran, the next wake reads every lease again, minRetryDelay from now.
func (m *manager) keepUnsure(r *steppedRefresh) {
	if r.failed {
		m.outage.stale = true
		m.outage.readAt = m.lastNow.Add(minRetryDelay)
	}
	for name := range r.unsure {
		if m.outage.unsure == nil {
			m.outage.unsure = make(map[string]bool)
		}
		m.outage.unsure[name] = true
	}
}

// abandonSteps closes the refresh in flight, if any, as the loop stops.
func (m *manager) abandonSteps() {
	if m.stepping != nil {
		m.stepping.steps.Close()
		m.stepping = nil
	}
}

// idleOn returns what the loop waits for, as a lease.Settler is told
// (idle): the alarm, or, while a refresh is in flight, nothing but its
// next step, which is due at once.
func (m *manager) idleOn() (<-chan time.Time, <-chan struct{}) {
	if m.stepping != nil {
		return nil, stepWake
	}
	return m.alarm, nil
}

// requestsBetweenSteps is how many queued requests the loop serves, at
// most, before each step of a refresh, so that requests coming without
// pause do not starve it.
const requestsBetweenSteps = 16

// serveQueued serves one request already queued, if any, without waiting,
// and reports whether it did, with the handler's error. choose picks
// between the always-fired alarm of a refresh in flight and a queued
// request at random; this lets no request wait behind more than the step
// in progress. Its cases are choose's requests.
func (m *manager) serveQueued() (bool, error) {
	m.dropCancelled()
	select {
	case c := <-m.claims:
		return true, m.handleClaim(c)
	case c := <-m.checks:
		return true, m.handleCheck(c)
	case r := <-m.revokes:
		return true, m.handleRevoke(r)
	case r := <-m.requests:
		return true, r.handle(m)
	default:
		return false, nil
	}
}
