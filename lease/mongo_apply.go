package lease

import (
	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/stored"
)

// MaxBatchOps is the most lease writes the MongoDB client puts in one
// transaction: [Batcher.ApplyLeases] splits a longer slice into several
// transactions, in order, each with its own write of its writer's clock document.
//
// mgo/txn keeps every op of a transaction in the transaction's own
// document, so a transaction must fit in one MongoDB document (16 MiB);
// with every string at [MaxStringLen], MaxBatchOps writes take well under
// a tenth of that. It prepares and applies the documents one after
// another, so a transaction's time grows with its size, and while it runs
// every other transaction on one of its documents waits for it or
// finishes it; the cost per write hardly falls beyond this size (see
// docs/design.md#batches).
const MaxBatchOps = 100

// pending is one write that a client has still to answer: an op of
// ApplyLeases, or the one op of a single-lease method.
type pending struct {
	// op is the write asked for.
	op Op
	// answer is where its result goes.
	answer *error
	// aborts counts the aborted transactions blamed on it.
	aborts int
	// write is what the client built of it for the current transaction.
	write leaseWrite
}

// finish answers p with err as the single-lease methods answer: nil,
// ErrInvalid bare (so that callers can compare it with ==), or err
// traced.
func (p *pending) finish(err error) {
	switch {
	case err == nil:
		*p.answer = nil
	case errors.Is(err, ErrInvalid):
		*p.answer = ErrInvalid
	default:
		*p.answer = errors.Trace(err)
	}
}

// ApplyLeases is part of the [Batcher] interface. It answers first the
// ops it refuses (an invalid argument, with the error of the matching
// single-lease method; a second op on one lease), then decides the others
// in order, on its cache and one reading of its clock, as the
// single-lease methods decide, and writes those it can in transactions of
// at most [MaxBatchOps] writes. Each transaction writes the clock
// document once, and every lease's document once, asserting exactly the
// state the write was decided on. When one aborts, the client reads again
// the leases in it (one query, then the clock documents), answers those
// whose state changed as the single-lease methods answer after a refresh,
// and writes the rest again; a write is given up with
// ErrExcessiveContention once it has been blamed for as many aborted
// transactions as a single-lease method tries. If a transaction's outcome
// is unknown, each of its writes gets the error, matching
// [ErrUnavailable], and the cache keeps what it held for their leases.
func (c *client) ApplyLeases(ops []Op) []error {
	errs := make([]error, len(ops))
	named := make(map[string]int, len(ops))
	var todo []*pending
	for i, op := range ops {
		first, dup := named[op.Lease]
		switch err := refusal(op); {
		case err != nil:
			errs[i] = err
		case dup:
			errs[i] = stored.Invalidf("invalid %v op %d on lease %q: op %d names the same lease; every op of a batch must name a different lease", op.Kind, i, op.Lease, first)
		default:
			todo = append(todo, &pending{op: op, answer: &errs[i]})
		}
		if !dup {
			named[op.Lease] = i
		}
	}
	c.apply(todo)
	return errs
}

// refusal returns the error with which op is refused before anything is
// read or written, or nil: the error of the matching single-lease method
// for an argument that method checks, and otherwise that of
// [Op.Validate].
func refusal(op Op) error {
	var err error
	switch op.Kind {
	case OpClaim, OpExtend:
		err = checkWrite(op.Lease, op.Request)
	case OpExpire:
		err = errors.Trace(checkString("lease name", op.Lease))
	case OpRevoke:
		err = checkRevoke(op.Lease, op.Request.Holder)
	}
	if err != nil {
		return err
	}
	return errors.Trace(op.Validate())
}

// checkWrite checks the arguments of a claim or an extension, as
// ClaimLease and ExtendLease do.
func checkWrite(name string, request Request) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	if err := request.Validate(); err != nil {
		return errors.Annotatef(err, "invalid request")
	}
	return nil
}

// checkRevoke checks the arguments of a revocation, as RevokeLease does.
func checkRevoke(name, holder string) error {
	if err := checkString("lease name", name); err != nil {
		return errors.Trace(err)
	}
	return errors.Trace(checkString("holder", holder))
}

// applyOne applies op, whose arguments are valid, as a batch of one: the
// single-lease methods and ApplyLeases share one way of writing.
func (c *client) applyOne(op Op) error {
	var err error
	c.apply([]*pending{{op: op, answer: &err}})
	return err
}

// apply decides and writes todo, in order: it takes a clock reading,
// builds the next writes on it until it has MaxBatchOps of them
// (answering those it cannot build), runs them as one transaction, and
// goes on with the rest.
func (c *client) apply(todo []*pending) {
	for len(todo) > 0 {
		now := c.config.Clock.Now()
		var batch []*pending
		for len(todo) > 0 && len(batch) < MaxBatchOps {
			p := todo[0]
			todo = todo[1:]
			if c.build(p, now) {
				batch = append(batch, p)
			}
		}
		c.runBatch(batch, now)
	}
}
