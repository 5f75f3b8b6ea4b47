package leadership

import "time"

// writeBase is what every writeJob (a claimJob or a revokeJob) keeps: its
// manager, its request (whose service names the lease it writes), when
// the loop took it, and its attempts.
type writeBase struct {
	m        *manager
	req      unitRequest[error]
	start    time.Time // a stamp
	attempts attempts
}

// newWriteBase returns the writeBase of a job for req, taken now.
func (m *manager) newWriteBase(req unitRequest[error]) writeBase {
	return writeBase{m: m, req: req, start: m.stamp()}
}

// service is part of the writeJob interface.
func (b *writeBase) service() string {
	return b.req.service
}

// done is a writeJob's finish: it emits the job's event of kind, with
// result, and answers the caller with answer; or, if stop is not nil, it
// emits a ResultError event for stop and leaves the caller, who gets
// ErrStopped, unanswered.
func (b *writeBase) done(kind EventKind, result Result, answer, stop error) {
	e := Event{Kind: kind, Result: result, Service: b.req.service, Unit: b.req.unit, Err: answerErr(result, answer)}
	if stop != nil {
		e.Result, e.Err = ResultError, stopped(stop)
	}
	b.m.emit(e, b.start)
	if stop == nil {
		b.req.respond(answer)
	}
}

// attempts counts a write job's attempts (a claim's or a revocation's),
// up to maxClaimAttempts.
type attempts int

// another counts one more attempt and reports true, or reports false if
// the job has made maxClaimAttempts already: the lease kept changing
// under it (errTooQuickly).
func (a *attempts) another() bool {
	if *a == maxClaimAttempts {
		return false
	}
	*a++
	return true
}
