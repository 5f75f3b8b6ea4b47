package leadership

import (
	"github.com/seed07a61904/leadership/lease"
)

// Group commit. The loop is one goroutine, so the claims and revocations
// asked of it while a store call holds it queue on its channels. When it
// takes one, it takes those already queued too (without waiting for
// any), up to MaxBatch in all, decides each as it would alone, and sends
// the writes they need, each of a different lease, to a lease.Batcher
// client in one ApplyLeases: one transaction, each op asserting the state
// its lease was decided on. A lone write goes through its single-lease
// method, as it would without batches. The expiries of one wake go in
// batches too (see expire).

// writeJob is a request the loop has taken that may need writes: a claim
// or a revocation, taken through its attempts. A job decides its next
// write (next), is told the write's outcome (applied), and when it is
// done answers its caller and emits its event (finish). The loop calls
// next again after a write that applied returned false for: the lease
// changed under the client (lease.ErrInvalid), and the job tries again.
type writeJob interface {
	// service names the lease the job writes.
	service() string
	// next returns the job's next write; or done, the job having decided
	// its answer without one; or the error that must stop the manager
	// (tomb.ErrDying).
	next() (op lease.Op, done bool, stop error)
	// applied records the outcome of the write next returned, and
	// reports whether the job is done.
	applied(err error) bool
	// finish answers the caller and emits the job's event; if stop is not
	// nil, the manager stops with it and the caller, who gets ErrStopped,
	// is not answered.
	finish(stop error)
}

// handleWrites runs first, and, if the client is a lease.Batcher and
// MaxBatch is more than 1, the claims and revocations already queued
// behind it (see takeQueued), in rounds (see runRound): a round holds the
// first job of each lease, so that a second request about a lease is
// decided once the first has its answer, as it would be alone. It returns
// only the error that must stop the manager, once every job it took has
// emitted its event.
func (m *manager) handleWrites(first writeJob) error {
	if m.batcher == nil {
		return m.runAlone(first)
	}
	queued := m.takeQueued(m.maxBatch - 1)
	if len(queued) == 0 {
		return m.runAlone(first)
	}
	jobs := append([]writeJob{first}, queued...)
	for len(jobs) > 0 {
		round, later := splitRound(jobs)
		if err := m.runRound(round); err != nil {
			finishAll(later, err)
			return err
		}
		jobs = later
	}
	return nil
}

// takeQueued returns the claims and revocations that are queued (without
// waiting for any), up to limit jobs: the claims in the order they queued,
// each revocation once no claim is left; nil if none is queued.
func (m *manager) takeQueued(limit int) []writeJob {
	var jobs []writeJob
	for len(jobs) < limit {
		select {
		case c := <-m.claims:
			jobs = append(jobs, m.newClaimJob(c))
			continue
		default:
		}
		select {
		case r := <-m.revokes:
			jobs = append(jobs, m.newRevokeJob(r))
			continue
		default:
		}
		break
	}
	return jobs
}

// splitRound returns the first job of each lease among jobs, and the
// others, both in order. It finds repeats by looking through the round so
// far while that is short (linearRound), and in a map beyond.
func splitRound(jobs []writeJob) (round, later []writeJob) {
	round = make([]writeJob, 0, len(jobs))
	var names map[string]bool
	for _, j := range jobs {
		name := j.service()
		if names == nil && len(round) == linearRound {
			names = make(map[string]bool, len(jobs))
			for _, r := range round {
				names[r.service()] = true
			}
		}
		if names != nil && names[name] || names == nil && inRound(round, name) {
			later = append(later, j)
			continue
		}
		if names != nil {
			names[name] = true
		}
		round = append(round, j)
	}
	return round, later
}

// linearRound is how long a round splitRound looks through before it
// makes a map of its names.
const linearRound = 16

// inRound reports whether a job of round writes the named lease.
func inRound(round []writeJob, name string) bool {
	for _, j := range round {
		if j.service() == name {
			return true
		}
	}
	return false
}

// runRound runs jobs, each of a different lease, until all are done: it
// decides each one's next write, sends the writes together (see
// applyWrites), and answers each job its write's outcome; the jobs whose
// lease changed under the client try again, together, in the next
// transaction. A job that contends thus fails none of the others, and is
// tried no more often than alone (maxClaimAttempts). It returns only the
// error that must stop the manager, once every job has emitted its
// event.
func (m *manager) runRound(jobs []writeJob) error {
	for len(jobs) > 0 {
		ops := make([]lease.Op, 0, len(jobs))
		writing := jobs[:0:0]
		for i, j := range jobs {
			op, done, stop := j.next()
			switch {
			case stop != nil:
				finishAll(writing, stop)
				finishAll(jobs[i:], stop)
				return stop
			case done:
				j.finish(nil)
				continue
			}
			ops = append(ops, op)
			writing = append(writing, j)
		}
		errs := m.applyWrites(ops)
		jobs = writing[:0]
		for i, j := range writing {
			if !j.applied(errs[i]) {
				jobs = append(jobs, j)
				continue
			}
			j.finish(nil)
		}
	}
	return nil
}

// runAlone runs one job until it is done, each write alone. It returns
// only the error that must stop the manager, once the job has emitted its
// event.
func (m *manager) runAlone(j writeJob) error {
	for {
		op, done, stop := j.next()
		switch {
		case stop != nil:
			j.finish(stop)
			return stop
		case done:
			j.finish(nil)
			return nil
		}
		if j.applied(m.write(op)) {
			j.finish(nil)
			return nil
		}
	}
}

// finishAll finishes every job with stop.
func finishAll(jobs []writeJob, stop error) {
	for _, j := range jobs {
		j.finish(stop)
	}
}

// applyWrites sends ops, each of a different lease, and returns their
// outcomes in order: none for none, a lone op through its single-lease
// method, several through the client's ApplyLeases (m.batcher must then
// be set).
func (m *manager) applyWrites(ops []lease.Op) []error {
	switch len(ops) {
	case 0:
		return nil
	case 1:
		return []error{m.write(ops[0])}
	}
	return m.applyLeases(ops)
}

// write sends op through its single-lease method (see calls.go); for
// OpRevoke, m.revoker must be set.
func (m *manager) write(op lease.Op) error {
	switch op.Kind {
	case lease.OpClaim:
		return m.claimLease(op.Lease, op.Request)
	case lease.OpExtend:
		return m.extendLease(op.Lease, op.Request)
	case lease.OpExpire:
		return m.expireLease(op.Lease)
	}
	return m.revokeLease(op.Lease, op.Request.Holder)
}

// batchSize returns how many writes the manager sends in one transaction
// at most: MaxBatch if the client is a lease.Batcher, else 1.
func (m *manager) batchSize() int {
	if m.batcher == nil {
		return 1
	}
	return m.maxBatch
}
