package prune_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

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
