package storetest

import (
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// An extension holds the lease until its duration from the start of the
// call: to, not by, the duration.
func testExtendToNotBy(f *fixture) {
	a := f.client("a")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Second)), "ClaimLease")
	f.ok(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
	f.clock.Advance(time.Second)
	f.ok(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease a second later")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute+time.Second))
	f.holds(f.client("b"), "redis", "redis/0", f.start.Add(time.Minute+time.Second))
}

// Nobody expired the lease, so its holder can still extend it once its
// expiry has passed.
func testExtendAfterExpiryTime(f *fixture) {
	a := f.client("a")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Second)), "ClaimLease")
	f.clock.Advance(time.Minute)
	f.ok(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease")
	f.holds(a, "redis", "redis/0", f.start.Add(2*time.Minute))
}

func testExtendOtherHolder(f *fixture) {
	a := f.claimedRedis("a")
	f.invalid(a.ExtendLease("redis", request("redis/1", time.Hour)), "ExtendLease by another holder")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
}

func testExtendUnheld(f *fixture) {
	a := f.client("a")
	f.invalid(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease")
	f.count(a, 0)
}

// An extension shorter than what is left succeeds and changes nothing:
// for the extender, nor for a client that reads the lease.
func testExtendNeverShortens(f *fixture) {
	a := f.client("a")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Hour)), "ClaimLease")
	f.ok(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Hour))
	f.holds(f.client("b"), "redis", "redis/0", f.start.Add(time.Hour))
}

// staleHolder returns two clients that both see "redis" claimed by
// "redis/0" for a minute from the start: b's cache holds a's claim.
func staleHolder(f *fixture) (a, b lease.Client) {
	f.Helper()
	a = f.client("a")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	b = f.client("b")
	f.heldBy(b, "redis", "redis/0")
	return a, b
}

// staleExtension returns a case: a holder's lease is extended through a
// for first, then through b, whose cache does not know of that, for
// second. b's extension succeeds (there is nothing to lengthen if second
// is shorter), and both clients see the lease held until the later end.
func staleExtension(first, second time.Duration) func(*fixture) {
	return func(f *fixture) {
		a, b := staleHolder(f)
		end := f.start.Add(first)
		if second > first {
			end = f.start.Add(second)
		}
		f.ok(a.ExtendLease("redis", request("redis/0", first)), "ExtendLease (a)")
		f.ok(b.ExtendLease("redis", request("redis/0", second)), "ExtendLease from a stale cache (b)")
		f.holds(b, "redis", "redis/0", end)
		f.ok(a.Refresh(), "Refresh")
		f.holds(a, "redis", "redis/0", end)
	}
}

// A lease expired through another client cannot be extended from a stale
// cache; the extender then sees it free.
func testExtendStaleAfterExpiry(f *fixture) {
	a, b := staleHolder(f)
	f.clock.Advance(90 * time.Second)
	f.ok(a.ExpireLease("redis"), "ExpireLease (a)")
	f.invalid(b.ExtendLease("redis", request("redis/0", 2*time.Minute)), "ExtendLease from a stale cache (b)")
	f.free(b, "redis")
}

// A lease expired and claimed by another holder through another client
// cannot be extended from a stale cache; the extender then sees the new
// holder.
func testExtendStaleAfterHandover(f *fixture) {
	a, b := staleHolder(f)
	f.clock.Advance(90 * time.Second)
	f.ok(a.ExpireLease("redis"), "ExpireLease (a)")
	f.ok(a.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease (a)")
	f.invalid(b.ExtendLease("redis", request("redis/0", 2*time.Minute)), "ExtendLease from a stale cache (b)")
	f.holds(b, "redis", "redis/1", f.start.Add(150*time.Second))
}

// A client that first reads a lease 30s after it was written extends it
// for 50s, to 20s after the writer's expiry: the writer, whose cache says
// its own expiry has passed, must not be able to expire it.
func testExtendAfterLateRead(f *fixture) {
	a := f.claimedRedis("a")
	f.clock.Advance(30 * time.Second)
	b := f.client("b")
	f.ok(b.ExtendLease("redis", request("redis/0", 50*time.Second)), "ExtendLease (b)")
	f.clock.Advance(30*time.Second + time.Nanosecond)
	f.invalid(a.ExpireLease("redis"), "ExpireLease from a stale cache (a)")
	f.heldBy(a, "redis", "redis/0")
}
