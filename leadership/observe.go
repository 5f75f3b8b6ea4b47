package leadership

import "time"

// Observer is told what a manager or a tracker does, one [Event] at a
// time, so that metrics can be kept without the library depending on a
// metrics system (the nested module prometheus/ turns events into
// Prometheus metrics). Set it in [ManagerConfig.Observer] or
// [TrackerConfig.Observer].
//
// Observe is called on the manager's (or tracker's) own goroutine, so
// events from one manager arrive in order and never concurrently; an
// Observer shared by several managers must be safe for concurrent use.
// Observe must return quickly and must not call the manager or tracker
// that emits the event (that would deadlock); the same holds for the
// handler of [ManagerConfig.Logger]. It must not keep e.Err beyond the
// call if it mutates it. A panic in Observe is not recovered: like any
// panic on a goroutine of its own, it ends the program.
type Observer interface {
	Observe(e Event)
}

// ObserverFunc adapts a function to [Observer].
type ObserverFunc func(e Event)

// Observe calls f(e).
func (f ObserverFunc) Observe(e Event) { f(e) }

// EventKind says what an [Event] reports. Its values are short lower-case
// words, fit for a metric label.
type EventKind string

// The kinds of [Event], with the results each may carry.
const (
	// EventClaim: a ClaimLeadership call answered. Result is
	// ResultGranted (a new term), ResultExtended (the leader's term
	// extended), ResultDenied (another unit leads) or ResultError.
	EventClaim EventKind = "claim"
	// EventCheck: a CheckLeadership call answered. Result is ResultHit
	// (the unit leads; a token was returned), ResultMiss (it does not) or
	// ResultError.
	EventCheck EventKind = "check"
	// EventBlock: a BlockUntilLeadershipReleased (or its context form)
	// answered. Result is ResultReleased or ResultError (stopped or
	// cancelled).
	EventBlock EventKind = "block"
	// EventRevoke: a revocation ([Revoker]) answered. Result is
	// ResultRevoked, ResultDenied (the unit was not leader) or ResultError.
	EventRevoke EventKind = "revoke"
	// EventExpire: the manager tried to expire a lease that ran out.
	// Result is ResultExpired, or ResultError (it will try again). A
	// lease that the store says was extended or already expired by
	// another manager gives no EventExpire, only its EventStore (denied).
	EventExpire EventKind = "expire"
	// EventWake: the manager woke on its alarm and did its work: expiries,
	// polls and refreshes. Result is ResultOK, or ResultError if it must
	// back off and try again.
	EventWake EventKind = "wake"
	// EventRefresh: the manager read the store through its client. Call
	// is the method: one of the reads among the [Call] values.
	// Result is ResultOK; ResultUnavailable if the store could not be
	// reached (the error matches lease.ErrUnavailable); ResultCorrupt if
	// it holds a document a person must repair (lease.ErrCorrupt); or
	// ResultError.
	EventRefresh EventKind = "refresh"
	// EventStore: the manager made one write of one lease through its
	// client: a store transaction, or one of the writes of a transaction
	// sent as a batch (Batch says how many). Call is the method, one of
	// the writes among the [Call] values, or for a write of a batch the
	// method it stands for. Result is ResultOK, ResultDenied (the
	// client returned lease.ErrInvalid), ResultUnavailable (the store
	// could not be reached: the write's outcome is unknown until the
	// manager reads the lease again), ResultCorrupt or ResultError.
	EventStore EventKind = "store"
	// EventLeading: a tracker became leader (Result ResultLeader) or
	// minion (ResultMinion) of its service: once its first claim has
	// returned, at each change after that, and as minion when it stops
	// while leader.
	EventLeading EventKind = "leading"
	// EventStop: the manager or tracker stopped (FromTracker says
	// which). Err is why; nil after Kill.
	EventStop EventKind = "stop"
)

// Result is the outcome carried by an [Event]; empty for kinds that have
// none.
type Result string

// The results of events; see [EventKind] for which kind carries which.
const (
	ResultOK       Result = "ok"
	ResultError    Result = "error"
	ResultGranted  Result = "granted"
	ResultExtended Result = "extended"
	ResultDenied   Result = "denied"
	ResultHit      Result = "hit"
	ResultMiss     Result = "miss"
	ResultReleased Result = "released"
	ResultRevoked  Result = "revoked"
	ResultExpired  Result = "expired"
	ResultLeader   Result = "leader"
	ResultMinion   Result = "minion"
	// ResultUnavailable and ResultCorrupt are the results of an
	// EventRefresh or EventStore whose error matches
	// [lease.ErrUnavailable] or [lease.ErrCorrupt].
	ResultUnavailable Result = "unavailable"
	ResultCorrupt     Result = "corrupt"
)

// Call names the [lease.Client] method (or that of one of the client's
// optional interfaces) behind an [EventRefresh] or an [EventStore]. Its
// values are the methods' names, fit for a metric label.
type Call string

// The calls of a manager's client: reads of the store (EventRefresh),
// then writes (EventStore).
const (
	CallRefresh         Call = "Refresh"         // every lease
	CallRefreshLease    Call = "RefreshLease"    // one lease ([lease.SingleRefresher])
	CallRefreshClocks   Call = "RefreshClocks"   // the clocks alone ([lease.ClockRefresher])
	CallRefreshReleases Call = "RefreshReleases" // the count of releases alone ([lease.ReleaseWatcher])

	CallClaimLease  Call = "ClaimLease"
	CallExtendLease Call = "ExtendLease"
	CallExpireLease Call = "ExpireLease"
	CallRevokeLease Call = "RevokeLease" // [lease.Revoker]
)

// Event is one thing a manager or a tracker did. Fields that do not apply
// to its Kind are zero.
type Event struct {
	// Kind says what happened.
	Kind EventKind

	// Result is the outcome.
	Result Result

	// Call names the lease.Client method, for EventRefresh and
	// EventStore.
	Call Call

	// Service and Unit name the service (the lease) and the unit (its
	// holder or claimant) concerned, if any. A tracker's events name
	// both.
	Service string
	Unit    string

	// FromTracker is true for the events of a tracker (EventLeading, and
	// its EventStop), false for a manager's.
	FromTracker bool

	// Duration is how long it took on the emitter's clock: for a call of
	// the Manager API, from when the manager took the request to its
	// answer; for a wake, a refresh or a store call, that work alone.
	// Zero for kinds without one, on a clock that did not move, and on
	// one that stepped back meanwhile (never negative).
	Duration time.Duration

	// At is the emitter's clock reading when it happened.
	At time.Time

	// Known is how many leases the manager's view holds after the event
	// (held, as far as it knows, or run out and not yet expired). Held
	// is how many of those were last claimed or extended through this
	// manager, and have not been seen to end. Both are set on every
	// event a manager emits, and are zero on a tracker's.
	Known int
	Held  int

	// Batch is, for an EventStore, how many writes the store transaction
	// that carried this one held, when the manager sent it with others
	// (see docs/design.md#manager-batches): each has its own event, with
	// the whole transaction's Duration. Zero for a write sent alone, and
	// for every other kind.
	Batch int

	// Err is the error, for ResultError and for EventStop.
	Err error
}
