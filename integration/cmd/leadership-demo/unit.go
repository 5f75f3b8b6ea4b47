package main

import (
	"errors"
	"math/rand/v2"
	"time"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
)

// errStopping is returned by a unit's wait when the demo is stopping.
var errStopping = errors.New("demo stopping")

// unit is a unit agent: one goroutine, which runs [unit.run].
type unit struct {
	d       *demo
	name    string // service/N
	service string
	ctrl    int // index of the controller it talks to
	rng     *rand.Rand

	term      *term            // the term it leads in; nil if not leader
	token     leadership.Token // from its latest check as leader, or nil
	tokenTerm *term            // the term in which token was issued
	renewAt   time.Time
	crashAt   time.Time // when it crashes, if it still leads
}

// run runs the unit until the demo stops.
func (u *unit) run() {
	for !u.d.stopping() {
		if u.term == nil {
			u.follow()
		} else {
			u.lead()
		}
	}
}

// follow waits until the service has no leader, and claims leadership.
func (u *unit) follow() {
	i, c, ok := u.controller()
	if !ok {
		return
	}
	if err := u.block(c); err != nil {
		u.failed(i, c, "waiting for leadership", err)
		return
	}
	start := u.d.clock.Now()
	err := c.manager.ClaimLeadership(u.service, u.name, u.d.cfg.lease)
	ret := u.d.clock.Now()
	switch {
	case err == nil:
		u.startTerm(u.d.rec.claimed(u.service, u.name, c.id, nil, start, ret), start)
		// It crashes between a quarter of a lease and two leases after
		// it was elected.
		lease := u.d.cfg.lease
		u.crashAt = ret.Add(lease/4 + time.Duration(u.rng.Int64N(int64(lease*7/4))))
	case errors.Is(err, leadership.ErrClaimDenied):
		// Another unit got there first: wait again.
	default:
		u.failed(i, c, "claiming leadership", err)
	}
}

// startTerm makes the unit leader in t, whose claim started at start.
func (u *unit) startTerm(t *term, start time.Time) {
	u.term = t
	u.renewAt = start.Add(u.d.cfg.lease / 2)
}

// lead crashes if the time has come, or renews leadership if it is time
// to; otherwise it makes one guarded write and waits until the next.
func (u *unit) lead() {
	now := u.d.clock.Now()
	switch {
	case !now.Before(u.crashAt):
		u.crash()
		return
	case !now.Before(u.renewAt):
		u.renew()
		return
	}
	u.write()
	next := now.Add(u.d.writeEvery())
	if next.After(u.renewAt) {
		next = u.renewAt
	}
	u.sleepUntil(next)
}

// renew extends the unit's leadership for another lease duration.
func (u *unit) renew() {
	i, c, ok := u.controller()
	if !ok {
		return
	}
	start := u.d.clock.Now()
	err := c.manager.ClaimLeadership(u.service, u.name, u.d.cfg.lease)
	ret := u.d.clock.Now()
	switch {
	case err == nil:
		t := u.d.rec.claimed(u.service, u.name, c.id, u.term, start, ret)
		// A new term if the renewal returned too late to extend this one.
		u.startTerm(t, start)
	case errors.Is(err, leadership.ErrClaimDenied):
		u.denied(i, c)
	default:
		u.failed(i, c, "renewing leadership", err)
	}
}

// write makes one guarded write as leader: it checks leadership, and
// puts the token's assertions in the transaction that updates the
// service's settings.
func (u *unit) write() {
	i, c, ok := u.controller()
	if !ok {
		return
	}
	token, err := c.manager.CheckLeadership(u.service, u.name)
	if errors.Is(err, leadership.ErrStopped) {
		u.failed(i, c, "checking leadership", err)
		return
	} else if err != nil {
		u.lose("CheckLeadership says it is not leader")
		return
	}
	u.token, u.tokenTerm = token, u.term
	switch err := guardedWrite(u.d.mongo, token, u.service, u.name, u.term.n); {
	case err == nil:
		u.d.rec.wrote(u.term)
	case errors.Is(err, txn.ErrAborted):
		u.d.rec.writeAborted(u.d.clock.Now(), u.term)
	default:
		u.d.rec.problem(u.d.clock.Now(), "%s: guarded write: %v", u.name, err)
	}
}

// denied handles a denied renewal. A renewal may be denied on a view that
// has not yet seen the unit's own claim; CheckLeadership refreshes the
// view before it answers no, so the unit asks it before it believes the
// denial.
func (u *unit) denied(i int, c *controller) {
	_, err := c.manager.CheckLeadership(u.service, u.name)
	switch {
	case err == nil:
		u.d.rec.note(u.d.clock.Now(), u.service, "%s: renewal denied, yet CheckLeadership says it leads; renewing again", u.name)
		u.sleepUntil(u.d.clock.Now().Add(u.d.writeEvery()))
	case errors.Is(err, leadership.ErrStopped):
		u.failed(i, c, "checking leadership", err)
	default:
		u.lose("renewal denied")
	}
}

// lose ends the unit's term, once its manager has said that it is not
// leader, and makes its stale write.
func (u *unit) lose(why string) {
	u.d.rec.lost(u.d.clock.Now(), u.term, why)
	u.term = nil
	u.staleWrite()
}

// crash stops the leader: it neither renews nor writes until some time
// after its lease has run out. Back, it waits until its controller says it
// is no longer leader (the lease need not be expired promptly), makes its
// stale write and becomes a follower.
func (u *unit) crash() {
	t := u.term
	u.d.rec.crashed(u.d.clock.Now(), t)
	u.term = nil
	lease := u.d.cfg.lease
	if !u.sleepUntil(t.end.Add(lease/4 + time.Duration(u.rng.Int64N(int64(lease*3/4))))) {
		return
	}
	for tries := 0; ; tries++ {
		i, c, ok := u.controller()
		if !ok {
			return
		}
		_, err := c.manager.CheckLeadership(u.service, u.name)
		switch {
		case err == nil && tries < 16:
			if !u.sleepUntil(u.d.clock.Now().Add(u.d.writeEvery())) {
				return
			}
		case err == nil:
			u.d.rec.note(u.d.clock.Now(), u.service, "%s: its lease has still not been expired; no stale write", u.name)
			return
		case errors.Is(err, leadership.ErrStopped):
			u.failed(i, c, "checking leadership", err)
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
	err := guardedWrite(u.d.mongo, u.token, u.service, u.name, u.tokenTerm.n)
	u.d.rec.stale(u.d.clock.Now(), u.tokenTerm, err, errors.Is(err, txn.ErrAborted))
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

// block waits until controller c sees no leader of the unit's service.
// It returns errStopping if the demo stops first; the call it leaves
// behind returns once the controller is stopped.
func (u *unit) block(c *controller) error {
	done := make(chan error, 1)
	u.d.blockers.Add(1)
	go func() {
		defer u.d.blockers.Done()
		done <- c.manager.BlockUntilLeadershipReleased(u.service)
	}()
	select {
	case err := <-done:
		return err
	case <-u.d.stop:
		return errStopping
	}
}

// failed handles an error from controller i's manager other than the
// outcomes the unit expects. leadership.ErrStopped means the controller
// died: the unit moves to another one on its next call. Anything else
// fails the demo.
func (u *unit) failed(i int, c *controller, what string, err error) {
	switch {
	case errors.Is(err, errStopping):
	case errors.Is(err, leadership.ErrStopped):
		if unexpected, stopErr := u.d.ctrls.lost(i); unexpected {
			u.d.rec.problem(u.d.clock.Now(), "%s stopped: %v", c.id, stopErr)
		}
	default:
		u.d.rec.problem(u.d.clock.Now(), "%s: %s: %v", u.name, what, err)
		u.sleepUntil(u.d.clock.Now().Add(u.d.writeEvery()))
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
