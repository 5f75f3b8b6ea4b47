package lease

import (
	"errors"
	"math"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
)

type CodecSuite struct{}

var _ = gc.Suite(&CodecSuite{})

func (s *CodecSuite) TestIds(c *gc.C) {
	c.Check(leaseDocId("service-leadership", "redis"), gc.Equals, "lease#service-leadership#redis#")
	c.Check(clockDocId("service-leadership"), gc.Equals, "clock#service-leadership#")
}

func (s *CodecSuite) TestTimesKeepPrecision(c *gc.C) {
	t := toTime(toInt64(zero))
	c.Check(t.Equal(zero), jc.IsTrue)
	c.Check(t.Nanosecond(), gc.Equals, 5)
}

func (s *CodecSuite) TestLeaseDocRoundTrip(c *gc.C) {
	e := entry{holder: "redis/0", expiry: zero.Add(time.Minute), writer: "machine-0", term: 3, write: bson.NewObjectId()}
	name, got, err := decodeLeaseDoc(raw(newLeaseDoc("ns", "redis", e)))
	c.Assert(err, jc.ErrorIsNil)
	c.Check(name, gc.Equals, "redis")
	c.Check(got.holder, gc.Equals, "redis/0")
	c.Check(got.writer, gc.Equals, "machine-0")
	c.Check(got.expiry.Equal(e.expiry), jc.IsTrue)
	c.Check(got.term, gc.Equals, int64(3))
	c.Check(got.write, gc.Equals, e.write)
}

func (s *CodecSuite) TestDecodeLeaseDoc(c *gc.C) {
	good := func() bson.M {
		return bson.M{
			"_id": "lease#ns#name#", "type": "lease", "namespace": "ns", "name": "name",
			"holder": "holder", "expiry": int64(1), "writer": "writer",
			"txn-revno": int64(2), "txn-queue": []string{},
		}
	}
	for i, t := range []struct {
		about  string
		change bson.M
		err    string
	}{{
		about: "valid",
	}, {
		about:  "prefixed _id, as a multi-model runner writes it",
		change: bson.M{"_id": "uuid:lease#ns#name#"},
	}, {
		about:  "env-uuid is ignored",
		change: bson.M{"env-uuid": "uuid"},
	}, {
		about:  "wrong type",
		change: bson.M{"type": "clock"},
		err:    `corrupt lease document "lease#ns#name#": invalid type "clock"`,
	}, {
		about:  "missing type",
		change: bson.M{"type": nil},
		err:    `corrupt lease document "lease#ns#name#": invalid type ""`,
	}, {
		about:  "_id of another lease",
		change: bson.M{"_id": "lease#ns#other#"},
		err:    `corrupt lease document "lease#ns#other#": inconsistent _id`,
	}, {
		about:  "_id of another namespace",
		change: bson.M{"namespace": "other"},
		err:    `corrupt lease document "lease#ns#name#": inconsistent _id`,
	}, {
		about:  "_id not a string",
		change: bson.M{"_id": 42},
		err:    `corrupt lease document "42": inconsistent _id`,
	}, {
		about:  "empty holder: a released lease",
		change: bson.M{"holder": ""},
	}, {
		about:  "missing holder",
		change: bson.M{"holder": nil},
		err:    `corrupt lease document "lease#ns#name#": invalid holder: missing`,
	}, {
		// mgo would read it as an empty string: a released lease.
		about:  "holder of another type",
		change: bson.M{"holder": 7},
		err:    `corrupt lease document "lease#ns#name#": invalid holder: 7 is a int, not a string`,
	}, {
		about:  "bad holder",
		change: bson.M{"holder": "a.b"},
		err:    `corrupt lease document "lease#ns#name#": invalid holder: string contains forbidden characters`,
	}, {
		about:  "zero expiry",
		change: bson.M{"expiry": int64(0)},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: zero`,
	}, {
		about:  "missing expiry",
		change: bson.M{"expiry": nil},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: missing`,
	}, {
		about:  "expiry of the wrong type",
		change: bson.M{"expiry": "tomorrow"},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: "tomorrow" is a string, not int64 nanoseconds since 1970`,
	}, {
		// mgo would convert a float to int64: 3e19 to math.MinInt64, a
		// lease that expired in 1677.
		about:  "expiry beyond the store's range, as a float",
		change: bson.M{"expiry": 3e19},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: 3e\+19 is a float64, not int64 nanoseconds since 1970`,
	}, {
		about:  "expiry before the store's range, as a float",
		change: bson.M{"expiry": -1e19},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: -1e\+19 is a float64, not int64 nanoseconds since 1970`,
	}, {
		about:  "expiry in range, but a float, which no client writes",
		change: bson.M{"expiry": 1.5e18},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: 1.5e\+18 is a float64, not int64 nanoseconds since 1970`,
	}, {
		about:  "expiry as a boolean",
		change: bson.M{"expiry": true},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: true is a bool, not int64 nanoseconds since 1970`,
	}, {
		about:  "expiry as a BSON date",
		change: bson.M{"expiry": time.Date(2276, 9, 29, 0, 0, 0, 0, time.UTC)},
		err:    `corrupt lease document "lease#ns#name#": invalid expiry: 2276-09-29 .* is a time.Time, not int64 nanoseconds since 1970`,
	}, {
		about:  "missing writer",
		change: bson.M{"writer": nil},
		err:    `corrupt lease document "lease#ns#name#": invalid writer: string is empty`,
	}, {
		about:  "bad writer",
		change: bson.M{"writer": "$w"},
		err:    `corrupt lease document "lease#ns#name#": invalid writer: string contains forbidden characters`,
	}, {
		about:  "write id",
		change: bson.M{"writeid": bson.ObjectIdHex("5f1e0c2a9d3b4c0012345678")},
	}, {
		about:  "write id as a string",
		change: bson.M{"writeid": "5f1e0c2a9d3b4c0012345678"},
		err:    `corrupt lease document "lease#ns#name#": invalid write id: 5f1e0c2a9d3b4c0012345678 is a string, not an ObjectId`,
	}, {
		about:  "write id as an integer",
		change: bson.M{"writeid": int64(7)},
		err:    `corrupt lease document "lease#ns#name#": invalid write id: 7 is a int64, not an ObjectId`,
	}} {
		c.Logf("test %d: %s", i, t.about)
		doc := good()
		for k, v := range t.change {
			if v == nil {
				delete(doc, k)
			} else {
				doc[k] = v
			}
		}
		name, e, err := decodeLeaseDoc(raw(doc))
		if t.err != "" {
			c.Check(err, gc.ErrorMatches, t.err)
			c.Check(errors.Is(err, ErrTimeOutOfRange), jc.IsFalse)
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Check(name, gc.Equals, "name")
		holder, _ := doc["holder"].(string)
		write, _ := doc["writeid"].(bson.ObjectId)
		c.Check(e, jc.DeepEquals, entry{holder: holder, expiry: time.Unix(0, 1), writer: "writer", write: write})
	}
}

// TestLeaseDocExtremes: the first and the last time the store holds
// decode as themselves.
func (s *CodecSuite) TestLeaseDocExtremes(c *gc.C) {
	for _, nanos := range []int64{math.MinInt64, -1, 1, math.MaxInt64} {
		doc := newLeaseDoc("ns", "name", entry{holder: "h", expiry: time.Unix(0, nanos), writer: "w"})
		c.Check(doc.Expiry, gc.Equals, nanos)
		_, e, err := decodeLeaseDoc(raw(doc))
		c.Assert(err, jc.ErrorIsNil)
		c.Check(e.expiry.UnixNano(), gc.Equals, nanos)
	}
}

func (s *CodecSuite) TestClockDocRoundTrip(c *gc.C) {
	writers, writes, err := decodeClockDoc(raw(newClockDoc("ns")))
	c.Check(writes, gc.HasLen, 0)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(writers, gc.HasLen, 0)
}

func (s *CodecSuite) TestDecodeClockDoc(c *gc.C) {
	for i, t := range []struct {
		about string
		doc   bson.M
		err   string
	}{{
		about: "valid, with an int32 time",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"a": int64(1), "b": int32(2)}},
	}, {
		about: "only an _id",
		doc:   bson.M{"_id": "clock#ns#"},
		err:   `corrupt clock document: invalid type ""`,
	}, {
		about: "wrong type",
		doc:   bson.M{"_id": "clock#ns#", "type": "lease", "namespace": "ns"},
		err:   `corrupt clock document: invalid type "lease"`,
	}, {
		about: "inconsistent _id",
		doc:   bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "other"},
		err:   `corrupt clock document: inconsistent _id`,
	}, {
		about: "zero time",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"a": int64(1), "b": int64(0)}},
		err: `corrupt clock document: invalid time for writer "b": zero`,
	}, {
		about: "time of the wrong type; the first bad writer is reported",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"z": int64(0), "c": "now"}},
		err: `corrupt clock document: invalid time for writer "c": "now" is a string, not int64 nanoseconds since 1970`,
	}, {
		about: "time beyond the store's range, as a float",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"a": int64(1), "b": 3e19}},
		err: `corrupt clock document: invalid time for writer "b": 3e\+19 is a float64, not int64 nanoseconds since 1970`,
	}, {
		about: "time as a BSON date",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"a": time.Date(2276, 9, 29, 0, 0, 0, 0, time.UTC)}},
		err: `corrupt clock document: invalid time for writer "a": 2276-09-29 .* is a time.Time, not int64 nanoseconds since 1970`,
	}, {
		about: "write counts",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"a": int64(1), "b": int32(2)}, "writes": bson.M{"a": int64(3), "b": int32(4)}},
	}, {
		about: "write count of the wrong type",
		doc: bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns",
			"writers": bson.M{"a": int64(1), "b": int32(2)}, "writes": bson.M{"a": "many"}},
		err: `corrupt clock document: invalid write count for writer "a"`,
	}} {
		c.Logf("test %d: %s", i, t.about)
		writers, _, err := decodeClockDoc(raw(t.doc))
		if t.err != "" {
			c.Check(err, gc.ErrorMatches, t.err)
			c.Check(writers, gc.IsNil)
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Check(writers, jc.DeepEquals, map[string]time.Time{
			"a": time.Unix(0, 1),
			"b": time.Unix(0, 2),
		})
	}
}
