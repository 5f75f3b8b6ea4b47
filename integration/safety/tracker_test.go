package safety_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// trackerSpec is one tracker of a "tracked" schedule: a unit's
// leadership.Tracker, on one node, for one Duration. Its unit is claimed
// by nobody else.
type trackerSpec struct {
	unit string
	node int
	dur  time.Duration
}

// simTracker is a running, or stopped, tracker of the world.
type simTracker struct {
	spec    trackerSpec
	index   int
	clock   *trackerClock
	conn    *trackerConn
	tracker leadership.Tracker // nil while not running
	stopped chan struct{}
	err     error // what Wait returned, once stopped is closed
	killed  bool  // the driver killed it
}

// errUnreachable is what a tracker's calls return while its node's
// manager is not running: a failure it retries, as a unit agent's calls
// fail while its controller restarts.
var errUnreachable = errors.New("controller unreachable")

// trackerClock is a tracker's clock: the node's clock, read through the
// node's gatedClock so that its readings count down the node's pending
// steps (a step can then land between the tracker's reading and its
// manager's, in a claim), with alarms of its own on the clock's monotonic
// time that reach the tracker only when the driver lets them through.
type trackerClock struct {
	node *node

	mu     sync.Mutex
	latest *gatedAlarm
}

var _ lease.MonotonicClock = (*trackerClock)(nil)

// Now is part of the lease.Clock interface.
func (c *trackerClock) Now() time.Time {
	return c.node.clock.read()
}

// Alarm is part of the lease.Clock interface. A tracker on a
// MonotonicClock never calls it.
func (c *trackerClock) Alarm(t time.Time) <-chan time.Time {
	return c.gate(c.node.clock.Clock.Alarm(t))
}

// Monotonic is part of the lease.MonotonicClock interface.
func (c *trackerClock) Monotonic() time.Time {
	return c.node.clock.Clock.Monotonic()
}

// MonotonicAlarm is part of the lease.MonotonicClock interface.
func (c *trackerClock) MonotonicAlarm(t time.Time) <-chan time.Time {
	return c.gate(c.node.clock.Clock.MonotonicAlarm(t))
}

func (c *trackerClock) gate(fired <-chan time.Time) <-chan time.Time {
	a := newGatedAlarm(fired)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latest = a
	return a.out
}

// deliver lets the latest alarm through if it has fired, and reports
// whether it did.
func (c *trackerClock) deliver() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.latest.deliver()
}

// trackerConn is a tracker's manager: the node's current manager, if it
// runs. While it does not, and when it stops under a call, calls fail with
// errUnreachable, so that the tracker outlives its manager's kills. It
// records every claim and revoke in the history, and counts the calls in
// flight.
type trackerConn struct {
	w  *world
	n  *node
	tr *simTracker

	mu       sync.Mutex
	calls    int // every call, ever
	inFlight int
	idle     chan struct{} // closed when inFlight drops to zero
	// stepBack and slow, if stepBack is not zero, are for the next claim
	// (see armStep).
	stepBack, slow time.Duration
}

// armStep makes the next claim step the node's clock back by back before
// it reaches the manager, and move every clock on by slow once the manager
// has answered: the tracker read its clock before the step, the manager
// after it, and the answer comes late.
func (c *trackerConn) armStep(back, slow time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stepBack, c.slow = back, slow
}

var (
	_ leadership.Manager        = (*trackerConn)(nil)
	_ leadership.Revoker        = (*trackerConn)(nil)
	_ leadership.ContextBlocker = (*trackerConn)(nil)
)

// manager returns the node's running manager, or nil, and counts a call
// in flight (which done ends).
func (c *trackerConn) manager() leadership.ManagerWorker {
	c.mu.Lock()
	if c.inFlight == 0 {
		c.idle = make(chan struct{})
	}
	c.calls++
	c.inFlight++
	c.mu.Unlock()
	return c.w.runningManager(c.n)
}

func (c *trackerConn) done() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.inFlight--
	if c.inFlight == 0 {
		close(c.idle)
	}
}

// callCount returns how many calls the conn has had.
func (c *trackerConn) callCount() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// idleChan returns a channel closed once no call is in flight (nil if
// none is now).
func (c *trackerConn) idleChan() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.inFlight == 0 {
		return nil
	}
	return c.idle
}

func (c *trackerConn) ClaimLeadership(svc, unit string, d time.Duration) error {
	defer c.done()
	m := c.manager()
	if m == nil {
		return errUnreachable
	}
	began := c.w.now()
	c.mu.Lock()
	back, slow := c.stepBack, c.slow
	c.stepBack, c.slow = 0, 0
	c.mu.Unlock()
	if back != 0 {
		c.n.clock.Clock.Set(c.n.clock.Clock.Now().Add(-back))
		c.w.record(rec{node: c.n.index, op: "jump-claim", dur: -back, result: "ok", tracker: c.tr.index + 1})
	}
	err := m.ClaimLeadership(svc, unit, d)
	if slow != 0 {
		c.w.slowAll(slow)
	}
	result := describe(err)
	switch {
	case err == leadership.ErrClaimDenied:
		result = "denied"
	case errors.Is(err, leadership.ErrStopped):
		err = errUnreachable
	}
	c.w.record(rec{node: c.n.index, op: "claim", svc: svc, unit: unit, dur: d, result: result,
		took: c.w.now() - began, tracker: c.tr.index + 1})
	return err
}

func (c *trackerConn) CheckLeadership(svc, unit string) (leadership.Token, error) {
	panic("trackers never check")
}

func (c *trackerConn) BlockUntilLeadershipReleased(svc string) error {
	return c.BlockUntilLeadershipReleasedContext(context.Background(), svc)
}

// BlockUntilLeadershipReleasedContext does not count as a call in flight:
// it may last for ever.
func (c *trackerConn) BlockUntilLeadershipReleasedContext(ctx context.Context, svc string) error {
	m := c.w.runningManager(c.n)
	if m == nil {
		return errUnreachable
	}
	err := m.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(ctx, svc)
	if errors.Is(err, leadership.ErrStopped) {
		return errUnreachable
	}
	return err
}

func (c *trackerConn) RevokeLeadership(svc, unit string) error {
	defer c.done()
	m := c.manager()
	if m == nil {
		return errUnreachable
	}
	err := m.(leadership.Revoker).RevokeLeadership(svc, unit)
	c.w.record(rec{node: c.n.index, op: "revoke", svc: svc, unit: unit, result: describe(err), tracker: c.tr.index + 1})
	if errors.Is(err, leadership.ErrStopped) {
		return errUnreachable
	}
	return err
}

// now returns the global time, as record does.
func (w *world) now() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.elapsed
}

// runningManager returns n's manager if it runs, else nil. The driver
// sets n.cur under w.mu (see setCur), so that trackers may read it.
func (w *world) runningManager(n *node) leadership.ManagerWorker {
	w.mu.Lock()
	defer w.mu.Unlock()
	if n.cur == nil || n.cur.isStopped() {
		return nil
	}
	return n.cur.manager
}

// startTracker starts tr, and lets it settle.
func (w *world) startTracker(tr *simTracker) {
	tk, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     tr.conn,
		ServiceName: serviceOf(tr.spec.unit),
		UnitName:    tr.spec.unit,
		Duration:    tr.spec.dur,
		Clock:       tr.clock,
	})
	if err != nil {
		panic(err) // the config is valid
	}
	tr.tracker, tr.stopped, tr.err, tr.killed = tk, make(chan struct{}), nil, false
	go func() {
		err := tk.Wait()
		w.mu.Lock()
		tr.err = err
		w.mu.Unlock()
		close(tr.stopped)
	}()
	w.record(rec{node: tr.spec.node, op: "tracker-start", unit: tr.spec.unit, result: "ok", tracker: tr.index + 1})
	w.settleTracker(tr)
}

// killTracker kills tr, which revokes its leadership if it may hold it,
// and waits for it to stop.
func (w *world) killTracker(tr *simTracker) {
	if tr.tracker == nil {
		w.skipped(tr.spec.node, tr.spec.unit+"'s tracker is not running")
		return
	}
	w.record(rec{node: tr.spec.node, op: "tracker-kill", unit: tr.spec.unit, result: "ok", tracker: tr.index + 1})
	tr.killed = true
	tr.tracker.Kill()
	select {
	case <-tr.stopped:
	case <-time.After(longWait):
		w.hung("%s's tracker never stopped after Kill", tr.spec.unit)
	}
	w.mu.Lock()
	err := tr.err
	w.mu.Unlock()
	w.record(rec{node: tr.spec.node, op: "tracker-stopped", unit: tr.spec.unit, result: describe(err), tracker: tr.index + 1})
	tr.tracker = nil
}

// settleTracker lets tr handle whatever fell due: each alarm that has
// fired, until none has, waiting after each for the calls it makes to
// return. A question is the barrier: the tracker's loop takes it only
// once it has handled whatever came before.
func (w *world) settleTracker(tr *simTracker) {
	if tr.tracker == nil {
		return
	}
	for i := 0; ; i++ {
		if i == 100 {
			w.hung("%s's tracker keeps waking", tr.spec.unit)
		}
		w.trackerBarrier(tr)
		if !tr.clock.deliver() {
			return
		}
	}
}

// trackerBarrier waits until tr's loop has taken a question, and no call
// of its is in flight, until three rounds in a row see no new call: a
// claim its loop started just before a question runs on a goroutine of
// its own, which may enter the conn only after the question (the
// scheduler is given the chance to run it between rounds, but nothing
// guarantees it). The checks do not depend on this: a claim that enters
// the conn late is recorded from when it did, and a tracker's term counts
// from its own earlier reading. Only a seed's replay, for shrinking, may
// then differ.
func (w *world) trackerBarrier(tr *simTracker) {
	for quiet := 0; quiet < 3; {
		before := tr.conn.callCount()
		asked := make(chan struct{})
		go func() {
			tr.tracker.WaitMinion()
			close(asked)
		}()
		select {
		case <-asked:
		case <-time.After(longWait):
			w.hung("%s's tracker never took a question", tr.spec.unit)
		}
		runtime.Gosched()
		if idle := tr.conn.idleChan(); idle != nil {
			select {
			case <-idle:
			case <-time.After(longWait):
				w.hung("%s's tracker's call never returned", tr.spec.unit)
			}
		}
		if tr.conn.callCount() == before {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// reapTrackers notices trackers that stopped without being killed: nothing
// but Kill may stop a tracker, and its manager's kills reach it only as
// failed calls.
func (w *world) reapTrackers() {
	for _, tr := range w.trackers {
		if tr.tracker == nil {
			continue
		}
		select {
		case <-tr.stopped:
		default:
			continue
		}
		w.mu.Lock()
		err := tr.err
		w.mu.Unlock()
		w.record(rec{node: tr.spec.node, op: "tracker-died", unit: tr.spec.unit, result: describe(err), tracker: tr.index + 1})
		w.violate("tracker-died", fmt.Sprintf("%s's tracker stopped by itself: %v", tr.spec.unit, err), w.step)
		tr.tracker = nil
	}
}

// checkTrackers asks every running tracker, with the clocks quiet, whether
// it leads (WaitLeader) and for a guarantee (ClaimLeader), and keeps the
// answers that come at once. A tracker that counts itself leader while the
// lease in the database is not its unit's breaks the tracker's guarantee
// at once; a true ClaimLeader is recorded, and checkHistory requires that
// nobody expires, revokes or is granted the lease for ClaimDuration after
// it (see checkTrackerClaims).
func (w *world) checkTrackers() {
	for _, n := range w.nodes {
		n.clock.setQuiet(true)
	}
	defer func() {
		for _, n := range w.nodes {
			n.clock.setQuiet(false)
		}
	}()
	for _, tr := range w.trackers {
		if tr.tracker == nil {
			continue
		}
		claim := tr.tracker.ClaimLeader()
		leader := tr.tracker.WaitLeader()
		w.trackerBarrier(tr)
		svc := serviceOf(tr.spec.unit)
		if answeredTrue(claim) {
			w.record(rec{node: tr.spec.node, op: "tracker-claim", svc: svc, unit: tr.spec.unit,
				dur: tr.tracker.ClaimDuration(), result: "true", tracker: tr.index + 1})
		}
		if !answeredTrue(leader) {
			continue
		}
		holder := w.holder(svc)
		w.record(rec{node: tr.spec.node, op: "tracker-leader", svc: svc, unit: tr.spec.unit, result: "true",
			holder: holder, tracker: tr.index + 1})
		if holder != tr.spec.unit {
			w.violate("tracker-leader", fmt.Sprintf("%s's tracker counts itself leader at %v while the lease is held by %s",
				tr.spec.unit, w.now(), holder), w.step)
		}
	}
}

// answeredTrue reports whether tk has been answered, true.
func answeredTrue(tk leadership.Ticket) bool {
	select {
	case <-tk.Ready():
		return tk.Wait()
	default:
		return false
	}
}

// holder returns the holder of svc's lease in the database, as the lease
// clients' writes have left it, or "nobody". (Every write goes through a
// recordingClient, and in a tracked schedule nothing makes a write's
// outcome unknown; reading the database itself, after every event, made
// each seed several times slower under -race.)
func (w *world) holder(svc string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	if h, ok := w.holders[svc]; ok {
		return h
	}
	return "nobody"
}
