package storetest

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/seed07a61904/leadership/internal/rangetest"
	"github.com/seed07a61904/leadership/lease"
)

// outcome is what an op of a batch must get: nil, lease.ErrInvalid
// (bare), or an error matching is, with the message message if it is
// not empty.
type outcome struct {
	is      error
	message string
}

var (
	applied = outcome{}
	denied  = outcome{is: lease.ErrInvalid}
)

// refused is an outcome matching lease.ErrInvalidArgument with message
// (any message, if empty).
func refused(message string) outcome {
	return outcome{is: lease.ErrInvalidArgument, message: message}
}

// apply applies ops through f's client a as a batch, and checks each
// op's error against want.
func apply(f *fixture, a lease.Client, ops []lease.Op, want []outcome) {
	f.Helper()
	errs := as[lease.Batcher](f, a).ApplyLeases(ops)
	if len(errs) != len(ops) {
		f.Fatalf("ApplyLeases of %d ops returned %d errors: %v", len(ops), len(errs), errs)
	}
	for i, err := range errs {
		what := fmt.Sprintf("op %d (%v %q)", i, ops[i].Kind, ops[i].Lease)
		w := want[i]
		switch {
		case w.is == nil && err != nil:
			f.Errorf("%s: error %v, want it applied", what, err)
		case w.is == lease.ErrInvalid && err != lease.ErrInvalid:
			f.Errorf("%s: error %v, want lease.ErrInvalid (bare)", what, err)
		case w.is != nil && !errors.Is(err, w.is):
			f.Errorf("%s: error %v, want one matching %v", what, err, w.is)
		case w.message != "" && err.Error() != w.message:
			f.Errorf("%s: error %q, want %q", what, err, w.message)
		}
	}
}

func testBatchEmpty(f *fixture) {
	a := f.client("a")
	if errs := as[lease.Batcher](f, a).ApplyLeases(nil); len(errs) != 0 {
		f.Errorf("ApplyLeases of no ops: %v", errs)
	}
}

// A batch of ops of every kind, some applied, some denied, some refused:
// each gets the answer it would have had alone, and the applied ones are
// applied as they would have been alone.
func testBatchEachAsAlone(f *fixture) {
	a := f.client("a")
	as[lease.Batcher](f, a)
	for _, c := range []struct {
		name     string
		duration time.Duration
	}{
		{"held", time.Minute}, {"taken", time.Minute}, {"busy", time.Minute},
		{"mine", time.Minute}, {"expiring", time.Second}, {"revoked", time.Minute},
	} {
		f.ok(a.ClaimLease(c.name, request(c.name+"/0", c.duration)), "ClaimLease "+c.name)
	}
	f.clock.Advance(2 * time.Second)
	now := f.clock.peek()
	forever := time.Duration(math.MaxInt64)
	apply(f, a, []lease.Op{
		{Kind: lease.OpClaim, Lease: "free", Request: request("free/0", time.Minute)},
		{Kind: lease.OpClaim, Lease: "held", Request: request("held/1", time.Minute)},
		{Kind: lease.OpExtend, Lease: "mine", Request: request("mine/0", time.Minute)},
		{Kind: lease.OpExtend, Lease: "taken", Request: request("taken/1", time.Minute)},
		{Kind: lease.OpExpire, Lease: "expiring"},
		{Kind: lease.OpExpire, Lease: "busy"},
		{Kind: lease.OpRevoke, Lease: "revoked", Request: lease.Request{Holder: "revoked/0"}},
		{Kind: lease.OpRevoke, Lease: "nothing", Request: lease.Request{Holder: "nothing/0"}},
		{Kind: lease.OpClaim, Lease: "$bad", Request: request("bad/0", time.Minute)},
		{Kind: lease.OpClaim, Lease: "bad", Request: request("$holder", time.Minute)},
		{Kind: lease.OpClaim, Lease: "far", Request: request("far/0", forever)},
		{Kind: lease.OpExpire, Lease: "odd", Request: request("odd/0", time.Second)},
		{Kind: lease.OpRevoke, Lease: "odder", Request: request("odder/0", time.Second)},
		{Kind: 0, Lease: "oddest"},
	}, []outcome{
		applied, denied, applied, denied, applied, denied, applied, denied,
		refused(`invalid lease name "$bad": '$' at byte 0 (use "-bad" instead); a lease name` + stringRule),
		refused(`invalid request: invalid holder "$holder": '$' at byte 0 (use "-holder" instead); a holder` + stringRule),
		{is: lease.ErrTimeOutOfRange, message: fmt.Sprintf(`expiry %s of lease "far" (clock reading %s plus %v)`, show(now.Add(forever)), show(now), forever) + rangetest.Tail},
		refused(""), refused(""), refused(""),
	})
	b := f.client("b")
	for _, c := range []lease.Client{a, b} {
		f.holds(c, "free", "free/0", now.Add(time.Minute))
		for _, name := range []string{"held", "taken", "busy"} {
			f.holds(c, name, name+"/0", f.start.Add(time.Minute))
		}
		f.holds(c, "mine", "mine/0", now.Add(time.Minute))
		f.count(c, 5)
	}
	if w, ok := b.(lease.ReleaseWatcher); ok {
		f.ok(w.RefreshReleases(), "RefreshReleases")
		if n := w.Releases(); n != 2 {
			f.Errorf("%d releases counted after a batch of an expiry and a revocation, want 2", n)
		}
	}
}

// A second op on a lease already named in the batch is refused, and not
// applied, even if it would have succeeded after the first.
func testBatchOneOpPerLease(f *fixture) {
	a := f.client("a")
	apply(f, a, []lease.Op{
		{Kind: lease.OpClaim, Lease: "x", Request: request("x/0", time.Minute)},
		{Kind: lease.OpClaim, Lease: "x", Request: request("x/1", time.Minute)},
		{Kind: lease.OpClaim, Lease: "y", Request: request("y/0", time.Minute)},
		{Kind: lease.OpExtend, Lease: "y", Request: request("y/0", time.Hour)},
	}, []outcome{applied, refused(""), applied, refused("")})
	for _, c := range []lease.Client{a, f.client("b")} {
		f.holds(c, "x", "x/0", f.start.Add(time.Minute))
		f.holds(c, "y", "y/0", f.start.Add(time.Minute))
	}
}

// A batch from a cache that another client made stale: each op is
// decided again on what the store holds, as it would be alone; a denied
// op leaves the client's cache showing why.
func testBatchStaleCache(f *fixture) {
	a := f.client("a")
	f.ok(a.ClaimLease("w", request("w/0", time.Minute)), "ClaimLease w")
	f.ok(a.ClaimLease("v", request("v/0", time.Minute)), "ClaimLease v")
	b := f.client("b")
	as[lease.Batcher](f, b)
	f.ok(a.ClaimLease("x", request("x/0", time.Minute)), "ClaimLease x")
	f.ok(a.ExtendLease("w", request("w/0", 2*time.Minute)), "ExtendLease w")
	f.ok(a.ExtendLease("v", request("v/0", time.Hour)), "ExtendLease v")
	f.clock.Advance(time.Minute + time.Nanosecond)
	now := f.clock.peek()
	apply(f, b, []lease.Op{
		{Kind: lease.OpClaim, Lease: "x", Request: request("x/1", time.Minute)},
		{Kind: lease.OpExtend, Lease: "w", Request: request("w/0", time.Minute)},
		{Kind: lease.OpExpire, Lease: "v"},
		{Kind: lease.OpClaim, Lease: "y", Request: request("y/0", time.Minute)},
	}, []outcome{denied, applied, denied, applied})
	// a wrote x, v and w before the clock moved on by a minute: b may
	// take each to run out up to that minute later than a wrote, and its
	// extension of w (by a minute, less than a's) goes to that bound.
	window := now.Sub(f.start)
	f.holdsWithin(b, "x", "x/0", f.start.Add(time.Minute), f.start.Add(time.Minute+window))
	f.holdsWithin(b, "v", "v/0", f.start.Add(time.Hour), f.start.Add(time.Hour+window))
	f.holdsWithin(b, "w", "w/0", now.Add(time.Minute), f.start.Add(2*time.Minute+window))
	f.holds(b, "y", "y/0", now.Add(time.Minute))
	f.ok(a.Refresh(), "Refresh")
	f.holdsWithin(a, "w", "w/0", now.Add(time.Minute), f.start.Add(2*time.Minute+window))
	f.holds(a, "y", "y/0", now.Add(time.Minute))
}

// The ops' durations count from the start of the call.
func testBatchCountedFromCallStart(f *fixture) {
	a := f.client("a")
	as[lease.Batcher](f, a)
	f.clock.setStep(time.Second)
	begin := f.clock.peek()
	apply(f, a, []lease.Op{
		{Kind: lease.OpClaim, Lease: "x", Request: request("x/0", time.Minute)},
		{Kind: lease.OpClaim, Lease: "y", Request: request("y/0", time.Hour)},
	}, []outcome{applied, applied})
	end := f.clock.peek()
	f.clock.setStep(0)
	for name, d := range map[string]time.Duration{"x": time.Minute, "y": time.Hour} {
		expiry := f.heldBy(a, name, name+"/0")
		if expiry.Before(begin.Add(d)) || expiry.After(end.Add(d)) {
			f.Errorf("lease %q claimed for %v in a batch from %s to %s expires at %s", name, d, show(begin), show(end), show(expiry))
		}
	}
}

// manyOps is how many ops testBatchMany puts in one batch: more than fit
// in one transaction, for a client that bounds a transaction's size low.
const manyOps = 200

// A long batch of claims, then of revocations, is applied whole (split
// or not).
func testBatchMany(f *fixture) {
	a := f.client("a")
	as[lease.Batcher](f, a)
	claims := make([]lease.Op, manyOps)
	revokes := make([]lease.Op, manyOps)
	want := make([]outcome, manyOps)
	for i := range claims {
		name := fmt.Sprintf("lease-%03d", i)
		claims[i] = lease.Op{Kind: lease.OpClaim, Lease: name, Request: request("holder", time.Minute)}
		revokes[i] = lease.Op{Kind: lease.OpRevoke, Lease: name, Request: lease.Request{Holder: "holder"}}
	}
	apply(f, a, claims, want)
	b := f.client("b")
	f.count(b, manyOps)
	for _, op := range claims {
		f.holds(b, op.Lease, "holder", f.start.Add(time.Minute))
	}
	apply(f, a, revokes, want)
	f.count(a, 0)
	f.ok(b.Refresh(), "Refresh")
	f.count(b, 0)
}

// While the store is down, every op that would reach it fails with an
// error matching lease.ErrUnavailable, and the client's cache keeps what
// it held; an op with a bad argument is refused as ever.
func testBatchWhileStopped(f *fixture) {
	s := f.stopStore()
	a := f.client("a")
	as[lease.Batcher](f, a)
	f.ok(a.ClaimLease("mine", request("mine/0", time.Minute)), "ClaimLease")
	f.ok(s.Stop(), "Stop")
	f.clock.Advance(time.Second)
	unavailable := outcome{is: lease.ErrUnavailable}
	apply(f, a, []lease.Op{
		{Kind: lease.OpExtend, Lease: "mine", Request: request("mine/0", time.Minute)},
		{Kind: lease.OpClaim, Lease: "free", Request: request("free/0", time.Minute)},
		{Kind: lease.OpClaim, Lease: "$bad", Request: request("bad/0", time.Minute)},
	}, []outcome{unavailable, unavailable, refused(`invalid lease name "$bad": '$' at byte 0 (use "-bad" instead); a lease name` + stringRule)})
	f.holds(a, "mine", "mine/0", f.start.Add(time.Minute))
	f.free(a, "free")
	f.ok(s.Restart(), "Restart")
	f.ok(a.Refresh(), "Refresh")
	f.heldBy(a, "mine", "mine/0")
}

// A revocation in a batch aborts the transactions fenced on the lease; a
// claim in a batch fences them.
func testBatchFencing(f *fixture) {
	s, a, op := fenced(f)
	as[lease.Batcher](f, a)
	apply(f, a, []lease.Op{
		{Kind: lease.OpRevoke, Lease: "redis", Request: lease.Request{Holder: "redis/0"}},
		{Kind: lease.OpClaim, Lease: "mysql", Request: request("mysql/0", time.Minute)},
	}, []outcome{applied, applied})
	aborts(f, s, op)
	info, _ := f.view(a, "mysql")
	passes(f, s, info.AssertOp)
}
