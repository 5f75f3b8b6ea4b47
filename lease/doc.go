// Package lease defines leases: named, time-limited claims held by one holder
// at a time, stored where several controllers can see them.
//
// A [Client] is one controller's view of the leases in a namespace. It is not
// safe for concurrent use: its owner (normally a leadership manager) calls it
// from one goroutine. Clients that share a namespace collaborate through the
// store; each keeps a cache that [Client.Refresh] brings up to date.
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
//
// # Clocks
//
// Clients may disagree about what time it is, by any amount, but their clocks
// must run at the same rate: one second is one second everywhere. [Skew]
// records what one client has observed of another's clock, and maps times
// written by that other client onto the local clock. A clock that steps back
// (as NTP can) makes its client's writes fail until it reads again the latest
// time the client recorded; and every write is counted in the store, so that
// the others measure a writer's clock again after it writes, even at a time
// it recorded before.
//
// Time is only ever read through a [Clock], so that tests can control it;
// [SystemClock] is the one implementation that reads the wall clock.
//
// # Reading one lease, or the clocks alone
//
// Besides [Client.Refresh], which reads every lease, the MongoDB client
// reads one lease ([SingleRefresher]: that lease's document, then the clock
// document) or the clock document alone ([ClockRefresher]), at a cost that
// does not depend on how many leases the namespace holds; a transaction's
// retry reads only its own leases (one, or those of a batch, in one
// query). Each reads the clock document exactly as
// Refresh does: between two readings of the local clock, keeping a
// writer's [Skew] while the time and the count of transactions it has
// recorded are unchanged. That stays safe, for this reason. A Skew says
// that the writer's clock had reached LastWrite when the read ended, at
// local time ReadBefore; since clocks run at the same rate, at any later
// local time t the writer's clock reads at least LastWrite + (t -
// ReadBefore), so it has passed an expiry e it wrote once t reaches
// [Skew.Latest](e). That is a fact about the writer's clock, not about a
// document: it holds for every lease the writer wrote, whenever the lease
// was read, so skews can be brought up to date without reading the
// leases again. A cached lease may be stale (extended, or expired and
// claimed again, since it was read), but an expiry or an extension is
// written only in a transaction that asserts the lease's document is
// exactly the one cached, so a stale entry can make a client try too
// early, never succeed too early. A lease is read before the clock
// document, as Refresh reads every lease first, so that the clock
// document read is at least as recent as the lease (every transaction
// writes the clock document first) and its writer has clock data.
//
// # Failover
//
// How late is that bound? If a writer recorded LastWrite at the real
// instant it wrote, and the first read that saw it ended d later, then
// Latest(e) is e + d (give or take the difference between what the two
// clocks read): a lease is taken to run out as late as the gap between
// its writer's last write and the first read that followed it. Later
// reads of the same LastWrite keep the earlier, tighter Skew, so the gap
// does not grow while the writer is silent. A writer that dies right
// after a write therefore has each of its leases expire, for a client
// that reads the clock document every P, at most P plus one read after
// the end of the lease's guaranteed term, whatever the lease's length.
// That is why a leadership manager reads the clocks (RefreshClocks) every
// ClockPoll: Juju read the clock document only along with the leases, when
// its manager woke for an expiry, so the gap was as long as the time to
// that wake, up to a whole lease (or MaxSleep) late.
//
// # Releases
//
// A transaction that releases a lease (an expiry or a revocation, which
// empty the holder of the lease's document: see "Released leases") also
// adds one to the clock document's count of releases ([ReleaseWatcher]),
// and releases the lease before it writes the clock document: mgo/txn
// checks every assertion of a transaction before it applies any of its
// operations, and applies them in order. A leadership manager reads the
// count with the clocks at each poll and, when it has changed, reads
// again the leases its units wait on, and only those. A poll when nothing
// was released is one read of one small document, however many leases
// there are; one after a release costs, besides, two reads (the lease's
// document and the clock document) per service waited on through that
// manager.
//
// A waiter is released by the first poll that follows a release of its
// lease. The manager keeps the count it last acted on, C, taken from a
// read of the clock document that came before its reads of each waited
// lease. A release empties the lease's holder at t1 and increments the
// count at t2, after t1. The next poll reads the count at t3, after t2.
// If that differs from C, the manager reads the lease after t3, so after
// t1, and finds it released (or held again, by a claim made since, so
// that the unit must wait on). If it equals C, no increment was applied
// between the read that gave C and t3, since the count only grows; so the
// release's increment, and its write of the lease before it, came before
// that read, and the manager's read of the lease that followed found it
// released already. The
// manager takes a count as acted on only once every read made for it has
// succeeded. The bound is therefore ClockPoll plus the poll's reads, with
// the transaction's own time before it, whatever the lease's length and
// MaxSleep.
//
// A release seen early never lets anything happen early. The count only
// decides which leases the manager reads; what it believes of a lease
// still comes from that lease's document, and it releases a waiter only
// when the read finds the lease not held. A released waiter may then try
// to claim, nothing more: a claim's transaction asserts that the lease's
// document is missing or has no holder, so it succeeds only once the
// release is applied, whatever a count says. The order of a release's
// operations changes nothing Refresh relies on (see its doc): a released
// lease needs no clock data, and a lease that is written is still written
// after its writer's time.
// A transaction runner that reordered operations would only delay the
// release, to the lease's expiry or the manager's MaxSleep.
//
// A clock document written before the count existed has none, and reads
// as zero; the first release that counts creates it. Clients that do not
// count (older versions) ignore the field, and their releases leave it as
// it is: a unit waiting through a newer manager learns of such a release
// as before, at the lease's expiry or the manager's MaxSleep. A count that
// is not an integer makes the clock document corrupt. A clock document
// replaced behind the clients' backs starts the count again from zero;
// the manager compares counts for equality only, so any change makes it
// read.
//
// # Released leases
//
// A lease's document outlives the lease. An expiry or a revocation
// empties its holder, and records the time of the release, on the
// releaser's clock, as its expiry and the releaser as its writer; a claim
// of a released lease sets the holder, expiry and writer again, asserting
// that the holder is empty. Only the first claim of a lease inserts its
// document, asserting that there is none. mgo/txn makes an update much
// cheaper than an insert or a removal, which go through its stash
// collection: on the embedded server, a transaction of n claims costs
// 9+9n commands when it inserts the documents and 9+4n when it updates
// them, and one of n releases 9+7n when it removed them and 9+4n when it
// updates them. A lease taken over from a dead controller (an expiry,
// then a claim) thus costs about 8 commands in batches of 100, where it
// cost 16, and 26 alone, where it cost 34. Commands are the cost on
// MongoDB, where each of these is a lookup by _id. The embedded test
// server (FerretDB on SQLite) scans the whole collection for most of
// mgo/txn's commands on an existing document, and there a batch of
// claims ran faster as inserts than as updates all the same (see
// BenchmarkClientBatch in integration/bench).
//
// Every reader takes a document with an empty holder for a lease that is
// not held, as if there were no document. Refresh, RefreshLease and the
// reads of a batch keep only its name, so that a claim knows to update
// it; Leases and Lease do not report it; it needs no clock data; [Inspect]
// lists it in [Snapshot.Released], not in Snapshot.Leases; an
// [Info.AssertOp] taken while the lease was held, which asserts the
// holder, aborts. A holder that is missing or not a string still makes
// the document corrupt. Documents written by earlier versions read as
// they did: a held lease, or no document.
//
// Clients of an earlier version, which removed the document at each
// release, may share a namespace with this one, as during a rolling
// upgrade, without two holders ever being seen. Such a client writes a
// lease's document only in a transaction that asserts that there is none
// (a claim, which a kept document aborts) or that it is exactly the held
// lease the client cached (an extension, an expiry, a revocation); and it
// cannot cache a released lease, since it reads its document as corrupt.
// So it never writes over a released document. It does report such
// documents as corrupt (its Refresh leaves them out and fails with
// ErrCorrupt), and its claims of a lease that a newer client released
// fail with ErrCorrupt until a newer client claims that lease: upgrade
// the controllers of a namespace together. A newer client handles what an
// earlier one leaves: a lease it removed has no document, and the next
// claim inserts one.
//
// Removing a released document (as an operator may) is safe at any
// time: the lease stays not held, and the next claim inserts a document.
// Otherwise a namespace keeps one document per lease ever claimed; its
// term stays in the clock document's term floor (see "Terms").
//
// # Terms
//
// Each lease has a term ([Info.Term]) that rises every time its holder
// changes (a claim after an expiry or a revocation, even by the same
// holder), never on an extension, and never goes back, even after the
// lease's document is removed and made again. Both clients keep it: the
// MongoDB client in the lease's document, the in-memory one (package
// leasetest) in its store. A claim of a released document with a term
// writes that term plus one; a claim that inserts a document, or claims
// one with no term, writes the namespace's term floor plus one. The floor
// is a field of the clock document, which every transaction writes
// once: a transaction that claims raises it (with $max) to the highest
// term it writes, and one whose term came from the floor also asserts
// that the floor is still below that term, so a term is never written
// twice for a lease, whatever was removed in between. A claim of a kept
// document asserts its term as well as its empty holder, and an
// extension or an expiry asserts the term with the rest of the document:
// each writes exactly the state it was decided on. A release keeps the
// document's term.
//
// [Info.TermAssertOp] asserts the holder and the term: it holds across
// extensions, and aborts for good once the lease is released, where
// [Info.AssertOp], which asserts the holder alone, holds again when the
// same holder claims the lease again (see leadership.TermToken).
//
// Documents written by earlier versions have no term and read as term 0,
// without error; a clock document without a floor reads as floor 0. An
// earlier version's claim leaves no term, so a lease claimed through it
// reads as term 0 until a term-keeping client claims it, and a term-0
// TermAssertOp (which asserts that the document has no term) cannot tell
// two such claims by the same holder apart: upgrade the controllers of a
// namespace together (see "Released leases"). The first claims through a
// term-keeping client go above the floor, and so above every term
// written before. A term that is not a non-negative integer makes the
// document corrupt.
//
// # Batches
//
// [Batcher.ApplyLeases] writes several leases in one transaction, T: one
// op on the clock document, which records the writer's clock reading now,
// adds one to its count of transactions and adds the number of T's
// releases to the count of releases; and one op per lease, built from the
// cache and the same reading now by the code of the matching single-lease
// method, which asserts exactly the state of its lease that the write was
// decided on. T is as safe as the transactions T1 ... Tn that the
// single-lease methods would have run at that reading, one after another:
//
//   - mgo/txn orders the transactions on each document by the document's
//     queue, and applies a transaction's ops only once all of its
//     assertions have held at its place in those orders, and then all of
//     them. Each Ti asserts what T asserts of lease i, and of the clock
//     document that the writer has recorded no time after now, which
//     still holds after Tj has recorded now. So T1 ... Tn run back to
//     back at T's place would all apply, and would leave every lease
//     document as T does.
//   - They would leave the clock document as T does, but for the count
//     of transactions, which T raises by one and they by n. Readers only
//     compare that count with the one they read before (see "Design"), to
//     tell that the writer wrote again: one increment tells them as much.
//   - So every argument in this doc, each made of single transactions
//     that assert what they were decided on, holds for batches. T's
//     releases come before its clock op, and its claims and extensions
//     after it, as in a single transaction (see "Releases"): a reader that
//     sees the count of releases raised finds each of T's releases
//     applied, and one that reads a lease T wrote finds T's time in the
//     clock document.
//   - The skews are kept as before. Every write of T was decided on the
//     reading now that T records, as each Ti would record its own; the
//     writer's own clock has the zero Skew; and the others bound the
//     writer's clock by now, as they would by the last Ti.
//   - An aborted T changes nothing. The client reads again every lease of
//     T (one query, then the clock document, as RefreshLease reads one),
//     and decides each write again on what it read, as a single-lease
//     method does after an abort: a write whose lease changed is answered
//     (mostly ErrInvalid) or built again, and so are the others, on a new
//     clock reading. mgo/txn does not say which assertion failed, so the
//     client blames the writes whose assertion no longer holds of what it
//     read or, if none does (the clock op failed: the clock stepped back
//     behind the writer's last recorded time), every write. A write blamed
//     for as many aborts as a single-lease method tries gets
//     ErrExcessiveContention; a contended lease costs the other writes of
//     its batch a retry, never an answer.
//   - A T whose outcome is unknown (ErrUnavailable) was applied as a
//     whole or not at all, or will be: mgo/txn finishes or aborts a
//     transaction left half done, never part of one. Every write of T gets
//     the error and the cache keeps what it held, as after a single-lease
//     method: the next write of each lease asserts what is cached and, if
//     T was applied, aborts, reads the lease again and decides anew.
//
// The single-lease methods are batches of one, whose transactions are
// those they always ran. ApplyLeases refuses what the single-lease
// methods refuse, writing nothing for it, and a second op on one lease.
// It puts at most [MaxBatchOps] writes in one transaction, and each
// transaction of a longer slice, run in order, takes its own clock
// reading. On the embedded server a transaction of n updates (extensions,
// releases, claims of released leases) costs 9+4n commands: 13 for one,
// 4.9 a write in batches of 10 and 4.09 in batches of 100.
//
// # Design
//
// An extension is always written, even when the lease seems to last
// longer already, because only its transaction checks what the decision
// rests on. The cache may be stale: the lease expired and claimed again
// since. Of another writer's clock the cache knows only a lower bound (the
// writer had reached LastWrite by the end of the read), so nothing says
// when that writer will take its lease to have run out: Skew.Earliest
// does not, for a writer that wrote long before the read. And this
// client's own clock may have stepped back since it wrote the lease, which
// moves the expiry later on its clock than the others, who measured that
// clock before, will take it to be; the clock operation then aborts the
// transaction.
//
// A writer that has not written since the previous refresh (its recorded
// time and its count of transactions are both unchanged) keeps its
// previous Skew: that read window was no wider, and later reads only widen
// the uncertainty. A writer that has written again keeps it only if its
// time moved on: a writer whose clock stepped back records a time it has
// recorded before, and the previous Skew would then put the expiries it
// writes now earlier than that writer takes them to be. The client's own
// clock has the zero Skew.
//
// The read window is measured as the first reading plus the time elapsed
// between the readings. With SystemClock, whose readings carry Go's
// monotonic clock, the elapsed time is monotonic, so a wall clock stepped
// back by NTP during the read cannot invert the window (Juju LP 1662202).
// A Clock without monotonic readings (a fake, or one that returns the wall
// clock converted to UTC, which drops the monotonic reading) can step back
// between the two readings; the window is then the two readings, earlier
// first. Its end is still an upper bound on the local time of the read, on
// the clock as it reads after the step, which is all that Latest, and so
// every expiry, relies on. (Juju failed the refresh instead, which stopped
// the manager that made it.) A reading that the store cannot hold makes
// Refresh fail with ErrTimeOutOfRange, changing nothing, so that every
// time the cache holds or computes from is in the store's range.
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
// nothing else is written. A user's transactions need nothing done.
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
// document no client could have written, or a missing clock document (a
// dropped collection), matches [ErrCorrupt]. The codes are those of
// MongoDB's specifications (Server Discovery and Monitoring, Retryable
// Writes), shared with mgowire.
//
// A write that fails with ErrUnavailable may have been applied, or may be
// applied later: mgo/txn leaves a transaction interrupted half way in its
// transaction collection, and the next transaction on the same documents
// (or txn.Runner.ResumeAll) finishes it. The client assumes neither: its
// cache keeps what it held before the call, and since every write asserts
// that the stored document is exactly the one cached, the next write on
// that lease is decided on what the store then holds (a stale cache makes
// it abort, read the lease again and decide anew). A leadership manager
// also reads the lease again before the next request about it.
//
// How long one call waits for an unreachable store is mgo's: its sync
// timeout (for a reachable server) and its socket timeout (for each
// reply), both mgo.DialInfo.Timeout unless set on the session, and
// mgowire's connect timeout for each connection it opens.
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
