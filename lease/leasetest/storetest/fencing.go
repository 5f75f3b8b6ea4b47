package storetest

import (
	"errors"
	"time"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// fenced claims "redis" for "redis/0" for a minute through a new client,
// and returns the client and the lease's AssertOp.
func fenced(f *fixture) (TxnStore, lease.Client, txn.Op) {
	f.Helper()
	s := storeAs[TxnStore](f, "runs no transactions of the caller's")
	a := f.claimedRedis("a")
	info, held := f.view(a, "redis")
	if !held {
		f.Fatalf("lease not held after a claim")
	}
	return s, a, info.AssertOp
}

// passes checks that a transaction of op alone applies.
func passes(f *fixture, s TxnStore, op txn.Op) {
	f.Helper()
	if err := s.RunTransaction([]txn.Op{op}); err != nil {
		f.Errorf("a transaction asserting the lease: %v, want it applied", err)
	}
}

// aborts checks that a transaction of op alone aborts.
func aborts(f *fixture, s TxnStore, op txn.Op) {
	f.Helper()
	if err := s.RunTransaction([]txn.Op{op}); !errors.Is(err, txn.ErrAborted) {
		f.Errorf("a transaction asserting the lease: error %v, want txn.ErrAborted", err)
	}
}

func testFencingPassesWhileHeld(f *fixture) {
	s, _, op := fenced(f)
	passes(f, s, op)
}

func testFencingPassesAfterAnotherWritersExtension(f *fixture) {
	s, _, op := fenced(f)
	f.ok(f.client("b").ExtendLease("redis", request("redis/0", time.Hour)), "ExtendLease (b)")
	passes(f, s, op)
}

func testFencingPassesAfterTheExpiryTime(f *fixture) {
	s, a, op := fenced(f)
	f.clock.Advance(time.Hour)
	f.ok(a.Refresh(), "Refresh")
	passes(f, s, op)
}

func testFencingAbortsOnceExpired(f *fixture) {
	s, a, op := fenced(f)
	f.clock.Advance(time.Hour)
	f.ok(a.ExpireLease("redis"), "ExpireLease")
	aborts(f, s, op)
}

func testFencingAbortsOnceRevoked(f *fixture) {
	s, a, op := fenced(f)
	f.ok(as[lease.Revoker](f, a).RevokeLease("redis", "redis/0"), "RevokeLease")
	aborts(f, s, op)
}

func testFencingAbortsOnceHandedOver(f *fixture) {
	s, a, op := fenced(f)
	f.clock.Advance(time.Hour)
	f.ok(a.ExpireLease("redis"), "ExpireLease")
	f.ok(a.ClaimLease("redis", request("redis/1", time.Minute)), "ClaimLease")
	aborts(f, s, op)
	info, _ := f.view(a, "redis")
	passes(f, s, info.AssertOp)
}
