package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type CheckLeadershipSuite struct{}

var _ = gc.Suite(&CheckLeadershipSuite{})

var fakeOp = txn.Op{C: "fake", Id: "fake"}

// holdRedis0 is a callback that makes redis/0 the holder of redis.
func holdRedis0(leases map[string]lease.Info) {
	leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Second), AssertOp: fakeOp}
}

// redis0Held returns redis held by redis/0, with fakeOp as its AssertOp.
func redis0Held() map[string]lease.Info {
	return map[string]lease.Info{
		"redis": {Holder: "redis/0", Expiry: offset(time.Second), AssertOp: fakeOp},
	}
}

// checkLeads runs fix and checks that its manager answers a check of
// redis for redis/0 with a token whose AssertOps are fakeOp alone; then,
// if more is not nil, it runs more with the token.
func checkLeads(c *gc.C, fix *fixture, more func(leadership.Token)) {
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Assert(err, jc.ErrorIsNil)
		c.Check(token.AssertOps(), jc.DeepEquals, []txn.Op{fakeOp})
		if more != nil {
			more(token)
		}
	})
}

// checkDoesNotLead runs fix and checks that its manager answers a check
// of redis for redis/0 with ErrNotLeader.
func checkDoesNotLead(c *gc.C, fix *fixture) {
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, gc.ErrorMatches, `"redis/0" is not leader of "redis"`)
		c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
		c.Check(token, gc.IsNil)
	})
}

func (s *CheckLeadershipSuite) TestSuccess(c *gc.C) {
	checkLeads(c, &fixture{leases: redis0Held()}, nil)
}

// TestAssertOpsIsFresh: a token's AssertOps are the caller's to change.
func (s *CheckLeadershipSuite) TestAssertOpsIsFresh(c *gc.C) {
	checkLeads(c, &fixture{leases: redis0Held()}, func(token leadership.Token) {
		ops := token.AssertOps()
		ops[0] = txn.Op{C: "scribbled"}
		c.Check(token.AssertOps(), jc.DeepEquals, []txn.Op{fakeOp})
	})
}

func (s *CheckLeadershipSuite) TestMissingRefresh_Success(c *gc.C) {
	checkLeads(c, &fixture{expectCalls: []call{{method: "Refresh", callback: holdRedis0}}}, nil)
}

// TestOtherHolderRefresh_Success is, as in Juju, the same as
// TestMissingRefresh_Success: it starts with no lease.
func (s *CheckLeadershipSuite) TestOtherHolderRefresh_Success(c *gc.C) {
	checkLeads(c, &fixture{expectCalls: []call{{method: "Refresh", callback: holdRedis0}}}, nil)
}

// TestOtherHolderRefresh_Success_Intended is the case the Juju test's name
// promises: the cache says another unit holds the lease, and the refresh
// shows it has passed to the checked unit.
func (s *CheckLeadershipSuite) TestOtherHolderRefresh_Success_Intended(c *gc.C) {
	checkLeads(c, &fixture{
		leases:      redisHeld("redis/1", time.Second),
		expectCalls: []call{{method: "Refresh", callback: holdRedis0}},
	}, nil)
}

func (s *CheckLeadershipSuite) TestRefresh_Failure_Missing(c *gc.C) {
	checkDoesNotLead(c, &fixture{expectCalls: []call{{method: "Refresh"}}})
}

func (s *CheckLeadershipSuite) TestRefresh_Failure_OtherHolder(c *gc.C) {
	checkDoesNotLead(c, &fixture{expectCalls: []call{{
		method: "Refresh",
		callback: func(leases map[string]lease.Info) {
			leases["redis"] = lease.Info{Holder: "redis/1", Expiry: offset(time.Second), AssertOp: fakeOp}
		},
	}}})
}

// TestRefresh_Error: a store failure goes to the caller; the manager keeps
// running, and reads every lease again at its next wake, 50ms later.
func (s *CheckLeadershipSuite) TestRefresh_Error(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "Refresh", err: unavailable("crunch squish")}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, gc.ErrorMatches, `cannot check leadership of "redis" for "redis/0": crunch squish: lease store unavailable`)
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		c.Check(token, gc.IsNil)
		advanceToAlarm(c, clock, 50*time.Millisecond)
	})
}

type LeadersSuite struct{}

var _ = gc.Suite(&LeadersSuite{})

func (s *LeadersSuite) TestLeadersReadsStore(c *gc.C) {
	fix := &fixture{
		leases: heldLeases(),
		expectCalls: []call{{
			method: "Refresh",
			callback: func(leases map[string]lease.Info) {
				leases["store"] = lease.Info{Holder: "store/3", Expiry: offset(time.Minute)}
			},
		}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		reader, ok := manager.(leadership.LeaderReader)
		c.Assert(ok, jc.IsTrue)
		leaders, err := reader.Leaders()
		c.Assert(err, jc.ErrorIsNil)
		c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/0", "store": "store/3"})

		// The caller owns the map.
		leaders["redis"] = "redis/7"
		again, err := reader.Leaders()
		c.Assert(err, jc.ErrorIsNil)
		c.Check(again, jc.DeepEquals, map[string]string{"redis": "redis/0", "store": "store/3"})
	})
}

func (s *LeadersSuite) TestLeadersReleasesWaiters(c *gc.C) {
	fix := releasedOnRefresh()
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")
		leaders, err := manager.(leadership.LeaderReader).Leaders()
		c.Assert(err, jc.ErrorIsNil)
		c.Check(leaders, gc.HasLen, 0)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *LeadersSuite) TestLeadersRefreshErrorGoesToCaller(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "Refresh", err: unavailable("lol borken")}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, "cannot read leaders: lol borken: lease store unavailable")
		leaders, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(err, jc.ErrorIsNil)
		c.Check(leaders, gc.HasLen, 0)
	})
}

func (s *LeadersSuite) TestLeadersContentionGoesToCaller(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "Refresh", err: lease.ErrExcessiveContention}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, "cannot read leaders: .*")
	})
}
