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

// redis0 is the request that claiming redis for redis/0 for a minute makes.
var redis0 = lease.Request{Holder: "redis/0", Duration: time.Minute}

func (s *ClaimLeadershipSuite) TestClaimLease_Success(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "ClaimLease", args: []interface{}{"redis", redis0}}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestClaimLease_Success_SameHolder(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{
			method: "ClaimLease",
			args:   []interface{}{"redis", redis0},
			err:    lease.ErrInvalid,
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Second)}
			},
		}, {
			method: "ExtendLease",
			args:   []interface{}{"redis", redis0},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestClaimLease_Failure_OtherHolder(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{
			method: "ClaimLease",
			args:   []interface{}{"redis", redis0},
			err:    lease.ErrInvalid,
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/1", Expiry: offset(time.Second)}
			},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err == leadership.ErrClaimDenied, jc.IsTrue)
		c.Check(errors.Is(err, leadership.ErrClaimDenied), jc.IsTrue)
	})
}

// TestClaimLease_Failure_Error: the reply to a claim is lost after the
// store applied it. The caller gets the error, and the next request about
// the lease reads it first: the check finds the unit leading.
func (s *ClaimLeadershipSuite) TestClaimLease_Failure_Error(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{
			method: "ClaimLease",
			args:   []interface{}{"redis", redis0},
			err:    unavailable("lol borken"),
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Minute)}
			},
		}, {method: "Refresh"}},
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
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis": {Holder: "redis/0", Expiry: offset(time.Second)},
		},
		expectCalls: []call{{method: "ExtendLease", args: []interface{}{"redis", redis0}}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestExtendLease_Success_Expired(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis": {Holder: "redis/0", Expiry: offset(time.Second)},
		},
		expectCalls: []call{{
			method: "ExtendLease",
			args:   []interface{}{"redis", redis0},
			err:    lease.ErrInvalid,
			callback: func(leases map[string]lease.Info) {
				delete(leases, "redis")
			},
		}, {
			method: "ClaimLease",
			args:   []interface{}{"redis", redis0},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestExtendLease_Failure_OtherHolder(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis": {Holder: "redis/0", Expiry: offset(time.Second)},
		},
		expectCalls: []call{{
			method: "ExtendLease",
			args:   []interface{}{"redis", redis0},
			err:    lease.ErrInvalid,
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/1", Expiry: offset(time.Second)}
			},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	})
}

// TestExtendLease_Failure_Error: an extension fails, unapplied, with an
// error the client does not classify. The caller gets it; the next claim
// reads the lease before it decides, and extends it.
func (s *ClaimLeadershipSuite) TestExtendLease_Failure_Error(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis": {Holder: "redis/0", Expiry: offset(time.Second)},
		},
		expectCalls: []call{{
			method: "ExtendLease",
			args:   []interface{}{"redis", redis0},
			err:    errors.New("boom splat"),
		}, {
			method: "Refresh",
		}, {
			method: "ExtendLease",
			args:   []interface{}{"redis", redis0},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership of "redis" for "redis/0": boom splat`)
		c.Check(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	})
}

func (s *ClaimLeadershipSuite) TestOtherHolder_Failure(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis": {Holder: "redis/1", Expiry: offset(time.Second)},
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	})
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
		calls = append(calls, call{
			method:   method,
			args:     []interface{}{"redis", redis0},
			err:      lease.ErrInvalid,
			callback: toggle,
		})
	}
	// The fifth attempt was a claim, after which redis is held by
	// redis/0 again: the next claim is an extension.
	calls = append(calls, call{method: "ExtendLease", args: []interface{}{"redis", redis0}})
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
	redis0 := lease.Request{Holder: "redis/0", Duration: time.Minute}
	fix := &fixture{expectCalls: []call{{
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
		err:    fmt.Errorf("cannot claim lease: %w", lease.ErrExcessiveContention),
	}, {
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
	}}}
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
