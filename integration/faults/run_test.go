package faults_test

import (
	"fmt"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"
)

// fault is injected around a scenario's act.
type fault struct {
	name string
	// arm starts the fault; disarm ends it and reports whether it
	// happened; heal repairs what the fault broke (a stopped server),
	// before the new manager starts.
	arm    func(e *env)
	disarm func(e *env) bool
	heal   func(c *gc.C, e *env)
	// resume has mgo/txn finish any interrupted transaction with
	// ResumeAll before the new manager starts; otherwise the new
	// manager's first transaction on the same documents finishes it.
	resume bool
}

// runOnce runs sc on a fresh server with f around its act, then checks
// what the database holds, has the manager that met the fault carry on
// (sc.again), kills it (it must not have stopped on its own), starts a new one with the
// same Id (as a restarted controller would), and lets sc check what it
// sees. It reports whether the fault happened.
func runOnce(c *gc.C, sc scenario, f fault) (fired bool) {
	e := newEnv(c)
	defer e.close(c)
	r := &run{e: e, clock: newAlarmClock(start)}
	sc.prepare(c, r)

	f.arm(e)
	carriedOn := sc.act(c, r)
	fired = f.disarm(e)
	comment := gc.Commentf("%s, %s: manager carried on: %v", sc.name, f.name, carriedOn)
	if !fired {
		c.Assert(carriedOn, jc.IsTrue, comment)
		return false
	}
	if f.heal != nil {
		f.heal(c, e)
	}
	e.redial(c)
	// Before any other manager runs: no lease lost, and none given to a
	// unit that never asked.
	if carriedOn {
		checkHeld(c, e, sc.mustHold, comment)
	} else {
		checkHeld(c, e, sc.mayHold, comment)
	}

	if sc.again != nil && !carriedOn {
		sc.again(c, r)
	}
	c.Assert(r.a.isStopped(), jc.IsFalse, gc.Commentf("the manager stopped: %v", r.a.err))
	r.a.manager.Kill()
	<-r.a.stopped
	c.Check(r.a.err, jc.ErrorIsNil)
	if f.resume {
		before := e.leases(c)["redis"].Holder
		e.resumeAll(c)
		c.Check(e.unfinished(c), gc.HasLen, 0)
		after := e.leases(c)["redis"].Holder
		c.Logf("%s, %s: ResumeAll: redis held by %q, then by %q", sc.name, f.name, before, after)
		if carriedOn {
			checkHeld(c, e, sc.mustHold, comment)
		} else {
			checkHeld(c, e, sc.mayHold, comment)
		}
	}
	b, err := e.startManager(c, "machine-0", r.clock)
	c.Assert(err, jc.ErrorIsNil)
	sc.recover(c, r, b)
	return true
}

// sweep runs sc once for each message of the operation at which f can be
// injected, until the operation completes before it: make(n) returns the
// fault at the n-th message.
func sweep(c *gc.C, sc scenario, name string, make func(n int) fault) {
	for n := 1; ; n++ {
		c.Assert(n < 200, jc.IsTrue, gc.Commentf("%s: the fault keeps firing", name))
		if !runOnce(c, sc, make(n)) {
			c.Logf("%s, %s: the operation sends %d messages", sc.name, name, n-1)
			return
		}
	}
}

func cutFault(mode cutMode, n int) fault {
	return fault{
		name: fmt.Sprintf("%s at message %d", mode, n),
		arm:  func(e *env) { e.cutter.arm(mode, n) },
		disarm: func(e *env) bool {
			fired, _ := e.cutter.disarm()
			return fired
		},
		heal: func(c *gc.C, e *env) {
			if mode != stopBefore {
				return
			}
			c.Assert(e.cutter.stopErr, jc.ErrorIsNil)
			c.Assert(e.server.Restart(), jc.ErrorIsNil)
		},
	}
}

// chaosFault interrupts every transaction at the named mgo/txn breakpoint.
// The setting is global: nothing else may run transactions meanwhile.
func chaosFault(breakpoint string, resume bool) fault {
	return fault{
		name: fmt.Sprintf("chaos at %s (resume all: %v)", breakpoint, resume),
		arm: func(*env) {
			txn.SetChaos(txn.Chaos{KillChance: 1, Breakpoint: breakpoint})
		},
		disarm: func(*env) bool {
			txn.SetChaos(txn.Chaos{})
			return true
		},
		resume: resume,
	}
}
