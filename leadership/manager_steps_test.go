package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// StepsSuite tests the manager over a client that reads every lease in
// steps (lease.StepRefresher), as the MongoDB client does: the loop serves
// requests between two steps, and the last ends the wake as a Refresh
// would.
type StepsSuite struct{}

var _ = gc.Suite(&StepsSuite{})

// stepsMaxSleep is the MaxSleep of these tests: the wake that reads every
// lease comes then.
const stepsMaxSleep = time.Minute

// stepLeases are the leases at the start: redis led by redis/0 and old by
// old/0, both beyond stepsMaxSleep.
func stepLeases() map[string]lease.Info {
	return map[string]lease.Info{
		"redis": {Holder: "redis/0", Expiry: offset(time.Hour), AssertOp: fakeOp},
		"old":   {Holder: "old/0", Expiry: offset(time.Hour), AssertOp: fakeOp},
	}
}

// stepsRead plays what a refresh of every lease reads: redis handed to
// redis/1, old run out, and nginx led by nginx/0.
func stepsRead(leases map[string]lease.Info) {
	leases["redis"] = lease.Info{Holder: "redis/1", Expiry: offset(time.Hour), AssertOp: fakeOp}
	leases["old"] = lease.Info{Holder: "old/0", Expiry: offset(time.Second), AssertOp: fakeOp}
	leases["nginx"] = lease.Info{Holder: "nginx/0", Expiry: offset(time.Hour), AssertOp: fakeOp}
}

// checkAfterRefresh checks what the manager says once the refresh of
// every lease has ended (stepsRead): the new leaders lead, with no read.
func checkAfterRefresh(c *gc.C, manager leadership.ManagerWorker) {
	for service, unit := range map[string]string{"redis": "redis/1", "nginx": "nginx/0"} {
		token, err := manager.CheckLeadership(service, unit)
		c.Check(err, jc.ErrorIsNil, gc.Commentf("%s for %s", service, unit))
		c.Check(token, gc.NotNil)
	}
}

// stepsFixture returns the fixture of these tests: a client that reads
// every lease in the steps of script (none: nil), starting with
// stepLeases, expecting calls; a manager that polls no clocks and wakes
// every stepsMaxSleep.
func stepsFixture(script *stepScript, calls ...call) *fixture {
	return &fixture{
		refreshing: true, clockPoll: -1, maxSleep: stepsMaxSleep, steps: script,
		leases: stepLeases(), expectCalls: calls,
	}
}

// waitStep waits until script has run a step.
func waitStep(c *gc.C, script *stepScript) {
	receive(c, script.stepped, "no step of a refresh ran")
}

// TestRequestsServedBetweenSteps: while the wake's refresh is in flight,
// a check, a claim and a block are answered; its last step then ends the
// wake as Refresh would (TestStepsEndAsRefresh).
func (s *StepsSuite) TestRequestsServedBetweenSteps(c *gc.C) {
	script := newStepScript()
	fix := stepsFixture(script,
		call{method: "ClaimLease", args: []interface{}{"mysql", lease.Request{Holder: "mysql/0", Duration: time.Minute}},
			callback: func(leases map[string]lease.Info) {
				leases["mysql"] = lease.Info{Holder: "mysql/0", Expiry: offset(stepsMaxSleep + time.Minute), AssertOp: fakeOp}
			}},
		call{method: "RefreshLease", args: []interface{}{"pgsql"}},
		expireCall("old", nil),
	)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, stepsMaxSleep)
		waitStep(c, script)

		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(token, gc.NotNil)
		c.Check(manager.ClaimLeadership("mysql", "mysql/0", time.Minute), jc.ErrorIsNil)
		c.Check(manager.BlockUntilLeadershipReleased("pgsql"), jc.ErrorIsNil)
		waitStep(c, script)
		begun, steps, closed, ended := script.counts()
		c.Check([]int{begun, closed, ended}, jc.DeepEquals, []int{1, 0, 0})
		c.Check(steps >= 2, jc.IsTrue)
		c.Check(script.begun, jc.DeepEquals, []int{0})

		script.finish(stepsRead, nil)
		fix.waitCalls(c)
		checkAfterRefresh(c, manager)
		token, err = manager.CheckLeadership("mysql", "mysql/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(token, gc.NotNil)
	})
}

// TestStepsEndAsRefresh: the wake that reads every lease in steps makes
// the same calls and ends in the same view as one that calls Refresh.
func (s *StepsSuite) TestStepsEndAsRefresh(c *gc.C) {
	for _, stepped := range []bool{false, true} {
		c.Logf("stepped: %v", stepped)
		script := newStepScript()
		fix := stepsFixture(nil, expireCall("old", nil))
		if stepped {
			fix.steps = script
			script.finish(stepsRead, nil)
		} else {
			fix.expectCalls = append([]call{{method: "Refresh", callback: stepsRead}}, fix.expectCalls...)
		}
		fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
			advanceToAlarm(c, clock, stepsMaxSleep)
			fix.waitCalls(c)
			checkAfterRefresh(c, manager)
		})
		if begun, steps, _, ended := script.counts(); stepped {
			c.Check([]int{begun, steps, ended}, jc.DeepEquals, []int{1, 1, 1})
		}
	}
}

// TestKillDuringSteps: a manager killed while its refresh is in flight
// closes it and stops cleanly.
func (s *StepsSuite) TestKillDuringSteps(c *gc.C) {
	script := newStepScript()
	fix := stepsFixture(script)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, stepsMaxSleep)
		waitStep(c, script)
		manager.Kill()
		c.Check(manager.Wait(), jc.ErrorIsNil)
		begun, _, closed, ended := script.counts()
		c.Check([]int{begun, closed, ended}, jc.DeepEquals, []int{1, 1, 0})
	})
}

// TestLeadersDuringSteps: a request that reads every lease itself
// (Leaders) while a refresh is in flight calls Refresh, which abandons the
// steps; the wake then ends on what that Refresh read, taking no more
// steps.
func (s *StepsSuite) TestLeadersDuringSteps(c *gc.C) {
	script := newStepScript()
	fix := stepsFixture(script, call{method: "Refresh", callback: stepsRead}, expireCall("old", nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, stepsMaxSleep)
		waitStep(c, script)
		leaders, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(err, jc.ErrorIsNil)
		c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/1", "old": "old/0", "nginx": "nginx/0"})
		fix.waitCalls(c)
		_, steps, _, ended := script.counts()
		checkAfterRefresh(c, manager)
		_, after, _, _ := script.counts()
		c.Check(after, gc.Equals, steps)
		c.Check(ended, gc.Equals, 0)
	})
}

// TestStepErrorBacksOff: a step that fails ends the wake without
// expiring anything, and the wake is tried again after its back-off,
// with a new refresh.
func (s *StepsSuite) TestStepErrorBacksOff(c *gc.C) {
	script := newStepScript()
	script.finish(nil, lease.ErrUnavailable)
	fix := stepsFixture(script, expireCall("old", nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, stepsMaxSleep)
		waitStep(c, script)
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		script.finish(stepsRead, nil)
		clock.Advance(stepsMaxSleep)
		fix.waitCalls(c)
		begun, _, _, ended := script.counts()
		c.Check([]int{begun, ended}, jc.DeepEquals, []int{2, 2})
		checkAfterRefresh(c, manager)
	})
}

// TestUnknownRevokeDuringSteps: a revocation served between two steps is
// applied but its reply is lost (ErrUnavailable), so the manager is unsure
// of redis. The steps read redis before the revocation, so the refresh's
// last step installs redis held by redis/0 (the MongoDB client keeps only
// the leases it put; an unknown write puts nothing). The refresh ending
// must not make the manager sure of redis again: a check for redis/0 must
// read redis first, as after a Refresh that began before the write
// (TestRevokeUnknownOutcome). Otherwise redis/0, which resigned, is told
// it leads while another controller may already have granted redis to
// another unit: two leaders.
func (s *StepsSuite) TestUnknownRevokeDuringSteps(c *gc.C) {
	script := newStepScript()
	fix := stepsFixture(script,
		// The revoke is applied, but its reply is lost.
		call{method: "RevokeLease", args: []interface{}{"redis", "redis/0"}, err: unavailable("lol borken"), callback: deleteLease("redis")},
		// The check reads the lease first (the store has it released).
		call{method: "RefreshLease", args: []interface{}{"redis"}, callback: deleteLease("redis")},
	)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, stepsMaxSleep)
		waitStep(c, script)
		err := manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0")
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)

		// The steps' snapshot has redis as it was before the revoke.
		script.finish(func(leases map[string]lease.Info) {
			leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Hour), AssertOp: fakeOp}
		}, nil)
		for {
			waitStep(c, script)
			if _, _, _, ended := script.counts(); ended == 1 {
				break
			}
		}
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue, gc.Commentf("error %v, token %v", err, token))
		fix.waitCalls(c)
	})
}

// TestFailureDuringStepsReadsAgain: a read that fails the store between
// two steps means the store may have changed since the steps read some
// leases; the refresh's end must not forget it, and the next wake,
// minRetryDelay (50ms) later, reads every lease again.
func (s *StepsSuite) TestFailureDuringStepsReadsAgain(c *gc.C) {
	script := newStepScript()
	fix := stepsFixture(script,
		call{method: "RefreshLease", args: []interface{}{"pgsql"}, err: unavailable("lol borken")},
	)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, stepsMaxSleep)
		waitStep(c, script)
		_, err := manager.CheckLeadership("pgsql", "pgsql/0")
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%v", err))

		script.finish(nil, nil)
		for {
			waitStep(c, script)
			if _, _, _, ended := script.counts(); ended == 1 {
				break
			}
		}
		fix.waitCalls(c)
		advanceToAlarm(c, clock, stepsMaxSleep+50*time.Millisecond)
		waitStep(c, script)
		begun, _, _, _ := script.counts()
		c.Check(begun, gc.Equals, 2)
	})
}
