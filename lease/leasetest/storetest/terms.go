package storetest

import (
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// term returns the term c sees the named lease held in by holder, and
// fails the test if c does not see it held by holder.
func (f *fixture) term(c lease.Client, name, holder string) int64 {
	f.Helper()
	info, held := f.view(c, name)
	if !held || info.Holder != holder {
		f.Fatalf("lease %q: client sees %s, want it held by %q", name, describe(info, held), holder)
	}
	return info.Term
}

// rises checks that term is above last, saying after what.
func (f *fixture) rises(last, term int64, after string) {
	f.Helper()
	if term <= last {
		f.Errorf("term %d after %s, want above %d", term, after, last)
	}
}

func testTermClaimGivesATerm(f *fixture) {
	a := f.claimedRedis("a")
	if term := f.term(a, "redis", "redis/0"); term < 1 {
		f.Errorf("term %d after a claim, want at least 1", term)
	}
	b := f.client("b")
	if got, want := f.term(b, "redis", "redis/0"), f.term(a, "redis", "redis/0"); got != want {
		f.Errorf("another client reads term %d, want %d", got, want)
	}
}

func testTermExtensionKeepsTheTerm(f *fixture) {
	a, b := f.client("a"), f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	first := f.term(a, "redis", "redis/0")
	f.clock.Advance(30 * time.Second)
	f.ok(a.ExtendLease("redis", request("redis/0", time.Minute)), "ExtendLease (a)")
	f.ok(b.Refresh(), "Refresh (b)")
	f.ok(b.ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease (b)")
	f.ok(a.Refresh(), "Refresh (a)")
	for _, c := range []lease.Client{a, b} {
		if term := f.term(c, "redis", "redis/0"); term != first {
			f.Errorf("term %d after extensions, want %d (the claim's)", term, first)
		}
	}
}

func testTermRisesOnEachHolderChange(f *fixture) {
	a, b := f.client("a"), f.client("b")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease")
	last := f.term(a, "redis", "redis/0")

	// A revocation, then a claim by the same holder.
	f.ok(as[lease.Revoker](f, a).RevokeLease("redis", "redis/0"), "RevokeLease")
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease after the revocation")
	term := f.term(a, "redis", "redis/0")
	f.rises(last, term, "a revocation and a claim by the same holder")
	last = term

	// An expiry by one client, then a claim through the other, which
	// refreshes first.
	for _, step := range []struct {
		expirer, claimer     lease.Client
		expirerId, claimerId string
		holder, what         string
	}{
		// By its writer (whose clock no client need map), then by
		// another client for another holder.
		{a, b, "a", "b", "redis/1", "an expiry and a claim by another client"},
		// Then for the same holder as before, through the first client.
		{b, a, "b", "a", "redis/1", "an expiry and a claim by the same holder"},
	} {
		f.clock.Advance(time.Hour)
		f.ok(step.expirer.ExpireLease("redis"), "ExpireLease ("+step.expirerId+")")
		f.ok(step.claimer.Refresh(), "Refresh ("+step.claimerId+")")
		f.ok(step.claimer.ClaimLease("redis", request(step.holder, time.Minute)), "ClaimLease ("+step.claimerId+")")
		term = f.term(step.claimer, "redis", step.holder)
		f.rises(last, term, step.what)
		last = term
	}
}

func testTermNeverRepeatsAcrossRestarts(f *fixture) {
	// Each round is a new controller: a new client, on the same store,
	// with an id of its own, claims and releases the lease.
	seen := map[int64]bool{}
	var last int64
	for i, id := range []string{"a", "b", "c", "d"} {
		c := f.client(id)
		f.ok(c.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease ("+id+")")
		term := f.term(c, "redis", "redis/0")
		if seen[term] {
			f.Errorf("round %d: term %d given again", i, term)
		}
		seen[term] = true
		f.rises(last, term, "a release and a claim by a new client")
		last = term
		if i%2 == 0 {
			f.ok(as[lease.Revoker](f, c).RevokeLease("redis", "redis/0"), "RevokeLease ("+id+")")
		} else {
			f.clock.Advance(time.Hour)
			f.ok(c.ExpireLease("redis"), "ExpireLease ("+id+")")
		}
	}
}

func testTermNeverRepeatsAcrossStoreRestart(f *fixture) {
	s := f.stopStore()
	a := f.claimedRedis("a")
	last := f.term(a, "redis", "redis/0")
	f.ok(as[lease.Revoker](f, a).RevokeLease("redis", "redis/0"), "RevokeLease")
	f.ok(s.Stop(), "Stop")
	f.ok(s.Restart(), "Restart")
	b := f.client("b")
	f.ok(b.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease after the restart")
	f.rises(last, f.term(b, "redis", "redis/0"), "a revocation, a restart of the store and a claim")
}

func testTermAssertOpPassesWithinTheTerm(f *fixture) {
	s := storeAs[TxnStore](f, "runs no transactions of the caller's")
	a := f.claimedRedis("a")
	info, _ := f.view(a, "redis")
	passes(f, s, info.TermAssertOp)
	f.ok(f.client("b").ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease (b)")
	passes(f, s, info.TermAssertOp)
	f.clock.Advance(2 * time.Hour)
	passes(f, s, info.TermAssertOp)
}

func testTermAssertOpAbortsInALaterTerm(f *fixture) {
	s := storeAs[TxnStore](f, "runs no transactions of the caller's")
	a := f.claimedRedis("a")
	old, _ := f.view(a, "redis")
	f.ok(as[lease.Revoker](f, a).RevokeLease("redis", "redis/0"), "RevokeLease")
	aborts(f, s, old.TermAssertOp)
	f.ok(a.ClaimLease("redis", request("redis/0", time.Minute)), "ClaimLease again")
	// The same holder leads again: the holder-only op holds again, the
	// earlier term's does not; the new term's does.
	aborts(f, s, old.TermAssertOp)
	passes(f, s, old.AssertOp)
	current, _ := f.view(a, "redis")
	passes(f, s, current.TermAssertOp)
}
