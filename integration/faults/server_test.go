package faults_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// ServerSuite stops the server under two idle controllers, and restarts
// it on the same data.
type ServerSuite struct{}

var _ = gc.Suite(&ServerSuite{})

func (s *ServerSuite) TestStopWhileIdleThenRestart(c *gc.C) {
	e := newEnv(c)
	defer e.close(c)
	clockA, clockB := newAlarmClock(start), newAlarmClock(start.Add(time.Hour))
	a, err := e.startManager(c, "machine-0", clockA)
	c.Assert(err, jc.ErrorIsNil)
	b, err := e.startManager(c, "machine-1", clockB)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(claim(c, a, "redis/0"), jc.IsTrue)
	var mysqlErr error
	within(c, "ClaimLeadership", func() { mysqlErr = b.manager.ClaimLeadership("mysql", "mysql/0", duration) })
	c.Assert(mysqlErr, jc.ErrorIsNil)
	before := e.leases(c)

	c.Assert(e.server.Stop(), jc.ErrorIsNil)
	// A claim fails with an error that says the store is out of reach,
	// after at most the session's sync timeout, and its manager keeps
	// running.
	began := time.Now()
	c.Check(claim(c, a, "redis/0"), jc.IsFalse)
	c.Logf("a claim waited %v for the stopped server (sync timeout %v)", time.Since(began), syncTimeout)
	// The other wakes once the leases are due, cannot refresh, backs off,
	// and keeps running.
	b.settle(c)
	n, _ := clockB.requests()
	clockA.Advance(duration + time.Nanosecond)
	clockB.Advance(duration + time.Nanosecond)
	b.waitIdle(c, n)
	c.Check(a.isStopped(), jc.IsFalse)
	c.Check(b.isStopped(), jc.IsFalse)

	c.Assert(e.server.Restart(), jc.ErrorIsNil)
	e.redial(c)
	// Nothing was lost while the server was down.
	c.Check(e.leases(c), jc.DeepEquals, before)
	c.Check(e.unfinished(c), gc.HasLen, 0)

	// The same managers carry on. Each finds the lease it wrote run out,
	// and expires it once it wakes (its back-off has run out by now);
	// another controller's lease it must give the writer's clock another
	// minute, since it knows only that it had reached the time it wrote.
	n, _ = clockA.requests()
	clockA.Advance(5 * time.Second)
	a.waitIdle(c, n)
	n, _ = clockB.requests()
	clockB.Advance(5 * time.Second)
	b.waitIdle(c, n)
	within(c, "BlockUntilLeadershipReleased", func() { err = a.manager.BlockUntilLeadershipReleased("redis") })
	c.Assert(err, jc.ErrorIsNil)
	within(c, "BlockUntilLeadershipReleased", func() { err = b.manager.BlockUntilLeadershipReleased("mysql") })
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(claim(c, a, "redis/1"), jc.IsTrue)
	within(c, "ClaimLeadership", func() { err = b.manager.ClaimLeadership("mysql", "mysql/1", duration) })
	c.Assert(err, jc.ErrorIsNil)
	within(c, "ClaimLeadership", func() { err = b.manager.ClaimLeadership("redis", "redis/0", duration) })
	c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	checkLeader(c, e, a, "redis/1")
}

// TestLongestCallDuringOutage measures how long one manager call holds
// the manager's loop while the server is stopped, with the settings of
// mongotest.Server.Dial (mgo's sync and socket timeouts 15s, mgowire's
// connect timeout the same): the call fails with an error matching
// lease.ErrUnavailable once mgo gives up finding a server, and the manager
// answers the next call.
func (s *ServerSuite) TestLongestCallDuringOutage(c *gc.C) {
	e := newEnv(c)
	defer e.close(c)
	session, err := e.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	client, err := lease.NewClient(mongofixture.ClientConfigOn(session.DB(""), "machine-0", newAlarmClock(start)))
	c.Assert(err, jc.ErrorIsNil)
	manager, err := leadership.NewManager(leadership.ManagerConfig{Client: client, Clock: newAlarmClock(start), MaxSleep: maxSleep})
	c.Assert(err, jc.ErrorIsNil)
	defer worker.Stop(manager)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", duration), jc.ErrorIsNil)

	c.Assert(e.server.Stop(), jc.ErrorIsNil)
	var longest time.Duration
	for _, call := range []func() error{
		func() error { return manager.ClaimLeadership("redis", "redis/0", duration) },
		func() error { _, err := manager.CheckLeadership("redis", "redis/1"); return err },
	} {
		began := time.Now()
		var err error
		within(c, "a call during the outage", func() { err = call() })
		took := time.Since(began)
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("%v", err))
		if took > longest {
			longest = took
		}
	}
	c.Logf("longest manager call during the outage: %v", longest)
	c.Assert(e.server.Restart(), jc.ErrorIsNil)
	var claimErr error
	within(c, "a claim after the restart", func() { claimErr = manager.ClaimLeadership("redis", "redis/0", duration) })
	c.Check(claimErr, jc.ErrorIsNil)
}
