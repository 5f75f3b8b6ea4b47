package leaseclient_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/lease"
)

// sentBy returns the commands that f cost, by command and collection
// (mongofixture.CommandsSent), leaving out those it did not send.
func (s *ClientBatchCommandsSuite) sentBy(c *gc.C, f func()) map[string]int64 {
	sent := mongofixture.CommandsSent(s.server, f)
	if sent == nil {
		c.Skip("the server does not count commands")
	}
	return sent
}

// TestFirstClaimsCommandsByName: a batch of n first claims, from a writer
// that has its own clock document, sends, by command and collection: one
// read of the queues of the two clock documents the claims (with terms
// from the floor) assert and raise, its own and the shared one, one read
// of the states of the transactions named there, one update of each
// removing the tokens of those that finished; then exactly what mgo/txn sends for a
// transaction inserting n documents beside updates of two documents whose
// queues name no other transaction (mongotest's
// TestInsertsBesideACleanedDocument), prepared once. Nothing more: no
// read of a lease, no op but the clock ops and one insert per lease,
// which asserts only that its document is missing (a check that costs no
// command).
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
			"find default-collection":          1 + n + clocks,
			"find txns":                        1,
			"update default-collection":        clocks + clocks,
			"insert txns":                      1,
			"update txns":                      3,
			"findAndModify default-collection": n + clocks,
			"findAndModify txns.stash":         2 * n,
			"find txns.stash":                  n,
			"insert default-collection":        n,
			"delete txns.stash":                n,
		}, gc.Commentf("batch of %d first claims", n))
		c.Check(mongofixture.Total(got), gc.Equals, batchCommands(int(n), true), gc.Commentf("batch of %d first claims", n))
	}
}

// TestFirstClaimsWithoutTxnCollection: a client whose Mongo does not name
// its transaction collection (lease.TxnCollectionNamer) leaves the queues
// as they are; its first claims apply all the same, and cost what mgo/txn
// costs when it prepares the transaction twice, instead of the cleaning:
// 2 commands more per lease inserted, 1 per clock document, and 1 for the
// read of the earlier transaction.
func (s *ClientBatchCommandsSuite) TestFirstClaimsWithoutTxnCollection(c *gc.C) {
	fix := EasyFixture(c, s.db)
	config := fix.Config
	config.Mongo = struct{ lease.Mongo }{lease.NewMongo(s.db, txnCollection)}
	client, err := lease.NewClient(config)
	c.Assert(err, jc.ErrorIsNil)
	_, named := config.Mongo.(lease.TxnCollectionNamer)
	c.Assert(named, jc.IsFalse)
	b := client.(lease.Batcher)
	warm := batchOps(lease.OpClaim, []string{"warm"}, time.Minute)
	checkApplied(c, b.ApplyLeases(warm), warm)

	const n, clocks = 10, 2
	ops := batchOps(lease.OpClaim, batchNames("lease", n), time.Minute)
	got := s.sentBy(c, func() { checkApplied(c, b.ApplyLeases(ops), ops) })
	c.Check(got["find txns"], gc.Equals, int64(1))
	c.Check(got["find txns.stash"], gc.Equals, int64(2*n))
	c.Check(got["update default-collection"], gc.Equals, int64(clocks))
	c.Check(mongofixture.Total(got), gc.Equals, batchCommands(n, true)-cleanClocks(clocks)+2*n+clocks+1)
	c.Check(fix.Client.Refresh(), jc.ErrorIsNil)
	c.Check(fix.Client.Leases(), gc.HasLen, n+1)
}

// TestUnfinishedTokensStay: the cleaning before a transaction of first
// claims removes the tokens of finished transactions only. A user's
// transaction that asserts the shared clock document was left prepared
// (mgo/txn's chaos stops it before it applies); when the claims' own
// transaction starts, the shared clock document's queue names that
// transaction still, and no finished one. mgo/txn then applies the
// user's transaction first, and the claims.
func (s *ClientBatchCommandsSuite) TestUnfinishedTokensStay(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "warm")
	const shared = "clock#default-namespace#"
	queue := func() []string {
		var doc struct {
			Queue []string `bson:"txn-queue"`
		}
		c.Assert(s.db.C("default-collection").FindId(shared).One(&doc), jc.ErrorIsNil)
		return doc.Queue
	}
	finished := queue()
	c.Assert(finished, gc.Not(gc.HasLen), 0)

	user := bson.NewObjectId()
	txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: "set-applying"})
	err := txn.NewRunner(s.db.C(txnCollection)).Run([]txn.Op{
		{C: "default-collection", Id: shared, Assert: txn.DocExists},
		{C: "user-collection", Id: "mine", Assert: txn.DocMissing, Insert: bson.M{"n": 1}},
	}, user, nil)
	txn.SetChaos(txn.Chaos{})
	c.Assert(err, gc.Equals, txn.ErrChaos)

	var seen []string
	defer fix.Mongo.SetBeforeHooks(c, func() { seen = queue() })()
	ops := batchOps(lease.OpClaim, batchNames("lease", 3), time.Minute)
	checkApplied(c, clientAs[lease.Batcher](c, fix).ApplyLeases(ops), ops)
	c.Assert(seen, gc.HasLen, 1)
	c.Check(seen[0][:24], gc.Equals, user.Hex())

	var state struct {
		S int `bson:"s"`
	}
	c.Assert(s.db.C(txnCollection).FindId(user).One(&state), jc.ErrorIsNil)
	c.Check(state.S, gc.Equals, 6)
	n, err := s.db.C("user-collection").FindId("mine").Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 1)
	c.Check(fix.Client.Leases(), gc.HasLen, 4)
}
