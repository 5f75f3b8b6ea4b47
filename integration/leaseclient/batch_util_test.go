package leaseclient_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// batcher returns fix's client as a lease.Batcher.
func batcher(c *gc.C, fix *Fixture) lease.Batcher {
	b, ok := fix.Client.(lease.Batcher)
	c.Assert(ok, jc.IsTrue)
	return b
}

// batchNames returns n lease names, prefix000 and on.
func batchNames(prefix string, n int) []string {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("%s%03d", prefix, i)
	}
	return names
}

// batchOps returns one op of kind per name, for holder (its unit is the
// lease's name, so that each lease has its own holder) for duration d.
func batchOps(kind lease.OpKind, names []string, d time.Duration) []lease.Op {
	ops := make([]lease.Op, len(names))
	for i, name := range names {
		ops[i] = lease.Op{Kind: kind, Lease: name}
		switch kind {
		case lease.OpClaim, lease.OpExtend:
			ops[i].Request = lease.Request{Holder: name + "-0", Duration: d}
		case lease.OpRevoke:
			ops[i].Request = lease.Request{Holder: name + "-0"}
		}
	}
	return ops
}

// checkApplied checks that every op of a batch was applied.
func checkApplied(c *gc.C, errs []error, ops []lease.Op) {
	c.Assert(errs, gc.HasLen, len(ops))
	for i, err := range errs {
		c.Check(err, jc.ErrorIsNil, gc.Commentf("op %d: %v %s", i, ops[i].Kind, ops[i].Lease))
	}
}
