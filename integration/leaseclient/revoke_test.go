package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientRevokeSuite: lease.Revoker on the MongoDB client. A revocation is
// one transaction that records the client's clock and removes the lease
// document if the holder still holds it.
type ClientRevokeSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientRevokeSuite{})

// revoker returns fix's client as a lease.Revoker.
func revoker(c *gc.C, fix *Fixture) lease.Revoker {
	r, ok := fix.Client.(lease.Revoker)
	c.Assert(ok, jc.IsTrue)
	return r
}

// TestRevokeReleasesDocument: a revocation keeps the lease's document,
// with an empty holder (the conformance suite checks what the clients
// then see).
func (s *ClientRevokeSuite) TestRevokeReleasesDocument(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	c.Assert(revoker(c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	// The document is kept, released: its holder is empty.
	n, err := s.db.C(fix.Config.Collection).Find(bson.M{"name": "name", "holder": ""}).Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 1)
}

func (s *ClientRevokeSuite) TestRevokeRecordsClock(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	fix.Clock.Advance(10 * time.Second)
	c.Assert(revoker(c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)

	doc := s.clocksOf(c, fix)
	c.Check(doc.Writers[fix.Config.Id], gc.Equals, fix.Zero.Add(10*time.Second).UnixNano())
	c.Check(doc.Writes[fix.Config.Id], gc.Equals, int64(2))
}

// A clock that stepped back behind the client's last write cannot revoke:
// the clock operation aborts every attempt, as for any other write.
func (s *ClientRevokeSuite) TestRevokeAfterClockStepsBack(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	fix.Clock.Reset(fix.Zero.Add(-time.Second), 0)
	err = revoker(c, fix).RevokeLease("name", "holder")
	c.Check(err, jc.Satisfies, func(err error) bool { return errorIs(err, lease.ErrExcessiveContention) })
	c.Check("name", fix.Holder(), "holder")
}
