package lease

import (
	"time"

	"github.com/juju/errors"
	"gopkg.in/mgo.v2/txn"
)

// build builds p's write from the cache at time now, and reports whether
// it did; if it could not (ErrInvalid, ErrTimeOutOfRange), it answers p.
func (c *client) build(p *pending, now time.Time) bool {
	var w leaseWrite
	var err error
	switch op := p.op; op.Kind {
	case OpClaim:
		w, err = claimWrite(c.scope, c.cache, op.Lease, op.Request, now)
	case OpExtend:
		w, err = extendWrite(c.scope, c.cache, op.Lease, op.Request, now)
	case OpExpire:
		w, err = expireWrite(c.scope, c.cache, op.Lease, now)
	case OpRevoke:
		w, err = revokeWrite(c.scope, c.cache, op.Lease, op.Request.Holder, now)
	default:
		err = errors.Trace(op.Validate())
	}
	if err != nil {
		p.finish(err)
		return false
	}
	p.write = w
	return true
}

// runBatch runs batch's writes, built at now, as one transaction until
// each is answered, rebuilding after aborts (retry); before a transaction
// of first claims only, it cleans the clock documents' queues
// (cleanQueues), whose ErrUnavailable answers every write untried. It is
// the one place that interprets txn.ErrAborted for a lease write. Any
// other error
// (ErrUnavailable: outcome unknown; or unclassified) answers every write
// and leaves the cache as it was; runBatch returns that error, and nil
// otherwise.
func (c *client) runBatch(batch []*pending, now time.Time) error {
	for len(batch) > 0 {
		writes := make([]leaseWrite, len(batch))
		for i, p := range batch {
			writes[i] = p.write
		}
		ops, err := c.scope.transactionOps(writes, now, c.cache.clocks)
		if err == nil && insertsOnly(writes) {
			err = c.cleanQueues(ops)
		}
		if err == nil {
			err = storeError(c.config.Mongo.RunTransaction(ops))
		}
		switch {
		case err == nil:
			c.cache.wrote(writes)
			for _, p := range batch {
				p.finish(nil)
			}
			return nil
		case !errors.Is(err, txn.ErrAborted):
			finishAll(batch, err)
			return err
		}
		batch, now = c.retry(batch)
	}
	return nil
}

// retry handles an aborted transaction. mgo/txn says only that some
// assertion failed, so it reads every lease of the batch again, with the
// clock documents, and charges one attempt to each write whose assertion
// no longer holds (to each, if none: the clock op failed after a step
// back, or a lease changed and changed back). A claim from the floor whose
// lease is as it was, but whose term the floor has reached, lost a race
// for terms with another writer's claims from the floor: one of those
// applied, so the writers as a whole progress, and it is charged against
// maxFloorRaces instead. A write charged maxAttempts times (maxFloorRaces
// for races) gets ErrExcessiveContention; one whose lease could not be
// read, that error; the others are rebuilt on a new clock reading, which
// may answer them. It returns the writes rebuilt and that reading.
func (c *client) retry(batch []*pending) ([]*pending, time.Time) {
	if len(batch) == 1 && !batch[0].write.fromFloor && batch[0].aborts+1 >= maxAttempts {
		// A lone write is charged whatever the read would show.
		batch[0].finish(ErrExcessiveContention)
		return nil, time.Time{}
	}
	names := make([]string, len(batch))
	for i, p := range batch {
		names[i] = p.op.Lease
	}
	failed := c.rereadLeases(names)
	blamed := false
	for _, p := range batch {
		switch {
		case failed[p.op.Lease] != nil:
		case !p.write.assertionHolds(c.cache):
			p.aborts++
			blamed = true
		case p.write.fromFloor && c.cache.termFloor >= p.write.next.term:
			p.floorRaces++
			blamed = true
		}
	}
	now := c.config.Clock.Now()
	var next []*pending
	for _, p := range batch {
		if err := failed[p.op.Lease]; err != nil {
			p.finish(err)
			continue
		}
		if !blamed {
			p.aborts++
		}
		if p.aborts >= maxAttempts || p.floorRaces >= maxFloorRaces {
			p.finish(ErrExcessiveContention)
			continue
		}
		if c.build(p, now) {
			next = append(next, p)
		}
	}
	return next, now
}

// finishAll answers every write of batch with err.
func finishAll(batch []*pending, err error) {
	for _, p := range batch {
		p.finish(err)
	}
}

// wrote caches what writes wrote once applied: the leases, the term floor,
// and the client's own clock document.
func (c *cache) wrote(writes []leaseWrite) {
	for _, w := range writes {
		c.put(w.name, w.next, true)
		if w.claim {
			c.termFloor = maxTerm(c.termFloor, w.next.term)
		}
	}
	if !c.clocks.own {
		c.clocks.own = true
		c.clocks.created++
	}
}

// transactionOps returns the ops of one transaction applying writes (of
// different leases) decided at now: releases first, then the clock ops
// (clockOps: recording now, counting the transaction and its releases),
// then claims and extensions. mgo/txn checks every assertion before it
// applies any op, and applies them in order, so a reader that sees a
// release counted finds the lease released, and no lease appears before
// its writer's time (docs/design.md#releases, docs/design.md#batches). It
// returns ErrTimeOutOfRange, and no ops, if now cannot be stored.
func (s scope) transactionOps(writes []leaseWrite, now time.Time, docs clockDocs) ([]txn.Op, error) {
	var releases, others []txn.Op
	for _, w := range writes {
		if w.release {
			releases = append(releases, w.op)
		} else {
			others = append(others, w.op)
		}
	}
	clock, err := s.clockOps(docs, now, writes)
	if err != nil {
		return nil, err
	}
	ops := make([]txn.Op, 0, len(writes)+len(clock))
	ops = append(ops, releases...)
	ops = append(ops, clock...)
	return append(ops, others...), nil
}
