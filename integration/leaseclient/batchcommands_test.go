package leaseclient_test

import (
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// ClientBatchCommandsSuite counts the commands of a batch of writes.
type ClientBatchCommandsSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientBatchCommandsSuite{})

func (s *ClientBatchCommandsSuite) count(c *gc.C, f func()) int64 {
	before := s.server.Commands()
	if before < 0 {
		c.Skip("the server does not count commands")
	}
	f()
	return s.server.Commands() - before
}

func (s *ClientBatchCommandsSuite) TestMeasure(c *gc.C) {
	for _, n := range []int{1, 10, 100} {
		fix := NewFixture(c, s.db, FixtureParams{Namespace: "ns" + string(rune('a'+n%26))})
		b := batcher(c, fix)
		names := batchNames("lease", n)
		run := func(what string, ops []lease.Op) {
			var errs []error
			got := s.count(c, func() { errs = b.ApplyLeases(ops) })
			checkApplied(c, errs, ops)
			c.Logf("n=%3d %-10s %5d commands, %.2f per op", n, what, got, float64(got)/float64(n))
		}
		run("claim", batchOps(lease.OpClaim, names, time.Minute))
		run("extend", batchOps(lease.OpExtend, names, time.Minute))
		fix.Clock.Advance(2 * time.Minute)
		run("expire", batchOps(lease.OpExpire, names, 0))
		run("reclaim", batchOps(lease.OpClaim, names, time.Minute))
		run("revoke", batchOps(lease.OpRevoke, names, 0))
		run("reclaim2", batchOps(lease.OpClaim, names, time.Minute))
	}
}
