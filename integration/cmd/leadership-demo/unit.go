package main

import (
	"errors"
	"math/rand/v2"
	"time"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
)

// unit is a unit agent: one goroutine, which runs [unit.run]. Its
// leadership is a leadership.Tracker's business; the unit only asks the
// tracker before it acts, and reports what it was told to the recorder.
type unit struct {
	d       *demo
	name    string // service/N
	service string
	ctrl    int // index of the controller it talks to
	rng     *rand.Rand
	// resigns says whether the unit's next term ends in resignation
	// rather than a crash; it alternates, from a random start.
	resigns bool

	term      *term                // the term it leads in; nil if not leader
	token     leadership.TermToken // from its latest check as leader, or nil
	tokenTerm *term                // the term in which token was issued
}

// agent is one life of a unit agent: a tracker on a connection to one
// controller.
type agent struct {
	index   int // of the controller
	ctrl    *controller
	conn    *agentConn
	tracker leadership.Tracker
	done    chan struct{} // closed once the tracker has stopped
	err     error         // what its Wait returned, once done is closed
}

// run runs the unit until the demo stops: one agent life after another.
func (u *unit) run() {
	for !u.d.stopping() {
		a, ok := u.start()
		if !ok {
			return
		}
		u.live(a)
		u.stop(a)
	}
}

// start starts an agent life on the live controller the unit talks to. It
// returns false if there is none, or the tracker cannot start.
func (u *unit) start() (*agent, bool) {
	i, c, ok := u.controller()
	if !ok {
		return nil, false
	}
	conn := newAgentConn(c.manager)
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager:     conn,
		ServiceName: u.service,
		UnitName:    u.name,
		Duration:    u.d.cfg.lease,
		Clock:       u.d.clock,
		Observer:    c.observer,
	})
	if err != nil {
		u.d.rec.problem(u.d.clock.Now(), "%s: %v", u.name, err)
		return nil, false
	}
	a := &agent{index: i, ctrl: c, conn: conn, tracker: tracker, done: make(chan struct{})}
	go func() {
		a.err = tracker.Wait()
		close(a.done)
	}()
	return a, true
}

// stop stops a's tracker, which revokes if it still leads, and waits for
// it. It returns what the tracker's Wait returned.
func (u *unit) stop(a *agent) error {
	a.tracker.Kill()
	<-a.done
	return a.err
}

// live runs one agent life: it follows until its tracker says it leads,
// then leads. It returns when the life is over: the agent crashed,
// resigned or lost leadership, its controller died, or the demo is
// stopping.
func (u *unit) live(a *agent) {
	for {
		leader, ok := u.d.await(a.tracker.WaitLeader())
		if !ok {
			return
		}
		if !leader {
			// Only a stopped tracker answers false.
			<-a.done
			u.agentDied(a)
			return
		}
		if !u.lead(a) {
			return
		}
	}
}

// write makes one guarded write as leader: it checks leadership, and puts
// the token's assertions in the transaction that updates the service's
// settings. A store that does not answer (the outage) is expected: the
// write's outcome is then unknown, and left to the audit.
func (u *unit) write(a *agent) {
	token, err := a.conn.CheckLeadershipTerm(u.service, u.name)
	switch {
	case errors.Is(err, leadership.ErrStopped):
		return // the tracker stops too, and the next ClaimLeader says so
	case storeUnavailable(err):
		u.d.rec.checkUnavailable(u.d.clock.Now(), u.term, err)
		return
	case err != nil:
		// Its guarantee ran out while it waited for the check (a
		// slow database): no write.
		u.d.rec.note(u.d.clock.Now(), u.service, "%s: CheckLeadership says %v; its last guarantee ended %s ago",
			u.name, err, seconds(u.d.clock.Now().Sub(u.term.end)))
		return
	}
	u.token, u.tokenTerm = token, u.term
	n := u.d.rec.newWrite(u.term, false)
	switch err := guardedWrite(u.d.mongo, token, u.service, u.name, u.term.n, n); {
	case err == nil:
		u.d.rec.wrote(u.term, n)
	case errors.Is(err, txn.ErrAborted):
		u.d.rec.writeAborted(u.d.clock.Now(), u.term, n)
	case storeUnavailable(err):
		u.d.rec.writeUnavailable(u.d.clock.Now(), u.term, n, err)
	default:
		u.d.rec.problem(u.d.clock.Now(), "%s: guarded write: %v", u.name, err)
	}
}

// lose ends the unit's term, once its tracker has said that it is not
// leader (a renewal failed or came too late: a slow store, the outage).
// The unit keeps its tracker, as a unit agent does, and follows again;
// the tracker keeps claiming, and may lead again. The unit forgets its
// token and makes no stale write: a term token of an earlier term would
// abort even once the lease is the unit's again, but the demo's stale
// writes are the deposed ones that resign and crash make.
func (u *unit) lose(why string) {
	u.d.rec.lost(u.d.clock.Now(), u.term, why)
	u.term, u.token, u.tokenTerm = nil, nil, nil
}

// resign stops the tracker of t's leader, which has stopped acting and
// killed it (see unit.work): the tracker revokes its leadership once its
// leader-only work has returned, so that another unit can take over at
// once (if the store does not answer, or the tracker had stopped with its
// controller, there is no revoke, and the lease runs out instead). It
// makes its stale write, and rests before its next life.
func (u *unit) resign(a *agent, t *term) {
	switch err := u.stop(a); {
	case err == nil:
		u.d.rec.revoked(u.d.clock.Now(), t)
	case errors.Is(err, leadership.ErrStopped):
		// The tracker had stopped with its controller: no revoke.
		u.d.rec.notRevoked(u.d.clock.Now(), t, "its controller had stopped")
	case errors.Is(err, leadership.ErrLeaderWorkRunning):
		// Its work was blocked in a store call at the end of its
		// term: the tracker leaves the lease to run out.
		u.d.rec.notRevoked(u.d.clock.Now(), t, "its leader-only work still ran when its term ended")
	case storeUnavailable(err):
		u.d.rec.notRevoked(u.d.clock.Now(), t, storeCause(err))
	default:
		u.d.rec.problem(u.d.clock.Now(), "%s: stopping its tracker: %v", u.name, err)
	}
	u.staleWriteOnceDeposed()
	lease := u.d.cfg.lease
	u.sleepUntil(u.d.clock.Now().Add(lease/4 + time.Duration(u.rng.Int64N(int64(lease*3/4)))))
}

// crash waits for the tracker of t's leader, which crashed (see
// unit.work: its connection is cut, so its tracker can neither renew nor
// revoke, and its lease runs out). Back some time after its guarantee
// ended, it makes its stale write once deposed, and starts its next life.
func (u *unit) crash(a *agent, t *term) {
	u.stop(a) // its revoke fails: it crashed
	lease := u.d.cfg.lease
	if !u.sleepUntil(t.end.Add(lease/4 + time.Duration(u.rng.Int64N(int64(lease*3/4))))) {
		return
	}
	u.staleWriteOnceDeposed()
}

// staleWriteOnceDeposed waits until the unit's controller says it is no
// longer leader (the lease need not be gone at once: a crashed unit's
// lease runs out, and a revoke can fail if the controller dies or the
// store does not answer), and makes the unit's stale write. While the
// store does not answer, it asks again, for as long as the demo runs.
func (u *unit) staleWriteOnceDeposed() {
	for tries := 0; ; {
		i, c, ok := u.controller()
		if !ok {
			return
		}
		_, err := c.manager.CheckLeadership(u.service, u.name)
		if err == nil {
			tries++
		}
		switch {
		case storeUnavailable(err):
			if !u.sleepUntil(u.d.clock.Now().Add(u.d.writeEvery())) {
				return
			}
		case err == nil && tries <= 16:
			if !u.sleepUntil(u.d.clock.Now().Add(u.d.writeEvery())) {
				return
			}
		case err == nil:
			u.d.rec.note(u.d.clock.Now(), u.service, "%s: its lease has still not been expired; no stale write", u.name)
			return
		case errors.Is(err, leadership.ErrStopped):
			u.controllerDied(i, c, err)
		default:
			u.staleWrite()
			return
		}
	}
}

// staleWrite tries one guarded write with the token of the unit's last
// term, which has ended: it must abort.
func (u *unit) staleWrite() {
	if u.token == nil {
		return // it lost leadership before its first write
	}
	n := u.d.rec.newWrite(u.tokenTerm, true)
	err := guardedWrite(u.d.mongo, u.token, u.service, u.name, u.tokenTerm.n, n)
	u.d.rec.stale(u.d.clock.Now(), u.tokenTerm, n, err, errors.Is(err, txn.ErrAborted), storeUnavailable(err))
	u.token, u.tokenTerm = nil, nil
}

// controller returns the live controller the unit talks to, and its
// index: the one it used last, or the next live one if that died. It
// returns false if every controller is dead.
func (u *unit) controller() (int, *controller, bool) {
	i, c, ok := u.d.ctrls.live(u.ctrl)
	if ok && i != u.ctrl {
		if u.term != nil {
			u.d.rec.moved(u.d.clock.Now(), u.term, u.d.ctrls.id(u.ctrl), c.id)
		}
		u.ctrl = i
	}
	return i, c, ok
}

// agentDied handles a tracker that stopped by itself: its controller's
// manager stopped (the unit moves to another controller for its next
// life). Anything else, a store error included, fails the demo: nothing
// but Kill may stop a tracker.
func (u *unit) agentDied(a *agent) {
	if u.term != nil {
		// Its guarantee ended with its tracker. It may still hold the
		// lease, and lead again through another controller: a new term.
		u.d.rec.interrupted(u.d.clock.Now(), u.term, "its tracker stopped with its controller")
		u.term, u.token, u.tokenTerm = nil, nil, nil
	}
	if errors.Is(a.err, leadership.ErrStopped) {
		u.controllerDied(a.index, a.ctrl, a.err)
		return
	}
	u.d.rec.stoppedByItself(u.d.clock.Now(), "%s: tracker stopped by itself: %v", u.name, a.err)
	u.sleepUntil(u.d.clock.Now().Add(u.d.writeEvery()))
}

// controllerDied marks controller i dead after one of its calls returned
// leadership.ErrStopped. If the demo had not killed it, that fails the
// demo.
func (u *unit) controllerDied(i int, c *controller, err error) {
	if unexpected, stopErr := u.d.ctrls.lost(i); unexpected {
		u.d.rec.stoppedByItself(u.d.clock.Now(), "%s stopped by itself: %v (%v)", c.id, stopErr, err)
	}
}

// sleepUntil waits until t, and returns true; or returns false if the demo
// stops first.
func (u *unit) sleepUntil(t time.Time) bool {
	select {
	case <-u.d.clock.Alarm(t):
		return true
	case <-u.d.stop:
		return false
	}
}
