// Package storetest is the conformance suite of lease stores: one set of
// tests that every implementation of [lease.Client] passes, as
// testing/fstest.TestFS is for file systems. [TestClient] runs it; the
// in-memory store of package leasetest and the MongoDB client of package
// lease both run it (in lease/leasetest and integration/leaseclient), so
// a semantic of the contract is tested once, on both.
//
// The suite checks what the contract promises, through the clients'
// methods alone: claims, extensions, expiries and revocations and when
// they fail with [lease.ErrInvalid]; durations counted from the start of
// the call; what a client's cache reports and when it is read again; the
// count of releases; arguments refused with [lease.ErrInvalidArgument],
// and times refused with [lease.ErrTimeOutOfRange], with package lease's
// messages and nothing written; and, where the store allows, clients
// whose clocks disagree or step back ([ClockStore]), a store that goes
// down ([StopStore]), fencing with [lease.Info.AssertOp] ([TxnStore]),
// and batches ([lease.Batcher]). What only one store has (the MongoDB
// client's documents, its commands, its answers to wire faults) is
// tested beside that store.
//
// # Writing another store
//
// A store is a package with a constructor that makes a [lease.Client]
// for one namespace, one client per controller, each with an id of its
// own; the clients of a namespace share its leases through the store. To
// write one:
//
//   - Implement [lease.Client]. Keep a cache of the leases, decide each
//     write on it, and apply the write only if the store still holds the
//     lease the cache holds (an mgo/txn assertion, a compare-and-swap, a
//     transaction): if it does not, read the lease again and decide
//     anew, returning lease.ErrInvalid, bare, if the write is then
//     impossible. Count a claim's or an extension's duration from a
//     clock reading taken at the start of the call, and never shorten a
//     lease.
//   - Check every argument before anything else, with package lease's
//     rules and messages: [lease.Op.Validate] checks a lease name and a
//     holder, and [lease.Request.Validate] a request (a client wraps its
//     error as "invalid request: ..."). Refuse a clock reading, or an
//     expiry, that the store cannot hold, with an error matching
//     lease.ErrTimeOutOfRange, before writing.
//   - If clients may disagree about the time, record each writer's clock
//     in the store, and map the expiries another writer wrote onto the
//     local clock as [lease.Skew] does (see "Clocks" in package lease).
//   - Implement the optional interfaces that the store can do cheaply:
//     [lease.Reader], [lease.Revoker], [lease.SingleRefresher],
//     [lease.ClockRefresher] (for a store that records writers' clocks),
//     [lease.ReleaseWatcher], [lease.Batcher], [lease.StepRefresher]. A
//     leadership manager uses each one its client has.
//   - Sort the store's failures: an error that says the store could not
//     be reached or answer matches [lease.ErrUnavailable], one that says
//     it holds a record no client could have written, [lease.ErrCorrupt].
//
// Then run the suite from a test of the store's package, with a [Store]
// that makes the clients, on an empty namespace for each case:
//
//	func TestConformance(t *testing.T) {
//		storetest.TestClient(t, func(t *testing.T, clock lease.Clock) storetest.Store {
//			return myStore{mystore.New(t, clock)} // cleaned up with t.Cleanup
//		})
//	}
//
// and implement, on that Store, each of [ClockStore], [StopStore],
// [TxnStore] and [DumpStore] that the store can do, so that the cases
// that need them run (the others are skipped, saying what they need).
// lease/leasetest/storetest_test.go and
// integration/leaseclient/conformance_test.go are the two there are.
package storetest
