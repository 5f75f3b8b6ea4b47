package storetest

import (
	"errors"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// While the store is down, every call that reaches it fails with an error
// matching lease.ErrUnavailable, and caches still answer; once it is back,
// the clients work on the leases it held.
func testOutageEveryCallFails(f *fixture) {
	s := f.stopStore()
	a := f.client("a")
	b := f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	f.ok(a.ClaimLease("mysql", request("mysql/0", time.Second)), "ClaimLease")
	f.ok(b.Refresh(), "Refresh")

	f.ok(s.Stop(), "Stop")
	f.clock.Advance(2 * time.Second)
	calls := map[string]func() error{
		"ClaimLease":  func() error { return b.ClaimLease("pgsql", request("pgsql/0", time.Minute)) },
		"ExtendLease": func() error { return a.ExtendLease("redis", request("redis/0", time.Minute)) },
		"ExpireLease": func() error { return a.ExpireLease("mysql") },
		"Refresh":     b.Refresh,
		"NewClient":   func() error { _, err := f.store.NewClient("c"); return err },
	}
	if r, ok := a.(lease.Revoker); ok {
		calls["RevokeLease"] = func() error { return r.RevokeLease("redis", "redis/0") }
	}
	if r, ok := b.(lease.SingleRefresher); ok {
		calls["RefreshLease"] = func() error { return r.RefreshLease("redis") }
	}
	if r, ok := b.(lease.ClockRefresher); ok {
		calls["RefreshClocks"] = r.RefreshClocks
	}
	if r, ok := b.(lease.ReleaseWatcher); ok {
		calls["RefreshReleases"] = r.RefreshReleases
	}
	for name, call := range calls {
		if err := call(); !errors.Is(err, lease.ErrUnavailable) {
			f.Errorf("%s while the store is down: error %v, want one matching lease.ErrUnavailable", name, err)
		}
	}
	f.count(a, 2)
	f.holds(b, "redis", "redis/0", f.start.Add(time.Minute))

	f.ok(s.Restart(), "Restart")
	f.ok(b.Refresh(), "Refresh")
	f.count(b, 2)
	f.ok(b.ExpireLease("mysql"), "ExpireLease")
	f.invalid(b.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease of a held lease")
	f.ok(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease")
	f.holds(a, "redis", "redis/0", f.start.Add(time.Minute+2*time.Second))
}
