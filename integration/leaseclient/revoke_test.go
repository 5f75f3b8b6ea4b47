package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

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

func (s *ClientRevokeSuite) TestRevokeBeforeExpiry(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	c.Assert(revoker(c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	c.Check(fix.Client.Leases(), gc.HasLen, 0)
	// The document is kept, released: its holder is empty.
	n, err := s.db.C(fix.Config.Collection).Find(bson.M{"name": "name", "holder": ""}).Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 1)

	// Another client sees the release at its next read and claims at once,
	// long before the revoked lease's expiry.
	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	c.Check(other.Client.ClaimLease("name", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
}

func (s *ClientRevokeSuite) TestRevokeAbortsOldAssertOps(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	info := fix.Client.Leases()["name"]

	c.Assert(revoker(c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	runner := txn.NewRunner(s.db.C(txnCollection))
	c.Check(runner.Run([]txn.Op{info.AssertOp}, "", nil), gc.Equals, txn.ErrAborted)
}

func (s *ClientRevokeSuite) TestRevokeOtherHolderOrUnheld(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)

	c.Check(revoker(c, fix).RevokeLease("name", "impostor"), gc.Equals, lease.ErrInvalid)
	c.Check(revoker(c, fix).RevokeLease("other", "holder"), gc.Equals, lease.ErrInvalid)
	c.Check("name", fix.Holder(), "holder")
}

func (s *ClientRevokeSuite) TestRevokeRecordsClock(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	fix.Clock.Advance(10 * time.Second)
	c.Assert(revoker(c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)

	var doc struct {
		Writers map[string]int64 `bson:"writers"`
		Writes  map[string]int64 `bson:"writes"`
	}
	err = s.db.C(fix.Config.Collection).Find(bson.M{"writers": bson.M{"$exists": true}}).One(&doc)
	c.Assert(err, jc.ErrorIsNil)
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

// A stale cache: another client extended the lease (same holder) since
// this one read it. The revocation asserts only the holder, so it applies.
func (s *ClientRevokeSuite) TestRevokeDespiteExtensionElsewhere(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	c.Assert(other.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: time.Hour}), jc.ErrorIsNil)

	c.Assert(revoker(c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	c.Assert(other.Client.Refresh(), jc.ErrorIsNil)
	c.Check(other.Client.Leases(), gc.HasLen, 0)
}

// A stale cache: the lease changed hands since this client read it. The
// transaction aborts, the client refreshes, and the new holder keeps it.
func (s *ClientRevokeSuite) TestRevokeBlockedByHandover(c *gc.C) {
	sut := EasyFixture(c, s.db)
	err := sut.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})

	defer sut.Mongo.SetBeforeHooks(c, func() {
		c.Check(revoker(c, blocker).RevokeLease("name", "holder"), jc.ErrorIsNil)
		c.Check(blocker.Client.ClaimLease("name", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	})()
	c.Check(revoker(c, sut).RevokeLease("name", "holder"), gc.Equals, lease.ErrInvalid)
	c.Check("name", sut.Holder(), "next")
}

func (s *ClientRevokeSuite) TestRevokeValidation(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Check(revoker(c, fix).RevokeLease("", "holder"), gc.ErrorMatches, `invalid lease name "": empty; a lease name must be .*`)
	c.Check(revoker(c, fix).RevokeLease("name", "hol der"), gc.ErrorMatches, `invalid holder "hol der": white space U\+0020 at byte 3 \(use "hol-der" instead\); a holder must be .*`)
}
