package leadership

import (
	"log/slog"
	"time"

	"github.com/juju/errors"
	"gopkg.in/tomb.v1"

	"github.com/seed07a61904/leadership/internal/timeshift"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// Manager grants leadership of services to their units. A method given an
// invalid name (see the package doc) returns an error naming it, and sends
// nothing to the manager.
type Manager interface {
	// ClaimLeadership makes the unit leader of the service for at least
	// duration (positive) from the moment of the call, and returns nil;
	// a claim by the current leader extends its term, and never shortens
	// it. It returns [ErrClaimDenied] (bare) if another unit is leader.
	//
	// Errors: [lease.ErrExcessiveContention] (the lease kept changing, or
	// the clock is behind its own last write) and [lease.ErrUnavailable]
	// (the store could not be reached; the lease is read again before the
	// next request about it) leave the outcome unknown and may be retried;
	// [ErrStopped] means the manager has stopped; after any other error
	// nothing can be inferred. The manager keeps running.
	ClaimLeadership(serviceName, unitName string, duration time.Duration) error

	// CheckLeadership returns a [Token] if the unit is leader of the
	// service, or an error and a nil Token if it is not: an error that
	// says "<unit> is not leader of <service>". An error satisfying
	// errors.Is(err, [lease.ErrExcessiveContention]) or
	// [lease.ErrUnavailable] means the manager could not read the store
	// just then, and the caller may try again; [ErrStopped] means the
	// manager has stopped.
	CheckLeadership(serviceName, unitName string) (Token, error)

	// BlockUntilLeadershipReleased returns nil once the manager's view
	// shows no leader for the service: at once if there is none. It
	// returns [ErrStopped] if the manager stops first.
	BlockUntilLeadershipReleased(serviceName string) error
}

// ManagerWorker is a [Manager] that runs until killed: no error of its
// client stops it.
type ManagerWorker interface {
	worker.Worker
	Manager
}

// manager implements [ManagerWorker]. How it keeps the cost of each call
// flat is in docs/design.md#manager-view-and-cost.
type manager struct {
	tomb     tomb.Tomb
	client   lease.Client
	reader   lease.Reader // nil if client does not implement it
	clock    lease.Clock
	maxSleep time.Duration
	// single, clocks, revoker, batcher and watcher are the client's
	// optional interfaces, nil where it lacks them (clocks and watcher
	// also if ClockPoll is negative, batcher if MaxBatch is 1, watcher
	// without a SingleRefresher).
	single    lease.SingleRefresher
	clocks    lease.ClockRefresher
	clockPoll time.Duration

	revoker lease.Revoker

	batcher  lease.Batcher
	maxBatch int

	watcher lease.ReleaseWatcher

	// stepper is the client's lease.StepRefresher, or nil.
	stepper lease.StepRefresher

	claims  chan claim
	checks  chan check
	cancels chan block // see block_context.go
	revokes chan revoke
	// requests carries every other call (see request). Claims and
	// revocations have channels of their own so that the loop can take
	// those queued behind one (see takeQueued and serveWaitingClaims);
	// checks, the most frequent call, so that their requests cost no
	// allocation.
	requests chan request

	// observing is true if observer or logger is set (see emit.go).
	observer  Observer
	logger    *slog.Logger
	observing bool
	// activity reports the loop's work to a lease.Settler clock, or nil.
	activity lease.Activity

	// Everything below is owned by the loop goroutine.
	view    view
	blocked map[string][]waiter // by service name
	watched map[string]*watchedLease
	// held maps the leases claimed or extended through this manager, and
	// not seen to end, to their holders; kept only while observing.
	held map[string]string
	// shortestClaim is the shortest duration claimed (see slow).
	shortestClaim time.Duration
	// batchTail: a batch's later writes log no slow line (see emitOp).
	batchTail bool
	// stopping: a wake met an error that stops the manager (logEvent).
	stopping bool
	// sleepFrom is the last refresh of every lease (or start); the next
	// is MaxSleep after it at the latest.
	sleepFrom time.Time
	// lastWake is the last wake: never two at one clock reading, since
	// everything due then was tried and would be refused again.
	lastWake time.Time
	alarm    <-chan time.Time // nil when a new one is needed
	alarmAt  time.Time

	lastNow time.Time
	// stepping is the wake's refresh of every lease in flight, or nil.
	stepping *steppedRefresh
	// retry is the back-off after a wake that could not finish.
	retry retry
	// releasesSeen is the release count last acted on (followReleases).
	releasesSeen int64
	// watchFrom is when someone blocked while nobody else was.
	watchFrom time.Time
	// outage: what to read again after calls that missed the store.
	outage outage
}

// NewManager returns a [ManagerWorker] running with config, or nil and an
// error if config is invalid.
func NewManager(config ManagerConfig) (ManagerWorker, error) {
	if err := config.Validate(); err != nil {
		return nil, errors.Trace(err)
	}
	m := &manager{
		client:   config.Client,
		clock:    config.Clock,
		maxSleep: config.maxSleep(),
		maxBatch: config.maxBatch(),
		claims:   make(chan claim),
		checks:   make(chan check),
		cancels:  make(chan block, cancelBuffer),
		revokes:  make(chan revoke),
		requests: make(chan request),
		blocked:  make(map[string][]waiter),
		held:     make(map[string]string),
		observer: config.Observer,
		logger:   config.Logger,
		// Read here so that MaxSleep counts from NewManager's call.
		sleepFrom: config.Clock.Now(),
	}
	m.lastNow = m.sleepFrom
	m.watched = make(map[string]*watchedLease)
	m.observing = m.observer != nil || m.logger != nil
	m.activity = lease.Track(config.Clock, "leadership manager")
	m.reader, _ = config.Client.(lease.Reader)
	m.single, _ = config.Client.(lease.SingleRefresher)
	m.revoker, _ = config.Client.(lease.Revoker)
	m.stepper, _ = config.Client.(lease.StepRefresher)
	if m.maxBatch > 1 {
		m.batcher, _ = config.Client.(lease.Batcher)
	}
	if m.clockPoll = config.clockPoll(); m.clockPoll > 0 {
		m.clocks, _ = config.Client.(lease.ClockRefresher)
		if m.single != nil {
			m.watcher, _ = config.Client.(lease.ReleaseWatcher)
		}
	}
	if m.watcher != nil {
		m.releasesSeen = m.watcher.Releases()
	}
	runLoop(&m.tomb, m.activity, m.loop, func() {
		m.abandonSteps()
		m.closeWatches()
		m.abandonWaiters()
		m.emitStop()
	})
	return m, nil
}

// Kill is part of the [worker.Worker] interface.
func (m *manager) Kill() {
	kill(&m.tomb, nil)
}

// Wait is part of the [worker.Worker] interface.
func (m *manager) Wait() error {
	return m.tomb.Wait()
}

// runLoop runs loop in a new goroutine that owns the worker's state, then
// kills tb with loop's error, runs finish, ends activity, and marks tb done.
func runLoop(tb *tomb.Tomb, activity lease.Activity, loop func() error, finish func()) {
	go func() {
		defer tb.Done()
		kill(tb, loop())
		finish()
		done(activity)
	}()
}

// kill stops the worker with err (nil: clean). A tomb.ErrDying cause is
// made bare: tomb compares it by identity.
func kill(tb *tomb.Tomb, err error) {
	if errors.Is(err, tomb.ErrDying) {
		err = tomb.ErrDying
	}
	tb.Kill(err)
}

// loop runs the manager until it is killed or one of its handlers fails.
func (m *manager) loop() error {
	m.view.reset(m.client.Leases())
	for {
		m.setAlarm()
		if err := m.choose(); err != nil {
			return errors.Trace(err)
		}
	}
}

// choose handles whichever comes first: death, the alarm, or a request:
// it picks the handler, marks the loop busy, and runs it. It returns the
// error, if any, that must stop the manager.
func (m *manager) choose() error {
	m.dropCancelled()
	alarm, stepping := m.idleOn()
	idle(m.activity, alarm, m.tomb.Dying(), stepping)
	var handle func() error
	select {
	case <-m.tomb.Dying():
		handle = dying
	case <-m.alarm:
		m.alarm = nil
		handle = m.wake
	case c := <-m.claims:
		handle = func() error { return m.handleClaim(c) }
	case c := <-m.checks:
		handle = func() error { return m.handleCheck(c) }
	case b := <-m.cancels:
		handle = func() error { m.handleCancel(b); return nil }
	case r := <-m.revokes:
		handle = func() error { return m.handleRevoke(r) }
	case r := <-m.requests:
		handle = func() error { return r.handle(m) }
	}
	busy(m.activity)
	return handle()
}

// request is a call the loop takes from its requests channel: a block,
// leaders, watch or unwatch, sent as a pointer (which the interface holds
// as it is). handle runs it in the loop, and returns only the error that
// must stop the manager.
type request interface {
	handle(m *manager) error
}

// dying is the handler of a loop's death: it stops the loop.
func dying() error {
	return tomb.ErrDying
}

// setAlarm sets the alarm, if its time changed, for the soonest of: the
// earliest expiry, MaxSleep after the last full refresh, the next clock
// poll (pollAt), the re-read after an outage (outageAlarm); or the end of
// a wake's back-off; never at or before the last wake. While a stepped
// refresh is in flight, the alarm has always fired (stepNow). It reads the clock
// first, so a step back delays none of these (see now).
func (m *manager) setAlarm() {
	m.now()
	if m.stepping != nil {
		m.alarm, m.alarmAt = stepNow, time.Time{}
		return
	}
	at := m.sleepFrom.Add(m.maxSleep)
	if expiry, ok := m.view.earliest(); ok && expiry.Before(at) {
		at = expiry
	}
	if poll, ok := m.pollAt(); ok && poll.Before(at) {
		at = poll
	}
	if read, ok := m.outageAlarm(); ok && read.Before(at) {
		at = read
	}
	if !m.retry.at.IsZero() {
		at = m.retry.at
	}
	if !m.lastWake.IsZero() && !at.After(m.lastWake) {
		at = m.lastWake.Add(time.Nanosecond)
	}
	if m.alarm != nil && at.Equal(m.alarmAt) {
		return
	}
	m.alarm = m.clock.Alarm(at)
	m.alarmAt = at
}

// now reads the clock. On a step back, every time the next wake counts
// from moves back by the step exactly, so the step delays none of them;
// expiries do not move, since a later deadline errs on the safe side
// (docs/design.md#clock-steps).
func (m *manager) now() time.Time {
	now := m.clock.Now()
	if now.Before(m.lastNow) {
		moveBack(now, m.lastNow, &m.sleepFrom, &m.lastWake, &m.retry.at, &m.watchFrom, &m.outage.readAt)
	}
	m.lastNow = now
	return now
}

// moveBack moves every non-zero time back by the step from last to now,
// exactly (time.Time.Sub saturates at about 292 years).
func moveBack(now, last time.Time, times ...*time.Time) {
	for _, t := range times {
		if !t.IsZero() {
			*t = timeshift.Shift(*t, now, last)
		}
	}
}

// lease returns the client's cached information about the named lease,
// through the lease.Reader if there is one.
func (m *manager) lease(name string) (lease.Info, bool) {
	if m.reader != nil {
		return m.reader.Lease(name)
	}
	info, ok := m.client.Leases()[name]
	return info, ok
}

// sync records what the client says of the named lease.
func (m *manager) sync(name string) {
	info, held := m.lease(name)
	m.record(name, info, held)
}

// record updates the view for the named lease, tells its watches if its
// leader changed, and, if it is not held, releases its blocks.
func (m *manager) record(name string, info lease.Info, held bool) {
	m.noteLeader(name, info.Holder, held)
	if m.observing {
		m.checkHeld(name, info, held)
	}
	if held {
		m.view.set(name, info.Expiry)
		return
	}
	m.view.remove(name)
	m.release(name)
}

// release unblocks every caller waiting for the named lease to be released.
func (m *manager) release(name string) {
	for _, w := range m.blocked[name] {
		m.emit(Event{Kind: EventBlock, Result: ResultReleased, Service: name}, w.since)
		close(w.unblock)
	}
	delete(m.blocked, name)
}

// abandonWaiters emits, after the stop, each waiter's EventBlock
// (ErrStopped).
func (m *manager) abandonWaiters() {
	if !m.observing {
		return
	}
	for name, waiters := range m.blocked {
		for _, w := range waiters {
			m.emit(Event{Kind: EventBlock, Result: ResultError, Service: name, Err: ErrStopped}, w.since)
		}
	}
}
