package storetest

import (
	"testing"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/lease"
)

// Store is one empty namespace of the store under test, made for one test
// by the function given to [TestClient]. Any number of clients share it.
type Store interface {
	// NewClient returns a new client of the namespace, whose writes are
	// recorded as made by id, that reads the clock given to the function
	// that made the store. It is the store's own constructor: it refuses
	// an id that breaks the rule of [lease.MaxStringLen] with an error
	// matching [lease.ErrInvalidArgument], writing nothing, and fails with
	// one matching [lease.ErrTimeOutOfRange] if the clock reads a time the
	// store cannot hold. The suite gives each client an id of its own, and
	// may give a new client the id of one it has stopped using, as a
	// controller that restarts does.
	NewClient(id string) (lease.Client, error)
}

// ClockStore is a [Store] whose clients each read a clock of their own,
// as the MongoDB client's do. The suite uses it to check what a client
// makes of another's clock: skew, a clock in another zone, a clock that
// steps back. A store whose clients all read one clock (the in-memory
// store of package leasetest) has no skew to check, and skips those
// tests.
type ClockStore interface {
	Store

	// NewClientWithClock is like NewClient, with clock instead of the
	// store's.
	NewClientWithClock(id string, clock lease.Clock) (lease.Client, error)
}

// StopStore is a [Store] that the suite can put down and bring back, as a
// database that stops and restarts: while it is down, every call that
// reaches it fails with an error matching [lease.ErrUnavailable].
type StopStore interface {
	Store

	// Stop puts the store down, keeping the leases it holds.
	Stop() error

	// Restart brings the store back, with the leases it held.
	Restart() error
}

// TxnStore is a [Store] whose leases fence the caller's own
// transactions: [lease.Info.AssertOp] goes into a transaction of the
// caller's, as it does with the MongoDB client and mgo/txn.
type TxnStore interface {
	Store

	// RunTransaction runs ops as one transaction on the store (an mgo/txn
	// Runner on the clients' transaction collection, for MongoDB). It
	// returns txn.ErrAborted if an assertion of ops does not hold, and
	// applies nothing then.
	RunTransaction(ops []txn.Op) error
}

// DumpStore is a [Store] that can show everything it holds, so that the
// suite can check that a refused call wrote nothing at all (not a lease,
// not a record of the client's clock, not an aborted transaction), and
// not only that the leases did not change.
type DumpStore interface {
	Store

	// Dump returns everything the store holds (for MongoDB, every
	// document of the lease and the transaction collections), in a form
	// that reflect.DeepEqual compares: two dumps are equal if and only if
	// nothing was written between them.
	Dump() (any, error)
}

// TestClient checks that the clients of a store keep the contract of
// [lease.Client], and of each optional interface of package lease that
// they implement ([lease.Reader], [lease.Revoker],
// [lease.SingleRefresher], [lease.ClockRefresher],
// [lease.ReleaseWatcher], [lease.Batcher]). It runs one subtest a case,
// grouped by what they check (Claim, Extend, Expire, Revoke, Read,
// Release, Validation, TimeRange, Skew, Outage, Fencing, Batch); a case
// that needs what the client or the store does not have (an optional
// interface, or one of [ClockStore], [StopStore], [TxnStore]) is skipped,
// saying what it needs.
//
// newStore is called once or more in each case; it must return an empty
// namespace of the store, on which clients read clock (see [Store]), and
// clean up after it with t.Cleanup. Run TestClient with -race: it calls
// the clients from the test's goroutine only, as a leadership manager
// calls its client from one.
func TestClient(t *testing.T, newStore func(t *testing.T, clock lease.Clock) Store) {
	t.Helper()
	for _, g := range groups() {
		g := g
		t.Run(g.name, func(t *testing.T) {
			for _, c := range g.cases {
				c := c
				t.Run(c.name, func(t *testing.T) {
					c.run(newFixture(t, newStore))
				})
			}
		})
	}
}

// group is a set of cases that check one part of the contract.
type group struct {
	name  string
	cases []testCase
}

// testCase is one subtest of the suite.
type testCase struct {
	name string
	run  func(f *fixture)
}

// groups returns every case of the suite, in the order they run.
func groups() []group {
	return []group{
		{"Claim", claimCases},
		{"Extend", extendCases},
		{"Expire", expireCases},
		{"Revoke", revokeCases},
		{"Read", readCases},
		{"Release", releaseCases},
		{"Validation", validationCases},
		{"TimeRange", timeRangeCases},
		{"Skew", skewCases},
		{"Outage", outageCases},
		{"Fencing", fencingCases},
		{"Terms", termCases},
		{"Batch", batchCases},
	}
}
