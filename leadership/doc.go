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
//     transaction, which then aborts if the unit does not lead when the
//     transaction applies. A token asserts who leads, not which term: if
//     the unit lost leadership and leads again, its old tokens hold again.
//     A term token ([TermChecker]) asserts the term too (see "Term
//     tokens").
//   - [Manager.BlockUntilLeadershipReleased] returns once the manager's own
//     view of the leases shows none for the service, so that a claim made
//     through the same manager right afterwards is decided on that view.
//
// # Names
//
// Services and units are named as Juju named them in 2015, with limits on
// their length. A service name is 1 to [MaxServiceNameLen] (128) bytes of
// lowercase letters and digits in segments joined by single hyphens; it
// starts with a letter, and no segment is made only of digits: "redis",
// "my-db2" and "wordpress-2a" are valid; "Redis", "2redis", "my_db",
// "redis-" and "db-2" are not. A unit name is the service name, a slash
// and the unit's number in decimal, 0 or up to [MaxUnitNumberDigits] (10)
// digits without a leading zero: "redis/0", "my-db2/17"; not "redis/01"
// or "redis/x". A unit is leader only of its own service: "mysql/0" can
// claim, check or revoke "mysql", never "redis". Every method checks its
// names, their pairing and the duration before it sends anything to the
// manager's loop, and returns an error matching [ErrInvalidArgument] that
// quotes the bad value, says what is wrong with it and states the rule.
// The limits keep every name within what the lease store holds
// ([lease.MaxStringLen]). A client's own refusal of an argument (an error
// matching [lease.ErrInvalidArgument]) is likewise the error of the call
// that passed it, and never stops the manager; a wake that meets one
// backs off, as for contention.
//
// # Errors
//
// Nothing but Kill stops a manager. A client error goes to the caller of
// the call that met it, annotated (check it with errors.Is), and a wake
// that meets one backs off on the manager's clock (from 50ms, doubling,
// up to 5s or MaxSleep) and tries again:
//
//   - [lease.ErrUnavailable]: the store could not be reached (a dropped
//     connection, a server restarting, an election's "not primary", a
//     write concern error). After one, the manager reads every lease again
//     at its next wake, at most 50ms later and then on its back-off (which
//     a write that the store answers ends at once), so
//     that it learns what other controllers did meanwhile; and a write
//     that met one has an unknown outcome, so the next claim, check or
//     revoke of that lease reads it from the store before deciding. An
//     error the client does not classify is handled the same way.
//   - [lease.ErrCorrupt]: the store holds a document a person must
//     repair. Every call about that lease fails with it, logged at error
//     level ("lease store needs repair") and counted as the "corrupt"
//     result of its read or write event; the other leases are served.
//   - [lease.ErrExcessiveContention]: the lease kept changing, or the
//     clock stepped back behind the client's last write. It passes.
//   - [lease.ErrTimeOutOfRange]: a time the store cannot hold.
//
// A store call holds the manager's loop until the driver gives up: with
// the MongoDB client, mgo's sync timeout (the wait for a reachable
// server) plus a socket timeout, each set by mgo.DialInfo.Timeout (see
// the README, "Store outages"). Meanwhile the other calls wait for the
// loop; a [Tracker] keeps its own deadlines, and a wait given up through
// [ContextBlocker] returns at once. A manager that is a [Stopping] says
// when it is killed, and its trackers stop at once.
//
// Errors are the values of errors.go, returned bare or annotated with
// github.com/juju/errors (Annotatef, Annotate, Trace), which keeps them
// visible to errors.Is: compare with errors.Is, or with == for the two
// returned bare ([ErrClaimDenied], [ErrStopped]); match a message only in
// a test of that message.
//
// # More than the Manager interface
//
// The manager [NewManager] returns has more methods, each with a small
// interface a caller can assert to (as with http.Flusher): [Revoker]
// ends a unit's leadership before its lease runs out, [ContextBlocker]
// waits for a release until a context is done, [LeaderReader] says who
// leads each service, and [LeaderWatcher] follows who leads one. A unit
// agent normally uses them through a [Tracker], which claims, renews,
// waits and hands over for it.
//
// # Following leaders
//
// [LeaderWatcher]'s WatchLeader gives any caller a channel of a service's
// [Leader]: who leads when the watch starts, then each change of unit
// (to another, to none, or from none) in the order the manager sees it,
// fed by what the manager reads. A reader that falls behind never holds
// the manager up: up to [WatchBacklog] values wait for it, in order, and
// beyond that the oldest are dropped, never the latest, with [Leader.Seq]
// showing the gap. The channel is closed once the watch's context is
// done, or once the manager has stopped and the reader has taken what it
// sent.
//
// A change made through the manager reaches its watches before the call
// that made it returns. One made through another controller reaches them
// when the manager reads that lease: for a request about it, when the
// lease falls due, and at each refresh of every lease (MaxSleep at the
// latest). While someone watches a service, the manager also reads its
// lease (once per service, however many watch it) in two more cases: if
// its client counts releases ([lease.ReleaseWatcher]), it polls the count
// every ClockPoll, as while someone is blocked, and reads the watched
// leases again when it changes, so that a release elsewhere reaches the
// watches within one ClockPoll; and if its client reads single leases, it
// reads at each of its polls and expiries each watched lease that it
// knows no unit to hold, so that a claim elsewhere of a free lease reaches
// them within one poll. A unit that loses its lease and leads again
// between two of the manager's reads of it shows no change.
//
// # Term tokens
//
// Each lease has a term that rises every time leadership changes hands
// (see lease.Info.Term), never on an extension, and never repeats. The
// manager [NewManager] returns is a [TermChecker]: CheckLeadershipTerm
// returns a [TermToken], whose AssertOps make a transaction abort unless
// the unit still leads in the same term, and whose Term the caller can
// write beside its data, as a fencing token that only rises.
//
// Use a TermToken for any write that must not happen once the unit has
// lost leadership, even if it has won it back since: a writer that holds
// on to a token (a queue of pending writes, a goroutine that was slow to
// stop) cannot commit with it in a later term. Use a [Token] only where
// any term of the unit's will do: a write that is right whenever the unit
// leads, such as recording the leader's own settings. Both fence only
// transactions run through the lease client's transaction collection;
// Term also fences stores that are not MongoDB, if they refuse a lower
// term than the last they accepted.
//
// # Leader-only work
//
// A [Token] fences writes to the store; nothing fences a leader's other
// work (calls to other services, files, processes). The [Tracker] that
// [NewTracker] returns is also a [LeaderRunner]: RunAsLeader runs such
// work under a context that is done as soon as the unit stops leading,
// and at the latest when its last term ends, whatever else happens, with
// the reason as its cause ([ErrLeadershipLost], [ErrTermEnded],
// [ErrTrackerKilled], [ErrResigned]). The tracker's Kill, and its Resign
// ([Resigner]: give up leadership and stay a candidate), end those
// contexts and revoke only once the work under them has returned, so no
// other unit leads while it still acts; if the work outlives the term,
// they do not revoke, and the lease runs out instead. A true ClaimLeader
// gives no such protection: Kill and Resign cut its guarantee short.
//
// # Design
//
// Claims, extensions and checks must cost the same with 100,000 leases as
// with 10, so the manager's loop never copies every lease on their paths:
// it reads one lease through [lease.Reader] when the client has it (else
// it falls back to Leases()[name]); it keeps its own view of the leases
// (an expiry per lease, in a heap) and, after a claim, an extension, a
// check or an expiry, records that lease only; and it keeps one alarm,
// replaced only when the time to wake changes.
//
// The view is rebuilt from Leases() only at start-up and on each wake
// that refreshes every lease (every wake if the client is not a
// [lease.SingleRefresher], else every MaxSleep): those are the only O(n)
// steps. In between, the view may be stale for leases this manager did not
// touch. That corrects itself: a lease can only be removed elsewhere once
// it has expired, and an extension only moves its expiry later, so the
// recorded expiry of a stale entry is due about when, or before, the truth
// changed, and the wake then reads that lease again; a lease claimed
// elsewhere is absent from the view until a request names it or the next
// full refresh. A request about a lease reads the client first and records
// what it read, so claims, checks and blocks on one name agree.
//
// # Batches
//
// When its client is a [lease.Batcher] (leasetest's is), a manager sends
// the writes that queue while a store call holds its loop together, as
// one store transaction (group commit): once that call returns, it takes
// the claims and revocations waiting, up to [ManagerConfig.MaxBatch] (100
// by default), decides each as it would alone, and sends the writes they
// need, each of a different lease, in one ApplyLeases, each asserting the
// state of its lease that it was decided on. A write that finds nothing
// queued goes at once through the single-lease method: batches add no
// wait. A caller sees no difference but in time, and gets the answer it
// would have had alone: a write the store refuses because its lease
// changed fails none of the others, and is decided again on what the
// client read, then tried again (with the other such writes of its batch,
// no more often than alone); a second request about a lease already in a
// batch is decided once the first has its answer; and if the store fails
// the transaction, every caller in it gets an error matching
// [lease.ErrUnavailable], and the manager reads each of those leases
// before it decides on it again. A wake expires the leases that ran out
// in batches of MaxBatch too, and between two batches answers the claims
// waiting, and releases the blocks on the leases just expired, so that a
// unit waiting on one is served before the next batch. Each write has its
// own [EventStore], with the whole transaction's Duration and [Event.Batch]
// set to its number of writes. MaxBatch 1 sends every write alone.
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
// [ManagerConfig.MaxSleep]; at start and at least every MaxSleep it
// refreshes every lease of its client and expires what has run out, so
// that leases left behind by other controllers are expired even when this
// manager is never called. Clocks of different controllers may disagree
// about the time, but must run at the same rate (see package lease).
//
// # Cost, and failover
//
// With a client that reads single leases ([lease.SingleRefresher], as the
// MongoDB client does), a check that misses, a claim the cache would deny,
// a block and the expiry of a lease that is due each read only that lease
// (and the clock document), so they cost the same with 10,000 leases as
// with 10; a denial and a release are decided on what the store says of
// the lease at that moment, not on a cache that may be stale. Other
// clients are refreshed in full on each of those, or not at all for a
// claim and a block, as in Juju. With a client that reads the clocks
// alone ([lease.ClockRefresher]), the manager also does so every
// [ManagerConfig.ClockPoll] (200ms by default): after a controller dies,
// its units' leases are then expired about ClockPoll after their
// guaranteed terms end, whatever their length and MaxSleep (see package
// lease, "Failover", for why). With a client that also counts releases
// ([lease.ReleaseWatcher]: the MongoDB client and leasetest's), each poll
// sees a revocation or an expiry made through another controller, and
// reads again the leases that units wait on through this manager, and only
// those: a unit blocked here is released about ClockPoll after a release
// elsewhere, and a poll when nothing was released stays one small read
// (see package lease, "Releases"). A client that counts releases but reads
// no clocks (leasetest's) is polled only while someone is blocked
// ("RefreshReleases").
//
// A clock may step back (an NTP correction, or a clock without Go's
// monotonic reading). Operations may then fail, with
// [lease.ErrExcessiveContention], until the clock passes the last time its
// client wrote; the manager keeps running, does not retry faster than its
// back-off, never grants two leaders, and works as before once the clock
// has caught up. When the manager sees a reading earlier than its last, it
// moves the times it counts its next wake from back by the step, so that
// the step does not put off its refreshes and expiries.
//
// # Observing a manager
//
// [ManagerConfig.Observer] is told of every [Event] a manager emits, on
// the manager's goroutine, in order: each answered call of its API
// ([EventClaim], [EventCheck], [EventBlock], [EventRevoke]; a call of
// [LeaderReader]'s Leaders has no event of its own, only its read of
// every lease, an [EventRefresh]), each expiry
// it tries ([EventExpire]), each wake ([EventWake]), each read of the
// store ([EventRefresh]) and each write ([EventStore], also for a write
// sent in a batch, whose Batch is then set), named by its [Call] (one
// whose error matches [lease.ErrUnavailable] or [lease.ErrCorrupt] has
// the result [ResultUnavailable] or [ResultCorrupt]), with its duration
// on the manager's clock (zero if the clock stepped back meanwhile), and
// its stop ([EventStop]). Every event carries Known, the leases in the
// manager's view, and Held, those claimed or extended through it and not
// seen to end. A [Tracker] emits [EventLeading] at each change between
// leader and minion (and minion once more when it stops as leader), and
// [EventStop]; its events have FromTracker set. The nested module
// prometheus/ turns events into metrics.
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
