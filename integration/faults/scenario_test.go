package faults_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// scenario is one manager operation to break: a claim, an extension, or
// the expiry a wake makes.
type scenario struct {
	name string
	// prepare sets the stage with no fault.
	prepare func(c *gc.C, r *run)
	// act runs the operation under the fault, and reports whether the
	// manager carried on.
	act func(c *gc.C, r *run) bool
	// held is what the database may hold of redis after act, before any
	// other manager runs: the holders allowed ("" for none), and which of
	// them if the manager carried on.
	mayHold, mustHold []string
	// recover runs with a new manager, and checks what it sees.
	recover func(c *gc.C, r *run, b *ctrl)
	// again, if not nil, runs with the manager that met the fault, once
	// the fault is healed: that manager must carry on, and decide on what
	// the store holds.
	again func(c *gc.C, r *run)
}

// run is one scenario in progress.
type run struct {
	e     *env
	clock *alarmClock
	a     *ctrl // the manager under the fault
}

const duration = time.Minute

func startA(c *gc.C, r *run) {
	var err error
	r.a, err = r.e.startManager(c, "machine-0", r.clock)
	c.Assert(err, jc.ErrorIsNil)
}

// startALeading starts the manager under the fault, and has redis/0
// claim redis through it before the fault.
func startALeading(c *gc.C, r *run) {
	startA(c, r)
	c.Assert(claim(c, r.a, "redis/0"), jc.IsTrue)
}

// claim asks m to claim redis for unit, and reports whether it
// succeeded. If it did not, the error must say that the store could not
// be reached (lease.ErrUnavailable), and the manager must keep running.
func claim(c *gc.C, m *ctrl, unit string) bool {
	var err error
	within(c, "ClaimLeadership", func() { err = m.manager.ClaimLeadership("redis", unit, duration) })
	if err == nil {
		return true
	}
	c.Logf("claim failed: %v", err)
	c.Assert(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("claim failed with %v", err))
	c.Assert(m.isStopped(), jc.IsFalse, gc.Commentf("the manager stopped: %v", m.err))
	return false
}

var scenarios = []scenario{{
	name:     "claim",
	prepare:  startA,
	act:      claimRedis0,
	mayHold:  []string{"", "redis/0"},
	mustHold: []string{"redis/0"},
	recover:  recoverHolder,
	again:    againHolder,
}, {
	name: "extend",
	prepare: func(c *gc.C, r *run) {
		startALeading(c, r)
		r.clock.Advance(30 * time.Second)
	},
	act: claimRedis0,
	// An extension that fails must not lose the lease.
	mayHold:  []string{"redis/0"},
	mustHold: []string{"redis/0"},
	recover:  recoverHolder,
	again:    againHolder,
}, {
	name:    "expire",
	prepare: startALeading,
	act: func(c *gc.C, r *run) bool {
		r.a.settle(c)
		n, _ := r.clock.requests()
		r.clock.Advance(duration + time.Nanosecond)
		r.a.waitIdle(c, n)
		// An expiry that meets the fault backs off, and the manager
		// keeps running: whether it expired the lease is for the
		// database to say.
		c.Assert(r.a.isStopped(), jc.IsFalse, gc.Commentf("the manager stopped: %v", r.a.err))
		return true
	},
	mayHold:  []string{"", "redis/0"},
	mustHold: []string{"", "redis/0"},
	recover: func(c *gc.C, r *run, b *ctrl) {
		// The new manager finds the lease expired, if it is still there,
		// and expires it; then another unit can lead.
		var err error
		within(c, "BlockUntilLeadershipReleased", func() { err = b.manager.BlockUntilLeadershipReleased("redis") })
		c.Assert(err, jc.ErrorIsNil)
		c.Assert(claim(c, b, "redis/1"), jc.IsTrue)
		checkLeader(c, r.e, b, "redis/1")
	},
}}

// claimRedis0 has the manager under the fault claim redis for redis/0.
func claimRedis0(c *gc.C, r *run) bool {
	return claim(c, r.a, "redis/0")
}

// againHolder is recoverHolder with the manager that met the fault.
func againHolder(c *gc.C, r *run) {
	recoverHolder(c, r, r.a)
}

// recoverHolder has the new manager claim for redis/0 again, which must
// work whatever the fault left: it claims, or extends a lease that an
// interrupted transaction gave redis/0.
func recoverHolder(c *gc.C, r *run, b *ctrl) {
	c.Assert(claim(c, b, "redis/0"), jc.IsTrue)
	checkLeader(c, r.e, b, "redis/0")
}

// checkLeader checks that unit leads redis: in the database, for the
// manager (whose token fences a transaction), and against another unit's
// claim. Then it has mgo/txn finish every transaction left unfinished
// (the interrupted one, if no later transaction touched its documents),
// and checks that this changed nothing: a stale transaction applied late
// must abort on its clock assertion.
func checkLeader(c *gc.C, e *env, m *ctrl, unit string) {
	c.Check(e.leases(c)["redis"].Holder, gc.Equals, unit)
	if ids := e.unfinished(c); len(ids) > 0 {
		c.Logf("unfinished transactions before ResumeAll: %v", ids)
		e.resumeAll(c)
		c.Check(e.leases(c)["redis"].Holder, gc.Equals, unit)
	}
	var err error
	within(c, "ClaimLeadership", func() { err = m.manager.ClaimLeadership("redis", "redis/9", duration) })
	c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	var token leadership.Token
	within(c, "CheckLeadership", func() { token, err = m.manager.CheckLeadership("redis", unit) })
	c.Assert(err, jc.ErrorIsNil)
	c.Check(e.fenced(token), jc.ErrorIsNil)
	c.Check(e.unfinished(c), gc.HasLen, 0)
}

// checkHeld checks that the database holds redis for one of holders (""
// meaning not held).
func checkHeld(c *gc.C, e *env, holders []string, comment gc.CommentInterface) {
	got := e.leases(c)["redis"].Holder
	for _, h := range holders {
		if got == h {
			return
		}
	}
	c.Errorf("redis held by %q, want one of %q (%s)", got, holders, comment.CheckCommentString())
}
