package leadership

import "time"

// Observer is told what a manager or a tracker does, one [Event] at a
// time, so metrics can be kept without depending on a metrics system (the
// nested module prometheus/ turns events into Prometheus metrics). Set it
// in [ManagerConfig.Observer] or [TrackerConfig.Observer].
//
// Observe is called on the emitter's own goroutine, so one manager's
// events arrive in order and never concurrently; an Observer shared by
// several must be safe for concurrent use. Observe must return quickly and
// must not call the manager or tracker that emits (a deadlock), nor must
// the [ManagerConfig.Logger]'s handler; it must not keep e.Err beyond the
// call if it mutates it. A panic in Observe ends the program.
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
	// lease found extended or expired by another gives only its
	// EventStore (denied).
	EventExpire EventKind = "expire"
	// EventWake: the manager woke on its alarm and did its work: expiries,
	// polls and refreshes. Result is ResultOK, or ResultError if it must
	// back off and try again.
	EventWake EventKind = "wake"
	// EventRefresh: the manager read the store through its client (Call
	// says how). Result is ResultOK, ResultUnavailable
	// ([lease.ErrUnavailable]), ResultCorrupt ([lease.ErrCorrupt]) or
	// ResultError.
	EventRefresh EventKind = "refresh"
	// EventStore: one write of one lease through the client, alone or
	// in a batch (Batch says how many). Call is the method, or for a
	// batch's write the method it stands for. Result is ResultOK,
	// ResultDenied (lease.ErrInvalid), ResultUnavailable (outcome unknown
	// until the lease is read again), ResultCorrupt or ResultError.
	EventStore EventKind = "store"
	// EventLeading: a tracker became leader (ResultLeader) or minion
	// (ResultMinion): once its first claim returned, at each change, and
	// as minion when it stops while leader.
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
	CallRefresh         Call = "Refresh"         // every lease (one event for all the steps of a [lease.StepRefresher])
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

	// Duration is how long it took on the emitter's clock: for a Manager
	// call, from taking the request to the answer; for a wake, refresh or
	// store call, that work. Zero for kinds without one and when the
	// clock stepped back meanwhile (never negative).
	Duration time.Duration

	// At is the emitter's clock reading when it happened.
	At time.Time

	// Known is how many leases the manager's view holds after the event
	// (held, or run out and not yet expired); Held, how many of those were
	// last claimed or extended through this manager and not seen to end.
	// Zero on a tracker's events.
	Known int
	Held  int

	// Batch is, for an EventStore sent with others, how many writes its
	// transaction held (docs/design.md#manager-batches); each has its own
	// event with the transaction's Duration. Zero otherwise.
	Batch int

	// Err is the error, for ResultError and for EventStop.
	Err error
}
