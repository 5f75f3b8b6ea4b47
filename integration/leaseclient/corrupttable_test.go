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
