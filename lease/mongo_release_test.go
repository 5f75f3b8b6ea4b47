package lease

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

type ReleaseSuite struct{}

var _ = gc.Suite(&ReleaseSuite{})

// TestDecodeReleases: a clock document written before releases were
// counted, or in which no counting client has released a lease, has no
// count, and reads as zero; a count of another type makes the document
// corrupt, naming it.
func (s *ReleaseSuite) TestDecodeReleases(c *gc.C) {
	base := func(extra ...interface{}) bson.D {
		doc := d("_id", "clock#ns#", "type", "clock", "namespace", "ns",
			"writers", d("a", int64(1)), "writes", d("a", int64(3)))
		return append(doc, d(extra...)...)
	}
	for i, t := range []struct {
		about string
		doc   bson.D
		want  int64
		err   string
	}{{
		about: "written before releases were counted",
		doc:   base(),
	}, {
		about: "new, as createClockOps inserts it",
		doc:   d("_id", "clock#ns#", "type", "clock", "namespace", "ns", "writers", d()),
	}, {
		about: "int64",
		doc:   base("releases", int64(1)<<40),
		want:  1 << 40,
	}, {
		about: "int32, as a small $inc may leave it",
		doc:   base("releases", int32(7)),
		want:  7,
	}, {
		about: "a string",
		doc:   base("releases", "7"),
		err:   `corrupt clock document "clock#ns#": invalid release count 7 \(a string, not an integer\)`,
	}, {
		about: "a float",
		doc:   base("releases", 7.5),
		err:   `corrupt clock document "clock#ns#": invalid release count 7.5 \(a float64, not an integer\)`,
	}} {
		c.Logf("test %d: %s", i, t.about)
		got, err := decodeReleases(raw(t.doc))
		if t.err != "" {
			c.Check(err, gc.ErrorMatches, t.err)
			continue
		}
		c.Check(err, jc.ErrorIsNil)
		c.Check(got, gc.Equals, t.want)
		// The rest of the document reads as it did before counting.
		_, _, err = decodeClockDoc(raw(t.doc))
		c.Check(err, jc.ErrorIsNil)
	}
}

// TestReleaseOpsOrder: a transaction that releases a lease empties its
// holder before it counts the release, so that a reader that sees the
// count finds the lease released; a claim and an extension still write
// the clock first, so that a lease never appears before its writer's
// time.
func (s *ReleaseSuite) TestReleaseOpsOrder(c *gc.C) {
	cached := testCache(entry{holder: "holder", expiry: zero.Add(-1), writer: "me"})
	expire, err := expireOps(testScope, cached, "name", zero)
	c.Assert(err, jc.ErrorIsNil)
	revoke, err := revokeOps(testScope, cached, "name", "holder", zero)
	c.Assert(err, jc.ErrorIsNil)
	for _, ops := range [][]txn.Op{expire, revoke} {
		c.Assert(ops, gc.HasLen, 2)
		c.Check(ops[0].Update, jc.DeepEquals, releasedUpdate(zero))
		c.Check(ops[1], jc.DeepEquals, releaseOp(zero))
	}
	claim, _, err := claimOps(testScope, emptyCache(), "name", Request{"holder", 1}, zero)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(claim[0], jc.DeepEquals, claimClockOp(zero, 1))
	extend, _, err := extendOps(testScope, cached, "name", Request{"holder", 1}, zero)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(extend[0], jc.DeepEquals, clockOp(zero))
}
