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
		unitRequest: newUnitRequest[error](serviceName, unitName, m.tomb.Dying()),
		duration:    duration,
	}.invoke(m.claims)
}

// claim is a request to claim or extend leadership.
type claim struct {
	unitRequest[error]
	duration time.Duration
}

// invoke sends c on ch and returns the loop's answer, or ErrStopped if the
// manager stops first.
func (c claim) invoke(ch chan<- claim) error {
	return sendErr(ch, c, c.reply)
}

// handleClaim extends the lease if the unit holds it, claims it if nobody
// does, and denies it if another unit does; with a lease.SingleRefresher,
// only on the lease as read from the store (the cache may be stale). It
// reads first after an unknown outcome (outage), and retries after
// ErrInvalid up to maxClaimAttempts. Every outcome goes to the caller with
// its [EventClaim]; it returns only tomb.ErrDying. Queued writes go with it
// (handleWrites).
func (m *manager) handleClaim(c claim) error {
	return m.handleWrites(m.newClaimJob(c))
}

// answerErr returns the error an event with result carries: answer, for
// ResultError only.
func answerErr(result Result, answer error) error {
	if result == ResultError {
		return answer
	}
	return nil
}

// claimJob is a claim the loop has taken, through its attempts (see
// handleClaim and writeJob).
type claimJob struct {
	writeBase
	request lease.Request
	settled bool // whether settle has run
	read    bool // whether the lease has been read from the store
	// result and answer are the outcome once done (answer nil if granted
	// or extended); while a write is in flight, the result if it applies.
	result Result
	answer error
}

var _ writeJob = (*claimJob)(nil)

// newClaimJob takes c.
func (m *manager) newClaimJob(c claim) *claimJob {
	if m.shortestClaim == 0 || c.duration < m.shortestClaim {
		m.shortestClaim = c.duration
	}
	return &claimJob{
		writeBase: m.newWriteBase(c.unitRequest),
		request:   lease.Request{Holder: c.unit, Duration: c.duration},
	}
}

// next is part of the writeJob interface (see handleClaim).
func (j *claimJob) next() (lease.Op, bool, error) {
	m, c := j.m, j.req
	if !j.settled {
		j.settled = true
		if err := m.settle(c.service); err != nil {
			return j.fail(err)
		}
	}
	if !j.attempts.another() {
		m.sync(c.service)
		return j.fail(errTooQuickly)
	}
	select {
	case <-m.tomb.Dying():
		return lease.Op{}, false, tomb.ErrDying
	default:
	}
	info, held := m.lease(c.service)
	if held && info.Holder != c.unit && m.single != nil && !j.read {
		// Deny only on what the store says now.
		j.read = true
		if err := m.refreshOne(c.service); readFailed(err) {
			return j.fail(err)
		}
		info, held = m.lease(c.service)
	}
	switch {
	case !held:
		j.result = ResultGranted
		return lease.Op{Kind: lease.OpClaim, Lease: c.service, Request: j.request}, false, nil
	case info.Holder == c.unit:
		j.result = ResultExtended
		return lease.Op{Kind: lease.OpExtend, Lease: c.service, Request: j.request}, false, nil
	}
	m.record(c.service, info, held)
	j.result, j.answer = ResultDenied, ErrClaimDenied
	return lease.Op{}, true, nil
}

// fail makes the job done with err, annotated, for the caller.
func (j *claimJob) fail(err error) (lease.Op, bool, error) {
	j.result = ResultError
	j.answer = errors.Annotatef(err, "cannot claim leadership of %q for %q", j.req.service, j.req.unit)
	return lease.Op{}, true, nil
}

// applied is part of the writeJob interface.
func (j *claimJob) applied(err error) bool {
	m, c := j.m, j.req
	if errors.Is(err, lease.ErrInvalid) {
		// The client has read the lease again (see lease.ErrInvalid).
		j.read = true
		return false
	}
	m.sync(c.service)
	if err != nil {
		// Out of attempts, a time out of range, or the store unusable:
		// tell the caller, and stay alive.
		j.fail(err)
		return true
	}
	m.hold(c.service, c.unit)
	return true
}

// finish is part of the writeJob interface.
func (j *claimJob) finish(stop error) {
	j.done(EventClaim, j.result, j.answer, stop)
}
