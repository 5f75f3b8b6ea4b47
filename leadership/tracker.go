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
// It answers questions about the unit's leadership with [Ticket]s. This is
// the loop every unit agent needs, as Juju's worker/leadership tracker
// (2015) provided it.
//
// # Guarantees
//
// A claim's start is the tracker's reading of its clock taken just before
// the claim call; its term ends Duration later. The tracker counts itself
// leader (a true [Tracker.ClaimLeader] or [Tracker.WaitLeader], an
// [EventLeading] leader) only within the term of its last successful
// claim, and a minion from the instant that term ends unless a later claim
// has succeeded, whatever the manager does and however long a call hangs.
// The term ends no later than the lease the claim wrote, as every
// controller judges it (docs/design.md#tracker-terms).
//
// # Clocks that step back
//
// The tracker counts its terms, renewals and back-offs on monotonic time,
// which no step of the wall clock moves: on [lease.MonotonicClock]'s
// Monotonic time if [TrackerConfig.Clock] is one ([lease.SystemClock] and
// lease/leasetest's fake clock are), and otherwise on the monotonic
// reading that Now must carry, as time.Now's does. [TrackerConfig.Validate]
// refuses a clock whose reading carries none; a later reading without one
// ends the term at once. A step back never lengthens a term. A step
// forward of the wall clock ends the term when the wall clock reaches
// Duration after the claim's start, since it shortens the lease as the
// other controllers judge it; the tracker sees it at its next reading
// (every question reads the clock), not by an alarm.
//
// # Errors
//
// Errors other than [ErrClaimDenied] are retried with back-off (from
// [TrackerConfig.RetryPeriod], doubling, up to MaxRetryPeriod: by default
// Duration/16 and Duration/2) on the tracker's clock; while they last the
// tracker stays up, a minion once its term has ended. A store outage is
// such an error ([lease.ErrUnavailable]): the tracker keeps trying through
// it, and leads again within MaxRetryPeriod of the store answering, if no
// other unit has claimed meanwhile. If the manager stops,
// the tracker stops with an error matching [ErrStopped]: at once if the
// manager is a [Stopping] (the manager [NewManager] returns is), and
// otherwise at its next call. If a claim fails with an error matching
// [lease.ErrTimeOutOfRange] while its start, on the tracker's wall clock,
// is in the store's range and its start plus Duration is not (e.g. a
// Duration of centuries), the tracker stops with that error, without
// revoking: every retry would fail alike. Otherwise (a clock that stepped
// out of the store's range, or a manager that read its clock at another
// time) that error is retried as any other. When the tracker stops in
// either of these ways, Wait returns the error and every ticket is
// answered false.
//
// A stopped tracker answers every ticket, pending or new, false.
//
// # Leader-only work, Kill and Resign
//
// The tracker [NewTracker] returns is also a [LeaderRunner], which hands
// leader-only work a context that ends with the unit's leadership, and a
// [Resigner], which gives leadership up and keeps the tracker running.
// Kill and Resign end those contexts and wait for the work under them to
// stop before they revoke (until the unit's last term ends, at the
// latest). A true ClaimLeader promises nothing to work that does not run
// under a leader context: Kill and Resign cut its guarantee short.
//
// # One tracker per unit
//
// Run at most one tracker per unit at a time, and start a unit's new
// tracker only once Wait has returned for its old one. The store knows
// units, not trackers: two trackers of one unit both count the unit
// leader, and when the old one stops it revokes the unit's leadership,
// which the new one still relies on; another unit may then lead while the
// new tracker answers ClaimLeader true.
type Tracker interface {
	worker.Worker

	// ServiceName returns the name of the service the tracker claims.
	ServiceName() string

	// ClaimDuration returns how long a true [Tracker.ClaimLeader]
	// guarantees leadership for: [TrackerConfig.ClaimDuration], by
	// default Duration/2 (Juju's tracker, likewise, claimed for twice
	// the duration it promised).
	ClaimDuration() time.Duration

	// ClaimLeader returns a Ticket whose answer is true if the unit is
	// leader, guaranteed for at least ClaimDuration from the call, and
	// false if it is not. While the current term cannot cover
	// ClaimDuration from now (a renewal is late or failing), the answer
	// waits for the renewal, or is false once the term ends.
	//
	// The guarantee holds while the tracker runs and leads. Kill cuts it
	// short, and so does the tracker's Resign ([Resigner]): each
	// revokes the unit's leadership as soon as the work run under leader
	// contexts ([LeaderRunner]) has stopped, at once if there is none,
	// without waiting for the guarantee to run out; another unit may
	// then lead. Work that must not be cut short runs under a leader
	// context, which Kill and Resign end first and wait for.
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
	// managerDying is closed when the manager begins to stop; nil if the
	// manager is not a Stopping (see managerStopped).
	managerDying <-chan struct{}

	tickets chan ticketRequest
	results chan callResult
	// workRequests, releases, deadlines and resigns carry requests for
	// leader contexts, their releases, their deadlines, and Resign
	// calls, to the loop, until closed is closed (see closeService);
	// closeCause, written before, says why.
	workRequests chan *leaderWork
	releases     chan *leaderWork
	deadlines    chan deadlineRequest
	resigns      chan chan error
	closed       chan struct{}
	closeCause   error

	// Everything below is owned by the loop goroutine.

	// decided is false until the first claim has returned.
	decided bool
	// clock is the config's Clock if it is a lease.MonotonicClock, nil
	// if not (see "Clocks that step back" on [Tracker]).
	clock lease.MonotonicClock
	// termEnd is when the term of the last successful claim ends, in
	// monotonic time, and termEndWall when it ends on the wall clock (a
	// time without a monotonic reading); both zero when the unit is not
	// leader.
	termEnd     time.Time
	termEndWall time.Time
	// mayHold is true while the unit may hold the lease: from a claim that
	// succeeded, or failed with an outcome that may be a success (see
	// mayHoldAfter), until a denial. A stopping tracker revokes if it is
	// set.
	mayHold bool
	// calling is the kind of call in flight, if any.
	calling callKind
	// nextClaim is when to claim next, in monotonic time, if no call is
	// in flight; zero if no claim is scheduled (the tracker is waiting for
	// a release).
	nextClaim time.Time
	// failures counts the calls that failed in a row, for back-off.
	failures int
	// claimStart is the start of the claim in flight, if any.
	claimStart reading
	// claimWall is the earliest wall-clock time, among the readings
	// taken while the claim in flight ran (its start included, blind
	// ones excepted), moved back by the monotonic time elapsed since the
	// start: a floor for the manager's reading, had it been taken at the
	// claim's start, whatever steps the tracker read meanwhile.
	claimWall time.Time
	// reported is what the tracker last reported of the unit's
	// leadership (see noteLeading).
	reported leading
	// cancelBlock gives up the wait for a release in flight, if any.
	cancelBlock context.CancelFunc
	pending     map[question][]*ticket
	alarm       <-chan time.Time // nil when none is set
	alarmAt     time.Time        // in monotonic time
	// activity and callActivity report the loop's work and the call in
	// flight to the clock, if it is a lease.Settler (see settle.go).
	activity, callActivity lease.Activity
	// waiting holds the requests for leader contexts not yet granted,
	// and works the granted ones not yet released (see tracker_work.go).
	waiting []*leaderWork
	works   map[*leaderWork]struct{}
	// resigning is the resignation under way, if any; while it lasts
	// the unit does not count as leader, and no claim is scheduled.
	resigning *resignation
	// pauseUntil is the earliest time a claim may start, in monotonic
	// time: the end of the pause after the last resignation.
	pauseUntil time.Time
}

var _ Tracker = (*tracker)(nil)

// NewTracker returns a running [Tracker] for config, or nil and an error if
// config is invalid. Stop it with Kill and Wait (or [worker.Stop]). It is
// also a [LeaderRunner] and a [Resigner].
//
// On a manager that is not a [ContextBlocker], a minion tracker leaves a
// goroutine behind after Wait returns, until the leadership is released or
// the manager stops (see Kill).
//
// Run at most one tracker per unit at a time: a tracker that stops revokes
// the unit's leadership, whichever tracker of the unit claimed it (see
// "One tracker per unit" on [Tracker]).
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

// Kill is part of the [worker.Worker] interface. A leading tracker revokes
// its leadership (if its manager is a [Revoker]) before Wait returns, and
// so does one whose last claim failed other than by a denial or its
// manager's stop (the claim may have been written: a store's lost reply);
// a revoke of a lease the unit does not hold is fenced, and ignored. If a
// claim (or a Resign's revoke) is in flight, it waits for it first, so
// Wait returns only once the manager has answered it (or stopped): a call
// that never returns keeps Wait from returning.
//
// Kill ends every leader context at once, with the cause
// [ErrTrackerKilled], makes no more renewals, and revokes only once the
// leader-only work under those contexts has stopped (see [LeaderRunner]):
// it waits for that work until the unit's last term ends; work still
// running then is left to run, the tracker does not revoke, and Wait
// returns an error matching [ErrLeaderWorkRunning]. It does not wait for
// guarantees a true ClaimLeader gave: it cuts them short.
//
// A minion tracker gives up its wait for a release at once if its manager
// is a [ContextBlocker]. If it is not (a wrapper that embeds only
// [Manager], say), that wait cannot be given up: Wait still returns at
// once, but one goroutine of the tracker stays blocked in
// BlockUntilLeadershipReleased until the leadership is released or the
// manager stops.
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
