package leadership_test

import (
	"errors"
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type ClaimLeadershipSuite struct{}

var _ = gc.Suite(&ClaimLeadershipSuite{})

func (s *ClaimLeadershipSuite) TestClaimLease_Success(c *gc.C) {
	err := claimRedis(c, &fixture{expectCalls: []call{redisCall("ClaimLease", nil, nil)}})
	c.Check(err, jc.ErrorIsNil)
}

func (s *ClaimLeadershipSuite) TestClaimLease_Success_SameHolder(c *gc.C) {
	err := claimRedis(c, &fixture{expectCalls: []call{
		redisCall("ClaimLease", lease.ErrInvalid, setRedis("redis/0", time.Second)),
		redisCall("ExtendLease", nil, nil),
	}})
	c.Check(err, jc.ErrorIsNil)
}

func (s *ClaimLeadershipSuite) TestClaimLease_Failure_OtherHolder(c *gc.C) {
	err := claimRedis(c, &fixture{expectCalls: []call{
		redisCall("ClaimLease", lease.ErrInvalid, setRedis("redis/1", time.Second)),
	}})
	c.Check(err == leadership.ErrClaimDenied, jc.IsTrue)
	c.Check(errors.Is(err, leadership.ErrClaimDenied), jc.IsTrue)
}

// TestClaimLease_Failure_Error: the reply to a claim is lost after the
// store applied it. The caller gets the error, and the next request about
// the lease reads it first: the check finds the unit leading.
func (s *ClaimLeadershipSuite) TestClaimLease_Failure_Error(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{
			redisCall("ClaimLease", unavailable("lol borken"), setRedis("redis/0", time.Minute)),
			{method: "Refresh"},
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership of "redis" for "redis/0": lol borken: lease store unavailable`)
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(token, gc.NotNil)
	})
}

func (s *ClaimLeadershipSuite) TestExtendLease_Success(c *gc.C) {
	err := claimRedis(c, &fixture{
		leases:      redisHeld("redis/0", time.Second),
		expectCalls: []call{redisCall("ExtendLease", nil, nil)},
	})
	c.Check(err, jc.ErrorIsNil)
}

func (s *ClaimLeadershipSuite) TestExtendLease_Success_Expired(c *gc.C) {
	err := claimRedis(c, &fixture{
		leases: redisHeld("redis/0", time.Second),
		expectCalls: []call{
			redisCall("ExtendLease", lease.ErrInvalid, setRedis("", 0)),
			redisCall("ClaimLease", nil, nil),
		},
	})
	c.Check(err, jc.ErrorIsNil)
}

func (s *ClaimLeadershipSuite) TestExtendLease_Failure_OtherHolder(c *gc.C) {
	err := claimRedis(c, &fixture{
		leases:      redisHeld("redis/0", time.Second),
		expectCalls: []call{redisCall("ExtendLease", lease.ErrInvalid, setRedis("redis/1", time.Second))},
	})
	c.Check(err, gc.Equals, leadership.ErrClaimDenied)
}

// TestExtendLease_Failure_Error: an extension fails, unapplied, with an
// error the client does not classify. The caller gets it; the next claim
// reads the lease before it decides, and extends it.
func (s *ClaimLeadershipSuite) TestExtendLease_Failure_Error(c *gc.C) {
	fix := &fixture{
		leases: redisHeld("redis/0", time.Second),
		expectCalls: []call{
			redisCall("ExtendLease", errors.New("boom splat"), nil),
			{method: "Refresh"},
			redisCall("ExtendLease", nil, nil),
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership of "redis" for "redis/0": boom splat`)
		c.Check(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestOtherHolder_Failure(c *gc.C) {
	err := claimRedis(c, &fixture{leases: redisHeld("redis/1", time.Second)})
	c.Check(err, gc.Equals, leadership.ErrClaimDenied)
}

// TestRetryLimit checks that a claim whose lease changes under every
// attempt gives up with an error for its caller, and that the manager
// carries on.
func (s *ClaimLeadershipSuite) TestRetryLimit(c *gc.C) {
	toggle := func(leases map[string]lease.Info) {
		if _, ok := leases["redis"]; ok {
			delete(leases, "redis")
		} else {
			leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Second)}
		}
	}
	var calls []call
	for i := 0; i < 5; i++ {
		method := "ClaimLease"
		if i%2 == 1 {
			method = "ExtendLease"
		}
		calls = append(calls, redisCall(method, lease.ErrInvalid, toggle))
	}
	// The fifth attempt was a claim, after which redis is held by
	// redis/0 again: the next claim is an extension.
	calls = append(calls, redisCall("ExtendLease", nil, nil))
	fix := &fixture{expectCalls: calls}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.ErrorMatches,
			`cannot claim leadership of "redis" for "redis/0": state changing too quickly; try again soon`)
		c.Check(err, gc.Not(gc.Equals), leadership.ErrClaimDenied)
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)

		err = manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestClientContention_ReportedNotFatal(c *gc.C) {
	fix := &fixture{expectCalls: []call{
		redisCall("ClaimLease", fmt.Errorf("cannot claim lease: %w", lease.ErrExcessiveContention), nil),
		redisCall("ClaimLease", nil, nil),
	}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.ErrorMatches,
			`cannot claim leadership of "redis" for "redis/0": cannot claim lease: state changing too quickly; try again soon`)
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)

		// The manager is still alive, and the next claim goes through.
		err = manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestStoppedIsErrStopped(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		manager.Kill()
		c.Check(manager.Wait(), jc.ErrorIsNil)

		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err == leadership.ErrStopped, jc.IsTrue)
		c.Check(errors.Is(err, leadership.ErrStopped), jc.IsTrue)
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, gc.Equals, leadership.ErrStopped)
		c.Check(token, gc.IsNil)
		err = manager.BlockUntilLeadershipReleased("redis")
		c.Check(err, gc.Equals, leadership.ErrStopped)
	})
}
