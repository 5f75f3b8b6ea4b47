package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// TestEarlierVersionsTermlessDocument: a held lease an earlier version
// wrote, with no term, reads without error as term 0, and its term
// assertion holds; once it is released, the next claim goes above the
// namespace's term floor, and the term-0 assertion aborts.
func (s *ClientReleasedSuite) TestEarlierVersionsTermlessDocument(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "other", "other") // term 1: the floor
	err := txn.NewRunner(s.db.C(txnCollection)).Run([]txn.Op{{
		C: "default-collection", Id: "lease#default-namespace#old#", Assert: txn.DocMissing,
		Insert: bson.M{
			"type": "lease", "namespace": "default-namespace", "name": "old",
			"holder": "holder", "expiry": fix.Zero.Add(time.Hour).UnixNano(), "writer": "earlier",
		},
	}, {
		C: "default-collection", Id: "clock#default-namespace#",
		Update: bson.M{"$set": bson.M{"writers.earlier": fix.Zero.UnixNano()}, "$inc": bson.M{"writes.earlier": 1}},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)

	reader := NewFixture(c, s.db, FixtureParams{Id: "reader"})
	info, held := reader.Client.Leases()["old"]
	c.Assert(held, jc.IsTrue)
	c.Check(info.Holder, gc.Equals, "holder")
	c.Check(info.Term, gc.Equals, int64(0))
	runner := txn.NewRunner(s.db.C(txnCollection))
	c.Check(runner.Run([]txn.Op{info.TermAssertOp}, "", nil), jc.ErrorIsNil)

	c.Assert(revoker(c, reader).RevokeLease("old", "holder"), jc.ErrorIsNil)
	c.Check(s.leaseDoc(c, "old")["term"], gc.IsNil) // a release keeps no term it had not
	c.Assert(reader.Client.ClaimLease("old", lease.Request{Holder: "holder", Duration: time.Minute}), jc.ErrorIsNil)
	now, held := reader.Client.Leases()["old"]
	c.Assert(held, jc.IsTrue)
	c.Check(now.Term, gc.Equals, int64(2))
	c.Check(s.leaseDoc(c, "old")["term"], gc.Equals, int64(2))
	c.Check(runner.Run([]txn.Op{info.TermAssertOp}, "", nil), gc.Equals, txn.ErrAborted)
	c.Check(runner.Run([]txn.Op{info.AssertOp}, "", nil), jc.ErrorIsNil)
	c.Check(runner.Run([]txn.Op{now.TermAssertOp}, "", nil), jc.ErrorIsNil)
}

// TestCorruptTerm: a term that is not a non-negative integer makes the
// lease document corrupt.
func (s *ClientReleasedSuite) TestCorruptTerm(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "name")
	c.Assert(s.db.C("default-collection").UpdateId("lease#default-namespace#name#", bson.M{"$set": bson.M{"term": "one"}}), jc.ErrorIsNil)
	err := fix.Client.Refresh()
	c.Check(err, gc.ErrorMatches, `corrupt lease document "lease#default-namespace#name#": invalid term: one is a string, not an integer`)
}
