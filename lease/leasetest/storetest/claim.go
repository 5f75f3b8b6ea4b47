package storetest

import (
	"time"
)

// A claim of a free lease holds it for its duration from the clock
// reading the call started at.
func testClaimFree(f *fixture) {
	a := f.client("a")
	f.free(a, "redis")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
	f.count(a, 1)
}

func testClaimSeveral(f *fixture) {
	a := f.client("a")
	for _, c := range []struct {
		name, holder string
		duration     time.Duration
	}{
		{"short", "holder", time.Second},
		{"medium", "grasper", time.Minute},
		{"long", "clutcher", time.Hour},
	} {
		f.ok(a.ClaimLease(c.name, request(c.holder, c.duration)), "ClaimLease "+c.name)
	}
	f.holds(a, "short", "holder", f.start.Add(time.Second))
	f.holds(a, "medium", "grasper", f.start.Add(time.Minute))
	f.holds(a, "long", "clutcher", f.start.Add(time.Hour))
	f.count(a, 3)
}

// A held lease cannot be claimed, by another holder or by its own, and
// stays held once its expiry has passed, until it is expired.
func testClaimHeld(f *fixture) {
	a := f.claimedRedis("a")
	f.invalid(a.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease by another holder")
	f.invalid(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease by the holder")
	f.clock.Advance(time.Hour)
	f.invalid(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease after the expiry")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
}

// The duration counts from the start of the call, whatever time passes
// during it: the claimer's view holds the lease at least that long, and
// no longer than the duration from the end of the call; another client
// cannot expire the lease before the start plus the duration.
func testClaimCountedFromCallStart(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.clock.setStep(time.Second) // every reading of the clock takes a second
	begin := f.clock.peek()
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	end := f.clock.peek()
	f.clock.setStep(0)
	expiry := f.heldBy(a, "redis", "redis/0")
	if expiry.Before(begin.Add(time.Minute)) || expiry.After(end.Add(time.Minute)) {
		f.Errorf("a claim for 1m made from %s to %s expires at %s", show(begin), show(end), show(expiry))
	}
	f.clock.Set(begin.Add(time.Minute))
	f.ok(b.Refresh(), "Refresh")
	f.invalid(b.ExpireLease("redis"), "ExpireLease at the start of the claim plus its duration")
	f.heldBy(b, "redis", "redis/0")
}

// A client whose cache does not know of a claim made through another
// refuses to claim the lease, and then knows who holds it.
func testClaimStale(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.free(b, "redis")
	f.invalid(b.ClaimLease("redis", request("redis/1", time.Second)), "ClaimLease from a stale cache")
	f.holds(b, "redis", "redis/0", f.start.Add(time.Minute))
}

// A client made after a claim sees the lease held.
func testClaimSeenByNewClient(f *fixture) {
	f.claimedRedis("a")
	f.holds(f.client("b"), "redis", "redis/0", f.start.Add(time.Minute))
}
