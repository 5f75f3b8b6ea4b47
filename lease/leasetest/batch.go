package leasetest

import (
	"github.com/seed07a61904/leadership/internal/stored"
	"github.com/seed07a61904/leadership/lease"
)

var _ lease.Batcher = (*Client)(nil)

// ApplyLeases is part of the [lease.Batcher] interface. Each op is
// decided exactly as its single-lease method decides it, with the same
// errors: its arguments checked first (a refused op is answered, and
// changes nothing), then, unless the store is stopped (every op not
// refused then fails with an error matching [lease.ErrUnavailable]),
// decided from the cache, an op the cache says is impossible (or needs no
// write) answered without the store. The ops left are applied in one
// transaction, with the store locked once: each applies if the store
// still holds the lease its decision was made on; one whose lease changed
// is decided again, finally, on the cache reloaded from the store, as the
// single-lease method does, and answered [lease.ErrInvalid] if it is now
// impossible, without failing the others. [Store.Transactions] counts the
// transaction once, whatever the number of ops.
func (c *Client) ApplyLeases(ops []lease.Op) []error {
	errs := make([]error, len(ops))
	decides := make([]decideFunc, len(ops))
	named := make(map[string]int, len(ops))
	for i, op := range ops {
		if first, ok := named[op.Lease]; ok {
			errs[i] = stored.Invalidf("invalid op %d (%v of lease %q): op %d names the same lease; each op of a batch must name a different lease",
				i, op.Kind, op.Lease, first)
			continue
		}
		named[op.Lease] = i
		decides[i], errs[i] = c.decider(op)
	}
	if err := c.store.reach(); err != nil {
		for i := range ops {
			if decides[i] != nil {
				errs[i] = err
			}
		}
		return errs
	}
	// pending is an op decided from the cache that needs the store.
	type pending struct {
		i    int
		last entry
		held bool
		ch   change
	}
	todo := make([]pending, 0, len(ops))
	for i, op := range ops {
		if decides[i] == nil {
			continue
		}
		last, held := c.cache[op.Lease]
		ch, err := c.decide(decides[i], last, held)
		if err != nil || ch.none {
			errs[i] = err
			continue
		}
		todo = append(todo, pending{i: i, last: last, held: held, ch: ch})
	}
	if len(todo) == 0 {
		return errs
	}
	c.store.transaction(func(reloaded *bool) {
		for _, p := range todo {
			errs[p.i] = c.applyLocked(ops[p.i].Lease, decides[p.i], p.last, p.held, p.ch, reloaded)
		}
	})
	return errs
}

// decider checks op's arguments as its single-lease method does, then
// the rules of [lease.Op.Validate], and returns its decision; nil and the
// error if op is refused.
func (c *Client) decider(op lease.Op) (decideFunc, error) {
	var err error
	switch op.Kind {
	case lease.OpClaim, lease.OpExtend:
		err = validate(op.Lease, &op.Request)
	case lease.OpExpire:
		err = validate(op.Lease, nil)
	case lease.OpRevoke:
		err = validateRevoke(op.Lease, op.Request.Holder)
	}
	if err == nil {
		err = op.Validate()
	}
	if err != nil {
		return nil, err
	}
	switch op.Kind {
	case lease.OpClaim:
		return c.claim(op.Lease, op.Request), nil
	case lease.OpExtend:
		return c.extend(op.Lease, op.Request), nil
	case lease.OpExpire:
		return expire, nil
	}
	return revoke(op.Request.Holder), nil
}

// Transactions returns the number of write transactions the store has
// run: one for each ClaimLease, ExtendLease, ExpireLease or RevokeLease
// of any of its clients that reached the store to write (one the cache
// answered, or made while the store was stopped, did not), and one for
// each ApplyLeases that did, whatever the number of its ops. Tests use it
// to check that writes queued together went as one transaction.
func (s *Store) Transactions() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.transactions
}
