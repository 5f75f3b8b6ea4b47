package storetest

import (
	"time"
)

// Reaching the expiry is not enough: it must have passed. Once expired,
// the lease is not held, and cannot be expired again.
func testExpireStrictlyAfterExpiry(f *fixture) {
	a := f.claimedRedis("a")
	f.clock.Advance(time.Minute)
	f.invalid(a.ExpireLease("redis"), "ExpireLease at the expiry")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
	f.clock.Advance(time.Nanosecond)
	f.ok(a.ExpireLease("redis"), "ExpireLease after the expiry")
	f.free(a, "redis")
	f.count(a, 0)
	f.invalid(a.ExpireLease("redis"), "ExpireLease again")
}

func testExpireUnheld(f *fixture) {
	a := f.client("a")
	f.invalid(a.ExpireLease("redis"), "ExpireLease")
}

// A client made after an expiry sees the lease free.
func testExpireSeenByNewClient(f *fixture) {
	a := f.claimedRedis("a")
	f.clock.Advance(time.Minute + time.Nanosecond)
	f.ok(a.ExpireLease("redis"), "ExpireLease")
	b := f.client("b")
	f.free(b, "redis")
	f.count(b, 0)
}

// A client whose cache says a lease has expired, when another client has
// extended it since, cannot expire it, and then sees the extension.
func testExpireStaleAfterExtension(f *fixture) {
	a, b := staleHolder(f)
	f.clock.Advance(90 * time.Second)
	f.ok(a.ExtendLease("redis", request("redis/0", 30*time.Second)), "ExtendLease (a)")
	f.invalid(b.ExpireLease("redis"), "ExpireLease from a stale cache (b)")
	f.holds(b, "redis", "redis/0", f.start.Add(2*time.Minute))
}

// A lease expired through another client cannot be expired again from a
// stale cache; the client then sees it free.
func testExpireStaleAlreadyExpired(f *fixture) {
	a, b := staleHolder(f)
	f.clock.Advance(90 * time.Second)
	f.ok(a.ExpireLease("redis"), "ExpireLease (a)")
	f.invalid(b.ExpireLease("redis"), "ExpireLease from a stale cache (b)")
	f.free(b, "redis")
	f.count(b, 0)
}

// A lease expired and claimed again, for the same holder, through
// another client cannot be expired from a stale cache; the client then
// sees the new claim.
func testExpireStaleAfterReclaim(f *fixture) {
	a, b := staleHolder(f)
	f.clock.Advance(90 * time.Second)
	f.ok(a.ExpireLease("redis"), "ExpireLease (a)")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease (a)")
	f.invalid(b.ExpireLease("redis"), "ExpireLease from a stale cache (b)")
	f.holds(b, "redis", "redis/0", f.start.Add(150*time.Second))
}
