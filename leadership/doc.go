// Package leadership grants units leadership of their services, backed by
// leases: a [Manager] claims, extends and expires one lease per service
// through a [lease.Client]; a [Tracker] claims, renews, waits and hands
// over for one unit. The arguments behind the guarantees are in
// docs/design.md; log lines and metrics are in docs/operations.md.
//
// # Guarantees
//
//   - A successful [Manager.ClaimLeadership] makes the unit leader for at
//     least the requested duration from the moment of the call; leadership
//     need not end promptly afterwards.
//   - [Manager.CheckLeadership] returns a [Token]: its AssertOps make a
//     later mgo/txn transaction abort unless the unit leads when it
//     applies. A [TermToken] ([TermChecker]) asserts the term too; use it
//     for any write that must not happen once the unit has lost leadership,
//     even if it has won it back since (docs/design.md#terms).
//   - [Manager.BlockUntilLeadershipReleased] returns once the manager's own
//     view shows no lease for the service, so a claim through the same
//     manager right afterwards is decided on that view.
//   - No input, clock or store failure makes two leaders. Clocks of
//     different controllers may disagree, but must run at the same rate
//     (docs/design.md#clocks-and-skew); a clock that steps back makes
//     calls fail with [lease.ErrExcessiveContention] until it passes the
//     client's last write (docs/design.md#clock-steps).
//
// Names: a service name is 1 to [MaxServiceNameLen] bytes of lowercase
// letters and digits in segments joined by single hyphens, starting with a
// letter, no segment only digits ("redis", "my-db2"); a unit name is the
// service name, a slash and its number, 0 or up to [MaxUnitNumberDigits]
// digits without a leading zero ("redis/0"). A unit leads only its own
// service.
//
// # Errors
//
// Nothing but Kill stops a manager or a tracker; a killed one makes every
// pending and later call return [ErrStopped]. Arguments are checked before
// anything reaches the manager's loop: a bad name, pairing or duration
// gives an error matching [ErrInvalidArgument], as does a client's
// [lease.ErrInvalidArgument]. A denied claim is [ErrClaimDenied]. A client
// error goes to the call that met it, annotated, and a wake that meets one
// backs off on the manager's clock (50ms doubling to 5s or MaxSleep):
// [lease.ErrUnavailable] (also for errors the client does not classify;
// the lease is read again before it is decided on,
// docs/design.md#store-failures), [lease.ErrCorrupt] (that lease's calls
// fail, the others are served), [lease.ErrExcessiveContention] and
// [lease.ErrTimeOutOfRange]. Work under [LeaderRunner] ends with
// [ErrLeadershipLost], [ErrTermEnded], [ErrTrackerKilled] or
// [ErrResigned] as its context's cause.
//
// Errors are the values of errors.go, returned bare or annotated with
// github.com/juju/errors: compare with errors.Is, or with == for the two
// returned bare ([ErrClaimDenied], [ErrStopped]).
//
// # Concurrency
//
// A manager's and a tracker's methods are safe for concurrent use. One
// goroutine owns the client and all the manager's state; the methods
// validate their arguments and send it requests. A store call holds that
// loop until the driver gives up (mgo.DialInfo.Timeout with the MongoDB
// client); a [Tracker] keeps its own deadlines, and a wait given up through
// [ContextBlocker] returns at once.
//
// # Using it
//
// Time is read only through [ManagerConfig.Clock]. The manager [NewManager]
// returns has more methods behind small interfaces a caller asserts to:
// [Revoker], [ContextBlocker], [LeaderReader], [LeaderWatcher] (a channel
// of [Leader] values that never holds the manager up: up to [WatchBacklog]
// wait, and [Leader.Seq] shows a gap; docs/design.md#watches) and
// [TermChecker]. A unit agent normally uses a [Tracker] ([NewTracker]), whose
// [LeaderRunner] runs leader-only work under a context that is done once the
// unit stops leading; Kill and [Resigner] revoke only after that work has
// returned (docs/design.md#leader-only-work).
//
// What a claim or check costs, and how soon a dead controller's leases
// expire, depend on the optional interfaces the client has
// ([lease.SingleRefresher], [lease.ClockRefresher], [lease.ReleaseWatcher],
// [lease.Batcher]; docs/design.md#manager-view-and-cost,
// docs/design.md#manager-polls, docs/design.md#manager-batches).
//
// [ManagerConfig.Observer] gets every [Event], in order, on the manager's
// goroutine, and [ManagerConfig.Logger] log lines whose messages are the
// [LogMessage] constants; their catalogue (levels, attribute keys) is
// docs/operations.md#log-lines. With neither set, a manager reads its clock
// no more often and keeps no record of what it holds.
package leadership
