package prune_test

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

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
