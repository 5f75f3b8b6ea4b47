package storetest

import (
	"fmt"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// fingerprint writes down everything Leases says, deeply, so that a
// change to what it shares with the cache shows.
func fingerprint(leases map[string]lease.Info) string {
	return fmt.Sprintf("%s %#v", describeAll(leases), leases)
}

// The map Leases returns, and the Infos in it, are the caller's: changing
// them changes nothing the client reports.
func testLeasesIsTheCallersCopy(f *fixture) {
	a := f.claimedRedis("a")
	f.ok(a.ClaimLease("mysql", request("mysql/0", time.Hour)), "ClaimLease")
	want := fingerprint(a.Leases())

	spoil := func(info lease.Info) lease.Info {
		info.Holder = "spoilt"
		info.Expiry = info.Expiry.Add(time.Hour)
		if assert, ok := info.AssertOp.Assert.(bson.D); ok && len(assert) > 0 {
			assert[0].Value = "spoilt"
		}
		return info
	}
	leases := a.Leases()
	delete(leases, "redis")
	leases["mysql"] = spoil(leases["mysql"])
	leases["pgsql"] = lease.Info{Holder: "pgsql/0"}
	if r, ok := a.(lease.Reader); ok {
		info, _ := r.Lease("redis")
		spoil(info)
	}
	if got := fingerprint(a.Leases()); got != want {
		f.Errorf("changing what Leases returned changed the client's leases:\nbefore: %s\nafter:  %s", want, got)
	}
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute))
}

// Leases (and Lease) report the client's cache, without reading the
// store: a write through another client shows only after a Refresh.
func testCacheOnlyUntilRefresh(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.free(b, "redis")
	f.ok(b.Refresh(), "Refresh")
	f.holds(b, "redis", "redis/0", f.start.Add(time.Minute))
	f.clock.Advance(time.Minute + time.Nanosecond)
	f.ok(a.ExpireLease("redis"), "ExpireLease")
	f.holds(b, "redis", "redis/0", f.start.Add(time.Minute))
	f.ok(b.Refresh(), "Refresh")
	f.free(b, "redis")
	f.count(b, 0)
}

// With clocks that agree, a client that reads the leases sees them as
// their writer does: the same holders, expiries and AssertOps.
func testRefreshSeesWhatTheWriterSees(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.ok(a.ClaimLease("mysql", request("mysql/0", time.Hour)), "ClaimLease")
	f.ok(b.Refresh(), "Refresh")
	if wrote, read := a.Leases(), b.Leases(); !sameLeases(wrote, read) {
		f.Errorf("the reader sees %s (%#v), the writer %s (%#v)", describeAll(read), read, describeAll(wrote), wrote)
	}
}

// Lease reports one cached lease as Leases does, and not held for a lease
// the cache does not hold.
func testReader(f *fixture) {
	a := f.client("a")
	r, ok := a.(lease.Reader)
	if !ok {
		f.Skipf("the client (%T) is not a lease.Reader", a)
	}
	if info, held := r.Lease("redis"); held {
		f.Errorf("Lease of a lease never claimed: %s", describe(info, held))
	}
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	info, held := r.Lease("redis")
	if !held || !sameInfo(info, a.Leases()["redis"]) {
		f.Errorf("Lease says %s, Leases says %s", describe(info, held), describe(a.Leases()["redis"], true))
	}
}

// RefreshLease reloads the named lease only: the others stay in the cache
// as they were.
func testRefreshLeaseReadsThatLeaseOnly(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.ok(a.ClaimLease("mysql", request("mysql/0", time.Minute)), "ClaimLease")
	single := as[lease.SingleRefresher](f, b)
	f.ok(single.RefreshLease("redis"), "RefreshLease")
	f.holds(b, "redis", "redis/0", f.start.Add(time.Minute))
	f.count(b, 1)

	f.ok(single.RefreshLease("mysql"), "RefreshLease")
	f.ok(a.ExtendLease("mysql", request("mysql/0", time.Hour)), "ExtendLease")
	f.ok(single.RefreshLease("redis"), "RefreshLease")
	f.holds(b, "mysql", "mysql/0", f.start.Add(time.Minute))
	f.ok(single.RefreshLease("mysql"), "RefreshLease")
	f.holds(b, "mysql", "mysql/0", f.start.Add(time.Hour))
}

// RefreshLease of a lease that is no longer held drops it from the cache.
func testRefreshLeaseNotHeld(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.ok(b.Refresh(), "Refresh")
	f.heldBy(b, "redis", "redis/0")
	f.clock.Advance(2 * time.Minute)
	f.ok(a.ExpireLease("redis"), "ExpireLease")
	f.ok(as[lease.SingleRefresher](f, b).RefreshLease("redis"), "RefreshLease")
	f.free(b, "redis")
	f.count(b, 0)
}
