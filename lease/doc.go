// Package lease defines leases: named, time-limited claims held by one holder
// at a time, stored where several controllers can see them. It holds the
// contract every store implements ([Client] and its optional interfaces,
// [Skew], the errors) and one implementation, the MongoDB client over
// mgo/txn ([NewClient] over a [Mongo]). The arguments behind its guarantees are in
// docs/design.md; the MongoDB client's operation in docs/operations.md.
//
// A [Client] is one controller's view of the leases in a namespace. It is
// not safe for concurrent use: its owner (normally a leadership manager)
// calls it from one goroutine. Clients that share a namespace collaborate
// through the store; each keeps a cache that [Client.Refresh] brings up to
// date.
//
// # Guarantees
//
//   - A successful [Client.ClaimLease] or [Client.ExtendLease] guarantees the
//     holder the lease for at least the requested duration, counted from the
//     moment the call started; the lease need not expire promptly after.
//   - [Client.ExpireLease] succeeds only once the lease's last writer is
//     known to consider its expiry time passed, on that writer's own clock.
//   - A held lease cannot be claimed, not even by its holder, and a lease
//     that is not held cannot be expired. An extension never shortens a
//     lease.
//   - Every write asserts the stored state it was decided on, so a stale
//     cache can make a write fail ([ErrInvalid]), never succeed wrongly.
//   - Each lease has a term ([Info.Term]) that rises every time its holder
//     changes (even to the same holder), never on an extension, and never
//     goes back (docs/design.md#terms). [Info.TermAssertOp] asserts holder
//     and term; [Info.AssertOp] the holder alone.
//   - [Batcher.ApplyLeases] is as safe as the single-lease methods run one
//     after another (docs/design.md#batches).
//
// # Clocks
//
// Clients may disagree about what time it is, by any amount, but their
// clocks must run at the same rate. [Skew] maps times another client wrote
// onto the local clock (docs/design.md#clocks-and-skew). A clock that steps
// back makes its client's writes fail with [ErrExcessiveContention] until
// it passes the latest time the client recorded
// (docs/design.md#clock-steps). Time is read only through a [Clock];
// [SystemClock] is the one implementation that reads the wall clock. Times
// the store cannot hold (outside int64 nanoseconds since 1970) fail with
// [ErrTimeOutOfRange] and write nothing.
//
// # Errors
//
// Errors are the values of errors.go, annotated with github.com/juju/errors
// (Annotatef, Annotate, Trace; fmt.Errorf with %w only where a note must
// follow the cause's message), which keeps them visible to errors.Is:
// compare with errors.Is. [ErrInvalid]: the lease changed, decide again.
// [ErrUnavailable]: the store could not be reached or answer (connection,
// timeout, not primary, write concern); the write may have been applied or
// be applied later, and the next write on that lease is decided on what
// the store then holds (docs/design.md#store-failures). [ErrCorrupt]: a
// document no client could have written, or a missing shared clock
// document; a person must repair it. [ErrInvalidArgument],
// [ErrExcessiveContention] and [ErrTimeOutOfRange] as their docs say. How
// long a call waits for an unreachable store is mgo's (mgo.DialInfo.Timeout)
// and mgowire's connect timeout.
//
// # The MongoDB client
//
// The client [NewClient] returns also reads one lease ([SingleRefresher]), the clock documents
// alone ([ClockRefresher]) and the count of releases ([ReleaseWatcher]), at
// a cost that does not depend on how many leases the namespace holds
// (docs/design.md#failover, docs/design.md#releases), and every lease in
// steps of one reply ([StepRefresher], docs/design.md#stepped-refreshes). A lease's document
// outlives the lease (docs/design.md#released-leases); removing a released
// one is safe at any time, and [Inspect] lists it. No clock document may be
// removed, and no earlier version may run in a namespace beside this one:
// stop its controllers first (docs/design.md#clock-documents).
//
// mgo/txn never removes a transaction document. [PruneTransactions], and a
// [Pruner] every Interval, remove the complete ones older than MinAge and
// named by no document, the users' own included; a user who keeps a
// transaction's id to Resume or Run it again must do so within MinAge
// (docs/design.md#pruning).
//
// Before a transaction of first claims (claims that insert their lease's
// document), a client whose [Mongo] names its transaction collection
// ([TxnCollectionNamer], as [NewMongo]'s does) removes the tokens of
// finished transactions from its clock documents' txn-queue fields, as
// mgo/txn's next transaction on them would, so that mgo/txn prepares the
// transaction once: a first claim costs about 7 store commands in a
// batch instead of 9. It writes no other field, and never removes the
// token of a transaction that has not finished
// (docs/design.md#released-leases).
//
// # Writing another store
//
// The contract is in the files without a prefix (interface.go,
// refreshers.go, batch.go, errors.go, skew.go, clock.go, settle.go,
// validate.go); the MongoDB client is mongo.go and mongo_*.go. Package
// leasetest is an in-memory store; package leasetest/storetest is the
// conformance suite every store passes, and says how to write another.
package lease
