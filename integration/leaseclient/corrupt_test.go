package leaseclient_test

import (
	"errors"
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientCorruptionSuite checks that a corrupt store, found after a client
// was made, changes nothing: not the client's cache, not the database.
type ClientCorruptionSuite struct {
	mongoSuite
	fix *Fixture
}

var _ = gc.Suite(&ClientCorruptionSuite{})

func (s *ClientCorruptionSuite) SetUpTest(c *gc.C) {
	s.mongoSuite.SetUpTest(c)
	s.fix = EasyFixture(c, s.db)
	err := s.fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
}

func (s *ClientCorruptionSuite) checkCacheUnchanged(c *gc.C) {
	c.Check(s.fix.Client.Leases(), gc.HasLen, 1)
	c.Check("name", s.fix.Holder(), "holder")
	c.Check("name", s.fix.Expiry(), s.fix.Zero.Add(time.Minute))
}

func (s *ClientCorruptionSuite) insert(c *gc.C, doc bson.M) {
	err := s.db.C("default-collection").Insert(doc)
	c.Assert(err, jc.ErrorIsNil)
}

func (s *ClientCorruptionSuite) TestCorruptLeaseDoc(c *gc.C) {
	s.insert(c, bson.M{
		"_id": "lease#default-namespace#bad#", "type": "lease", "namespace": "default-namespace",
		"name": "bad", "holder": 7, "expiry": int64(1), "writer": "default-client",
	})
	err := s.fix.Client.Refresh()
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(
		`corrupt lease document "lease#default-namespace#bad#": invalid holder: 7 is a int, not a string`))
	s.checkCacheUnchanged(c)
}

func (s *ClientCorruptionSuite) TestCorruptClockDoc(c *gc.C) {
	err := s.db.C("default-collection").UpdateId("clock#default-namespace#",
		bson.M{"$set": bson.M{"writers.evil": int64(0)}})
	c.Assert(err, jc.ErrorIsNil)
	err = s.fix.Client.Refresh()
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(`corrupt clock document: invalid time for writer "evil": zero`))
	s.checkCacheUnchanged(c)
}

func (s *ClientCorruptionSuite) TestNoClockData(c *gc.C) {
	s.insert(c, bson.M{
		"_id": "lease#default-namespace#haunted#", "type": "lease", "namespace": "default-namespace",
		"name": "haunted", "holder": "holder", "expiry": int64(1), "writer": "ghost",
	})
	err := s.fix.Client.Refresh()
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(`lease "haunted" invalid: no clock data for ghost`))
	s.checkCacheUnchanged(c)
}

// TestCorruptionFoundOnRetry: a retry reads the lease it is about again,
// finds it corrupt, and changes nothing.
func (s *ClientCorruptionSuite) TestCorruptionFoundOnRetry(c *gc.C) {
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	defer s.fix.Mongo.SetBeforeHooks(c, func() {
		err := blocker.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 2 * time.Minute})
		c.Check(err, jc.ErrorIsNil)
		err = s.db.C("default-collection").UpdateId("lease#default-namespace#name#",
			bson.M{"$set": bson.M{"holder": 7}})
		c.Check(err, jc.ErrorIsNil)
	})()

	err := s.fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 5 * time.Minute})
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(
		`corrupt lease document "lease#default-namespace#name#": invalid holder: 7 is a int, not a string`))
	s.checkCacheUnchanged(c)

	// The database holds what the blocker wrote, not the SUT's extension.
	docs := s.dump(c)
	c.Assert(docs, gc.HasLen, 1)
	c.Check(docs[0]["_id"], gc.Equals, "lease#default-namespace#name#")
	c.Check(docs[0]["writer"], gc.Equals, "blocker")
	c.Check(docs[0]["expiry"], gc.Equals, s.fix.Zero.Add(2*time.Minute).UnixNano())
}

// TestRetryReadsOnlyItsLease: a retry reads only the lease it is about
// (and the clock document), so a corrupt document of another lease does
// not fail it (and a retry costs the same however many leases there
// are); a full Refresh still finds it.
func (s *ClientCorruptionSuite) TestRetryReadsOnlyItsLease(c *gc.C) {
	blocker := NewFixture(c, s.db, FixtureParams{Id: "blocker"})
	defer s.fix.Mongo.SetBeforeHooks(c, func() {
		err := blocker.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 2 * time.Minute})
		c.Check(err, jc.ErrorIsNil)
		s.insert(c, bson.M{"_id": "lease#default-namespace#bad#", "type": "lease",
			"namespace": "default-namespace", "name": "bad"})
	})()

	err := s.fix.Client.ExtendLease("name", lease.Request{Holder: "holder", Duration: 5 * time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	c.Check("name", s.fix.Expiry(), s.fix.Zero.Add(5*time.Minute))
	docs := s.dump(c)
	c.Assert(docs, gc.HasLen, 2)
	c.Check(docs[1]["_id"], gc.Equals, "lease#default-namespace#name#")
	c.Check(docs[1]["writer"], gc.Equals, "default-client")

	err = s.fix.Client.Refresh()
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(
		`corrupt lease document "lease#default-namespace#bad#": invalid holder: missing`))
}

// dump returns every lease document of the collection, without
// txn-queue, by _id.
func (s *ClientCorruptionSuite) dump(c *gc.C) []bson.M {
	var docs []bson.M
	err := s.db.C("default-collection").Find(bson.M{"type": "lease"}).Select(bson.M{"txn-queue": 0}).Sort("_id").All(&docs)
	c.Assert(err, jc.ErrorIsNil)
	return docs
}

// TestCorruptLeaseDocLeftOut: a corrupt lease document does not keep a
// refresh from reading the others: it is left out, and the error, which
// matches lease.ErrCorrupt, names it.
func (s *ClientCorruptionSuite) TestCorruptLeaseDocLeftOut(c *gc.C) {
	other := NewFixture(c, s.db, FixtureParams{Id: "other"})
	c.Assert(other.Client.ClaimLease("fresh", lease.Request{Holder: "holder", Duration: time.Minute}), jc.ErrorIsNil)
	s.insert(c, bson.M{
		"_id": "lease#default-namespace#bad#", "type": "lease", "namespace": "default-namespace",
		"name": "bad", "holder": 7, "expiry": int64(1), "writer": "default-client",
	})
	s.insert(c, bson.M{
		"_id": "lease#default-namespace#worse#", "type": "lease", "namespace": "default-namespace",
		"name": "worse", "holder": "x", "expiry": "soon", "writer": "default-client",
	})
	err := s.fix.Client.Refresh()
	c.Check(errors.Is(err, lease.ErrCorrupt), jc.IsTrue)
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(
		`corrupt lease document "lease#default-namespace#bad#": invalid holder: 7 is a int, not a string (and 1 more corrupt lease documents)`))
	c.Check(s.fix.Client.Leases(), gc.HasLen, 2)
	c.Check("fresh", s.fix.Holder(), "holder")
	c.Check("name", s.fix.Holder(), "holder")
	err = s.fix.Client.(lease.SingleRefresher).RefreshLease("bad")
	c.Check(errors.Is(err, lease.ErrCorrupt), jc.IsTrue)
}
