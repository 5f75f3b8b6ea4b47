// Package leadership grants units leadership of their services, backed by
// leases: a [Manager] claims, extends and expires one lease per service
// through a [lease.Client]. The arguments behind its guarantees are in
// docs/design.md, linked below by section.
//
// # Guarantees
//
//   - A successful [Manager.ClaimLeadership] makes the unit leader for at
//     least the requested duration from the moment of the call. Leadership
//     is not guaranteed to end promptly afterwards.
//   - [Manager.CheckLeadership] returns a [Token] recording that the unit was
//     leader at one instant. Its AssertOps belong in a later mgo/txn
//     transaction, which then aborts if the unit does not lead when the
//     transaction applies. A token asserts who leads, not which term; a
//     [TermToken] ([TermChecker]) asserts the term too.
//   - [Manager.BlockUntilLeadershipReleased] returns once the manager's own
//     view of the leases shows none for the service, so that a claim made
//     through the same manager right afterwards is decided on that view.
//
// # Names
//
// A service name is 1 to [MaxServiceNameLen] (128) bytes of lowercase
// letters and digits in segments joined by single hyphens; it starts with
// a letter, and no segment is only digits ("redis", "my-db2",
// "wordpress-2a"; not "Redis", "2redis", "my_db", "redis-", "db-2"). A
// unit name is the service name, a slash and the unit's number, 0 or up to
// [MaxUnitNumberDigits] (10) digits without a leading zero ("redis/0",
// "my-db2/17"; not "redis/01", "redis/x"). A unit is leader only of its
// own service. Every method checks its names, their
// pairing and the duration before it sends anything to the manager's loop,
// and returns an error matching [ErrInvalidArgument] that quotes the bad
// value and states the rule. A client's own refusal of an argument
// ([lease.ErrInvalidArgument]) is likewise the error of the call that
// passed it, and never stops the manager.
//
// # Errors
//
// Nothing but Kill stops a manager. A client error goes to the caller of
// the call that met it, annotated, and a wake that meets one backs off on
// the manager's clock (from 50ms, doubling, up to 5s or MaxSleep):
//
//   - [lease.ErrUnavailable]: the store could not be reached. The manager
//     reads every lease again at its next wake, and reads a lease whose
//     write had an unknown outcome before it decides on it again
//     (docs/design.md#store-failures). An error the client does not
//     classify is handled the same way.
//   - [lease.ErrCorrupt]: a document a person must repair. Every call about
//     that lease fails with it, logged at error level ("lease store needs
//     repair"); the other leases are served.
//   - [lease.ErrExcessiveContention]: the lease kept changing, or the
//     clock stepped back behind the client's last write. It passes.
//   - [lease.ErrTimeOutOfRange]: a time the store cannot hold.
//
// A store call holds the manager's loop until the driver gives up (with
// the MongoDB client, mgo's sync and socket timeouts, set by
// mgo.DialInfo.Timeout); meanwhile other calls wait. A [Tracker] keeps its
// own deadlines, a wait given up through [ContextBlocker] returns at once,
// and a manager that is a [Stopping] stops its trackers at once.
//
// Errors are the values of errors.go, returned bare or annotated with
// github.com/juju/errors, which keeps them visible to errors.Is: compare
// with errors.Is, or with == for the two returned bare ([ErrClaimDenied],
// [ErrStopped]).
//
// # More than the Manager interface
//
// The manager [NewManager] returns has more methods, each behind a small
// interface a caller can assert to: [Revoker] ends a unit's leadership
// before its lease runs out, [ContextBlocker] waits for a release until a
// context is done, [LeaderReader] says who leads each service,
// [LeaderWatcher] follows who leads one, and [TermChecker] returns term
// tokens. A unit agent normally uses them through a [Tracker], which
// claims, renews, waits and hands over for it.
//
// # Following leaders
//
// [LeaderWatcher]'s WatchLeader gives a channel of a service's [Leader]:
// who leads when the watch starts, then each change of unit in the order
// the manager sees it. A reader that falls behind never holds the manager
// up: up to [WatchBacklog] values wait, and beyond that the oldest are
// dropped, with [Leader.Seq] showing the gap. The channel is closed once
// the watch's context is done, or once the manager has stopped and the
// reader has taken what it sent. A change made through the manager reaches
// its watches before the call that made it returns; one made elsewhere,
// when the manager next reads that lease (docs/design.md#watches).
//
// # Term tokens
//
// Each lease has a term that rises every time leadership changes hands,
// never on an extension, and never repeats (docs/design.md#terms).
// [TermToken]'s AssertOps make a transaction abort unless the unit still
// leads in the same term; its Term can be written beside the caller's data
// as a fencing token that only rises. Use a TermToken for any write that
// must not happen once the unit has lost leadership, even if it has won it
// back since; use a [Token] only where any term of the unit's will do.
//
// # Leader-only work
//
// A [Token] fences writes to the store; nothing fences a leader's other
// work. The [Tracker] that [NewTracker] returns is also a [LeaderRunner]:
// RunAsLeader runs such work under a context that is done as soon as the
// unit stops leading, and at the latest when its last term ends, with the
// reason as its cause ([ErrLeadershipLost], [ErrTermEnded],
// [ErrTrackerKilled], [ErrResigned]). Kill and Resign ([Resigner]) revoke
// only once that work has returned (docs/design.md#leader-only-work).
//
// # Concurrency
//
// A manager's methods are safe for concurrent use. One goroutine owns the
// client and all the manager's state; the methods validate their arguments
// and then send it requests. Killing a [ManagerWorker] makes every pending
// and later call return [ErrStopped].
//
// # Clocks and cost
//
// Time is read only through [ManagerConfig.Clock]. Clocks of different
// controllers may disagree about the time, but must run at the same rate
// (docs/design.md#clocks-and-skew). The manager wakes when the earliest
// lease it knows of expires, and at least every [ManagerConfig.MaxSleep],
// when it refreshes every lease and expires what has run out. A clock that
// steps back makes operations fail with [lease.ErrExcessiveContention]
// until it passes the client's last write; the manager keeps running and
// never grants two leaders (docs/design.md#clock-steps).
//
// With a client that reads single leases ([lease.SingleRefresher]), a
// claim, check, block or expiry costs the same with 10,000 leases as with
// 10 (docs/design.md#manager-view-and-cost). With one that reads the
// clocks alone ([lease.ClockRefresher]), the manager does so every
// [ManagerConfig.ClockPoll], so a dead controller's leases expire about
// ClockPoll after their guaranteed terms (docs/design.md#failover); with
// one that counts releases ([lease.ReleaseWatcher]), a unit blocked here
// is released about ClockPoll after a release elsewhere
// (docs/design.md#manager-polls). With a [lease.Batcher], writes that queue
// while a store call runs go in one transaction, up to
// [ManagerConfig.MaxBatch], each answered as it would be alone
// (docs/design.md#manager-batches).
//
// # Observing a manager
//
// [ManagerConfig.Observer] is told of every [Event] a manager emits, on
// the manager's goroutine, in order: each answered call ([EventClaim],
// [EventCheck], [EventBlock], [EventRevoke]; [LeaderReader]'s Leaders has
// only its read of every lease), expiry ([EventExpire]), wake
// ([EventWake]), read of the store ([EventRefresh]) and write
// ([EventStore], with Batch set for a write sent in a batch), and its stop
// ([EventStop]). Each is named by its [Call], has a [Result] (an error
// matching [lease.ErrUnavailable] or [lease.ErrCorrupt] gives
// [ResultUnavailable] or [ResultCorrupt]) and a duration on the manager's
// clock (zero if the clock stepped back), and carries Known, the leases in
// the manager's view, and Held, those claimed or extended through it and
// not seen to end. A [Tracker] emits [EventLeading] at each change between
// leader and minion, and [EventStop]; its events have FromTracker set. The
// nested module prometheus/ turns events into metrics.
//
// # Log lines
//
// [ManagerConfig.Logger] and [TrackerConfig.Logger] get log lines
// ([log/slog]) made from the same events. Their messages are the
// [LogMessage] constants; each is written at the levels given here:
//
//   - "leadership manager stopped" (info, error): the manager stopped,
//     after Kill (info) or by a failure (error).
//   - "leadership tracker stopped" (info, error): a tracker stopped,
//     likewise.
//   - "lease store needs repair" (error): a read or write met a document
//     a person must repair ([lease.ErrCorrupt]).
//   - "claim failed", "check failed", "revoke failed" (warn, debug): a
//     call failed; debug if it failed only because the manager was being
//     killed. A claim fails so after the lease kept changing, which is
//     lasting contention.
//   - "wake failed; backing off" (warn): a wake failed, and is tried
//     again after a back-off.
//   - "wake failed" (warn): a wake failed, and the manager stops.
//   - "slow wake", "slow refresh", "slow store" (warn): a wake, read or
//     write took longer than the slow threshold, a tenth of the shortest
//     duration claimed through the manager (one second before the first
//     claim); a batch logs one line, for its first write.
//   - "leadership call failed; retrying" (warn): a tracker's call failed,
//     and is tried again after a back-off.
//   - "became leader", "became minion" (info): a tracker's unit became
//     leader, or minion.
//   - "leadership granted" (debug): a claim began a new term.
//   - "leadership lost" (debug): a lease claimed through this manager
//     ended, or went to another holder, without being revoked through it.
//   - "leadership revoked", "lease expired", "lease expiry failed"
//     (debug).
//   - "lease changed under a store call; retrying" (debug): a write lost
//     a race to another controller, routine in a handover: the claim is
//     tried once more, then denied.
//
// A line carries the attributes of its event that are set, under these
// keys, which are stable: "service" (the service, which is also the
// lease's name), "unit", "call" (the [Call]), "result" (the event's
// [Result]), "duration", and "error" (the error's message, a string: one
// line with any handler, where an error value would make slog's text
// handler print a github.com/juju/errors error's stack). A manager's
// lines add "known" and "held" (as in [Event]), and those of wakes, reads
// and writes "threshold", the slow threshold; a line about a back-off
// (of a wake, or of a tracker's call) adds "retry", the wait before the
// next try; "leadership lost" carries
// "service", "unit" and, if the lease went to another unit, "holder". The
// lease package does not say which controller wrote a lease, so a
// manager's lines carry no writer. Durations are time.Duration values.
//
// With neither Observer nor Logger set, a manager reads its clock no more
// often than without them, and keeps no record of what it holds.
package leadership
