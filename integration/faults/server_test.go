package faults_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
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
	// A claim fails, and stops its manager with the error.
	c.Check(claim(c, a, "redis/0"), jc.IsFalse)
	// The other wakes once the leases are due, cannot refresh, and stops.
	b.settle(c)
	n, _ := clockB.requests()
	clockA.Advance(duration + time.Nanosecond)
	clockB.Advance(duration + time.Nanosecond)
	b.waitIdle(c, n)
	c.Check(b.isStopped(), jc.IsTrue)
	c.Check(b.err, gc.NotNil)
	c.Logf("stopped: %v; %v", a.err, b.err)

	c.Assert(e.server.Restart(), jc.ErrorIsNil)
	e.redial(c)
	// Nothing was lost while the server was down.
	c.Check(e.leases(c), jc.DeepEquals, before)
	c.Check(e.unfinished(c), gc.HasLen, 0)

	// New managers each find the lease they wrote run out, and expire
	// it; another controller's lease they must give the writer's clock
	// another minute, since they know only that it had reached the time
	// it wrote.
	a, err = e.startManager(c, "machine-0", clockA)
	c.Assert(err, jc.ErrorIsNil)
	b, err = e.startManager(c, "machine-1", clockB)
	c.Assert(err, jc.ErrorIsNil)
	within(c, "BlockUntilLeadershipReleased", func() { err = a.manager.BlockUntilLeadershipReleased("redis") })
	c.Assert(err, jc.ErrorIsNil)
	within(c, "BlockUntilLeadershipReleased", func() { err = b.manager.BlockUntilLeadershipReleased("mysql") })
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(claim(c, a, "redis/1"), jc.IsTrue)
	within(c, "ClaimLeadership", func() { err = b.manager.ClaimLeadership("mysql", "mysql/1", duration) })
	c.Assert(err, jc.ErrorIsNil)
	// b's cache still has redis/0 leading: its claim is an extension,
	// which the database refuses.
	within(c, "ClaimLeadership", func() { err = b.manager.ClaimLeadership("redis", "redis/0", duration) })
	c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	checkLeader(c, e, a, "redis/1")
}
