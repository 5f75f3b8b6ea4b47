package leaseclient_test

import (
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientWriteIdSuite: the write id of a lease document (docs/design.md,
// "Write ids") as stored by hand or by earlier versions. A document
// without one, or with a null one, reads as having none, and the client
// extends, expires and revokes it as any other, its write giving it one;
// a write id of another type makes the document corrupt.
type ClientWriteIdSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientWriteIdSuite{})

// leaseId is the _id of the named lease's document in the fixtures'
// namespace.
func leaseId(name string) string {
	return "lease#default-namespace#" + name + "#"
}

// setFields sets fields of the named lease's document behind the
// clients' backs, as a user may.
func (s *ClientWriteIdSuite) setFields(c *gc.C, name string, set bson.M) {
	c.Assert(s.db.C("default-collection").UpdateId(leaseId(name), bson.M{"$set": set}), jc.ErrorIsNil)
}

// writeId returns the named lease's stored write id.
func (s *ClientWriteIdSuite) writeId(c *gc.C, name string) interface{} {
	var doc bson.M
	c.Assert(s.db.C("default-collection").FindId(leaseId(name)).One(&doc), jc.ErrorIsNil)
	return doc["writeid"]
}

// TestWithoutWriteId: leases whose documents have no write id (removed,
// or null) or no term (null) are extended, expired and revoked, singly
// and in one batch beside a lease written with one; each write gives the
// document a new write id.
func (s *ClientWriteIdSuite) TestWithoutWriteId(c *gc.C) {
	fix := EasyFixture(c, s.db)
	names := []string{"new", "removed", "null", "null-term"}
	claim(c, fix, "holder", names...)
	c.Assert(s.db.C("default-collection").UpdateId(leaseId("removed"), bson.M{"$unset": bson.M{"writeid": 1}}), jc.ErrorIsNil)
	s.setFields(c, "null", bson.M{"writeid": nil})
	s.setFields(c, "null-term", bson.M{"term": nil})

	reader := NewFixture(c, s.db, FixtureParams{Id: "reader"})
	reader.Clock.Advance(time.Second)
	for _, name := range names[1:] {
		c.Check(reader.Client.ExtendLease(name, batchRequest), jc.ErrorIsNil, gc.Commentf(name))
		c.Check(s.writeId(c, name), gc.FitsTypeOf, bson.ObjectId(""), gc.Commentf(name))
	}

	// Again, in one batch with the lease written with a write id, and
	// singly for the other writes.
	c.Assert(s.db.C("default-collection").UpdateId(leaseId("removed"), bson.M{"$unset": bson.M{"writeid": 1}}), jc.ErrorIsNil)
	s.setFields(c, "null", bson.M{"writeid": nil})
	c.Assert(reader.Client.Refresh(), jc.ErrorIsNil)
	errs := clientAs[lease.Batcher](c, reader).ApplyLeases([]lease.Op{
		{Kind: lease.OpExtend, Lease: "new", Request: batchRequest},
		{Kind: lease.OpExtend, Lease: "removed", Request: batchRequest},
		{Kind: lease.OpRevoke, Lease: "null", Request: lease.Request{Holder: "holder"}},
	})
	c.Check(errs, jc.DeepEquals, []error{nil, nil, nil})
	c.Check(s.writeId(c, "removed"), gc.FitsTypeOf, bson.ObjectId(""))
	c.Check(s.writeId(c, "null"), gc.FitsTypeOf, bson.ObjectId(""))

	s.setFields(c, "removed", bson.M{"writeid": nil})
	reader.Clock.Advance(2 * time.Minute)
	c.Assert(reader.Client.Refresh(), jc.ErrorIsNil)
	c.Check(reader.Client.ExpireLease("removed"), jc.ErrorIsNil)
	c.Check(reader.Client.Leases(), gc.HasLen, 2)
	c.Check(s.writeId(c, "removed"), gc.FitsTypeOf, bson.ObjectId(""))
}

// TestCorruptWriteId: a write id that is not an ObjectId makes the
// document corrupt, for a client's refresh and for Inspect; the other
// leases load.
func (s *ClientWriteIdSuite) TestCorruptWriteId(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "good", "bad")
	s.setFields(c, "bad", bson.M{"writeid": "6b16a7cb686c821f8bab65c1"})
	want := `corrupt lease document "lease#default-namespace#bad#": invalid write id: 6b16a7cb686c821f8bab65c1 is a string, not an ObjectId`

	c.Check(fix.Client.Refresh(), gc.ErrorMatches, regexp.QuoteMeta(want))
	c.Check(fix.Client.Leases(), gc.HasLen, 1)
	c.Check("good", fix.Holder(), "holder")
	snap, err := lease.Inspect(fix.Config.Mongo, fix.Config.Collection, fix.Config.Namespace, fix.Clock)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(snap.Problems, gc.HasLen, 1)
	c.Check(snap.Problems[0].Document, gc.Equals, leaseId("bad"))
	c.Check(snap.Problems[0].Err, gc.ErrorMatches, regexp.QuoteMeta(want))
}
