package lease

import (
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/stored"
)

// MaxBatchOps is the most lease writes the MongoDB client puts in one
// transaction: [Batcher.ApplyLeases] splits a longer slice into several,
// in order, each writing its writer's clock document. A transaction must
// fit in one 16 MiB document (this many writes take under a tenth), its
// time grows with its size while others on its documents wait, and the
// cost per write hardly falls beyond this (docs/design.md#batches).
const MaxBatchOps = 100

// pending is one write a client has still to answer: an op of
// ApplyLeases, or a single-lease method's.
type pending struct {
	// op is the write asked for.
	op Op
	// answer is where its result goes.
	answer *error
	// aborts counts the aborted transactions blamed on it; floorRaces
	// those it lost to another writer's claims from the floor.
	aborts, floorRaces int
	// write is what the client built of it for the current transaction.
	write leaseWrite
}

// finish answers p with err as the single-lease methods do: nil,
// ErrInvalid bare, or err traced.
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

// ApplyLeases is part of the [Batcher] interface. It answers first the ops
// it refuses (a bad argument, as the single-lease method would; a second
// op on one lease), then decides the rest in order on its cache and one
// clock reading, as the single-lease methods do, writing them in
// transactions of at most [MaxBatchOps], each writing the clock document
// once and each lease's document once, asserting the state decided on. On
// an abort it reads the leases again, answers those that changed, and
// writes the rest again; a write blamed for as many aborts as a
// single-lease method tries gets ErrExcessiveContention. A transaction of
// unknown outcome gives each of its writes [ErrUnavailable], and the cache
// keeps what it held.
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

// refusal returns the error op is refused with before anything is read or
// written (the single-lease method's, else [Op.Validate]'s), or nil.
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

// applyOne applies valid op as a batch of one: one way of writing for all.
func (c *client) applyOne(op Op) error {
	var err error
	c.apply([]*pending{{op: op, answer: &err}})
	return err
}

// apply decides and writes todo in order: on each clock reading, it builds
// up to MaxBatchOps writes (answering those it cannot), runs them as one
// transaction, and goes on. Claims whose terms come from the floor go in a
// transaction of their own, after the others, rebuilt on the cache those
// left: such a claim asserts and raises every clock document's floor, so
// it conflicts with the floor claims of every other writer, and an abort
// it causes must not hold back the extensions, expiries and other claims
// decided beside it (docs/design.md#batches). If the store did not answer
// the first transaction, the claims from the floor get its error untried.
func (c *client) apply(todo []*pending) {
	for len(todo) > 0 {
		now := c.config.Clock.Now()
		var batch, fromFloor []*pending
		for len(todo) > 0 && len(batch)+len(fromFloor) < MaxBatchOps {
			p := todo[0]
			todo = todo[1:]
			switch {
			case !c.build(p, now):
			case p.write.fromFloor:
				fromFloor = append(fromFloor, p)
			default:
				batch = append(batch, p)
			}
		}
		if err := c.runBatch(batch, now); err != nil {
			// The store did not answer: the claims from the floor
			// get the same answer, untried.
			finishAll(fromFloor, err)
			continue
		}
		if len(batch) > 0 && len(fromFloor) > 0 {
			now = c.config.Clock.Now()
			fromFloor = c.rebuild(fromFloor, now)
		}
		c.runBatch(fromFloor, now)
	}
}

// rebuild builds each of writes again at now, and returns those it could
// build (build answers the others).
func (c *client) rebuild(writes []*pending, now time.Time) []*pending {
	var built []*pending
	for _, p := range writes {
		if c.build(p, now) {
			built = append(built, p)
		}
	}
	return built
}
