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

// Manager grants leadership of services to their units.
//
// Service and unit names follow Juju's rules (see the package doc): a
// service name such as "redis" or "my-db2", and a unit name of the form
// "<service>/<n>" such as "redis/0". A method given an invalid name
// returns an error naming it, and sends nothing to the manager.
type Manager interface {
	// ClaimLeadership makes the unit leader of the service for at least
	// duration (positive) from the moment of the call, and returns nil;
	// a claim by the current leader extends its term, and never shortens
	// it. It returns [ErrClaimDenied] (bare) if another unit is leader.
	//
	// An error satisfying errors.Is(err, [lease.ErrExcessiveContention])
	// means the lease kept changing, or the controller's clock is behind
	// its own last write (after an NTP step), while the manager tried:
	// nothing is known of the outcome, the manager keeps running, and the
	// caller may try again. One satisfying errors.Is(err,
	// [lease.ErrUnavailable]) means the store could not be reached: the
	// claim may or may not have been applied, and the manager reads the
	// lease from the store before it decides the next request about it.
	// [ErrStopped] means the manager has stopped. Any other error means
	// nothing can be inferred; the manager keeps running.
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
// client stops it (see "Errors" in the package doc).
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
	// single and clocks are the client's optional refreshers (see
	// refresh.go); nil if it does not implement them, and clocks also if
	// ClockPoll is negative.
	single    lease.SingleRefresher
	clocks    lease.ClockRefresher
	clockPoll time.Duration
	// revoker is the client's lease.Revoker; nil if it does not
	// implement it (see revoke.go).
	revoker lease.Revoker
	// batcher is the client's lease.Batcher, nil if it does not implement
	// it or MaxBatch is 1; maxBatch is MaxBatch (see batch.go).
	batcher  lease.Batcher
	maxBatch int
	// watcher is the client's lease.ReleaseWatcher (see release.go); nil
	// if it does not implement it or lease.SingleRefresher, or if
	// ClockPoll is negative.
	watcher lease.ReleaseWatcher

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

	// observer and logger are ManagerConfig's, nil if not set; observing
	// is true if either is set (see emit.go).
	observer  Observer
	logger    *slog.Logger
	observing bool
	// activity reports the loop's work to the clock, if it is a
	// lease.Settler; nil otherwise (see settle.go).
	activity lease.Activity

	// Everything below is owned by the loop goroutine.
	view    view
	blocked map[string][]waiter // by service name
	// watched holds the services someone watches (see watch.go).
	watched map[string]*watchedLease
	// held maps the leases claimed or extended through this manager, and
	// not seen to end since, to their holders; kept only while observing
	// (see held.go).
	held map[string]string
	// shortestClaim is the shortest duration a claim has asked for; zero
	// before the first (see slow).
	shortestClaim time.Duration
	// batchTail is set while the manager emits the events of a batch's
	// writes after the first, which log no slow line (see emitOp).
	batchTail bool
	// stopping is set by a wake that met an error that stops the
	// manager, so that its line does not say it backs off (see
	// logEvent).
	stopping bool
	// sleepFrom is when the manager started or last refreshed every
	// lease; it does so again MaxSleep after it at the latest.
	sleepFrom time.Time
	// lastWake is when the manager last woke (zero before the first
	// wake). It never wakes twice at one clock reading: everything due at
	// that reading has been tried, and the client would refuse again.
	lastWake time.Time
	alarm    <-chan time.Time // nil when a new one is needed
	alarmAt  time.Time
	// lastNow is the manager's latest reading of its clock.
	lastNow time.Time
	// retry is the back-off after a wake that could not finish: the
	// manager does not wake again before retry.at.
	retry retry
	// releasesSeen is the watcher's count of releases when the manager
	// last read every lease someone was blocked on (see followReleases).
	releasesSeen int64
	// watchFrom is when someone blocked while nobody else was (see
	// watchStarted).
	watchFrom time.Time
	// outage is what the manager must read again after calls that could
	// not use the store (see outage.go).
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
		// Read here rather than in the loop, so that MaxSleep counts from
		// the moment NewManager was called, whenever the loop starts.
		sleepFrom: config.Clock.Now(),
	}
	m.lastNow = m.sleepFrom
	m.watched = make(map[string]*watchedLease)
	m.observing = m.observer != nil || m.logger != nil
	m.activity = lease.Track(config.Clock, "leadership manager")
	m.reader, _ = config.Client.(lease.Reader)
	m.single, _ = config.Client.(lease.SingleRefresher)
	m.revoker, _ = config.Client.(lease.Revoker)
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

// runLoop runs loop in a new goroutine, the one that owns the worker's
// state (a manager's or a tracker's), and then, in that goroutine, kills
// tb with loop's error (see kill), runs finish, reports the end of
// activity and marks tb done.
func runLoop(tb *tomb.Tomb, activity lease.Activity, loop func() error, finish func()) {
	go func() {
		defer tb.Done()
		kill(tb, loop())
		finish()
		done(activity)
	}()
}

// kill stops the worker whose tomb is tb with err, which is nil for a
// clean stop. An error caused by tomb.ErrDying is made bare, because tomb
// compares it by identity: wrapped, a clean stop would be reported as a
// failure.
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
	idle(m.activity, m.alarm, m.tomb.Dying(), nil)
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

// setAlarm makes sure the alarm is set for the next wake-up time: the
// earliest expiry in the view, or MaxSleep after the last refresh of every
// lease, or the next read of the clocks (see pollAt), or the read of every
// lease after a call that could not use the store (see outageAlarm),
// whichever is sooner; or, after a wake that could not finish, the end of
// its back-off;
// and never at or before the last wake. It replaces the alarm only if that
// time has changed.
//
// It reads the clock first, so that a clock that has stepped back since
// the manager last read it delays none of these by the step (see now).
func (m *manager) setAlarm() {
	m.now()
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

// now reads the clock. If it reads earlier than the manager's last
// reading, the clock has stepped back (an NTP step, or a clock with no
// monotonic reading): every time the next wake is counted from (the last
// wake, for MaxSleep and for "never twice at one reading", the end of a
// back-off, the first block of a watch (see pollAt) and the re-read after
// an outage) moves back by the step, exactly, however far it goes, so
// that the step delays none of them. The leases' expiries do not move:
// each is the latest time at which its holder may still lead, and a later
// deadline errs on the safe side.
func (m *manager) now() time.Time {
	now := m.clock.Now()
	if now.Before(m.lastNow) {
		moveBack(now, m.lastNow, &m.sleepFrom, &m.lastWake, &m.retry.at, &m.watchFrom, &m.outage.readAt)
	}
	m.lastNow = now
	return now
}

// moveBack moves every time that is set (not zero) back by the step from
// last to now, exactly: time.Time.Sub saturates at about 292 years, and a
// step back further than that, moved by Sub's difference, would put the
// manager's next wake off by the rest.
func moveBack(now, last time.Time, times ...*time.Time) {
	for _, t := range times {
		if !t.IsZero() {
			*t = timeshift.Shift(*t, now, last)
		}
	}
}

// lease returns the client's cached information about the named lease,
// without copying every lease when the client is a lease.Reader.
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

// record updates the view for the named lease only, with what the client
// says of it, and tells its watches if its leader has changed; if it is
// not held, it releases the blocks waiting for it.
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

// abandonWaiters emits, once the manager has stopped, the EventBlock of
// every caller still waiting: each gets ErrStopped.
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
