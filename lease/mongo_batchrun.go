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

// runBatch runs the writes built for batch, at time now, as one
// transaction, until each is answered: when it aborts, it reads the
// leases again, answers or rebuilds each write (see retry), and runs
// those it rebuilt. It is the one place that interprets txn.ErrAborted
// for a lease write (run does for the clock document's creation). Any other error of the transaction (one matching
// ErrUnavailable, whose outcome is unknown, or one the client does not
// classify) answers every write of it, and leaves the cache as it was.
func (c *client) runBatch(batch []*pending, now time.Time) {
	for len(batch) > 0 {
		writes := make([]leaseWrite, len(batch))
		for i, p := range batch {
			writes[i] = p.write
		}
		ops, err := c.scope.transactionOps(writes, now, c.cache.clocks)
		if err == nil {
			err = storeError(c.config.Mongo.RunTransaction(ops))
		}
		switch {
		case err == nil:
			c.cache.wrote(writes)
			for _, p := range batch {
				p.finish(nil)
			}
			return
		case !errors.Is(err, txn.ErrAborted):
			finishAll(batch, err)
			return
		}
		batch, now = c.retry(batch)
	}
}

// retry handles an aborted transaction of batch's writes. mgo/txn says
// only that some assertion failed, so retry reads again every lease of
// the batch, and blames the abort on the writes whose assertion no
// longer holds of what it read: each of those is charged one attempt.
// If none is to blame (the clock document's op failed, the client's
// clock having stepped back behind its last write; or a lease changed
// and changed back), each is charged. A write charged maxAttempts times
// is answered with ErrExcessiveContention, as a single-lease method is
// after as many aborts; one whose lease could not be read, with that
// error; the others are rebuilt on what was read and a new clock
// reading, which may answer them (ErrInvalid, as a single-lease method
// answers after its refresh). It returns the writes rebuilt, and the
// clock reading they were built on.
func (c *client) retry(batch []*pending) ([]*pending, time.Time) {
	if len(batch) == 1 && batch[0].aborts+1 >= maxAttempts {
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
		if failed[p.op.Lease] == nil && !p.write.assertionHolds(c.cache) {
			p.aborts++
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
		if p.aborts >= maxAttempts {
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

// wrote caches what writes wrote, once their transaction has been
// applied: each lease as written, the terms claimed in the term floor,
// and the client's own clock document, which the transaction created if
// it did not exist.
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

// transactionOps returns the ops of one transaction that applies writes,
// each on a different lease, all decided at time now, for a client that
// knows docs of its namespace's clock documents. The ops that release a
// lease come first; then the clock documents' ops (clockOps), the first
// of which records now in the client's own clock document, counts the
// transaction, and adds the number of releases to the client's count;
// then the ops that claim or extend a lease. A reader that sees a release counted, and then reads
// the lease, finds it released; a lease written never appears before its
// writer's time: mgo/txn checks every assertion of a transaction before it
// applies any of its ops, and applies them in the order given (see
// docs/design.md#releases and docs/design.md#batches). It returns an
// ErrTimeOutOfRange error, and no ops, if the store cannot hold now.
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
