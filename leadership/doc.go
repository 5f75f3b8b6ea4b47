// Package leadership grants units leadership of their services, backed by
// leases: a [Manager] claims, extends and expires one lease per service
// through a [lease.Client].
//
// # Guarantees
//
//   - A successful [Manager.ClaimLeadership] makes the unit leader for at
//     least the requested duration from the moment of the call. Leadership
//     is not guaranteed to end promptly afterwards.
//   - [Manager.CheckLeadership] returns a [Token] recording that the unit was
//     leader at one instant. Its AssertOps belong in a later mgo/txn
//     transaction, which then aborts if the unit has lost leadership.
//   - [Manager.BlockUntilLeadershipReleased] returns once the manager's own
//     view of the leases shows none for the service, so that a claim made
//     through the same manager right afterwards is decided on that view.
//
// # More than the Manager interface
//
// The manager [NewManager] returns has more methods, each with a small
// interface a caller can assert to (as with http.Flusher): [Revoker]
// ends a unit's leadership before its lease runs out, [ContextBlocker]
// waits for a release until a context is done, and [LeaderReader] says who
// leads each service. A unit agent normally uses them through a [Tracker],
// which claims, renews, waits and hands over for it.
//
// # Concurrency
//
// A manager's methods are safe for concurrent use. One goroutine owns the
// client and all the manager's state; the methods validate their arguments
// and then send it requests. Killing a [ManagerWorker] makes every pending and
// later call return [ErrStopped].
//
// # Clocks
//
// Time is read only through [ManagerConfig.Clock]. The manager wakes when
// the earliest lease it knows of expires, and at least every
// [ManagerConfig.MaxSleep]; on each wake it refreshes its client and
// expires what has run out, so that leases left behind by other
// controllers are expired even when this manager is never called. Clocks
// of different controllers may disagree about the time, but must run at
// the same rate (see package lease).
package leadership
