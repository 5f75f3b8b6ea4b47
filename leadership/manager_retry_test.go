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

// RetrySuite tests the errors a manager must survive: the client's
// ErrExcessiveContention on a wake (a controller whose clock was stepped
// back behind its own last write gets it from every expiry), and errors
// that wrap the client's sentinels with %w.
type RetrySuite struct{}

var _ = gc.Suite(&RetrySuite{})

// errContention is what the MongoDB client returns when every attempt at a
// transaction was aborted, wrapped as a client might.
var errContention = fmt.Errorf("cannot expire lease: %w", lease.ErrExcessiveContention)

// TestExpireContentionBacksOff: a wake whose expiry fails with errContention
// leaves the manager running; it tries again after 50ms, then 100ms more,
// on its own clock, and never while the clock stands still; once the
// expiry succeeds, it goes back to its usual wakes.
func (s *RetrySuite) TestExpireContentionBacksOff(c *gc.C) {
	calls := expireRedis(errContention, nil)
	calls = append(calls, expireRedis(errContention, nil)...)
	calls = append(calls, expireRedis(nil, deleteLease("redis"))...)
	fix := dueFixture(time.Minute, calls...)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(50*time.Millisecond), LongWait), jc.ErrorIsNil)
		// The clock stands still: no new alarm, no new call.
		assertNoNewAlarm(c, manager, clock, offset(50*time.Millisecond))
		clock.Advance(50 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(150*time.Millisecond), LongWait), jc.ErrorIsNil)
		assertNoNewAlarm(c, manager, clock, offset(150*time.Millisecond))
		clock.Advance(100 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(150*time.Millisecond+time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestExpireContentionBackOffIsCapped: the back-off doubles up to 5s, or
// MaxSleep if that is shorter.
func (s *RetrySuite) TestExpireContentionBackOffIsCapped(c *gc.C) {
	var calls []call
	for i := 0; i < 4; i++ {
		calls = append(calls, expireRedis(errContention, nil)...)
	}
	fix := dueFixture(300*time.Millisecond, calls...)
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		at := time.Duration(0)
		for _, delay := range []time.Duration{50, 100, 200, 300} {
			at += delay * time.Millisecond
			c.Assert(clock.WaitAlarmFor(offset(at), LongWait), jc.ErrorIsNil)
			if delay != 300 {
				clock.Advance(delay * time.Millisecond)
			}
		}
	})
}

// TestExpireContentionDoesNotStarveOthers: the lease that failed is tried
// after the others on the next wake.
func (s *RetrySuite) TestExpireContentionDoesNotStarveOthers(c *gc.C) {
	expire := func(name string, err error) call {
		var callback func(map[string]lease.Info)
		if err == nil {
			callback = deleteLease(name)
		}
		return call{method: "ExpireLease", args: []interface{}{name}, err: err, callback: callback}
	}
	fix := &fixture{
		leases: map[string]lease.Info{
			"mysql": {Holder: "mysql/0", Expiry: offset(-time.Second)},
			"redis": {Holder: "redis/0", Expiry: offset(-time.Second)},
		},
		maxSleep: time.Minute,
		expectCalls: []call{
			{method: "Refresh"}, expire("mysql", errContention),
			{method: "Refresh"}, expire("redis", nil), expire("mysql", nil),
		},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, 50*time.Millisecond)
	})
}

// TestRefreshContentionOnWake: a Refresh that reports errContention on a
// wake backs off like an expiry.
func (s *RetrySuite) TestRefreshContentionOnWake(c *gc.C) {
	fix := &fixture{
		maxSleep: time.Minute,
		expectCalls: []call{
			{method: "Refresh", err: errContention},
			{method: "Refresh"},
		},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Minute)
		advanceToAlarm(c, clock, time.Minute+50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(2*time.Minute+50*time.Millisecond), LongWait), jc.ErrorIsNil)
	})
}

// TestCheckRefreshContention: a check whose Refresh reports errContention
// returns that error, and the manager carries on.
func (s *RetrySuite) TestCheckRefreshContention(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{
			{method: "Refresh", err: errContention},
			{method: "Refresh", callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Minute)}
			}},
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(token, gc.IsNil)
		c.Check(err, gc.ErrorMatches,
			`cannot check leadership of "redis" for "redis/0": cannot expire lease: state changing too quickly; try again soon`)
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)
		token, err = manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(token, gc.NotNil)
	})
}

// TestExpireWrappedErrInvalid: ErrInvalid wrapped with %w is still
// ErrInvalid; the manager used errors.Cause, which does not see %w, and
// died of it.
func (s *RetrySuite) TestExpireWrappedErrInvalid(c *gc.C) {
	fix := &fixture{
		leases: redisHeld("redis/0", -time.Second),
		expectCalls: expireRedis(fmt.Errorf("someone else was first: %w", lease.ErrInvalid), func(leases map[string]lease.Info) {
			leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Minute)}
		}),
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestClaimWrappedErrInvalid: a claim whose client returns a wrapped
// ErrInvalid reads the lease again, as for a bare one.
func (s *RetrySuite) TestClaimWrappedErrInvalid(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{
			method: "ClaimLease",
			args:   []interface{}{"redis", redis0},
			err:    fmt.Errorf("claim raced: %w", lease.ErrInvalid),
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/1", Expiry: offset(time.Minute)}
			},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	})
}

// assertNoNewAlarm checks, after a request has gone through the loop
// (which sets the alarm first), that the only pending alarm is at.
func assertNoNewAlarm(c *gc.C, manager leadership.Manager, clock *clocktest.Clock, at time.Time) {
	c.Assert(manager.BlockUntilLeadershipReleased("sync"), jc.ErrorIsNil)
	c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{at})
}
