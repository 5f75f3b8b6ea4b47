package lease

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

type OpsSuite struct{}

var _ = gc.Suite(&OpsSuite{})

var testScope = scope{collection: "leases", namespace: "ns", id: "me", writeIds: func() bson.ObjectId { return testWriteId }}

// testWriteId is the write id of every write of testScope.
var testWriteId = bson.ObjectId("test-write-1")

// noWriteId is what an op asserts of the write id of a document written
// without one (an earlier version's, or these tests'): null, which
// matches a missing field or a null one.
var noWriteId interface{}

// remoteSkew says that "remote" wrote zero while our clock read between
// zero+1s and zero+1.1s: its times map to [t+1s, t+1.1s] locally.
var remoteSkew = Skew{
	LastWrite:  zero,
	ReadAfter:  zero.Add(time.Second),
	ReadBefore: zero.Add(1100 * time.Millisecond),
}

// written is what the caches of these tests know of the clock
// documents: "me" has its own, and no other writer has.
var written = clockDocs{own: true}

func testCache(e entry) cache {
	return cache{
		entries: map[string]entry{"name": e},
		skews:   map[string]Skew{"me": {}, "remote": remoteSkew},
		clocks:  written,
	}
}

func emptyCache() cache {
	return cache{entries: map[string]entry{}, skews: map[string]Skew{"me": {}}, clocks: written}
}

// clockOp is the clock-write op "me" must put first in a txn at now,
// on its own clock document.
func clockOp(now time.Time) txn.Op {
	return txn.Op{
		C:      "leases",
		Id:     "clock#ns#me#",
		Assert: d("writers.me", d("$lte", now.UnixNano())),
		Update: d(
			"$set", d("writers.me", now.UnixNano()),
			"$inc", d("writes.me", int64(1)),
		),
	}
}

// noTerm is what an op asserts of the term of a document written
// without one (an earlier version's, or these tests'): null, which
// matches a missing field or a null one.
var noTerm interface{}

// claimClockOp is the clock-write op "me" puts in a txn that claims a
// lease at now, in term, taken from the namespace's term floor.
func claimClockOp(now time.Time, term int64) txn.Op {
	op := clockOp(now)
	op.Assert = d("$and", []bson.D{op.Assert.(bson.D), d("$or", []bson.D{
		d("terms", d("$lt", term)),
		d("terms", d("$exists", false)),
	})})
	op.Update = append(op.Update.(bson.D), bson.DocElem{Name: "$max", Value: d("terms", term)})
	return op
}

// floorOp is the op on the shared clock document of a txn of "me" that
// claims a lease in term, taken from the term floor, when no writer has
// its own clock document but "me": the shared floor is below term, and
// no other writer has created its own; it raises the shared floor to
// term.
func floorOp(term int64) txn.Op {
	return txn.Op{
		C:  "leases",
		Id: "clock#ns#",
		Assert: d("$and", []bson.D{
			d("$or", []bson.D{d("terms", d("$lt", term)), d("terms", d("$exists", false))}),
			d("$or", []bson.D{d("clocks", int64(0)), d("clocks", d("$exists", false))}),
		}),
		Update: d("$max", d("terms", term)),
	}
}

// releasedUpdate is the update of a lease document that "me" releases at
// now: the holder emptied, the time of the release and its writer.
func releasedUpdate(now time.Time) bson.D {
	return d("$set", d("holder", "", "expiry", now.UnixNano(), "writer", "me", "writeid", testWriteId))
}

// releaseOp is the clock-write op "me" must put last in a txn that
// releases a lease at now: it counts the release too.
func releaseOp(now time.Time) txn.Op {
	op := clockOp(now)
	op.Update = d(
		"$set", d("writers.me", now.UnixNano()),
		"$inc", d("writes.me", int64(1), "releases", int64(1)),
	)
	return op
}

// leaseOp is the op on the document of lease "name", held by "holder",
// of a write decided on last, its cache entry: it asserts the document
// exactly as cached, so that any write since the read (an extension by
// any writer) aborts it, and applies update.
func leaseOp(last entry, update bson.D) txn.Op {
	return txn.Op{
		C:  "leases",
		Id: "lease#ns#name#",
		Assert: d(
			"holder", "holder",
			"expiry", last.expiry.UnixNano(),
			"writer", last.writer,
			"term", noTerm,
			"writeid", noWriteId,
		),
		Update: update,
	}
}

// checkRefused checks that an op builder refused its request: ErrInvalid,
// and no ops.
func checkRefused(c *gc.C, ops []txn.Op, err error) {
	c.Check(err, gc.Equals, ErrInvalid)
	c.Check(ops, gc.IsNil)
}

func (s *OpsSuite) TestClaimOps(c *gc.C) {
	ops, next, err := claimOps(testScope, emptyCache(), "name", Request{"holder", time.Minute}, zero)
	c.Assert(err, jc.ErrorIsNil)
	want := entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "me", term: 1, write: testWriteId}
	c.Check(next, jc.DeepEquals, want)
	c.Check(ops, jc.DeepEquals, []txn.Op{claimClockOp(zero, 1), floorOp(1), {
		C:      "leases",
		Id:     "lease#ns#name#",
		Assert: txn.DocMissing,
		Insert: leaseDoc{
			Id:        "lease#ns#name#",
			Type:      "lease",
			Namespace: "ns",
			Name:      "name",
			Holder:    "holder",
			Expiry:    zero.Add(time.Minute).UnixNano(),
			Writer:    "me",
			Term:      int64(1),
			WriteId:   testWriteId,
		},
	}})
}

func (s *OpsSuite) TestClaimOpsHeld(c *gc.C) {
	for i, holder := range []string{"holder", "other"} {
		c.Logf("test %d: claim for %s", i, holder)
		held := testCache(entry{holder: "holder", expiry: zero.Add(-time.Hour), writer: "me"})
		ops, _, err := claimOps(testScope, held, "name", Request{holder, time.Minute}, zero)
		checkRefused(c, ops, err)
	}
}

func (s *OpsSuite) TestExtendOps(c *gc.C) {
	local := entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "me"}
	remote := entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "remote"}
	// On our clock, remote's expiry of zero+1m is between zero+61s
	// (earliest) and latest, zero+61.1s (see remoteSkew).
	remoteNow := zero.Add(1200 * time.Millisecond)
	latest := zero.Add(61100 * time.Millisecond)
	type extendCase struct {
		about   string
		last    entry
		request Request
		now     time.Time
		expiry  time.Time
		invalid bool
	}
	// byHolder is a case of the holder extending last at now for d.
	byHolder := func(about string, last entry, now time.Time, d time.Duration, expiry time.Time) extendCase {
		return extendCase{about: about, last: last, request: Request{"holder", d}, now: now, expiry: expiry}
	}
	for i, t := range []extendCase{
		byHolder("local lease, longer", local, zero, 2*time.Minute, zero.Add(2*time.Minute)),
		byHolder("local lease, extended to not by", local, zero.Add(time.Second), time.Minute, zero.Add(time.Minute+time.Second)),
		byHolder("local lease, same expiry is written", local, zero, time.Minute, zero.Add(time.Minute)),
		byHolder("local lease, never shortened: written, padded to the old expiry", local, zero, time.Second, zero.Add(time.Minute)),
		byHolder("remote lease, longer than asked by Earliest: still written, padded to latest", remote, remoteNow, 10*time.Second, latest),
		byHolder("remote lease, between earliest and latest: padded to latest", remote, remoteNow, 59850*time.Millisecond, latest),
		byHolder("remote lease, exactly earliest: padded to latest", remote, remoteNow, 59800*time.Millisecond, latest),
		byHolder("remote lease, exactly latest", remote, remoteNow, 59900*time.Millisecond, latest),
		byHolder("remote lease, simple extension", remote, remoteNow, 10*time.Minute, remoteNow.Add(10*time.Minute)),
		{
			about:   "holder cannot change",
			last:    local,
			request: Request{"other", time.Hour},
			now:     zero,
			invalid: true,
		},
	} {
		c.Logf("test %d: %s", i, t.about)
		ops, next, err := extendOps(testScope, testCache(t.last), "name", t.request, t.now)
		if t.invalid {
			checkRefused(c, ops, err)
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Check(next, jc.DeepEquals, entry{holder: "holder", expiry: t.expiry, writer: "me", write: testWriteId})
		c.Check(next.expiry.Equal(t.expiry), jc.IsTrue)
		c.Check(ops, jc.DeepEquals, []txn.Op{clockOp(t.now), leaseOp(t.last, d("$set", d(
			"expiry", t.expiry.UnixNano(),
			"writer", "me",
			"writeid", testWriteId,
		)))})
	}
}

func (s *OpsSuite) TestExpireOps(c *gc.C) {
	local := entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "me"}
	remote := entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "remote"}
	for i, t := range []struct {
		about   string
		last    entry
		now     time.Time
		invalid bool
	}{{
		about:   "local lease, before expiry",
		last:    local,
		now:     zero,
		invalid: true,
	}, {
		about:   "local lease, at expiry",
		last:    local,
		now:     zero.Add(time.Minute),
		invalid: true,
	}, {
		about: "local lease, 1ns after expiry",
		last:  local,
		now:   zero.Add(time.Minute + 1),
	}, {
		about:   "remote lease, after earliest but at latest",
		last:    remote,
		now:     zero.Add(61100 * time.Millisecond),
		invalid: true,
	}, {
		about: "remote lease, 1ns after latest",
		last:  remote,
		now:   zero.Add(61100*time.Millisecond + 1),
	}} {
		c.Logf("test %d: %s", i, t.about)
		ops, err := expireOps(testScope, testCache(t.last), "name", t.now)
		if t.invalid {
			checkRefused(c, ops, err)
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		c.Check(ops, jc.DeepEquals, []txn.Op{leaseOp(t.last, releasedUpdate(t.now)), releaseOp(t.now)})
	}
}

func (s *OpsSuite) TestRevokeOps(c *gc.C) {
	for i, t := range []struct {
		about   string
		last    entry
		holder  string
		invalid bool
	}{{
		about:  "held by holder, written here, before expiry",
		last:   entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "me"},
		holder: "holder",
	}, {
		about:  "held by holder, written elsewhere, long expired",
		last:   entry{holder: "holder", expiry: zero.Add(-time.Hour), writer: "remote"},
		holder: "holder",
	}, {
		about:   "held by another",
		last:    entry{holder: "other", expiry: zero.Add(time.Minute), writer: "me"},
		holder:  "holder",
		invalid: true,
	}} {
		c.Logf("test %d: %s", i, t.about)
		ops, err := revokeOps(testScope, testCache(t.last), "name", t.holder, zero)
		if t.invalid {
			checkRefused(c, ops, err)
			continue
		}
		c.Assert(err, jc.ErrorIsNil)
		// The document is asserted exactly as cached, as by an
		// expiry: a write since the read (an extension by any
		// writer) aborts the revocation, which is then decided again.
		c.Check(ops, jc.DeepEquals, []txn.Op{leaseOp(t.last, releasedUpdate(zero)), releaseOp(zero)})
	}
}

// TestOpsNotHeld: extending, expiring or revoking a lease that the cache
// does not hold is refused.
func (s *OpsSuite) TestOpsNotHeld(c *gc.C) {
	c.Logf("extend")
	ops, _, err := extendOps(testScope, emptyCache(), "name", Request{"holder", time.Hour}, zero)
	checkRefused(c, ops, err)
	c.Logf("expire")
	ops, err = expireOps(testScope, emptyCache(), "name", zero.Add(time.Hour))
	checkRefused(c, ops, err)
	c.Logf("revoke")
	ops, err = revokeOps(testScope, emptyCache(), "name", "holder", zero)
	checkRefused(c, ops, err)
}

func (s *OpsSuite) TestCreateClockOps(c *gc.C) {
	c.Check(createClockOps(testScope), jc.DeepEquals, []txn.Op{{
		C:      "leases",
		Id:     "clock#ns#",
		Assert: txn.DocMissing,
		Insert: clockDoc{
			Id:        "clock#ns#",
			Type:      "clock",
			Namespace: "ns",
			Writers:   map[string]interface{}{},
		},
	}})
}

func (s *OpsSuite) TestInfo(c *gc.C) {
	cached := testCache(entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "remote"})
	cached.entries["mine"] = entry{holder: "me/0", expiry: zero.Add(time.Hour), writer: "me"}

	info, found := cached.info(testScope, "name")
	c.Assert(found, jc.IsTrue)
	c.Check(info, jc.DeepEquals, Info{
		Holder: "holder",
		Expiry: zero.Add(61100 * time.Millisecond),
		AssertOp: txn.Op{
			C:      "leases",
			Id:     "lease#ns#name#",
			Assert: d("holder", "holder"),
		},
		TermAssertOp: txn.Op{
			C:      "leases",
			Id:     "lease#ns#name#",
			Assert: d("holder", "holder", "term", noTerm),
		},
	})

	info, found = cached.info(testScope, "mine")
	c.Assert(found, jc.IsTrue)
	c.Check(info.Expiry, jc.DeepEquals, zero.Add(time.Hour))

	_, found = cached.info(testScope, "missing")
	c.Check(found, jc.IsFalse)
}
