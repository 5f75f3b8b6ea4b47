package leaseclient_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// ClientReleasedSuite: an expiry or a revocation keeps the lease's
// document, with its holder emptied, so that the next claim is an
// update. Every reader takes such a document for a lease that is not
// held; documents that earlier versions wrote (a held lease, or none
// after a release) read as before; and an earlier version's writes
// cannot take a released lease.
type ClientReleasedSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientReleasedSuite{})

// leaseDoc returns the named lease's document of the fixtures'
// namespace, as stored, without mgo/txn's fields, or nil if there is
// none.
func (s *ClientReleasedSuite) leaseDoc(c *gc.C, name string) bson.M {
	var doc bson.M
	err := s.db.C("default-collection").FindId("lease#default-namespace#" + name + "#").Select(bson.M{"txn-queue": 0, "txn-revno": 0}).One(&doc)
	if err != nil {
		c.Assert(err, gc.Equals, mgo.ErrNotFound)
		return nil
	}
	return doc
}

// TestReleaseKeepsTheDocument: an expiry and a revocation leave the
// document with no holder, the time of the release on the releaser's
// clock and the releaser as its writer; the lease is then not held for
// any reader, and the next claim updates the document.
func (s *ClientReleasedSuite) TestReleaseKeepsTheDocument(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "expired", "revoked")
	fix.Clock.Advance(2 * time.Minute)
	c.Assert(fix.Client.ExpireLease("expired"), jc.ErrorIsNil)
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("revoked", "holder"), jc.ErrorIsNil)
	// A release keeps the lease's term, and sets a new write id.
	ids := map[bson.ObjectId]bool{}
	for name, term := range map[string]int64{"expired": 1, "revoked": 2} {
		doc := s.leaseDoc(c, name)
		ids[takeWriteId(c, doc)] = true
		c.Check(doc, jc.DeepEquals, bson.M{
			"_id": "lease#default-namespace#" + name + "#", "type": "lease", "namespace": "default-namespace",
			"name": name, "holder": "", "expiry": fix.Zero.Add(2 * time.Minute).UnixNano(), "writer": "default-client",
			"term": term,
		})
	}
	c.Check(ids, gc.HasLen, 2)

	reader := NewFixture(c, s.db, FixtureParams{Id: "reader"})
	for _, client := range []lease.Client{fix.Client, reader.Client} {
		c.Check(client.Leases(), gc.HasLen, 0)
		_, held := client.(lease.Reader).Lease("expired")
		c.Check(held, jc.IsFalse)
		c.Check(client.(lease.SingleRefresher).RefreshLease("expired"), jc.ErrorIsNil)
		_, held = client.(lease.Reader).Lease("expired")
		c.Check(held, jc.IsFalse)
		c.Check(client.ExpireLease("expired"), gc.Equals, lease.ErrInvalid)
		c.Check(client.ExtendLease("revoked", batchRequest), gc.Equals, lease.ErrInvalid)
		c.Check(client.(lease.Revoker).RevokeLease("revoked", "holder"), gc.Equals, lease.ErrInvalid)
	}
	snap, err := lease.Inspect(fix.Config.Mongo, fix.Config.Collection, fix.Config.Namespace, fix.Clock)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(snap.Leases, gc.HasLen, 0)
	c.Check(snap.Released, jc.DeepEquals, []string{"expired", "revoked"})
	c.Check(snap.Problems, gc.HasLen, 0)
	namespaces, err := lease.Namespaces(fix.Config.Mongo, fix.Config.Collection)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(namespaces, jc.DeepEquals, []string{"default-namespace"})

	// The reader claims one, the writer the other: each an update.
	c.Assert(reader.Client.ClaimLease("expired", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	c.Check(s.leaseDoc(c, "expired")["holder"], gc.Equals, "next")
	c.Check(s.leaseDoc(c, "expired")["writer"], gc.Equals, "reader")
	c.Assert(fix.Client.ClaimLease("revoked", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	c.Check(fix.Client.ClaimLease("expired", batchRequest), gc.Equals, lease.ErrInvalid)
	c.Check("expired", fix.Holder(), "next")
	c.Check(reader.Client.ClaimLease("revoked", batchRequest), gc.Equals, lease.ErrInvalid)
	c.Check("revoked", reader.Holder(), "next")
}

// TestReleasedNeedsNoClockData: a released lease's writer need not be in
// the clock document: nothing waits for its time.
func (s *ClientReleasedSuite) TestReleasedNeedsNoClockData(c *gc.C) {
	fix := EasyFixture(c, s.db)
	err := s.db.C("default-collection").Insert(bson.M{
		"_id": "lease#default-namespace#old#", "type": "lease", "namespace": "default-namespace",
		"name": "old", "holder": "", "expiry": int64(1), "writer": "ghost",
	})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(fix.Client.Refresh(), jc.ErrorIsNil)
	c.Check(fix.Client.(lease.SingleRefresher).RefreshLease("old"), jc.ErrorIsNil)
	c.Check(fix.Client.Leases(), gc.HasLen, 0)
	c.Check(fix.Client.ClaimLease("old", batchRequest), jc.ErrorIsNil)
	c.Check("old", fix.Holder(), "holder")
}

// TestRemovedDocumentClaimedAgain: a released lease whose document was
// removed since the client read it (by a client of an earlier version,
// which removed documents, or by an operator) is claimed all the same:
// the update aborts, the client reads the lease again and inserts its
// document.
func (s *ClientReleasedSuite) TestRemovedDocumentClaimedAgain(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "name")
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	err := txn.NewRunner(s.db.C(txnCollection)).Run([]txn.Op{{
		C: "default-collection", Id: "lease#default-namespace#name#", Assert: txn.DocExists, Remove: true,
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)

	attempts := 0
	defer fix.Mongo.SetHooks(c, Hook{After: func() { attempts++ }}, Hook{After: func() { attempts++ }})()
	c.Check(fix.Client.ClaimLease("name", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	c.Check(attempts, gc.Equals, 2)
	c.Check(s.leaseDoc(c, "name")["holder"], gc.Equals, "next")
}

// TestEarlierVersionsDocuments: a lease an earlier version held reads as
// held, and one it released (its document removed, the release counted)
// as not held, and is claimed by an insert.
func (s *ClientReleasedSuite) TestEarlierVersionsDocuments(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "held", "released")
	// An earlier version's expiry: the document removed, asserted
	// exactly, then the clock op counting the release.
	doc := s.leaseDoc(c, "released")
	err := txn.NewRunner(s.db.C(txnCollection)).Run([]txn.Op{{
		C: "default-collection", Id: "lease#default-namespace#released#",
		Assert: bson.D{{Name: "holder", Value: doc["holder"]}, {Name: "expiry", Value: doc["expiry"]}, {Name: "writer", Value: doc["writer"]}},
		Remove: true,
	}, {
		C: "default-collection", Id: "clock#default-namespace#",
		Update: bson.M{"$set": bson.M{"writers.earlier": fix.Zero.UnixNano()}, "$inc": bson.M{"writes.earlier": 1, "releases": 1}},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)

	reader := NewFixture(c, s.db, FixtureParams{Id: "reader"})
	c.Check(reader.Client.Leases(), gc.HasLen, 1)
	c.Check("held", reader.Holder(), "holder")
	c.Check(reader.Client.ClaimLease("released", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	c.Check(s.leaseDoc(c, "released")["holder"], gc.Equals, "next")
}

// TestEarlierVersionCannotClaimReleased: a client of an earlier version
// claims a lease by inserting its document, asserting that there is
// none: on a released lease's document that transaction aborts, so an
// earlier client never takes a lease this version released, nor one
// this version then claims.
func (s *ClientReleasedSuite) TestEarlierVersionCannotClaimReleased(c *gc.C) {
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "name")
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)
	before := s.leaseDoc(c, "name")
	earlierClaim := []txn.Op{{
		C: "default-collection", Id: "clock#default-namespace#",
		Update: bson.M{"$set": bson.M{"writers.earlier": clocktest.Start.UnixNano()}, "$inc": bson.M{"writes.earlier": 1}},
	}, {
		C: "default-collection", Id: "lease#default-namespace#name#", Assert: txn.DocMissing,
		Insert: bson.M{"type": "lease", "namespace": "default-namespace", "name": "name",
			"holder": "earlier-unit", "expiry": clocktest.Start.Add(time.Minute).UnixNano(), "writer": "earlier"},
	}}
	c.Check(txn.NewRunner(s.db.C(txnCollection)).Run(earlierClaim, "", nil), gc.Equals, txn.ErrAborted)
	c.Check(s.leaseDoc(c, "name"), jc.DeepEquals, before)
	c.Check(fix.Client.ClaimLease("name", batchRequest), jc.ErrorIsNil)
}

// TestStaleCacheClaimsReleased: a client that has not read the lease
// since another released it claims it by an insert; that aborts on the
// kept document, and the client reads the lease again and updates it.
func (s *ClientReleasedSuite) TestStaleCacheClaimsReleased(c *gc.C) {
	stale := NewFixture(c, s.db, FixtureParams{Id: "stale"})
	fix := EasyFixture(c, s.db)
	claim(c, fix, "holder", "name")
	c.Assert(clientAs[lease.Revoker](c, fix).RevokeLease("name", "holder"), jc.ErrorIsNil)

	attempts := 0
	defer stale.Mongo.SetHooks(c, Hook{After: func() { attempts++ }}, Hook{After: func() { attempts++ }})()
	c.Check(stale.Client.ClaimLease("name", lease.Request{Holder: "next", Duration: time.Minute}), jc.ErrorIsNil)
	c.Check(attempts, gc.Equals, 2)
	c.Check(s.leaseDoc(c, "name")["holder"], gc.Equals, "next")
	c.Check(s.leaseDoc(c, "name")["writer"], gc.Equals, "stale")
}

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

	c.Assert(clientAs[lease.Revoker](c, reader).RevokeLease("old", "holder"), jc.ErrorIsNil)
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
