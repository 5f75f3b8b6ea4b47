package storetest

import (
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// A revocation frees the lease at once, long before its expiry: another
// client sees it free at its next read, and can claim it.
func testRevokeBeforeExpiry(f *fixture) {
	a := f.claimedRedis("a")
	f.ok(as[lease.Revoker](f, a).RevokeLease("redis", "redis/0"), "RevokeLease")
	f.free(a, "redis")
	f.count(a, 0)
	b := f.client("b")
	f.free(b, "redis")
	f.ok(b.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease (b)")
}

func testRevokeOtherHolderOrUnheld(f *fixture) {
	a := f.claimedRedis("a")
	r := as[lease.Revoker](f, a)
	f.invalid(r.RevokeLease("redis", "redis/1"), "RevokeLease of another holder")
	f.invalid(r.RevokeLease("mysql", "mysql/0"), "RevokeLease of a lease not held")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
}

// A revocation from a cache made stale by an extension for the same
// holder applies.
func testRevokeStaleAfterExtension(f *fixture) {
	a, b := staleHolder(f)
	f.clock.Advance(time.Second)
	f.ok(a.ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease (a)")
	f.ok(as[lease.Revoker](f, b).RevokeLease("redis", "redis/0"), "RevokeLease from a stale cache (b)")
	f.free(b, "redis")
	f.ok(a.Refresh(), "Refresh (a)")
	f.free(a, "redis")
}

// A revocation from a cache made stale by a handover to another holder
// fails; the new holder keeps the lease, and the revoker sees it.
func testRevokeStaleAfterHandover(f *fixture) {
	a, b := staleHolder(f)
	f.ok(as[lease.Revoker](f, a).RevokeLease("redis", "redis/0"), "RevokeLease (a)")
	f.ok(a.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease (a)")
	f.invalid(as[lease.Revoker](f, b).RevokeLease("redis", "redis/0"), "RevokeLease from a stale cache (b)")
	f.holds(b, "redis", "redis/1", f.start.Add(time.Minute))
	f.ok(a.Refresh(), "Refresh (a)")
	f.holds(a, "redis", "redis/1", f.start.Add(time.Minute))
}
