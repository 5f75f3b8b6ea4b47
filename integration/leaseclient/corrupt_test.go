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
	s.fix = ClaimedFixture(c, s.db)
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

// ClientCorruptTableSuite: every way a document in the store can be
// corrupt makes both NewClient and Refresh fail with an error naming the
// document, and changes nothing: not the database, not the cache of a
// client that already runs. (ClientCorruptionSuite and
// ClientPersistenceSuite check single cases; this goes through them all.)
type ClientCorruptTableSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientCorruptTableSuite{})

const corruptColl = "default-collection"

var corruptCases = []struct {
	about string
	// insert is a document to add; update, if insert is nil, is applied
	// to the clock document.
	insert bson.M
	update bson.M
	err    string
	// newErr, if set, is NewClient's error, which checks the clock
	// document first.
	newErr string
}{{
	about:  "lease _id of another lease",
	insert: badLease(bson.M{"_id": "lease#default-namespace#other#"}),
	err:    `corrupt lease document "lease#default-namespace#other#": inconsistent _id`,
}, {
	about:  "lease _id not a string",
	insert: badLease(bson.M{"_id": 42}),
	err:    `corrupt lease document "42": inconsistent _id`,
}, {
	about:  "lease name missing",
	insert: badLease(bson.M{"name": nil}),
	err:    `corrupt lease document "lease#default-namespace#bad#": inconsistent _id`,
}, {
	about:  "holder missing",
	insert: badLease(bson.M{"holder": nil}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid holder: missing`,
}, {
	about:  "holder with a forbidden character",
	insert: badLease(bson.M{"holder": "redis 0"}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid holder: string contains forbidden characters`,
}, {
	about:  "holder not a string",
	insert: badLease(bson.M{"holder": 7}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid holder: 7 is a int, not a string`,
}, {
	about:  "zero expiry",
	insert: badLease(bson.M{"expiry": int64(0)}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid expiry: zero`,
}, {
	about:  "expiry missing",
	insert: badLease(bson.M{"expiry": nil}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid expiry: missing`,
}, {
	about:  "expiry not a number",
	insert: badLease(bson.M{"expiry": "tomorrow"}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid expiry: "tomorrow" is a string, not int64 nanoseconds since 1970`,
}, {
	// mgo would have converted it to math.MinInt64: a lease that expired
	// in 1677.
	about:  "expiry beyond the store's range, as a float",
	insert: badLease(bson.M{"expiry": 3e19}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid expiry: 3e+19 is a float64, not int64 nanoseconds since 1970`,
}, {
	about:  "expiry in range, as a float, which no client writes",
	insert: badLease(bson.M{"expiry": float64(defaultClockStart.Add(time.Hour).UnixNano())}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid expiry: 3.2557632e+18 is a float64, not int64 nanoseconds since 1970`,
}, {
	about:  "expiry as a BSON date, after the store's range",
	insert: badLease(bson.M{"expiry": time.Date(2276, 9, 29, 0, 0, 0, 0, time.UTC)}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid expiry: 2276-09-29 00:00:00 +0000 UTC is a time.Time, not int64 nanoseconds since 1970`,
}, {
	about:  "empty writer",
	insert: badLease(bson.M{"writer": ""}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid writer: string is empty`,
}, {
	about:  "writer with a forbidden character",
	insert: badLease(bson.M{"writer": "machine.0"}),
	err:    `corrupt lease document "lease#default-namespace#bad#": invalid writer: string contains forbidden characters`,
}, {
	about:  "writer with no time in the clock document",
	insert: badLease(bson.M{"writer": "ghost"}),
	err:    `lease "bad" invalid: no clock data for ghost`,
}, {
	about:  "zero time for a writer",
	update: bson.M{"$set": bson.M{"writers.evil": int64(0)}},
	err:    `corrupt clock document: invalid time for writer "evil": zero`,
}, {
	about:  "time for a writer not a number",
	update: bson.M{"$set": bson.M{"writers.evil": "now"}},
	err:    `corrupt clock document: invalid time for writer "evil": "now" is a string, not int64 nanoseconds since 1970`,
}, {
	about:  "time for a writer beyond the store's range, as a float",
	update: bson.M{"$set": bson.M{"writers.evil": 3e19}},
	err:    `corrupt clock document: invalid time for writer "evil": 3e+19 is a float64, not int64 nanoseconds since 1970`,
}, {
	about:  "time for a writer as a BSON date",
	update: bson.M{"$set": bson.M{"writers.evil": time.Date(2276, 9, 29, 0, 0, 0, 0, time.UTC)}},
	err:    `corrupt clock document: invalid time for writer "evil": 2276-09-29 00:00:00 +0000 UTC is a time.Time, not int64 nanoseconds since 1970`,
}, {
	about:  "clock type missing",
	update: bson.M{"$unset": bson.M{"type": ""}},
	err:    `corrupt clock document: invalid type ""`,
}, {
	about:  "clock of another namespace",
	update: bson.M{"$set": bson.M{"namespace": "other"}},
	err:    `corrupt clock document: inconsistent _id`,
}, {
	about:  "clock document typed as a lease",
	update: bson.M{"$set": bson.M{"type": "lease"}},
	// Refresh leaves the corrupt lease document out, and fails on the
	// clock document.
	err: `corrupt clock document: invalid type "lease"`,
}}

// badLease returns a valid lease document for "bad", with changes (a nil
// value removes the field).
func badLease(changes bson.M) bson.M {
	doc := bson.M{
		"_id": "lease#default-namespace#bad#", "type": "lease", "namespace": "default-namespace",
		"name": "bad", "holder": "holder", "expiry": defaultClockStart.Add(time.Hour).UnixNano(),
		"writer": "default-client",
	}
	for k, v := range changes {
		if v == nil {
			delete(doc, k)
		} else {
			doc[k] = v
		}
	}
	return doc
}

func (s *ClientCorruptTableSuite) TestCorruptDocuments(c *gc.C) {
	for i, t := range corruptCases {
		c.Logf("test %d: %s", i, t.about)
		s.TearDownTest(c)
		s.SetUpTest(c)
		fix := EasyFixture(c, s.db)
		err := fix.Client.ClaimLease("good", lease.Request{Holder: "holder", Duration: time.Minute})
		c.Assert(err, jc.ErrorIsNil)
		if t.insert != nil {
			c.Assert(s.db.C(corruptColl).Insert(t.insert), jc.ErrorIsNil)
		} else {
			c.Assert(s.db.C(corruptColl).UpdateId("clock#default-namespace#", t.update), jc.ErrorIsNil)
		}
		before := s.dumpAll(c)

		client, err := lease.NewClient(lease.ClientConfig{
			Id: "newcomer", Namespace: "default-namespace", Collection: corruptColl,
			Mongo: NewMongo(s.db), Clock: NewClock(defaultClockStart, 0),
		})
		newErr := t.newErr
		if newErr == "" {
			newErr = t.err
		}
		c.Check(client, gc.IsNil)
		c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(newErr))
		c.Check(s.dumpAll(c), jc.DeepEquals, before)

		err = fix.Client.Refresh()
		c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(t.err))
		c.Check(errors.Is(err, lease.ErrCorrupt), jc.IsTrue)
		c.Check(fix.Client.Leases(), gc.HasLen, 1)
		c.Check("good", fix.Holder(), "holder")
		c.Check("good", fix.Expiry(), fix.Zero.Add(time.Minute))
		c.Check(s.dumpAll(c), jc.DeepEquals, before)
	}
}
