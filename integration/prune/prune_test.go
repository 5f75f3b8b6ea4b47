package prune_test

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

type PruneSuite struct {
	pruneSuite
}

var _ = gc.Suite(&PruneSuite{})

// writeLeases claims, extends and expires leases through client, so that
// the lease collection holds held and released leases.
func (s *PruneSuite) writeLeases(c *gc.C, client lease.Client, n int) {
	for i := 0; i < n; i++ {
		c.Assert(client.ClaimLease(fmt.Sprintf("svc-%d", i), request("unit", time.Minute)), jc.ErrorIsNil)
	}
	s.clock.Advance(2 * time.Minute)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("svc-%d", i)
		if i%2 == 0 {
			c.Assert(client.ExpireLease(name), jc.ErrorIsNil)
		} else {
			c.Assert(client.ExtendLease(name, request("unit", time.Hour)), jc.ErrorIsNil)
		}
	}
}

func (s *PruneSuite) TestPrunesCompleteLeaseTransactions(c *gc.C) {
	client := s.newClient(c, "ctl-1")
	s.writeLeases(c, client, 10)
	txns := s.txns(c)
	for _, t := range txns {
		c.Assert(t.State, gc.Equals, stateApplied)
	}

	stats := s.pruneAll(c)
	c.Check(stats.Examined, gc.Equals, len(txns))
	// mgo/txn leaves the token of the last transaction that wrote a
	// document in its txn-queue, until the next one: at most one
	// transaction a document (the shared clock document, the writer's
	// own and ten leases) is kept.
	docs, err := s.DB.C(mongofixture.Collection).Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(docs, gc.Equals, 12)
	c.Check(stats.Referenced <= docs, jc.IsTrue, gc.Commentf("%+v", stats))
	c.Check(stats.Removed >= len(txns)-docs, jc.IsTrue, gc.Commentf("%+v of %d", stats, len(txns)))
	c.Check(s.txns(c), gc.HasLen, len(txns)-stats.Removed)
	s.checkPruned(c)

	// The leases read and write as before, through the same client and
	// through a new one.
	other := s.newClient(c, "ctl-2")
	for i := 0; i < 10; i++ {
		name := fmt.Sprintf("svc-%d", i)
		info, held := other.Leases()[name]
		c.Check(held, gc.Equals, i%2 == 1, gc.Commentf("%s: %+v", name, info))
	}
	c.Assert(client.ExtendLease("svc-1", request("unit", 2*time.Hour)), jc.ErrorIsNil)
	c.Assert(other.ClaimLease("svc-0", request("other", time.Minute)), jc.ErrorIsNil)
	c.Assert(client.ClaimLease("svc-0", request("unit", time.Minute)), gc.Equals, lease.ErrInvalid)
	c.Assert(other.Refresh(), jc.ErrorIsNil)
	c.Check(other.Leases()["svc-1"].Expiry, gc.Equals, client.Leases()["svc-1"].Expiry)

	// A second prune finds what the new writes left.
	s.pruneAll(c)
	s.checkPruned(c)
}

func (s *PruneSuite) TestKeepsYoungTransactions(c *gc.C) {
	client := s.newClient(c, "ctl-1")
	s.writeLeases(c, client, 3)
	txns := s.txns(c)
	oldest := txns[0].Id.Time()

	// At MinAge after the oldest's second, that second is not yet old
	// enough.
	stats := s.pruneAt(c, oldest.Add(minAge))
	c.Check(stats, gc.Equals, lease.PruneStats{})
	c.Check(s.txns(c), jc.DeepEquals, txns)

	// A clock before 1970 (which an ObjectId cannot hold) keeps all.
	stats = s.pruneAt(c, time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC))
	c.Check(stats, gc.Equals, lease.PruneStats{})
	c.Check(s.txns(c), jc.DeepEquals, txns)

	// A second later it is.
	stats = s.pruneAt(c, oldest.Add(minAge+time.Second))
	c.Check(stats.Examined > 0, jc.IsTrue)
	for _, t := range s.txns(c) {
		c.Check(t.Id.Time().Before(oldest.Add(time.Second)) && !s.named(c)[t.Id], jc.IsFalse)
	}
}

func (s *PruneSuite) TestClockAfterObjectIdRange(c *gc.C) {
	client := s.newClient(c, "ctl-1")
	s.writeLeases(c, client, 3)
	n := len(s.txns(c))
	// After 2106 every ObjectId's time has passed.
	stats := s.pruneAt(c, time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
	c.Check(stats.Examined, gc.Equals, n)
	s.checkPruned(c)
}

func (s *PruneSuite) TestKeepsNamedTransactions(c *gc.C) {
	client := s.newClient(c, "ctl-1")
	c.Assert(client.ClaimLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	info := client.Leases()["svc"]

	// A user's transaction fenced by the lease asserts the lease's
	// document and writes nothing to it: the document keeps its token.
	before := s.txns(c)
	c.Assert(s.RunTxn([]txn.Op{info.AssertOp, {
		C: userCollection, Id: "acct", Assert: txn.DocMissing, Insert: bson.M{"balance": 1},
	}}), jc.ErrorIsNil)
	fenced := s.newTxns(c, before)
	c.Assert(fenced, gc.HasLen, 1)
	c.Assert(s.named(c)[fenced[0].Id], jc.IsTrue)

	stats := s.pruneAll(c)
	c.Check(stats.Referenced >= 1, jc.IsTrue)
	c.Check(s.state(c, fenced[0].Id), gc.Equals, stateApplied)
	s.checkPruned(c)

	// The lease's next write takes the token off the lease's document;
	// the user's document still names it.
	c.Assert(client.ExtendLease("svc", request("unit", time.Hour)), jc.ErrorIsNil)
	c.Assert(s.queueNames(c, mongofixture.Collection, info.AssertOp.Id, fenced[0].Id), jc.IsFalse)
	c.Assert(s.queueNames(c, userCollection, "acct", fenced[0].Id), jc.IsTrue)
	s.pruneAll(c)
	c.Check(s.state(c, fenced[0].Id), gc.Equals, stateApplied)
	s.checkPruned(c)

	// The user's next transaction on its document, still fenced by the
	// lease, takes it off that one: then the transaction goes.
	info = client.Leases()["svc"]
	c.Assert(s.RunTxn([]txn.Op{info.AssertOp, {
		C: userCollection, Id: "acct", Assert: bson.M{"balance": 1}, Update: bson.M{"$inc": bson.M{"balance": 1}},
	}}), jc.ErrorIsNil)
	c.Assert(s.named(c)[fenced[0].Id], jc.IsFalse)
	s.pruneAll(c)
	c.Check(s.state(c, fenced[0].Id), gc.Equals, 0)
	s.checkPruned(c)

	// The fence still works.
	c.Assert(client.ExpireLease("svc"), gc.Equals, lease.ErrInvalid) // not yet expired
	s.clock.Advance(2 * time.Hour)
	c.Assert(client.ExpireLease("svc"), jc.ErrorIsNil)
	c.Assert(s.RunTxn([]txn.Op{info.AssertOp, {
		C: userCollection, Id: "acct", Update: bson.M{"$inc": bson.M{"balance": 1}},
	}}), gc.Equals, txn.ErrAborted)
	var acct struct{ Balance int }
	c.Assert(s.DB.C(userCollection).FindId("acct").One(&acct), jc.ErrorIsNil)
	c.Check(acct.Balance, gc.Equals, 2)
}

func (s *PruneSuite) TestAbortedTransactions(c *gc.C) {
	runner := s.runner()
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "a", Insert: bson.M{"n": 1}}}, "", nil), jc.ErrorIsNil)
	before := s.txns(c)
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "a", Assert: bson.M{"n": 2}, Update: bson.M{"$set": bson.M{"n": 3}}}}, "", nil), gc.Equals, txn.ErrAborted)
	aborted := s.newTxns(c, before)
	c.Assert(aborted, gc.HasLen, 1)
	c.Assert(aborted[0].State, gc.Equals, stateAborted)

	stats := s.pruneAll(c)
	c.Check(stats.Removed, gc.Equals, 2)
	c.Check(s.txns(c), gc.HasLen, 0)
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "a", Assert: bson.M{"n": 1}, Update: bson.M{"$set": bson.M{"n": 3}}}}, "", nil), jc.ErrorIsNil)
}

func (s *PruneSuite) TestKeepsTransactionsInsertingOrRemoving(c *gc.C) {
	runner := s.runner()
	before := s.txns(c)
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "x", Insert: account{1}}}, "", nil), jc.ErrorIsNil)
	inserted := s.newTxns(c, before)
	c.Assert(inserted, gc.HasLen, 1)
	// The next write of x takes its token off x's queue.
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: "x", Update: bson.M{"$inc": bson.M{"balance": 1}}}}, "", nil), jc.ErrorIsNil)
	c.Assert(s.named(c)[inserted[0].Id], jc.IsFalse)

	// mgo/txn names a transaction that is inserting a document, or
	// removing one, in the document's (or its stash's) txn-insert or
	// txn-remove while it does: such a transaction is kept.
	id := inserted[0].Id
	stash := s.DB.C(mongofixture.TxnCollection + ".stash")
	c.Assert(stash.Insert(bson.M{"_id": bson.D{{Name: "c", Value: userCollection}, {Name: "id", Value: "x"}}, "txn-insert": id}), jc.ErrorIsNil)
	s.pruneAll(c)
	c.Check(s.state(c, id), gc.Equals, stateApplied)
	c.Assert(stash.RemoveId(bson.D{{Name: "c", Value: userCollection}, {Name: "id", Value: "x"}}), jc.ErrorIsNil)
	c.Assert(s.DB.C(userCollection).UpdateId("x", bson.M{"$set": bson.M{"txn-remove": id}}), jc.ErrorIsNil)
	s.pruneAll(c)
	c.Check(s.state(c, id), gc.Equals, stateApplied)
	c.Assert(s.DB.C(userCollection).UpdateId("x", bson.M{"$unset": bson.M{"txn-remove": 1}}), jc.ErrorIsNil)
	s.pruneAll(c)
	c.Check(s.state(c, id), gc.Equals, 0)
}

// TestKeepsTransactionsNamedByCompoundIds checks that a transaction
// named by a document whose _id is itself a document, with several
// fields, is kept: the prune must look the document up by an _id equal
// to it field for field, in its order.
func (s *PruneSuite) TestKeepsTransactionsNamedByCompoundIds(c *gc.C) {
	runner := s.runner()
	// mgo/txn keys its maps by ids: a compound one is a struct.
	type compoundId struct{ A, B, C, D, E int }
	id := compoundId{1, 2, 3, 4, 5}
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: id, Insert: account{1}}}, "", nil), jc.ErrorIsNil)
	before := s.txns(c)
	// A pure assertion leaves its token in the document's txn-queue.
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: id, Assert: txn.DocExists}}, "", nil), jc.ErrorIsNil)
	asserted := s.newTxns(c, before)
	c.Assert(asserted, gc.HasLen, 1)
	c.Assert(s.named(c)[asserted[0].Id], jc.IsTrue)

	s.pruneAll(c)
	c.Check(s.state(c, asserted[0].Id), gc.Equals, stateApplied)
	// The document can still be written.
	c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: id, Update: bson.M{"$inc": bson.M{"balance": 1}}}}, "", nil), jc.ErrorIsNil)
}

// TestWrongCollectionKeepsItsDocuments checks that a prune given a
// collection that is not a transaction collection, whose documents
// happen to have an old ObjectId _id and a field s of 5 or 6 (as an
// applied or aborted transaction's state), removes none of them: a
// transaction also has its ops (o).
func (s *PruneSuite) TestWrongCollectionKeepsItsDocuments(c *gc.C) {
	const other = "orders"
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, state := range []int{stateAborted, stateApplied} {
		id := bson.NewObjectIdWithTime(old.Add(time.Duration(i) * time.Second))
		c.Assert(s.DB.C(other).Insert(bson.M{"_id": id, "s": state, "item": "book"}), jc.ErrorIsNil)
	}
	config := s.pruneConfig(old.Add(minAge + time.Hour))
	config.TxnCollection = other
	stats, err := lease.PruneTransactions(config)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(stats, gc.Equals, lease.PruneStats{})
	n, err := s.DB.C(other).Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 2)
}

// TestReadsABatchOfTransactionsInOneReply: a batch of complete
// transactions is read in one reply, as mgo's Query.Limit(n), which also
// asked for batches of n, read it: 150 with BatchSize 200 need no getMore
// (the server's first reply would hold 101).
func (s *PruneSuite) TestReadsABatchOfTransactionsInOneReply(c *gc.C) {
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	docs := make([]interface{}, 150)
	for i := range docs {
		docs[i] = bson.M{
			"_id": bson.NewObjectIdWithTime(old.Add(time.Duration(i) * time.Second)),
			"s":   stateApplied,
			"o":   []bson.M{{"c": userCollection, "d": fmt.Sprintf("gone-%d", i)}},
		}
	}
	c.Assert(s.DB.C(mongofixture.TxnCollection).Insert(docs...), jc.ErrorIsNil)
	config := s.pruneConfig(old.Add(minAge + time.Hour))
	config.BatchSize = 200
	var stats lease.PruneStats
	var err error
	sent := mongofixture.CommandsSent(s.Server, func() {
		stats, err = lease.PruneTransactions(config)
	})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(stats, gc.Equals, lease.PruneStats{Examined: 150, Removed: 150})
	c.Check(sent["getMore"], gc.Equals, int64(0), gc.Commentf("commands: %v", sent))
	c.Check(s.txns(c), gc.HasLen, 0)
}
