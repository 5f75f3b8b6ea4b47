package main

import (
	"context"
	"errors"
	"time"

	"github.com/seed07a61904/leadership/leadership"
)

// errResigning and errCrashing are what a unit's leader-only work returns
// when its term is over by the demo's plan: it has stopped acting and
// killed its tracker (see unit.work).
var (
	errResigning = errors.New("resigning")
	errCrashing  = errors.New("crashing")
)

// errDemoStopped is the cause of the demo's context once the run is over.
var errDemoStopped = errors.New("the demo is stopping")

// lead runs the unit's leader-only work under its tracker's leader
// context (see unit.work) until that work returns. It returns true if the
// unit is to follow again in the same life (its leadership ended: the
// leader context was done with leadership.ErrLeadershipLost or
// leadership.ErrTermEnded), and false if the agent life is over: the
// unit resigned or crashed, its tracker stopped with its controller, or
// the demo is stopping.
func (u *unit) lead(a *agent) bool {
	var ended *term // the term the work ended, by resigning or crashing
	err := a.tracker.(leadership.LeaderRunner).RunAsLeader(u.d.ctx, func(ctx context.Context) error {
		var err error
		ended, err = u.work(ctx, a)
		return err
	})
	switch {
	case errors.Is(err, errResigning):
		u.resign(a, ended)
		return false
	case errors.Is(err, errCrashing):
		u.crash(a, ended)
		return false
	case u.d.stopping():
		return false
	case errors.Is(err, leadership.ErrLeadershipLost), errors.Is(err, leadership.ErrTermEnded):
		if u.term != nil {
			u.lose("its leader context ended: " + err.Error())
		}
		return true
	}
	// Its tracker stopped by itself, as it does with its controller.
	select {
	case <-a.done:
		u.agentDied(a)
	case <-u.d.stop:
	}
	return false
}

// work is the unit's leader-only work, run under a leader context: until,
// between a quarter of a lease and two leases after it starts, it
// crashes or resigns (each unit's terms alternate between the two), it
// asks its tracker for a guarantee, which it reports to the recorder, and
// makes a guarded write, every writeEvery. It acts only while ctx is not
// done, and returns once it is, with ctx's cause: the unit lost its
// leadership, or the demo is stopping. To resign or crash it stops
// acting, kills its tracker (cutting its connection first to crash), and
// returns errResigning or errCrashing, and the term it ended, once the
// tracker has ended ctx: the tracker revokes only after this returns.
// Each run of work, and each time it acts, is reported to the recorder,
// which checks that no two units of a service ever act at once.
func (u *unit) work(ctx context.Context, a *agent) (*term, error) {
	run := u.d.rec.workStarted(u.service, u.name, u.d.clock.Now())
	stopped := func() error {
		cause := context.Cause(ctx)
		u.d.rec.workEnded(run, u.d.clock.Now(), cause)
		return cause
	}
	lease := u.d.cfg.lease
	endAt := u.d.clock.Now().Add(lease/4 + time.Duration(u.rng.Int64N(int64(lease*7/4))))
	graceful := u.resigns
	u.resigns = !u.resigns
	for {
		now := u.d.clock.Now()
		if !now.Before(endAt) && u.term != nil {
			t := u.term
			u.term = nil
			planned := errCrashing
			if graceful {
				planned = errResigning
				u.d.rec.resigned(now, t)
			} else {
				u.d.rec.crashed(now, t)
				a.conn.cutOff()
			}
			// Kill ends ctx at once; the tracker then waits for this
			// work to return before it revokes.
			a.tracker.Kill()
			<-ctx.Done()
			stopped()
			return t, planned
		}
		ticket := a.tracker.ClaimLeader()
		var leader bool
		select {
		case <-ticket.Ready():
			leader = ticket.Wait()
		case <-ctx.Done():
			return nil, stopped()
		}
		if !leader {
			// The tracker counts the unit a minion: ctx is done too.
			<-ctx.Done()
			return nil, stopped()
		}
		u.term = u.d.rec.led(u.service, u.name, a.ctrl.id, now, now.Add(a.tracker.ClaimDuration()))
		// The time is read before ctx is: if ctx is not done, the unit
		// still led at that time.
		at := u.d.clock.Now()
		if ctx.Err() != nil {
			return nil, stopped()
		}
		u.d.rec.workActs(run, at)
		u.write(a)
		next := u.d.clock.Now().Add(u.d.writeEvery())
		if next.After(endAt) {
			next = endAt
		}
		select {
		case <-u.d.clock.Alarm(next):
		case <-ctx.Done():
			return nil, stopped()
		}
	}
}
