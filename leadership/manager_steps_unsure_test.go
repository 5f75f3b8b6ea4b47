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
	fix := &fixture{
		refreshing: true, clockPoll: -1, maxSleep: stepsMaxSleep, steps: script,
		leases: stepLeases(),
		expectCalls: []call{
			// The revoke is applied, but its reply is lost.
			{method: "RevokeLease", args: []interface{}{"redis", "redis/0"}, err: unavailable("lol borken"), callback: deleteLease("redis")},
			// The check reads the lease first (the store has it released).
			{method: "RefreshLease", args: []interface{}{"redis"}, callback: deleteLease("redis")},
		},
	}
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
	fix := &fixture{
		refreshing: true, clockPoll: -1, maxSleep: stepsMaxSleep, steps: script,
		leases: stepLeases(),
		expectCalls: []call{
			{method: "RefreshLease", args: []interface{}{"pgsql"}, err: unavailable("lol borken")},
		},
	}
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
