package leadership

import (
	"github.com/seed07a61904/leadership/lease"
)

// Group commit: the claims and revocations queued while a store call holds
// the loop are taken together, up to MaxBatch, each decided as alone, and
// their writes sent to a lease.Batcher in one ApplyLeases; a lone write
// goes through its single-lease method (docs/design.md#manager-batches).

// writeJob is a claim or revocation the loop has taken, through its
// attempts: next decides its write, applied takes the outcome (false: the
// lease changed, try again), finish answers and emits.
type writeJob interface {
	// service names the lease the job writes.
	service() string
	// next returns the job's next write; or done, decided without one;
	// or the error that must stop the manager (tomb.ErrDying).
	next() (op lease.Op, done bool, stop error)
	// applied records the outcome of next's write; true when done.
	applied(err error) bool
	// finish answers the caller and emits the event; with stop, the
	// manager stops and the caller gets ErrStopped.
	finish(stop error)
}

// handleWrites runs first and, with a batcher, the jobs queued behind it
// (takeQueued), in rounds (runRound) of one job per lease, so a second
// request about a lease is decided after the first's answer. It returns
// only the error that must stop the manager, after every job's event.
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

// takeQueued returns up to limit queued jobs, without waiting: the claims
// in order, then each revocation; nil if none.
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
// others, both in order.
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

// linearRound is the round length beyond which splitRound uses a map.
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

// runRound runs jobs of different leases until all are done, their writes
// sent together (applyWrites); jobs whose lease changed try again together
// in the next transaction, no more often than alone. It returns only the
// error that must stop the manager, after every job's event.
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

// runAlone runs one job, each write alone; it returns only the error that
// must stop the manager, after the job's event.
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

// applyWrites sends ops (of different leases) and returns their outcomes
// in order: a lone op through its single-lease method, several through
// ApplyLeases (m.batcher must be set).
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

// batchSize is MaxBatch with a lease.Batcher, else 1.
func (m *manager) batchSize() int {
	if m.batcher == nil {
		return 1
	}
	return m.maxBatch
}
