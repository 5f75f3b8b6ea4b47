package mongotest_test

import (
	"fmt"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
)

// txnCommandsSuite counts, by command and collection, what mgo/txn sends
// for a transaction that inserts documents: alone, and beside a document
// that an earlier transaction wrote.
type txnCommandsSuite struct {
	fixture
}

var _ = gc.Suite(&txnCommandsSuite{})

// run runs ops as one transaction and returns the commands it cost, by
// command and collection, leaving out those it did not send.
func (s *txnCommandsSuite) run(c *gc.C, ops []txn.Op) map[string]int64 {
	runner := txn.NewRunner(s.db.C("txns"))
	return mongofixture.CommandsSent(s.server, func() {
		c.Assert(runner.Run(ops, "", nil), jc.ErrorIsNil)
	})
}

// inserts returns the ops inserting n documents named prefix0 ... that
// assert they are missing.
func inserts(prefix string, n int) []txn.Op {
	ops := make([]txn.Op, n)
	for i := range ops {
		ops[i] = txn.Op{C: "things", Id: fmt.Sprintf("%s%d", prefix, i), Assert: txn.DocMissing, Insert: bson.M{"n": i}}
	}
	return ops
}

// writeDocument has a transaction insert the document "written", whose
// queue then holds that transaction's token.
func (s *txnCommandsSuite) writeDocument(c *gc.C) {
	s.run(c, []txn.Op{{C: "things", Id: "written", Assert: txn.DocMissing, Insert: bson.M{"n": 0}}})
}

// insertsBeside returns inserts(prefix, n) and an update of the document
// "written".
func insertsBeside(prefix string, n int) []txn.Op {
	return append(inserts(prefix, n), txn.Op{
		C: "things", Id: "written", Assert: txn.DocExists, Update: bson.M{"$inc": bson.M{"n": 1}},
	})
}

// insertsCost is what a transaction that inserts n new documents, and
// touches no other, costs: 4 commands on its transaction document and 7
// per document (see TestInsertsAlone).
func insertsCost(n int64) map[string]int64 {
	return map[string]int64{
		"insert txns":              1,
		"update txns":              3,
		"findAndModify things":     n,
		"findAndModify txns.stash": 2 * n,
		"find things":              n,
		"find txns.stash":          n,
		"insert things":            n,
		"delete txns.stash":        n,
	}
}

// updateCost is what an update of the document "written" adds to a
// transaction, reading it reads times besides its findAndModify.
func updateCost(reads int64) map[string]int64 {
	return map[string]int64{"findAndModify things": 1, "find things": reads, "update things": 1}
}

// plus returns the sum of costs.
func plus(costs ...map[string]int64) map[string]int64 {
	sum := map[string]int64{}
	for _, cost := range costs {
		for command, n := range cost {
			sum[command] += n
		}
	}
	return sum
}

// checkCost checks what a transaction of n inserts cost, by command and
// collection and in total.
func checkCost(c *gc.C, n int64, got, want map[string]int64, total int64) {
	c.Check(got, jc.DeepEquals, want, gc.Commentf("%d inserts", n))
	c.Check(mongofixture.Total(got), gc.Equals, total, gc.Commentf("%d inserts", n))
}

// TestInsertsAlone: a transaction that inserts n new documents, and
// touches no other, costs 4 commands on its transaction document and 7
// per document: in preparing it, a findAndModify that finds no document,
// an upsert of its stash document, and a read of each to confirm; in
// applying it, a findAndModify of the stash, the insert and the stash's
// removal. DocMissing costs nothing: mgo/txn checks it against the
// revision numbers it prepared.
func (s *txnCommandsSuite) TestInsertsAlone(c *gc.C) {
	embeddedOnly(c)
	for _, n := range []int64{1, 10} {
		got := s.run(c, inserts(fmt.Sprintf("alone%d-", n), int(n)))
		checkCost(c, n, got, insertsCost(n), 4+7*n)
	}
}

// TestInsertsBesideAWrittenDocument: the same inserts beside an update of
// a document that an earlier transaction wrote cost 2 commands more per
// insert. mgo/txn leaves each transaction's token in its documents'
// queues until the next transaction on them applies; preparing finds that
// token, reads its transaction (find txns), and prepares again, reading
// every document once more: the updated one, and each missing one and its
// stash document. The update costs 4: its findAndModify, that second
// read, the read that checks its assertion, and the update.
func (s *txnCommandsSuite) TestInsertsBesideAWrittenDocument(c *gc.C) {
	embeddedOnly(c)
	s.writeDocument(c)
	for _, n := range []int64{1, 10} {
		got := s.run(c, insertsBeside(fmt.Sprintf("beside%d-", n), int(n)))
		preparedAgain := map[string]int64{"find txns": 1, "find things": n, "find txns.stash": n}
		checkCost(c, n, got, plus(insertsCost(n), preparedAgain, updateCost(2)), 9+9*n)
	}
}

// TestCommandCountsAddUp: CommandCounts counts what Commands counts, by
// command and collection; a command on no collection is counted by name.
func (s *txnCommandsSuite) TestCommandCountsAddUp(c *gc.C) {
	embeddedOnly(c)
	before, beforeCounts := s.server.Commands(), s.server.CommandCounts()
	c.Assert(s.db.C("things").Insert(bson.M{"_id": 1}), jc.ErrorIsNil)
	c.Assert(s.db.C("things").FindId(1).One(&bson.M{}), jc.ErrorIsNil)
	var result bson.M
	c.Assert(s.db.Run(bson.D{{Name: "listCollections", Value: 1}}, &result), jc.ErrorIsNil)
	c.Assert(s.session.Ping(), jc.ErrorIsNil)
	after := s.server.CommandCounts()
	c.Check(after["insert things"]-beforeCounts["insert things"], gc.Equals, int64(1))
	c.Check(after["find things"]-beforeCounts["find things"], gc.Equals, int64(1))
	c.Check(after["listCollections"]-beforeCounts["listCollections"], gc.Equals, int64(1))
	c.Check(after["ping"], gc.Equals, int64(0))
	c.Check(mongofixture.Total(after)-mongofixture.Total(beforeCounts), gc.Equals, s.server.Commands()-before)
	c.Check(mongofixture.Total(after), gc.Equals, s.server.Commands())
}

// TestInsertsBesideACleanedDocument: once the tokens of finished
// transactions are removed from the written document's queue (a read of
// the queue, a read of those transactions' states, an update), mgo/txn
// prepares the same transaction once: each insert costs 7 again, and the
// update 3. The lease client cleans its clock documents' queues so before
// a transaction of first claims (docs/design.md, Released leases).
func (s *txnCommandsSuite) TestInsertsBesideACleanedDocument(c *gc.C) {
	embeddedOnly(c)
	s.writeDocument(c)
	for _, n := range []int64{1, 10} {
		before := s.server.Commands()
		queue := s.writtenQueue(c)
		c.Assert(queue, gc.HasLen, 1)
		ids := make([]bson.ObjectId, len(queue))
		for i, token := range queue {
			ids[i] = bson.ObjectIdHex(token[:24])
		}
		finished, err := s.db.C("txns").Find(bson.M{"_id": bson.M{"$in": ids}, "s": bson.M{"$in": []int{5, 6}}}).Count()
		c.Assert(err, jc.ErrorIsNil)
		c.Assert(finished, gc.Equals, 1)
		c.Assert(s.db.C("things").UpdateId("written", bson.M{"$pullAll": bson.M{"txn-queue": queue}}), jc.ErrorIsNil)
		c.Check(s.server.Commands()-before, gc.Equals, int64(3))
		c.Assert(s.writtenQueue(c), gc.HasLen, 0)

		got := s.run(c, insertsBeside(fmt.Sprintf("cleaned%d-", n), int(n)))
		checkCost(c, n, got, plus(insertsCost(n), updateCost(1)), 7+7*n)
	}
}

// writtenQueue returns the queue of transaction tokens of the document
// "written".
func (s *txnCommandsSuite) writtenQueue(c *gc.C) []string {
	var doc struct {
		Queue []string `bson:"txn-queue"`
	}
	c.Assert(s.db.C("things").FindId("written").One(&doc), jc.ErrorIsNil)
	return doc.Queue
}
