// Package leasetest provides an in-memory lease store and a fake clock
// ([Clock]), for examples, benchmarks, load tests and the tests of code
// that uses leases or leadership.
//
// A [Store] holds the leases of one namespace; each controller gets its own
// [Client] on it, with its own id and cache, from [Store.NewClient]. The
// clients keep the semantics of the MongoDB client in package lease:
//
//   - a client decides from its cache first; if the cache already says the
//     operation is impossible it returns [lease.ErrInvalid] without looking
//     at the store;
//   - otherwise the operation applies only if the store still holds exactly
//     the lease the cache knew of (holder, expiry and last writer); if not,
//     the client refreshes its whole cache, decides again, and returns
//     lease.ErrInvalid if the operation is now impossible;
//   - a claim needs the lease not to be held; an extension needs the same
//     holder and never shortens the lease; a lease can be expired only when
//     the clock is strictly after its expiry;
//   - [Client.Refresh] reloads the cache from the store, and is the only
//     operation whose cost grows with the number of leases;
//     [Client.RefreshLease] reloads one lease;
//   - the store counts the leases expired or revoked through any client,
//     and [Client.RefreshReleases] reads that count, as the MongoDB client
//     reads it from its clock document ([lease.ReleaseWatcher]), so that a
//     leadership manager on one client releases its waiters within one
//     ClockPoll of a release made through another, as it does on MongoDB;
//   - [Client.ApplyLeases] ([lease.Batcher]) applies several writes in one
//     transaction, each decided as its single-lease method decides it and
//     answered as that method would be, a denied op failing none of the
//     others; [Store.Transactions] counts the store's write transactions,
//     so that a test can check that writes queued together went as one;
//   - names, holders and client ids follow the same rule (1 to
//     [lease.MaxStringLen] bytes of UTF-8 text with no '.', '$', '#',
//     white space or control characters), checked where they enter, with
//     the same errors, matching [lease.ErrInvalidArgument]; so do request
//     durations (positive);
//   - the store holds the same range of times as MongoDB documents of
//     int64 nanoseconds, 1677-09-21T00:12:43.145224192Z to
//     2262-04-11T23:47:16.854775807Z: an operation whose clock reading or
//     expiry is outside it fails with an error matching
//     [lease.ErrTimeOutOfRange], with the same message, and changes
//     nothing; so does a refresh whose clock reading is outside it.
//
// # Clocks
//
// All the clients of a Store read the one [lease.Clock] given to
// [NewStore]. The store therefore models no clock skew: every client agrees
// on the time, so an expiry is the same instant for all of them, and there
// is no clock document. Use a fake clock to control time in tests: with
// leadership managers and trackers on it, move it with
// [Clock.AdvanceSettled], which waits after each alarm until they have
// settled (see [Clock]).
//
// # Concurrency
//
// A Store is safe for concurrent use. Like the MongoDB client, a Client is
// not: each must be used from one goroutine at a time (normally its
// leadership manager's).
package leasetest
