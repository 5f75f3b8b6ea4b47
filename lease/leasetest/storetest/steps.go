package storetest

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// stepBatch is the batch the Steps cases ask for, so that a few leases
// take several steps.
const stepBatch = 2

// stepLeases claims, through a, the leases mysql, nginx, pgsql, redis and
// riak (for a minute, by unit 0 of each), and returns their names.
func (f *fixture) stepLeases(a lease.Client) []string {
	f.Helper()
	names := []string{"mysql", "nginx", "pgsql", "redis", "riak"}
	for _, name := range names {
		f.ok(a.ClaimLease(name, request(name+"/0", time.Minute)), "ClaimLease")
	}
	return names
}

// step runs one step of s and fails the test if it errs.
func (f *fixture) step(s lease.RefreshSteps, what string) bool {
	f.Helper()
	done, err := s.Step()
	f.ok(err, what)
	return done
}

// finishSteps runs s's steps to the end, failing on an error, and returns
// how many there were.
func (f *fixture) finishSteps(s lease.RefreshSteps) int {
	f.Helper()
	for n := 1; ; n++ {
		if f.step(s, fmt.Sprintf("Step %d", n)) {
			return n
		}
		if n > 1000 {
			f.Fatalf("Step: not done after %d steps", n)
		}
	}
}

// abandoned checks that s is over: its Step changes nothing and returns
// done and lease.ErrRefreshAbandoned.
func (f *fixture) abandoned(s lease.RefreshSteps, what string) {
	f.Helper()
	if done, err := s.Step(); !done || err != lease.ErrRefreshAbandoned {
		f.Errorf("Step after %s: %v, %v; want true, lease.ErrRefreshAbandoned", what, done, err)
	}
}

// A stepped refresh reads at most the batch asked for a step, and its last
// step leaves the client seeing what Refresh would have shown it.
func testStepsAsRefresh(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	names := f.stepLeases(a)
	f.clock.Advance(time.Second)
	f.ok(a.ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease")

	steps := as[lease.StepRefresher](f, b).BeginRefresh(stepBatch)
	f.count(b, 0)
	n := f.finishSteps(steps)
	if min := (len(names) + stepBatch - 1) / stepBatch; n < min {
		f.Errorf("%d leases read in %d steps of at most %d", len(names), n, stepBatch)
	}
	f.abandoned(steps, "the last step")
	c := f.client("c")
	if got, want := b.Leases(), c.Leases(); !sameLeases(got, want) {
		f.Errorf("after the steps the client sees %s; Refresh shows %s", describeAll(got), describeAll(want))
	}
	f.holds(b, "redis", "redis/0", f.start.Add(time.Second+time.Hour))
}

// Until the last step, the client reports its cache as it was, and its
// own writes and single-lease reads between steps show at once; the last
// step keeps each lease the client wrote or read alone since the refresh
// began as the client then saw it, even if a step read an older version.
func testStepsKeepWhatTheClientLearnt(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.stepLeases(a)
	f.ok(b.Refresh(), "Refresh")
	f.ok(a.ClaimLease("solr", request("solr/0", time.Minute)), "ClaimLease")

	steps := as[lease.StepRefresher](f, b).BeginRefresh(stepBatch)
	for i := 0; i < 3; i++ {
		if f.step(steps, "Step") {
			f.Fatalf("six leases read in %d steps of at most %d", i+1, stepBatch)
		}
	}
	f.free(b, "solr")
	// Another writer changes leases the steps may have read; the client
	// writes and reads some alone.
	f.clock.Advance(time.Minute + time.Nanosecond)
	f.ok(a.ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease (a)")
	f.ok(b.ExpireLease("mysql"), "ExpireLease (b)")
	f.ok(b.ClaimLease("mysql", request("mysql/1", time.Hour)), "ClaimLease (b)")
	f.ok(b.ExpireLease("nginx"), "ExpireLease (b)")
	f.ok(b.ClaimLease("mongo", request("mongo/0", time.Hour)), "ClaimLease (b)")
	f.ok(a.ExpireLease("riak"), "ExpireLease (a)")
	f.ok(as[lease.SingleRefresher](f, b).RefreshLease("redis"), "RefreshLease")
	f.ok(as[lease.SingleRefresher](f, b).RefreshLease("riak"), "RefreshLease")
	f.free(b, "nginx")
	f.free(b, "riak")
	want := b.Leases()

	f.finishSteps(steps)
	for _, name := range []string{"mysql", "mongo", "redis"} {
		info := want[name]
		f.holds(b, name, info.Holder, info.Expiry)
	}
	f.free(b, "nginx")
	f.free(b, "riak")
	f.heldBy(b, "solr", "solr/0")
	f.heldBy(b, "pgsql", "pgsql/0")
	// The cache still decides writes as the store would.
	f.ok(b.ClaimLease("nginx", request("nginx/2", time.Hour)), "ClaimLease after the steps")
	f.ok(b.ExtendLease("mysql", request("mysql/1", 2*time.Hour)), "ExtendLease after the steps")
	f.invalid(b.ClaimLease("redis", request("redis/1", time.Hour)), "ClaimLease of a held lease")
}

// A refresh abandoned (by Close, a new BeginRefresh or Refresh) changes
// nothing, and its Step says so; the client keeps working.
func testStepsAbandoned(f *fixture) {
	a := f.client("a")
	b := f.client("b")
	f.stepLeases(a)
	stepper := as[lease.StepRefresher](f, b)

	closed := stepper.BeginRefresh(stepBatch)
	f.step(closed, "Step")
	closed.Close()
	closed.Close()
	f.abandoned(closed, "Close")
	f.count(b, 0)

	first := stepper.BeginRefresh(stepBatch)
	f.step(first, "Step")
	second := stepper.BeginRefresh(stepBatch)
	f.abandoned(first, "a second BeginRefresh")
	f.step(second, "Step")
	f.ok(b.Refresh(), "Refresh")
	f.abandoned(second, "Refresh")
	f.count(b, 5)

	f.ok(a.ClaimLease("solr", request("solr/0", time.Minute)), "ClaimLease")
	f.finishSteps(stepper.BeginRefresh(0))
	f.count(b, 6)
	f.invalid(b.ClaimLease("solr", request("solr/1", time.Minute)), "ClaimLease of a held lease")
}

// A step that cannot read the store fails with lease.ErrUnavailable and
// abandons the refresh, leaving the cache as it was; once the store is
// back, a new refresh works.
func testStepsStoreDown(f *fixture) {
	s := f.stopStore()
	a := f.client("a")
	b := f.client("b")
	f.stepLeases(a)
	f.ok(b.Refresh(), "Refresh")
	f.ok(a.ClaimLease("solr", request("solr/0", time.Minute)), "ClaimLease")
	before := b.Leases()
	stepper := as[lease.StepRefresher](f, b)

	steps := stepper.BeginRefresh(stepBatch)
	f.step(steps, "Step")
	f.ok(s.Stop(), "Stop")
	var err error
	for n, done := 0, false; !done; n++ {
		if done, err = steps.Step(); n > 10 {
			f.Fatalf("Step while the store is down: not done after %d steps", n)
		}
	}
	if !errors.Is(err, lease.ErrUnavailable) {
		f.Errorf("Step while the store is down: error %v, want one matching lease.ErrUnavailable", err)
	}
	f.abandoned(steps, "a failed step")
	if got := b.Leases(); !sameLeases(got, before) {
		f.Errorf("a failed refresh changed the cache: before %s, after %s", describeAll(before), describeAll(got))
	}

	f.ok(s.Restart(), "Restart")
	f.finishSteps(stepper.BeginRefresh(stepBatch))
	f.count(b, 6)
}
