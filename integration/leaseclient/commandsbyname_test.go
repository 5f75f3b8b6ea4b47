package leaseclient_test

import (
	"fmt"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

// sentBy returns the commands that f cost, by command and collection
// (mongotest's CommandCounts), leaving out those it did not send.
func (s *ClientBatchCommandsSuite) sentBy(c *gc.C, f func()) map[string]int64 {
	before := s.server.CommandCounts()
	if before == nil {
		c.Skip("the server does not count commands")
	}
	f()
	sent := map[string]int64{}
	for k, v := range s.server.CommandCounts() {
		if d := v - before[k]; d != 0 {
			sent[k] = d
		}
	}
	return sent
}

// TestFirstClaimsCommandsByName: a batch of n first claims, from a writer
// that has its own clock document, sends exactly what mgo/txn sends for a
// transaction inserting n documents beside updates of two documents that
// earlier transactions wrote (mongotest's
// TestInsertsBesideAWrittenDocument): the two clock documents, its own
// and the shared one, whose floors the claims (with terms from the floor)
// assert and raise. Nothing more: no read of a lease, no op but the
// clock ops and one insert per lease, asserting only that its document is
// missing. Each insert costs 9: mgo/txn's 7 for a document through its
// stash, and 2 reads of the document and its stash when mgo/txn prepares
// the transaction again, having found the earlier transaction's token in
// the clock documents' queues.
func (s *ClientBatchCommandsSuite) TestFirstClaimsCommandsByName(c *gc.C) {
	for _, n := range []int64{1, 10} {
		fix := NewFixture(c, s.db, FixtureParams{Namespace: fmt.Sprintf("ns%d", n)})
		b := clientAs[lease.Batcher](c, fix)
		warm := batchOps(lease.OpClaim, []string{"warm"}, time.Minute)
		checkApplied(c, b.ApplyLeases(warm), warm)

		ops := batchOps(lease.OpClaim, batchNames("lease", int(n)), time.Minute)
		got := s.sentBy(c, func() { checkApplied(c, b.ApplyLeases(ops), ops) })
		const clocks = 2
		c.Check(got, gc.DeepEquals, map[string]int64{
			"insert txns":                      1,
			"update txns":                      3,
			"find txns":                        1,
			"findAndModify default-collection": n + clocks,
			"findAndModify txns.stash":         2 * n,
			"find default-collection":          n + (n + clocks) + clocks,
			"find txns.stash":                  2 * n,
			"update default-collection":        clocks,
			"insert default-collection":        n,
			"delete txns.stash":                n,
		}, gc.Commentf("batch of %d first claims", n))
		c.Check(total(got), gc.Equals, batchCommands(int(n), true)+floorClock, gc.Commentf("batch of %d first claims", n))
	}
}

// total returns the sum of counts' values.
func total(counts map[string]int64) int64 {
	var sum int64
	for _, v := range counts {
		sum += v
	}
	return sum
}
