package storetest

import (
	"errors"
	"time"

	"github.com/seed07a61904/leadership/internal/rangetest"
	"github.com/seed07a61904/leadership/lease"
)

// outOfRange checks that err matches lease.ErrTimeOutOfRange with the
// message want.
func (f *fixture) outOfRange(err error, want, call string) {
	f.Helper()
	switch {
	case err == nil:
		f.Errorf("%s: no error, want %q", call, want)
	case err.Error() != want:
		f.Errorf("%s: error %q, want %q", call, err, want)
	case !errors.Is(err, lease.ErrTimeOutOfRange):
		f.Errorf("%s: error %q does not match lease.ErrTimeOutOfRange", call, err)
	}
}

// refusedBeyondRange checks that call, made through do with each of
// rangetest.Requests for "redis/0" on "redis", is refused as out of the
// store's range, and that the refusals leave the store unchanged.
func (f *fixture) refusedBeyondRange(call string, do func(lease.Request) error) {
	f.Helper()
	before := f.snapshot()
	for _, r := range rangetest.Requests {
		f.outOfRange(do(request("redis/0", r.Duration)), r.Message("redis"), call+" for "+r.Duration.String())
	}
	f.unchanged(before, "refused "+call)
}

// A claim whose expiry is past the store's range (250 years, or
// math.MaxInt64 as "forever") is refused; the longest one the store
// holds is not, and holds the lease.
func testTimeRangeClaimBeyondRange(f *fixture) {
	f.clock.Set(rangetest.Now)
	a := f.client("a")
	f.refusedBeyondRange("ClaimLease", func(r lease.Request) error {
		err := a.ClaimLease("redis", r)
		f.count(a, 0)
		return err
	})
	f.ok(a.ClaimLease("redis", request("redis/0", rangetest.Last.Sub(rangetest.Now))), "ClaimLease until the last time")
	f.clock.Advance(time.Minute)
	b := f.client("b")
	f.heldBy(b, "redis", "redis/0")
	f.invalid(b.ExpireLease("redis"), "ExpireLease")
}

// A claim may end at the last time the store holds, not a nanosecond
// later.
func testTimeRangeClaimToTheLastTime(f *fixture) {
	f.clock.Set(rangetest.Last.Add(-time.Minute))
	a := f.claimedRedis("a")
	f.holds(a, "redis", "redis/0", rangetest.Last)
	f.outOfRange(a.ClaimLease("memcached", request("memcached/0", time.Minute+time.Nanosecond)),
		`expiry 2262-04-11T23:47:16.854775808Z of lease "memcached" (clock reading 2262-04-11T23:46:16.854775807Z plus 1m0.000000001s)`+rangetest.Tail,
		"ClaimLease a nanosecond too long")
	f.free(a, "memcached")
}

func testTimeRangeExtendBeyondRange(f *fixture) {
	f.clock.Set(rangetest.Now)
	a := f.claimedRedis("a")
	f.refusedBeyondRange("ExtendLease", func(r lease.Request) error { return a.ExtendLease("redis", r) })
	f.holds(a, "redis", "redis/0", rangetest.Now.Add(time.Minute))
	f.holds(f.client("b"), "redis", "redis/0", rangetest.Now.Add(time.Minute))
}

// A clock that reads a time the store cannot hold fails every call that
// would record or compute from it, and the making of a client, and
// changes nothing.
func testTimeRangeClockOutOfRange(f *fixture) {
	f.clock.Set(rangetest.Now)
	a := f.claimedRedis("a")
	before := f.snapshot()
	for _, now := range []time.Time{rangetest.Last.Add(time.Nanosecond), rangetest.First.Add(-time.Nanosecond)} {
		f.clock.Set(now)
		want := rangetest.ClockMessage(now, "a")
		calls := map[string]error{
			"ClaimLease":  a.ClaimLease("other", request("other/0", time.Nanosecond)),
			"ExtendLease": a.ExtendLease("redis", request("redis/0", time.Minute)),
			"ExpireLease": a.ExpireLease("redis"),
			"Refresh":     a.Refresh(),
		}
		if r, ok := a.(lease.Revoker); ok {
			calls["RevokeLease"] = r.RevokeLease("redis", "redis/0")
		}
		if r, ok := a.(lease.SingleRefresher); ok {
			calls["RefreshLease"] = r.RefreshLease("redis")
		}
		if r, ok := a.(lease.ClockRefresher); ok {
			calls["RefreshClocks"] = r.RefreshClocks()
		}
		if r, ok := a.(lease.ReleaseWatcher); ok {
			calls["RefreshReleases"] = r.RefreshReleases()
		}
		for call, err := range calls {
			f.outOfRange(err, want, call+" at "+show(now))
		}
		_, err := f.store.NewClient("c")
		f.outOfRange(err, rangetest.ClockMessage(now, "c"), "NewClient at "+show(now))
		f.count(a, 1)
		f.holds(a, "redis", "redis/0", rangetest.Now.Add(time.Minute))
	}
	f.clock.Set(rangetest.Now)
	f.unchanged(before, "calls with the clock out of range")
}
