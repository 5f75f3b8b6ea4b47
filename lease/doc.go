// Package lease defines leases: named, time-limited claims held by one holder
// at a time, stored where several controllers can see them. It holds the
// contract every store implements ([Client] and its optional interfaces,
// [Skew], the errors) and one implementation, the MongoDB client over
// mgo/txn ([NewClient]). The arguments behind its guarantees are in
// docs/design.md, linked below by section.
//
// A [Client] is one controller's view of the leases in a namespace. It is not
// safe for concurrent use: its owner (normally a leadership manager) calls it
// from one goroutine. Clients that share a namespace collaborate through the
// store; each keeps a cache that [Client.Refresh] brings up to date.
//
// # Where things are
//
// The contract every store implements is in the files without a prefix:
// interface.go ([Client], [Request], [Info]), refreshers.go and batch.go
// (the optional interfaces), errors.go, skew.go, clock.go, settle.go and
// validate.go. The MongoDB client is in mongo.go ([Mongo], [NewMongo]) and
// the files named mongo_*.go, one operation each. Package leasetest is the
// in-memory store; package leasetest/storetest is the conformance suite
// every store passes, and its documentation says how to write another
// store.
//
// # Guarantees
//
//   - A successful [Client.ClaimLease] or [Client.ExtendLease] guarantees the
//     holder the lease for at least the requested duration, counted from the
//     moment the call started. It does not promise that the lease is expired
//     promptly afterwards.
//   - [Client.ExpireLease] succeeds only once the lease's last writer is known
//     to consider its expiry time passed, on that writer's own clock.
//   - A held lease cannot be claimed, not even by its holder, and a lease that
//     is not held cannot be expired. An extension never shortens a lease.
//   - Every write asserts the stored state it was decided on, so a stale
//     cache can make a write fail ([ErrInvalid]), never succeed wrongly.
//
// # Clocks
//
// Clients may disagree about what time it is, by any amount, but their clocks
// must run at the same rate: one second is one second everywhere. [Skew]
// records what one client has observed of another's clock, and maps times
// written by that other client onto the local clock
// (docs/design.md#clocks-and-skew). A clock that steps back makes its
// client's writes fail until it reads again the latest time the client
// recorded (docs/design.md#clock-steps). Time is only ever read through a
// [Clock]; [SystemClock] is the one implementation that reads the wall
// clock.
//
// # Reading less than every lease
//
// Besides [Client.Refresh], which reads every lease, the MongoDB client
// reads one lease ([SingleRefresher]), the clock documents alone
// ([ClockRefresher]) and the count of releases ([ReleaseWatcher]), each at
// a cost that does not depend on how many leases the namespace holds: the
// clock documents, one per client that has written in the namespace and a
// shared one, are read with one query (and a second when a client has
// written in the namespace for the first time since). A
// reader of the clocks every P expires a dead writer's leases at most P
// plus one read after their guaranteed terms end
// (docs/design.md#failover); one that reads the count of releases learns
// of a release within one read (docs/design.md#releases).
//
// # Documents, released leases and terms
//
// A lease's document outlives the lease: an expiry or a revocation empties
// its holder, and the next claim updates it, which costs mgo/txn less than
// an insert (docs/design.md#released-leases). Readers take a document with
// an empty holder for a lease that is not held; [Inspect] lists it in
// [Snapshot.Released]. Removing a released document is safe at any time.
//
// Each lease has a term ([Info.Term]) that rises every time its holder
// changes (even to the same holder), never on an extension, and never goes
// back, even after its document is removed and made again
// (docs/design.md#terms). [Info.TermAssertOp] asserts the holder and the
// term; [Info.AssertOp] asserts the holder alone, and holds again when the
// same holder claims the lease again.
//
// # Clock documents
//
// Each client keeps its clock (its latest time and count of
// transactions), its count of releases and the highest term it wrote in
// its own clock document, so that the transactions of clients writing
// different leases share no document and do not queue behind one another
// in mgo/txn. Only a client's first transaction in a namespace, and a
// claim whose term comes from the namespace's term floor (the first claim
// of a lease), also write the shared clock document (and the claim, every
// client's). Data written by earlier versions, which kept every client's
// clock in the shared document, is read and honoured; but an earlier
// version reads only the shared document, so it must not run in a
// namespace beside this one: stop the controllers of the earlier version
// before starting this one. No clock document may be removed
// (docs/design.md#clock-documents).
//
// # Batches
//
// [Batcher.ApplyLeases] writes several leases in one transaction, each
// write built by the code of the matching single-lease method and
// asserting what it was decided on, so a batch is as safe as those methods
// run one after another (docs/design.md#batches). It refuses what they
// refuse, writing nothing for it, and a second op on one lease; it puts at
// most [MaxBatchOps] writes in one transaction, each transaction of a
// longer slice taking its own clock reading. A write whose lease changed
// is decided again, and one blamed for as many aborts as a single-lease
// method tries gets [ErrExcessiveContention]: a contended lease costs the
// other writes of its batch a retry, never an answer.
//
// # Pruning
//
// mgo/txn never removes a transaction document: every lease write adds
// one to the transaction collection, which grows without bound unless it
// is pruned. [PruneTransactions] removes, and a [Pruner] removes every
// Interval, the transactions that are complete (applied or aborted),
// older than MinAge by the time in their ObjectId, and named by no
// document they wrote, in its collection or in the stash (txn-queue,
// txn-insert, txn-remove). Any transaction in the collection qualifies,
// the users' own as well as the leases'; no other is ever removed, and
// nothing else is written. A document is taken for a transaction only if
// it has ops naming collections (o.c), so a transaction of no ops is
// kept, and a collection given by mistake loses nothing. A user's transactions need nothing done,
// except this: a user who keeps a transaction's id to check its outcome
// later with txn.Runner.Resume, or to run it again with txn.Runner.Run
// and the same id, must do so within MinAge. Once the transaction is
// removed, Resume fails ("cannot find transaction") and Run with that id
// runs the operations again as a new transaction.
//
// mgo/txn looks a transaction up only through a token in one of its
// documents (or their stash documents), and puts a token there only
// while preparing the transaction, before it is applied or aborted. A
// transaction that is complete and named by none of its documents is
// therefore never looked up again, with one exception that MinAge covers:
// a runner that read the transaction while it was preparing may still
// add its token, late, after another runner finished it (after a prune,
// that token would name a missing transaction and fail every later
// transaction on that document until removed by hand). Such a runner
// read the transaction after it was made, so a transaction older than
// MinAge could only be named again by a runner stalled for longer than
// MinAge (less the difference between the clocks of the machine that made
// it and of the pruner), as the default of an hour rules out in practice.
// A transaction is read, then its documents, then it is removed only if
// its state is still complete, so a transaction that is pending, or was
// made during the prune, is kept; and a prune that fails part way leaves
// every transaction it did not remove as it was.
//
// One race is left to a lone PruneTransactions, and it costs an error,
// never a transaction: a runner that read a document's queue just before
// another runner took an old transaction's token off it, and a prune that
// removes that transaction in the milliseconds before the first runner
// looks it up, make that runner's Run fail ("cannot find transaction").
// Its own transaction is then left pending, as after a dropped
// connection: the next runner on its documents, or txn.Runner.ResumeAll,
// applies or aborts it whole. A lease client reports such an error as one
// whose outcome is unknown, which a leadership manager survives. A
// [Pruner] closes that window: it removes a transaction only when two of
// its rounds, an Interval apart, have found it complete and unnamed, so
// the runner would have to stall for an Interval between the two reads.
//
// A document keeps the token of the last transaction that wrote it until
// the next one does, and those of the transactions that only asserted it
// (as a token's AssertOp does) until then too, so a pruned collection
// holds about one transaction per document, plus the fenced ones since
// each lease's last write, plus those younger than MinAge (and, with a
// Pruner, up to two Intervals more).
//
// # Store failures
//
// The MongoDB client sorts the driver's errors in one place: an error that
// says the store could not be reached or could not answer (a connection
// refused, reset or closed, a network or server-selection timeout, "no
// reachable servers", a "not primary" or "node is recovering" reply, a
// write concern error, wtimeout included) matches [ErrUnavailable]; a
// document no client could have written, or a missing shared clock
// document (a dropped collection), matches [ErrCorrupt].
//
// A write that fails with ErrUnavailable may have been applied, or may be
// applied later; the client's cache keeps what it held, and the next write
// of that lease is decided on what the store then holds
// (docs/design.md#store-failures). How long one call waits for an
// unreachable store is mgo's: its sync timeout and its socket timeout,
// both mgo.DialInfo.Timeout unless set on the session, and mgowire's
// connect timeout for each connection it opens.
//
// Errors are the values of errors.go, annotated with
// github.com/juju/errors (Annotatef, Annotate, Trace), which keeps them
// visible to errors.Is (fmt.Errorf with %w only where a note must follow
// the cause's message); compare with errors.Is. Package leasetest keeps
// the same style.
//
// # Range of times
//
// The store keeps times as int64 nanoseconds since 1970, so it holds times
// from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z
// only. A client never stores a time outside that range as another: an
// operation whose clock reading, or whose expiry (the clock reading plus
// the request's duration, or a longer bound that an extension must keep),
// is outside it fails with [ErrTimeOutOfRange] and writes nothing, and a
// refresh whose clock readings are outside it fails likewise. A stored
// time of any type but an integer makes its document corrupt.
package lease
