package lease

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
)

type InspectSuite struct{}

var _ = gc.Suite(&InspectSuite{})

// inspectClockDoc returns the clock documents of namespace "ns": the
// shared one alone, valid, with the given writers' times and counts.
func inspectClockDoc(times map[string]interface{}, writes map[string]interface{}) []bson.Raw {
	return []bson.Raw{raw(bson.M{"_id": "clock#ns#", "type": "clock", "namespace": "ns", "writers": times, "writes": writes})}
}

func (s *InspectSuite) TestValidDocuments(c *gc.C) {
	leases := []bson.Raw{
		raw(newLeaseDoc("ns", "redis", entry{holder: "redis/1", expiry: zero.Add(time.Minute), writer: "m-1"})),
		raw(newLeaseDoc("ns", "mysql", entry{holder: "mysql/0", expiry: zero.Add(time.Hour), writer: "m-0"})),
	}
	clock := inspectClockDoc(
		map[string]interface{}{"m-0": toInt64(zero), "m-1": toInt64(zero.Add(time.Second))},
		map[string]interface{}{"m-0": int64(7), "m-1": 3},
	)
	snap := inspectDocs("ns", leases, clock, zero.Add(10*time.Second), zero.Add(11*time.Second))
	c.Check(snap.Problems, gc.HasLen, 0)
	c.Check(snap.HasClock, jc.IsTrue)
	c.Assert(snap.Leases, gc.HasLen, 2)
	c.Check(snap.Leases[0].Name, gc.Equals, "mysql")
	c.Check(snap.Leases[0].Holder, gc.Equals, "mysql/0")
	c.Check(snap.Leases[0].Writer, gc.Equals, "m-0")
	c.Check(snap.Leases[0].Expiry.Equal(zero.Add(time.Hour)), jc.IsTrue)
	c.Check(snap.Leases[1].Name, gc.Equals, "redis")
	c.Assert(snap.Writers, gc.HasLen, 2)
	c.Check(snap.Writers[0].Id, gc.Equals, "m-0")
	c.Check(snap.Writers[0].Writes, gc.Equals, int64(7))
	c.Check(snap.Writers[1].Id, gc.Equals, "m-1")
	c.Check(snap.Writers[1].Writes, gc.Equals, int64(3))
	c.Check(snap.Writers[1].LastWrite.Equal(zero.Add(time.Second)), jc.IsTrue)

	// m-1 had reached zero+1s by zero+11s: its lease to zero+1m runs out,
	// on its clock, by zero+70s on ours at the latest (11s + 59s).
	skew, ok := snap.Skew("m-1")
	c.Assert(ok, jc.IsTrue)
	c.Check(skew.Latest(snap.Leases[1].Expiry).Equal(zero.Add(70*time.Second)), jc.IsTrue)
	_, ok = snap.Skew("m-9")
	c.Check(ok, jc.IsFalse)
	w, ok := snap.Writer("m-0")
	c.Check(ok, jc.IsTrue)
	c.Check(w.Id, gc.Equals, "m-0")
}

func (s *InspectSuite) TestReadWindowNeverInverted(c *gc.C) {
	snap := inspectDocs("ns", nil, nil, zero.Add(time.Second), zero)
	c.Check(snap.ReadAfter.Equal(zero), jc.IsTrue)
	c.Check(snap.ReadBefore.Equal(zero.Add(time.Second)), jc.IsTrue)
	c.Check(snap.HasClock, jc.IsFalse)
	c.Check(snap.Leases, gc.HasLen, 0)
	c.Check(snap.Writers, gc.HasLen, 0)
}

func (s *InspectSuite) TestProblemsNamedNotFatal(c *gc.C) {
	for i, t := range []struct {
		about    string
		leases   []bson.Raw
		clock    []bson.Raw
		leaseN   int
		writerN  int
		problems []string // document, then a regexp for the error
	}{{
		about: "corrupt lease document",
		leases: []bson.Raw{
			raw(bson.M{"_id": "lease#ns#bad#", "type": "lease", "namespace": "ns", "name": "bad", "holder": "h", "expiry": "soon", "writer": "m-0"}),
			raw(newLeaseDoc("ns", "good", entry{holder: "h", expiry: zero, writer: "m-0"})),
		},
		clock:    inspectClockDoc(map[string]interface{}{"m-0": toInt64(zero)}, nil),
		leaseN:   1,
		writerN:  1,
		problems: []string{"lease#ns#bad#", `corrupt lease document "lease#ns#bad#": invalid expiry: "soon" is a string.*`},
	}, {
		about:    "corrupt clock document",
		leases:   []bson.Raw{raw(newLeaseDoc("ns", "good", entry{holder: "h", expiry: zero, writer: "m-0"}))},
		clock:    inspectClockDoc(map[string]interface{}{"m-0": 1.5}, nil),
		leaseN:   1,
		problems: []string{"clock#ns#", `corrupt clock document: invalid time for writer "m-0": 1.5 is a float64.*`, "lease#ns#good#", `lease "good" invalid: no clock data for m-0`},
	}, {
		about:    "writer missing from the clock document",
		leases:   []bson.Raw{raw(newLeaseDoc("ns", "good", entry{holder: "h", expiry: zero, writer: "m-9"}))},
		clock:    inspectClockDoc(map[string]interface{}{"m-0": toInt64(zero)}, nil),
		leaseN:   1,
		writerN:  1,
		problems: []string{"lease#ns#good#", `lease "good" invalid: no clock data for m-9`},
	}, {
		about:    "missing clock document",
		leases:   []bson.Raw{raw(newLeaseDoc("ns", "good", entry{holder: "h", expiry: zero, writer: "m-0"}))},
		leaseN:   1,
		problems: []string{"lease#ns#good#", `lease "good" invalid: no clock data for m-0`},
	}, {
		about:    "document whose _id is not a string",
		leases:   []bson.Raw{raw(bson.M{"_id": 42, "type": "lease", "namespace": "ns", "name": "x"})},
		clock:    inspectClockDoc(map[string]interface{}{}, nil),
		problems: []string{"42", `corrupt lease document "42": inconsistent _id`},
	}} {
		c.Logf("test %d: %s", i, t.about)
		snap := inspectDocs("ns", t.leases, t.clock, zero, zero)
		c.Check(snap.Leases, gc.HasLen, t.leaseN)
		c.Check(snap.Writers, gc.HasLen, t.writerN)
		c.Assert(snap.Problems, gc.HasLen, len(t.problems)/2)
		for j, p := range snap.Problems {
			c.Check(p.Document, gc.Equals, t.problems[2*j])
			c.Check(p.Err, gc.ErrorMatches, t.problems[2*j+1])
		}
	}
}

func (s *InspectSuite) TestInvalidNamesRefusedBeforeReading(c *gc.C) {
	// A nil Mongo: nothing may be read.
	_, err := Inspect(nil, "a.b", "ns", nil)
	c.Check(err, gc.ErrorMatches, `invalid collection "a.b": .*`)
	_, err = Inspect(nil, "leases", "", nil)
	c.Check(err, gc.ErrorMatches, `invalid namespace "": .*`)
	_, err = Namespaces(nil, "a$b")
	c.Check(err, gc.ErrorMatches, `invalid collection "a\$b": .*`)
}

// TestReleasedDocuments: a document with an empty holder is a released
// lease: listed in Released, not in Leases, and it needs no clock data.
func (s *InspectSuite) TestReleasedDocuments(c *gc.C) {
	leases := []bson.Raw{
		raw(newLeaseDoc("ns", "redis", entry{holder: "", expiry: zero, writer: "m-gone"})),
		raw(newLeaseDoc("ns", "mysql", entry{holder: "mysql/0", expiry: zero.Add(time.Hour), writer: "m-0"})),
		raw(newLeaseDoc("ns", "db", entry{holder: "", expiry: zero, writer: "m-0"})),
	}
	clock := inspectClockDoc(map[string]interface{}{"m-0": toInt64(zero)}, nil)
	snap := inspectDocs("ns", leases, clock, zero, zero)
	c.Check(snap.Problems, gc.HasLen, 0)
	c.Assert(snap.Leases, gc.HasLen, 1)
	c.Check(snap.Leases[0].Name, gc.Equals, "mysql")
	c.Check(snap.Released, jc.DeepEquals, []string{"db", "redis"})
}
