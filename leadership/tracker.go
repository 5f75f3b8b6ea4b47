package leadership

import (
	"context"
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// Tracker claims and keeps one unit's leadership of its service, for as
// long as it runs: it claims on start; while leader, it renews; when
// denied, it waits for the leadership to be released and claims again.
// It answers questions about the unit's leadership with [Ticket]s, as
// Juju's worker/leadership tracker did.
//
// The tracker counts itself leader (a true [Tracker.ClaimLeader] or
// [Tracker.WaitLeader], an [EventLeading] leader) only within the term of
// its last successful claim: Duration from its clock reading just before
// the claim call, counted on monotonic time, and cut short by a step
// forward of the wall clock. That term ends no later than the lease the
// claim wrote, as every controller judges it, whatever the manager does
// and however long a call hangs (docs/design.md#tracker-terms).
//
// Errors other than [ErrClaimDenied] (a store outage,
// [lease.ErrUnavailable], included) are retried with back-off on the
// tracker's clock, from [TrackerConfig.RetryPeriod] doubling up to
// MaxRetryPeriod; meanwhile the tracker runs, a minion once its term has
// ended. It stops, and answers every ticket false, when its manager stops
// ([ErrStopped]: at once if the manager is a [Stopping], else at its next
// call), or when a claim fails with [lease.ErrTimeOutOfRange] because
// Duration after an in-range start is out of range (every retry would fail
// alike; it does not revoke).
//
// Kill and Resign ([Resigner]) end the leader contexts of [LeaderRunner]
// and revoke only once the work under them has stopped
// (docs/design.md#leader-only-work); a true ClaimLeader's guarantee they
// cut short.
//
// Run at most one tracker per unit at a time, and start a unit's new
// tracker only once Wait has returned for its old one: the store knows
// units, not trackers, so the old one's stop revokes the leadership the new
// one relies on.
type Tracker interface {
	worker.Worker

	// ServiceName returns the name of the service the tracker claims.
	ServiceName() string

	// ClaimDuration returns how long a true [Tracker.ClaimLeader]
	// guarantees leadership for: [TrackerConfig.ClaimDuration].
	ClaimDuration() time.Duration

	// ClaimLeader returns a Ticket whose answer is true if the unit is
	// leader, guaranteed for at least ClaimDuration from the call, and
	// false if it is not. While the current term cannot cover
	// ClaimDuration from now (a renewal is late or failing), the answer
	// waits for the renewal, or is false once the term ends. Kill and
	// Resign cut the guarantee short; work that must not be cut short
	// runs under a leader context ([LeaderRunner]).
	ClaimLeader() Ticket

	// WaitLeader returns a Ticket that is answered true once the unit is
	// leader (at once if it is), or false if the tracker stops first.
	// A true answer says the unit was leader when it came; use
	// ClaimLeader for a guarantee that lasts.
	WaitLeader() Ticket

	// WaitMinion returns a Ticket that is answered true once the unit is
	// known not to be leader (at once if so), or false if the tracker stops
	// first. Before its first claim has returned, the tracker does not
	// know.
	WaitMinion() Ticket
}

// tracker implements [Tracker]. Its loop goroutine owns everything below
// the channels; claims and waits for a release run on goroutines of their
// own, one at a time, and report back through results.
type tracker struct {
	tomb    tomb.Tomb
	config  TrackerConfig
	timing  trackerTiming
	revoker Revoker        // nil if the manager cannot revoke
	blocker ContextBlocker // nil if the manager's waits take no context
	// managerDying is closed when the manager stops; nil if no Stopping.
	managerDying <-chan struct{}

	tickets chan ticketRequest
	results chan callResult
	// workRequests, releases, deadlines and resigns reach the loop until
	// closed is closed; closeCause, written before, says why.
	workRequests chan *leaderWork
	releases     chan *leaderWork
	deadlines    chan deadlineRequest
	resigns      chan chan error
	closed       chan struct{}
	closeCause   error

	// Everything below is owned by the loop goroutine.

	decided bool
	// clock is config.Clock if it is a lease.MonotonicClock, else nil.
	clock lease.MonotonicClock
	// termEnd is when the last successful claim's term ends, in monotonic
	// time, and termEndWall on the wall clock; zero when not leader.
	termEnd     time.Time
	termEndWall time.Time
	// mayHold is set from a claim that succeeded, or may have
	// (mayHoldAfter), until a denial; a stopping tracker then revokes.
	mayHold bool
	calling callKind
	// nextClaim is when to claim next, in monotonic time; zero while
	// waiting for a release.
	nextClaim time.Time
	// failures counts the calls that failed in a row, for back-off.
	failures int

	claimStart reading
	// claimWall floors the wall-clock time the manager read during the
	// claim in flight, whatever steps the tracker saw meanwhile.
	claimWall time.Time
	// reported is what noteLeading last reported.
	reported leading
	// cancelBlock gives up the wait for a release in flight, if any.
	cancelBlock context.CancelFunc
	pending     map[question][]*ticket
	alarm       <-chan time.Time // nil when none is set
	alarmAt     time.Time        // in monotonic time
	// activity and callActivity report to a lease.Settler clock.
	activity, callActivity lease.Activity
	// waiting and works: leader contexts not yet granted, and granted.
	waiting []*leaderWork
	works   map[*leaderWork]struct{}
	// resigning is the resignation under way: no leader, no claim.
	resigning *resignation
	// pauseUntil: no claim before it (monotonic), after a resignation.
	pauseUntil time.Time
}

var _ Tracker = (*tracker)(nil)

// NewTracker returns a running [Tracker] for config, or nil and an error if
// config is invalid. Stop it with Kill and Wait (or [worker.Stop]). It is
// also a [LeaderRunner] and a [Resigner]. Run at most one per unit at a
// time (see [Tracker]).
func NewTracker(config TrackerConfig) (Tracker, error) {
	if err := config.Validate(); err != nil {
		return nil, errors.Trace(err)
	}
	t := &tracker{
		config:  config,
		timing:  timingOf(config),
		tickets: make(chan ticketRequest),
		results: make(chan callResult),
		pending: make(map[question][]*ticket),

		workRequests: make(chan *leaderWork),
		releases:     make(chan *leaderWork),
		deadlines:    make(chan deadlineRequest),
		resigns:      make(chan chan error),
		closed:       make(chan struct{}),
		works:        make(map[*leaderWork]struct{}),
	}
	t.clock, _ = config.Clock.(lease.MonotonicClock)
	t.revoker, _ = config.Manager.(Revoker)
	t.blocker, _ = config.Manager.(ContextBlocker)
	if s, ok := config.Manager.(Stopping); ok {
		t.managerDying = s.Dying()
	}
	t.activity = trackerActivity(config)
	runLoop(&t.tomb, t.activity, t.loop, t.emitStop)
	return t, nil
}

// Kill is part of the [worker.Worker] interface. It ends every leader
// context at once ([ErrTrackerKilled]) and makes no more renewals. A
// tracker that may hold the lease (it leads, or its last claim failed with
// an unknown outcome) then revokes, if its manager is a [Revoker], once
// the work under those contexts has stopped, and before Wait returns;
// work still running when the unit's last term ends is left to run, the
// tracker does not revoke, and Wait returns [ErrLeaderWorkRunning]. A call
// in flight is waited for first, so a call that never returns keeps Wait
// from returning. On a manager that is no [ContextBlocker], a minion's
// goroutine stays blocked in BlockUntilLeadershipReleased after Wait
// returns, until the release or the manager's stop.
func (t *tracker) Kill() {
	kill(&t.tomb, nil)
}

// Wait is part of the [worker.Worker] interface. It returns nil after a
// clean stop; an error matching [ErrStopped] if the manager stopped under
// the tracker; an error matching [lease.ErrTimeOutOfRange] if a claim's
// expiry was out of the store's range; an error matching
// [ErrLeaderWorkRunning] if Kill did not revoke because leader-only work
// still ran; or the revoke's error, if revoking failed.
func (t *tracker) Wait() error {
	return t.tomb.Wait()
}

// ServiceName is part of the [Tracker] interface.
func (t *tracker) ServiceName() string {
	return t.config.ServiceName
}

// ClaimDuration is part of the [Tracker] interface.
func (t *tracker) ClaimDuration() time.Duration {
	return t.timing.guarantee
}

// ClaimLeader is part of the [Tracker] interface.
func (t *tracker) ClaimLeader() Ticket {
	return t.ask(claimLeader)
}

// WaitLeader is part of the [Tracker] interface.
func (t *tracker) WaitLeader() Ticket {
	return t.ask(waitLeader)
}

// WaitMinion is part of the [Tracker] interface.
func (t *tracker) WaitMinion() Ticket {
	return t.ask(waitMinion)
}

// ask sends a question to the loop, and returns its ticket: answered
// false at once if the tracker is stopping.
func (t *tracker) ask(q question) Ticket {
	tk := newTicket()
	select {
	case t.tickets <- ticketRequest{question: q, ticket: tk}:
	case <-t.tomb.Dying():
		tk.answer(false)
	}
	return tk
}

// loop runs the tracker until it is killed or the manager stops. Whatever
// ends it, every pending ticket is then answered false, and every leader
// context and Resign call is answered with the reason (see closeService).
func (t *tracker) loop() (err error) {
	defer func() {
		t.answerAll(false)
		cause := err
		if errors.Is(err, tomb.ErrDying) {
			cause = ErrTrackerKilled
		}
		t.closeService(t.now(), cause)
	}()
	t.nextClaim = t.now().mono
	for {
		t.update(t.now())
		if err := t.choose(); err != nil {
			return errors.Trace(err)
		}
	}
}

// choose handles whichever comes first: death, the alarm, a question, a
// request about leader-only work or a resignation, or the end of a call:
// it picks the handler, marks the loop busy, and runs it. It returns the
// error, if any, that must stop the tracker.
func (t *tracker) choose() error {
	idle(t.activity, t.alarm, t.tomb.Dying(), t.managerDying)
	var handle func() error
	select {
	case <-t.tomb.Dying():
		handle = t.stop
	case <-t.managerDying:
		handle = t.managerStopped
	case <-t.alarm:
		t.alarm = nil
		handle = func() error { return nil }
	case r := <-t.tickets:
		handle = func() error { t.handleTicket(r); return nil }
	case r := <-t.results:
		handle = func() error { return t.handleResult(r, t.now()) }
	case w := <-t.workRequests:
		handle = func() error { t.handleWorkRequest(w); return nil }
	case w := <-t.releases:
		handle = func() error { t.handleRelease(w, t.now()); return nil }
	case r := <-t.deadlines:
		handle = func() error { t.handleDeadline(r, t.now()); return nil }
	case reply := <-t.resigns:
		handle = func() error { t.handleResign(reply, t.now()); return nil }
	}
	busy(t.activity)
	return handle()
}

// handleTicket keeps r's ticket until the tracker can answer its
// question.
func (t *tracker) handleTicket(r ticketRequest) {
	t.pending[r.question] = append(t.pending[r.question], r.ticket)
}
