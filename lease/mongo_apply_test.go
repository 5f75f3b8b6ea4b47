package lease

import (
	"errors"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"
)

// ApplySuite checks what ApplyLeases decides and writes without a
// database: a scripted Mongo answers the transactions, and a test that
// would read the store fails (scriptedMongo.GetCollection panics). The
// reads after an abort are tested on the embedded server, in
// integration/leaseclient.
type ApplySuite struct{}

var _ = gc.Suite(&ApplySuite{})

// stoppedClock reads one time.
type stoppedClock struct{ now time.Time }

func (c stoppedClock) Now() time.Time                   { return c.now }
func (c stoppedClock) Alarm(time.Time) <-chan time.Time { panic("no alarms") }

// applyClient returns a client of testScope whose cache holds "held" (by
// "holder", written by "me", expiring a minute after zero) and "gone"
// (released), whose clock reads now, and whose Mongo answers results.
func applyClient(now time.Time, results ...error) (*client, *scriptedMongo) {
	mongo := &scriptedMongo{results: results}
	c := &client{
		config: ClientConfig{Id: "me", Namespace: "ns", Collection: "leases", Mongo: mongo, Clock: stoppedClock{now}},
		scope:  testScope,
		cache:  newCache(),
	}
	c.cache.skews["me"] = Skew{}
	c.cache.clocks = written
	c.cache.put("held", entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "me"}, true)
	c.cache.put("gone", entry{holder: "", expiry: zero, writer: "me"}, true)
	return c, mongo
}

func (s *ApplySuite) TestRefusedFirstLikeTheSingleMethods(c *gc.C) {
	cl, mongo := applyClient(zero, nil)
	ops := []Op{
		{Kind: OpClaim, Lease: "a b", Request: Request{"h", time.Minute}},
		{Kind: OpClaim, Lease: "new", Request: Request{"h x", time.Minute}},
		{Kind: OpExtend, Lease: "held", Request: Request{"holder", 0}},
		{Kind: OpExpire, Lease: "held", Request: Request{Holder: "h"}},
		{Kind: OpRevoke, Lease: "held", Request: Request{"holder", time.Second}},
		{Kind: OpKind(9), Lease: "x"},
		{Kind: OpClaim, Lease: "fresh", Request: Request{"h", time.Minute}},
		{Kind: OpClaim, Lease: "fresh", Request: Request{"h", time.Minute}},
	}
	errs := cl.ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, len(ops))
	single := []error{
		cl.ClaimLease("a b", ops[0].Request),
		cl.ClaimLease("new", ops[1].Request),
		cl.ExtendLease("held", ops[2].Request),
	}
	for i, err := range single {
		c.Check(errs[i], gc.ErrorMatches, quote(err.Error()), gc.Commentf("op %d", i))
	}
	c.Check(errs[1], gc.ErrorMatches, `invalid request: invalid holder "h x": .*`)
	c.Check(errs[3], gc.ErrorMatches, `invalid expire op on lease "held": its request must be zero, not .*`)
	c.Check(errs[4], gc.ErrorMatches, `invalid revoke op on lease "held": its duration must be zero, not 1s`)
	c.Check(errs[5], gc.ErrorMatches, `invalid op kind OpKind\(9\): must be OpClaim, OpExtend, OpExpire or OpRevoke`)
	c.Check(errs[6], jc.ErrorIsNil)
	c.Check(errs[7], gc.ErrorMatches, `invalid claim op 7 on lease "fresh": op 6 names the same lease; every op of a batch must name a different lease`)
	for i, err := range errs {
		if i != 6 {
			c.Check(errors.Is(err, ErrInvalidArgument), jc.IsTrue, gc.Commentf("op %d: %v", i, err))
		}
	}
	// Only op 6 was written, in the one transaction.
	c.Assert(mongo.ran, gc.HasLen, 1)
	c.Check(mongo.ran[0], gc.HasLen, 3)
	c.Check(mongo.ran[0][2].Id, gc.Equals, "lease#ns#fresh#")
}

// TestOneTransaction: the writes of a batch go in one transaction,
// releases first, then one clock op that counts them, then claims and
// extensions; each op is the one the single method would send. Claims
// whose terms come from the floor go in a second transaction, after the
// others. The cache then has what was written.
func (s *ApplySuite) TestOneTransaction(c *gc.C) {
	now := zero.Add(2 * time.Minute)
	cl, mongo := applyClient(now, nil, nil)
	cl.cache.put("revoked", entry{holder: "r", expiry: zero.Add(time.Hour), writer: "me"}, true)
	cl.cache.put("kept", entry{holder: "k", expiry: zero.Add(time.Hour), writer: "me"}, true)
	before := cl.cache
	newClaim, _, err := claimOps(testScope, before, "new", Request{"n", time.Minute}, now)
	c.Assert(err, jc.ErrorIsNil)
	expire, err := expireOps(testScope, before, "held", now)
	c.Assert(err, jc.ErrorIsNil)
	keptClaim, _, err := claimOps(testScope, before, "gone", Request{"g", time.Minute}, now)
	c.Assert(err, jc.ErrorIsNil)
	revoke, err := revokeOps(testScope, before, "revoked", "r", now)
	c.Assert(err, jc.ErrorIsNil)
	extend, _, err := extendOps(testScope, before, "kept", Request{"k", 2 * time.Hour}, now)
	c.Assert(err, jc.ErrorIsNil)

	errs := cl.ApplyLeases([]Op{
		{Kind: OpClaim, Lease: "new", Request: Request{"n", time.Minute}},
		{Kind: OpExpire, Lease: "held"},
		{Kind: OpClaim, Lease: "gone", Request: Request{"g", time.Minute}},
		{Kind: OpRevoke, Lease: "revoked", Request: Request{Holder: "r"}},
		{Kind: OpExtend, Lease: "kept", Request: Request{"k", 2 * time.Hour}},
	})
	c.Check(errs, jc.DeepEquals, []error{nil, nil, nil, nil, nil})
	c.Assert(mongo.ran, gc.HasLen, 2)
	clock := clockOp(now)
	clock.Update = d(
		"$set", d("writers.me", now.UnixNano()),
		"$inc", d("writes.me", int64(1), "releases", int64(2)),
	)
	c.Check(mongo.ran[0], jc.DeepEquals, []txn.Op{expire[0], revoke[0], clock, extend[1]})
	c.Check(mongo.ran[1], jc.DeepEquals, []txn.Op{claimClockOp(now, 1), floorOp(1), newClaim[2], keptClaim[2]})
	// A released lease's claim updates its document.
	c.Check(keptClaim[2].Insert, gc.IsNil)
	c.Check(keptClaim[2].Assert, jc.DeepEquals, d("holder", "", "term", noTerm))

	c.Check(cl.Leases(), gc.HasLen, 3)
	for name, holder := range map[string]string{"new": "n", "gone": "g", "kept": "k"} {
		info, held := cl.Lease(name)
		c.Check(held, jc.IsTrue, gc.Commentf("%s", name))
		c.Check(info.Holder, gc.Equals, holder)
	}
	c.Check(cl.cache.released, jc.DeepEquals, map[string]bool{"held": true, "revoked": true})
}

// TestDeniedDoesNotFailTheOthers: writes the cache decides against
// (ErrInvalid, bare, as from the single methods) and one whose expiry the
// store cannot hold are answered without a read; the rest are written.
func (s *ApplySuite) TestDeniedDoesNotFailTheOthers(c *gc.C) {
	cl, mongo := applyClient(zero, nil)
	errs := cl.ApplyLeases([]Op{
		{Kind: OpClaim, Lease: "held", Request: Request{"other", time.Minute}},
		{Kind: OpExpire, Lease: "held-too-soon"},
		{Kind: OpExtend, Lease: "missing", Request: Request{"holder", time.Minute}},
		{Kind: OpRevoke, Lease: "gone", Request: Request{Holder: "holder"}},
		{Kind: OpClaim, Lease: "far", Request: Request{"h", 200 * 365 * 24 * time.Hour}},
		{Kind: OpClaim, Lease: "new", Request: Request{"h", time.Minute}},
	})
	c.Assert(errs, gc.HasLen, 6)
	for i := 0; i < 4; i++ {
		c.Check(errs[i] == ErrInvalid, jc.IsTrue, gc.Commentf("op %d: %v", i, errs[i]))
	}
	c.Check(errors.Is(errs[4], ErrTimeOutOfRange), jc.IsTrue, gc.Commentf("%v", errs[4]))
	c.Check(errs[5], jc.ErrorIsNil)
	c.Assert(mongo.ran, gc.HasLen, 1)
	// The claim of "new" takes its term from the floor: the ops on the
	// writer's own clock document and on the shared one, and the lease's.
	c.Check(mongo.ran[0], gc.HasLen, 3)
}

// TestAllDeniedWritesNothing: a batch whose every write is refused or
// denied runs no transaction.
func (s *ApplySuite) TestAllDeniedWritesNothing(c *gc.C) {
	cl, mongo := applyClient(zero)
	errs := cl.ApplyLeases([]Op{
		{Kind: OpClaim, Lease: "held", Request: Request{"other", time.Minute}},
		{Kind: OpExpire, Lease: "nothing"},
	})
	c.Check(errs, jc.DeepEquals, []error{ErrInvalid, ErrInvalid})
	c.Check(mongo.ran, gc.HasLen, 0)
	c.Check(cl.ApplyLeases(nil), gc.HasLen, 0)
}

// TestClockOutOfRange: a clock reading the store cannot hold refuses
// every write, writing nothing.
func (s *ApplySuite) TestClockOutOfRange(c *gc.C) {
	cl, mongo := applyClient(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
	errs := cl.ApplyLeases([]Op{
		{Kind: OpClaim, Lease: "new", Request: Request{"h", time.Minute}},
		{Kind: OpRevoke, Lease: "held", Request: Request{Holder: "holder"}},
	})
	c.Assert(errs, gc.HasLen, 2)
	for _, err := range errs {
		c.Check(errors.Is(err, ErrTimeOutOfRange), jc.IsTrue, gc.Commentf("%v", err))
	}
	c.Check(mongo.ran, gc.HasLen, 0)
}

// TestUnknownOutcome: a transaction the store did not answer gives every
// write of it the error, matching ErrUnavailable, and leaves the cache as
// it was: the next write of each lease asserts what the cache holds.
func (s *ApplySuite) TestUnknownOutcome(c *gc.C) {
	cl, mongo := applyClient(zero, errors.New("no reachable servers"))
	before := map[string]Info{}
	for name, info := range cl.Leases() {
		before[name] = info
	}
	errs := cl.ApplyLeases([]Op{
		{Kind: OpClaim, Lease: "new", Request: Request{"h", time.Minute}},
		{Kind: OpRevoke, Lease: "held", Request: Request{Holder: "holder"}},
		{Kind: OpClaim, Lease: "gone", Request: Request{"h", time.Minute}},
	})
	c.Assert(errs, gc.HasLen, 3)
	for _, err := range errs {
		c.Check(errors.Is(err, ErrUnavailable), jc.IsTrue, gc.Commentf("%v", err))
		c.Check(err, gc.ErrorMatches, "lease store unavailable: no reachable servers")
	}
	c.Check(mongo.ran, gc.HasLen, 1)
	c.Check(cl.Leases(), jc.DeepEquals, before)
	c.Check(cl.cache.released, jc.DeepEquals, map[string]bool{"gone": true})
}

// TestSplit: a batch of more than MaxBatchOps writes goes in several
// transactions, in order, each with its clock op.
func (s *ApplySuite) TestSplit(c *gc.C) {
	n := 2*MaxBatchOps + 2
	results := []error{nil, nil, nil}
	cl, mongo := applyClient(zero, results...)
	ops := make([]Op, n)
	for i := range ops {
		ops[i] = Op{Kind: OpClaim, Lease: strings.Repeat("x", i+1), Request: Request{"h", time.Minute}}
	}
	// A denied write does not take a place in a transaction.
	ops[3] = Op{Kind: OpClaim, Lease: "held", Request: Request{"h", time.Minute}}
	errs := cl.ApplyLeases(ops)
	c.Assert(errs, gc.HasLen, n)
	for i, err := range errs {
		if i == 3 {
			c.Check(err, gc.Equals, ErrInvalid)
		} else {
			c.Check(err, jc.ErrorIsNil)
		}
	}
	c.Assert(len(mongo.ran), gc.Equals, 3)
	// Each claims a new lease, with a term from the floor: the op on
	// the writer's own clock document, then the one on the shared one.
	c.Check(len(mongo.ran[0]), gc.Equals, MaxBatchOps+2)
	c.Check(len(mongo.ran[1]), gc.Equals, MaxBatchOps+2)
	c.Check(len(mongo.ran[2]), gc.Equals, 3)
	c.Check(mongo.ran[0][0].Id, gc.Equals, "clock#ns#me#")
	c.Check(mongo.ran[2][0].Id, gc.Equals, "clock#ns#me#")
	c.Check(mongo.ran[0][1].Id, gc.Equals, "clock#ns#")
	c.Check(mongo.ran[0][2].Id, gc.Equals, leaseDocId("ns", "x"))
	c.Check(mongo.ran[2][2].Id, gc.Equals, leaseDocId("ns", strings.Repeat("x", n)))
}

// TestTransactionSizeBound: a transaction of MaxBatchOps writes, with
// every string at MaxStringLen, is far below MongoDB's 16 MiB document
// limit in mgo/txn's transaction document, which holds every op.
func (s *ApplySuite) TestTransactionSizeBound(c *gc.C) {
	long := func(c byte) string { return strings.Repeat(string(c), MaxStringLen) }
	sc := scope{collection: long('c'), namespace: long('n'), id: long('i')}
	cached := newCache()
	now := zero
	var claims, extends []leaseWrite
	for i := 0; i < MaxBatchOps; i++ {
		name := long('a' + byte(i%26))[:MaxStringLen-3] + string(rune('A'+i/26)) + "xy"
		w, err := claimWrite(sc, cached, name, Request{long('h'), time.Minute}, now)
		c.Assert(err, jc.ErrorIsNil)
		claims = append(claims, w)
		held := newCache()
		held.put(name, entry{holder: long('h'), expiry: zero, writer: long('w')}, true)
		w, err = extendWrite(sc, held, name, Request{long('h'), time.Minute}, now)
		c.Assert(err, jc.ErrorIsNil)
		extends = append(extends, w)
	}
	for _, writes := range [][]leaseWrite{claims, extends} {
		ops, err := sc.transactionOps(writes, now, written)
		c.Assert(err, jc.ErrorIsNil)
		data, err := bson.Marshal(bson.M{"_id": bson.NewObjectId(), "s": 1, "o": ops, "n": "0123456789abcdef"})
		c.Assert(err, jc.ErrorIsNil)
		c.Logf("%d writes: %d bytes", len(writes), len(data))
		c.Check(len(data) < 16<<20/10, jc.IsTrue, gc.Commentf("%d bytes", len(data)))
	}
}

// TestAssertionHolds: a write's assertion, checked against a cache read
// after an abort, fails exactly when the store no longer holds the state
// the write was decided on.
func (s *ApplySuite) TestAssertionHolds(c *gc.C) {
	held := entry{holder: "holder", expiry: zero.Add(time.Minute), writer: "me"}
	cached := func(e entry, doc bool) cache {
		c := newCache()
		c.skews["me"] = Skew{}
		c.put("name", e, doc)
		return c
	}
	missing := cached(entry{}, false)
	released := cached(entry{expiry: zero, writer: "me"}, true)
	heldHere := cached(held, true)
	extended := held
	extended.expiry = zero.Add(time.Hour)
	extended.writer = "other"
	heldExtended := cached(extended, true)
	other := held
	other.holder = "other"
	heldOther := cached(other, true)
	// The same instant, in another zone, as a read returns it.
	readBack := held
	readBack.expiry = toTime(toInt64(held.expiry))
	heldReadBack := cached(readBack, true)
	// Written again since, to an equal state (a writer whose clock
	// stepped back): only the write id tells it apart.
	rewritten := held
	rewritten.write = bson.NewObjectId()
	heldRewritten := cached(rewritten, true)

	build := func(f func(cache) (leaseWrite, error), from cache) leaseWrite {
		w, err := f(from)
		c.Assert(err, jc.ErrorIsNil)
		return w
	}
	late := zero.Add(2 * time.Minute)
	claim := func(from cache) (leaseWrite, error) {
		return claimWrite(testScope, from, "name", Request{"h", time.Minute}, zero)
	}
	extend := func(from cache) (leaseWrite, error) {
		return extendWrite(testScope, from, "name", Request{"holder", time.Minute}, zero)
	}
	expire := func(from cache) (leaseWrite, error) { return expireWrite(testScope, from, "name", late) }
	revoke := func(from cache) (leaseWrite, error) { return revokeWrite(testScope, from, "name", "holder", zero) }

	for i, t := range []struct {
		about string
		w     leaseWrite
		now   cache
		holds bool
	}{
		{"claim of a missing lease, still missing", build(claim, missing), missing, true},
		{"claim of a missing lease, now released", build(claim, missing), released, false},
		{"claim of a missing lease, now held", build(claim, missing), heldHere, false},
		{"claim of a released lease, still released", build(claim, released), released, true},
		{"claim of a released lease, now missing", build(claim, released), missing, false},
		{"claim of a released lease, now held", build(claim, released), heldHere, false},
		{"extension, unchanged", build(extend, heldHere), heldHere, true},
		{"extension, unchanged, read back in another zone", build(extend, heldHere), heldReadBack, true},
		{"extension, extended by another writer", build(extend, heldHere), heldExtended, false},
		{"extension, written again to an equal state", build(extend, heldHere), heldRewritten, false},
		{"extension, released", build(extend, heldHere), released, false},
		{"expiry, unchanged", build(expire, heldHere), heldHere, true},
		{"expiry, extended", build(expire, heldHere), heldExtended, false},
		{"expiry, written again to an equal state", build(expire, heldHere), heldRewritten, false},
		{"expiry, missing", build(expire, heldHere), missing, false},
		{"revocation, unchanged", build(revoke, heldHere), heldHere, true},
		{"revocation, extended by another writer", build(revoke, heldHere), heldExtended, false},
		{"revocation, another holder", build(revoke, heldHere), heldOther, false},
		{"revocation, written again to an equal state", build(revoke, heldHere), heldRewritten, false},
		{"revocation, released", build(revoke, heldHere), released, false},
	} {
		c.Check(t.w.assertionHolds(t.now), gc.Equals, t.holds, gc.Commentf("test %d: %s", i, t.about))
	}
}

// TestNoReadForALoneWriteOutOfAttempts: a batch of one that has used up
// its attempts is answered without reading the store, as a single-lease
// method is after its last abort.
func (s *ApplySuite) TestNoReadForALoneWriteOutOfAttempts(c *gc.C) {
	cl, mongo := applyClient(zero, txn.ErrAborted)
	p := &pending{op: Op{Kind: OpExtend, Lease: "held", Request: Request{"holder", time.Hour}}, aborts: maxAttempts - 1}
	var err error
	p.answer = &err
	c.Assert(cl.build(p, zero), jc.IsTrue)
	cl.runBatch([]*pending{p}, zero)
	c.Check(errors.Is(err, ErrExcessiveContention), jc.IsTrue, gc.Commentf("%v", err))
	c.Check(mongo.ran, gc.HasLen, 1)
}

var _ Clock = stoppedClock{}
