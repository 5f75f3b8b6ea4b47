package storetest

import (
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// fixture is one case's store, the clock its clients share, and the
// helpers the cases check with.
type fixture struct {
	*testing.T
	newStore func(t *testing.T, clock lease.Clock) Store
	store    Store
	clock    *clock
	// start is where clock started: leasetest.Start, a hostile instant.
	start time.Time
	// observer reads the store for snapshot and unchanged; it is made at
	// the first snapshot.
	observer lease.Client
}

func newFixture(t *testing.T, newStore func(t *testing.T, clock lease.Clock) Store) *fixture {
	clk := newClock(leasetest.Start)
	return &fixture{
		T:        t,
		newStore: newStore,
		store:    newStore(t, clk),
		clock:    clk,
		start:    leasetest.Start,
	}
}

// request returns a request for holder for d.
func request(holder string, d time.Duration) lease.Request {
	return lease.Request{Holder: holder, Duration: d}
}

// client returns a new client with id on the store's clock, and fails the
// test if it cannot.
func (f *fixture) client(id string) lease.Client {
	f.Helper()
	c, err := f.store.NewClient(id)
	if err != nil {
		f.Fatalf("NewClient(%q): %v", id, err)
	}
	return c
}

// storeAs returns the store as an I (one of ClockStore, StopStore,
// TxnStore), or skips the test, saying why: the store lacks what I
// offers.
func storeAs[I any](f *fixture, lacks string) I {
	f.Helper()
	return asOrSkip[I](f, f.store, func(i reflect.Type) string {
		return fmt.Sprintf("the store %s (it is not a %v)", lacks, i)
	})
}

// asOrSkip returns v as an I, or skips the test with the reason why
// gives, given I's type.
func asOrSkip[I any](f *fixture, v any, why func(reflect.Type) string) I {
	f.Helper()
	i, ok := v.(I)
	if !ok {
		f.Skip(why(reflect.TypeOf((*I)(nil)).Elem()))
	}
	return i
}

// clockStore returns the store as a ClockStore, or skips the test.
func (f *fixture) clockStore() ClockStore {
	f.Helper()
	return storeAs[ClockStore](f, "gives its clients one clock")
}

// clientOn returns a new client with id that reads clk, and fails the
// test if it cannot. It skips the test unless the store is a ClockStore.
func (f *fixture) clientOn(id string, clk *clock) lease.Client {
	f.Helper()
	c, err := f.clockStore().NewClientWithClock(id, clk)
	if err != nil {
		f.Fatalf("NewClientWithClock(%q): %v", id, err)
	}
	return c
}

// claimedRedis returns a new client, id, that has claimed "redis" for
// "redis/0" for a minute at the clock's reading.
func (f *fixture) claimedRedis(id string) lease.Client {
	f.Helper()
	c := f.client(id)
	f.ok(c.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	return c
}

// ok fails the test at once if err is not nil.
func (f *fixture) ok(err error, call string) {
	f.Helper()
	if err != nil {
		f.Fatalf("%s: %v", call, err)
	}
}

// invalid checks that err is lease.ErrInvalid, bare.
func (f *fixture) invalid(err error, call string) {
	f.Helper()
	if err != lease.ErrInvalid {
		f.Errorf("%s: got error %v, want lease.ErrInvalid (bare)", call, err)
	}
}

// show writes t for a message: in UTC, to the nanosecond.
func show(t time.Time) string {
	return t.UTC().Format(time.RFC3339Nano)
}

// view returns what c reports of the named lease, and whether it is held.
// It checks that Leases and, if c is a Reader, Lease agree.
func (f *fixture) view(c lease.Client, name string) (lease.Info, bool) {
	f.Helper()
	info, held := c.Leases()[name]
	if r, ok := c.(lease.Reader); ok {
		one, oneHeld := r.Lease(name)
		if oneHeld != held || !sameInfo(one, info) {
			f.Errorf("lease %q: Lease says %s, Leases says %s", name, describe(one, oneHeld), describe(info, held))
		}
	}
	return info, held
}

// holds checks that c sees the named lease held by holder until expiry.
func (f *fixture) holds(c lease.Client, name, holder string, expiry time.Time) {
	f.Helper()
	info, held := f.view(c, name)
	if !held || info.Holder != holder || !info.Expiry.Equal(expiry) {
		f.Errorf("lease %q: client sees %s, want held by %q until %s", name, describe(info, held), holder, show(expiry))
	}
}

// holdsWithin checks that c sees the named lease held by holder until a
// time from atLeast to atMost: a store that tracks its writers' clocks
// sees another writer's expiry as late as its read window allows, and
// an extension takes the lease to that bound (see Skew cases).
func (f *fixture) holdsWithin(c lease.Client, name, holder string, atLeast, atMost time.Time) {
	f.Helper()
	info, held := f.view(c, name)
	if !held || info.Holder != holder || info.Expiry.Before(atLeast) || info.Expiry.After(atMost) {
		f.Errorf("lease %q: client sees %s, want held by %q until %s to %s", name, describe(info, held), holder, show(atLeast), show(atMost))
	}
}

// heldBy checks that c sees the named lease held by holder, whatever its
// expiry, and returns that expiry.
func (f *fixture) heldBy(c lease.Client, name, holder string) time.Time {
	f.Helper()
	info, held := f.view(c, name)
	if !held || info.Holder != holder {
		f.Errorf("lease %q: client sees %s, want held by %q", name, describe(info, held), holder)
	}
	return info.Expiry
}

// free checks that c sees the named lease not held.
func (f *fixture) free(c lease.Client, name string) {
	f.Helper()
	if info, held := f.view(c, name); held {
		f.Errorf("lease %q: client sees %s, want it not held", name, describe(info, held))
	}
}

// count checks that c sees n leases.
func (f *fixture) count(c lease.Client, n int) {
	f.Helper()
	if leases := c.Leases(); len(leases) != n {
		f.Errorf("client sees %d leases (%s), want %d", len(leases), describeAll(leases), n)
	}
}

// sameInfo reports whether a and b say the same of a lease: the same
// holder, expiry (as an instant) and AssertOp.
func sameInfo(a, b lease.Info) bool {
	return a.Holder == b.Holder && a.Expiry.Equal(b.Expiry) && reflect.DeepEqual(a.AssertOp, b.AssertOp) &&
		a.Term == b.Term && reflect.DeepEqual(a.TermAssertOp, b.TermAssertOp)
}

// sameLeases reports whether a and b say the same of every lease.
func sameLeases(a, b map[string]lease.Info) bool {
	if len(a) != len(b) {
		return false
	}
	for name, info := range a {
		other, ok := b[name]
		if !ok || !sameInfo(info, other) {
			return false
		}
	}
	return true
}

func describe(info lease.Info, held bool) string {
	if !held {
		return "it not held"
	}
	return fmt.Sprintf("it held by %q until %s", info.Holder, show(info.Expiry))
}

func describeAll(leases map[string]lease.Info) string {
	names := make([]string, 0, len(leases))
	for name := range leases {
		names = append(names, name)
	}
	sort.Strings(names)
	parts := make([]string, len(names))
	for i, name := range names {
		info := leases[name]
		parts[i] = fmt.Sprintf("%q: %q until %s", name, info.Holder, show(info.Expiry))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// snapshot is what the store held at one time, to check that calls wrote
// nothing.
type snapshot struct {
	dump     any
	leases   map[string]lease.Info
	releases int64
}

// snapshot records what the store holds: its dump, if it is a DumpStore,
// and what a client made for the purpose reads of it.
func (f *fixture) snapshot() snapshot {
	f.Helper()
	if f.observer == nil {
		f.observer = f.client("observer")
	}
	s := snapshot{dump: f.dump()}
	f.ok(f.observer.Refresh(), "Refresh (observer)")
	s.leases = f.observer.Leases()
	if w, ok := f.observer.(lease.ReleaseWatcher); ok {
		f.ok(w.RefreshReleases(), "RefreshReleases (observer)")
		s.releases = w.Releases()
	}
	return s
}

// unchanged checks that the store holds what it held at before: that
// what did did not write.
func (f *fixture) unchanged(before snapshot, what string) {
	f.Helper()
	after := f.snapshot()
	if !reflect.DeepEqual(before.dump, after.dump) {
		f.Errorf("%s wrote to the store:\nbefore: %v\nafter:  %v", what, before.dump, after.dump)
	}
	if !sameLeases(before.leases, after.leases) {
		f.Errorf("%s changed the leases: before %s, after %s", what, describeAll(before.leases), describeAll(after.leases))
	}
	if before.releases != after.releases {
		f.Errorf("%s changed the count of releases: before %d, after %d", what, before.releases, after.releases)
	}
}

// as returns c as an I (one of package lease's optional interfaces), or
// skips the test, saying that c does not implement it.
func as[I any](f *fixture, c lease.Client) I {
	f.Helper()
	return asOrSkip[I](f, c, func(i reflect.Type) string {
		return fmt.Sprintf("the client (%T) is not a %v", c, i)
	})
}

// stopStore returns the store as a StopStore, or skips the test.
func (f *fixture) stopStore() StopStore {
	f.Helper()
	return storeAs[StopStore](f, "cannot be stopped")
}

// dump returns the store's dump, or nil if it is not a DumpStore.
func (f *fixture) dump() any {
	f.Helper()
	d, ok := f.store.(DumpStore)
	if !ok {
		return nil
	}
	dump, err := d.Dump()
	f.ok(err, "Dump")
	return dump
}
