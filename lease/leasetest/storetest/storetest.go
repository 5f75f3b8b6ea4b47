package storetest

import (
	"testing"
	"time"

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
// [lease.ReleaseWatcher], [lease.Batcher], [lease.StepRefresher]). It
// runs one subtest a case, grouped by what they check (Claim, Extend,
// Expire, Revoke, Read, Steps, Release, Validation, TimeRange, Skew,
// Outage, Fencing, Batch); a case that needs what the client or the store
// does not have (an optional interface, or one of [ClockStore],
// [StopStore], [TxnStore]) is skipped, saying what it needs.
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

// groups returns every case of the suite, in the order they run: the
// one registry of its cases, each a test function of the file named after
// its group.
func groups() []group {
	return []group{
		// Claim: check lease.Client.ClaimLease.
		{"Claim", []testCase{
			{"Free", testClaimFree},
			{"Several", testClaimSeveral},
			{"Held", testClaimHeld},
			{"CountedFromCallStart", testClaimCountedFromCallStart},
			{"Stale", testClaimStale},
			{"SeenByNewClient", testClaimSeenByNewClient},
		}},
		// Extend: check lease.Client.ExtendLease.
		{"Extend", []testCase{
			{"ToNotBy", testExtendToNotBy},
			{"AfterExpiryTime", testExtendAfterExpiryTime},
			{"OtherHolder", testExtendOtherHolder},
			{"Unheld", testExtendUnheld},
			{"NeverShortens", testExtendNeverShortens},
			{"StaleAfterShorterExtension", staleExtension(90*time.Second, 120*time.Second)},
			{"StaleAfterLongerExtension", staleExtension(120*time.Second, 90*time.Second)},
			{"StaleAfterExpiry", testExtendStaleAfterExpiry},
			{"StaleAfterHandover", testExtendStaleAfterHandover},
			{"AfterLateRead", testExtendAfterLateRead},
		}},
		// Expire: check lease.Client.ExpireLease.
		{"Expire", []testCase{
			{"StrictlyAfterExpiry", testExpireStrictlyAfterExpiry},
			{"Unheld", testExpireUnheld},
			{"SeenByNewClient", testExpireSeenByNewClient},
			{"StaleAfterExtension", testExpireStaleAfterExtension},
			{"StaleAlreadyExpired", testExpireStaleAlreadyExpired},
			{"StaleAfterReclaim", testExpireStaleAfterReclaim},
		}},
		// Revoke: check lease.Revoker.
		{"Revoke", []testCase{
			{"BeforeExpiry", testRevokeBeforeExpiry},
			{"OtherHolderOrUnheld", testRevokeOtherHolderOrUnheld},
			{"StaleAfterExtension", testRevokeStaleAfterExtension},
			{"StaleAfterHandover", testRevokeStaleAfterHandover},
		}},
		// Read: check what a client reports of its cache (Leases, and
		// lease.Reader's Lease) and how it reloads it (Refresh, and
		// lease.SingleRefresher's RefreshLease).
		{"Read", []testCase{
			{"LeasesIsTheCallersCopy", testLeasesIsTheCallersCopy},
			{"CacheOnlyUntilRefresh", testCacheOnlyUntilRefresh},
			{"RefreshSeesWhatTheWriterSees", testRefreshSeesWhatTheWriterSees},
			{"Reader", testReader},
			{"RefreshLeaseReadsThatLeaseOnly", testRefreshLeaseReadsThatLeaseOnly},
			{"RefreshLeaseNotHeld", testRefreshLeaseNotHeld},
		}},
		// Steps: check lease.StepRefresher.
		{"Steps", []testCase{
			{"AsRefresh", testStepsAsRefresh},
			{"KeepWhatTheClientLearnt", testStepsKeepWhatTheClientLearnt},
			{"Abandoned", testStepsAbandoned},
			{"StoreDown", testStepsStoreDown},
		}},
		// Release: check lease.ReleaseWatcher.
		{"Release", []testCase{
			{"Counted", testReleasesCounted},
		}},
		// Validation: check that every argument is checked where it enters,
		// before anything is read or written, whatever the store's state, with
		// package lease's messages.
		{"Validation", []testCase{
			{"Arguments", testValidationArguments},
			{"ArgumentsWhileStopped", testValidationArgumentsWhileStopped},
			{"InvalidIds", testValidationInvalidIds},
			{"ValidIds", testValidationValidIds},
		}},
		// TimeRange: check that a time the store cannot hold (int64
		// nanoseconds: 1677-09-21 to 2262-04-11) is never written as another:
		// the call fails with an error matching lease.ErrTimeOutOfRange that
		// names the time, and writes nothing.
		{"TimeRange", []testCase{
			{"ClaimBeyondRange", testTimeRangeClaimBeyondRange},
			{"ClaimToTheLastTime", testTimeRangeClaimToTheLastTime},
			{"ExtendBeyondRange", testTimeRangeExtendBeyondRange},
			{"ClockOutOfRange", testTimeRangeClockOutOfRange},
		}},
		// Skew: check what a client makes of another's clock: each needs a
		// ClockStore, so that the clients read clocks of their own. A client
		// knows of another writer's clock only that it had reached the time the
		// writer last recorded by the end of the read that saw it; so it takes a
		// lease that writer wrote, with expiry E at its recorded time L, to end
		// at E - L after that read, on its own clock. The cases keep each clock
		// still while a client reads, so that the read has one time, and that
		// bound is exact; except ReadWindow, where the reader's clock moves
		// during the read.
		{"Skew", []testCase{
			{"ReadWindow", testSkewReadWindow},
			{"ExtendShorter", testSkewExtendShorter},
			{"ExtendLonger", testSkewExtendLonger},
			{"ExtendToTheWritersBound", testSkewExtendToTheWritersBound},
			{"Zones", testSkewZones},
			{"WriteSameTimeAfterStepBack", testSkewWriteSameTimeAfterStepBack},
			{"ExtendAfterStepBack", testSkewExtendAfterStepBack},
			{"ExtendOverEqualWrite", testSkewExtendOverEqualWrite},
			{"ExpireOverEqualWrite", testSkewExpireOverEqualWrite},
			{"WriterStandsStill", testSkewWriterStandsStill},
			{"RefreshLease", testSkewRefreshLease},
			{"ClockPoll", testSkewClockPoll},
		}},
		// Outage: check a store that is down: each needs a StopStore.
		{"Outage", []testCase{
			{"EveryCallFails", testOutageEveryCallFails},
		}},
		// Fencing: check lease.Info.AssertOp in a transaction of the
		// caller's: each needs a TxnStore. The op asserts that the holder still
		// holds the lease, whoever wrote it last and whatever its expiry.
		{"Fencing", []testCase{
			{"PassesWhileHeld", testFencingPassesWhileHeld},
			{"PassesAfterAnotherWritersExtension", testFencingPassesAfterAnotherWritersExtension},
			{"PassesAfterTheExpiryTime", testFencingPassesAfterTheExpiryTime},
			{"AbortsOnceExpired", testFencingAbortsOnceExpired},
			{"AbortsOnceRevoked", testFencingAbortsOnceRevoked},
			{"AbortsOnceHandedOver", testFencingAbortsOnceHandedOver},
		}},
		// Terms: check lease.Info.Term and, where the store runs the caller's
		// transactions, lease.Info.TermAssertOp: a lease's term rises at every
		// change of holder, never on an extension, and never repeats, whichever
		// client or controller claims it.
		{"Terms", []testCase{
			{"ClaimGivesATerm", testTermClaimGivesATerm},
			{"ExtensionKeepsTheTerm", testTermExtensionKeepsTheTerm},
			{"RisesOnEachHolderChange", testTermRisesOnEachHolderChange},
			{"NeverRepeatsAcrossRestarts", testTermNeverRepeatsAcrossRestarts},
			{"NeverRepeatsAcrossStoreRestart", testTermNeverRepeatsAcrossStoreRestart},
			{"AssertOpPassesWithinTheTerm", testTermAssertOpPassesWithinTheTerm},
			{"AssertOpAbortsInALaterTerm", testTermAssertOpAbortsInALaterTerm},
		}},
		// Batch: check lease.Batcher: every op of a batch gets the answer
		// the single-lease method would have given it alone, and a refused or
		// denied op does not stop the others.
		{"Batch", []testCase{
			{"Empty", testBatchEmpty},
			{"EachAsAlone", testBatchEachAsAlone},
			{"OneOpPerLease", testBatchOneOpPerLease},
			{"StaleCache", testBatchStaleCache},
			{"CountedFromCallStart", testBatchCountedFromCallStart},
			{"Many", testBatchMany},
			{"WhileStopped", testBatchWhileStopped},
			{"Fencing", testBatchFencing},
		}},
	}
}
