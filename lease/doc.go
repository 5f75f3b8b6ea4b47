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
