package storetest

import (
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// The store counts the leases expired or revoked through any client; a
// client sees the count when it reads it. Claims, extensions and refused
// operations leave it as it is.
func testReleasesCounted(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	wa, wb := as[lease.ReleaseWatcher](f, a), as[lease.ReleaseWatcher](f, b)
	r := as[lease.Revoker](f, a)
	count := func(w lease.ReleaseWatcher, want int64, when string) {
		f.Helper()
		f.ok(w.RefreshReleases(), "RefreshReleases")
		if got := w.Releases(); got != want {
			f.Errorf("%s: %d releases counted, want %d", when, got, want)
		}
	}
	if n := wb.Releases(); n != 0 {
		f.Errorf("a new client of an empty store counts %d releases", n)
	}
	count(wb, 0, "before any write")

	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.ok(a.ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease")
	f.invalid(r.RevokeLease("redis", "redis/1"), "RevokeLease of another holder")
	count(wb, 0, "after a claim, an extension and a refused revocation")

	f.ok(r.RevokeLease("redis", "redis/0"), "RevokeLease")
	if n := wb.Releases(); n != 0 {
		f.Errorf("Releases read the store: %d releases counted before RefreshReleases", n)
	}
	count(wb, 1, "after a revocation")

	f.ok(a.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease")
	f.ok(b.Refresh(), "Refresh")
	f.clock.Advance(time.Minute + time.Nanosecond)
	f.ok(b.ExpireLease("redis"), "ExpireLease (b)")
	f.invalid(a.ExpireLease("redis"), "ExpireLease from a stale cache (a)")
	count(wa, 2, "after an expiry through the other client")
	count(wb, 2, "after an expiry")
}
