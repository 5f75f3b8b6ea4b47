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

// ExpireLeadershipSuite re-expresses Juju's expiry tests. Every wake now
// refreshes the client before expiring, so each expiry is preceded by an
// expected Refresh.
type ExpireLeadershipSuite struct{}

var _ = gc.Suite(&ExpireLeadershipSuite{})

func (s *ExpireLeadershipSuite) TestStartup_ExpiryInPast(c *gc.C) {
	fix := dueFixture(0, expireRedis(nil, deleteLease("redis"))...)
	fix.RunTest(c, func(leadership.ManagerWorker, *clocktest.Clock) {})
}

func (s *ExpireLeadershipSuite) TestStartup_ExpiryInFuture(c *gc.C) {
	fix := &fixture{leases: redisHeld("redis/0", time.Second)}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		clock.Advance(almostOneSecond)
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{offset(time.Second)})
	})
}

func (s *ExpireLeadershipSuite) TestStartup_ExpiryInFuture_TimePasses(c *gc.C) {
	fix := &fixture{
		leases:      redisHeld("redis/0", time.Second),
		expectCalls: expireRedis(nil, deleteLease("redis")),
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
	})
}

func (s *ExpireLeadershipSuite) TestExpire_ErrInvalid_Expired(c *gc.C) {
	fix := dueFixture(0, expireRedis(lease.ErrInvalid, deleteLease("redis"))...)
	fix.RunTest(c, func(leadership.ManagerWorker, *clocktest.Clock) {})
}

func (s *ExpireLeadershipSuite) TestExpire_ErrInvalid_Updated(c *gc.C) {
	fix := &fixture{
		leases: redisHeld("redis/0", -time.Second),
		expectCalls: expireRedis(lease.ErrInvalid, func(leases map[string]lease.Info) {
			leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(time.Minute)}
		}),
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestExpire_OtherError: an expiry that fails backs off 50ms, then the
// manager reads every lease again and expires it.
func (s *ExpireLeadershipSuite) TestExpire_OtherError(c *gc.C) {
	fix := &fixture{
		leases: redisHeld("redis/0", -time.Second),
		expectCalls: append(expireRedis(errors.New("snarfblat hobalob"), nil),
			expireRedis(nil, deleteLease("redis"))...),
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, 50*time.Millisecond)
	})
}

// claimCall is a ClaimLease or ExtendLease that leaves redis/0 holding
// redis for 63 seconds: "asked for a minute, got 63s".
func claimCall(method string) call {
	return call{
		method:   method,
		args:     []interface{}{"redis", redis0},
		callback: setRedis("redis/0", 63*time.Second),
	}
}

func (s *ExpireLeadershipSuite) TestClaim_ExpiryInFuture(c *gc.C) {
	fix := &fixture{expectCalls: []call{claimCall("ClaimLease")}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		c.Assert(clock.WaitAlarmFor(offset(63*time.Second), LongWait), jc.ErrorIsNil)
		clock.Advance(almostSeconds(63))
	})
}

func (s *ExpireLeadershipSuite) TestClaim_ExpiryInFuture_TimePasses(c *gc.C) {
	fix := &fixture{expectCalls: append([]call{claimCall("ClaimLease")},
		expireRedis(nil, deleteLease("redis"))...)}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		clock.Advance(63 * time.Second)
	})
}

func (s *ExpireLeadershipSuite) TestExtend_ExpiryInFuture(c *gc.C) {
	fix := &fixture{
		leases:      redisHeld("redis/0", time.Second),
		expectCalls: []call{claimCall("ExtendLease")},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		c.Assert(clock.WaitAlarmFor(offset(63*time.Second), LongWait), jc.ErrorIsNil)
		clock.Advance(almostSeconds(63))
	})
}

func (s *ExpireLeadershipSuite) TestExtend_ExpiryInFuture_TimePasses(c *gc.C) {
	fix := &fixture{
		leases:      redisHeld("redis/0", time.Second),
		expectCalls: append([]call{claimCall("ExtendLease")}, expireRedis(nil, deleteLease("redis"))...),
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		clock.Advance(63 * time.Second)
	})
}

func (s *ExpireLeadershipSuite) TestExpire_Multiple(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis":  {Holder: "redis/0", Expiry: offset(time.Second)},
			"store":  {Holder: "store/3", Expiry: offset(5 * time.Second)},
			"tokumx": {Holder: "tokumx/5", Expiry: offset(10 * time.Second)},
			"ultron": {Holder: "ultron/7", Expiry: offset(5 * time.Second)},
			"vvvvvv": {Holder: "vvvvvv/2", Expiry: offset(time.Second)},
		},
		expectCalls: []call{{method: "Refresh"}, {
			method:   "ExpireLease",
			args:     []interface{}{"redis"},
			callback: deleteLease("redis"),
		}, {
			method:   "ExpireLease",
			args:     []interface{}{"store"},
			err:      lease.ErrInvalid,
			callback: deleteLease("store"),
		}, {
			// tokumx has not expired; vvvvvv waits for the back-off
			// after ultron's failure.
			method: "ExpireLease",
			args:   []interface{}{"ultron"},
			err:    errors.New("what is this?"),
		}, {
			// 50ms later the manager reads every lease again, and
			// tries vvvvvv before ultron, which failed last.
			method: "Refresh",
		}, {
			method:   "ExpireLease",
			args:     []interface{}{"vvvvvv"},
			callback: deleteLease("vvvvvv"),
		}, {
			method:   "ExpireLease",
			args:     []interface{}{"ultron"},
			callback: deleteLease("ultron"),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(5 * time.Second)
		advanceToAlarm(c, clock, 5*time.Second+50*time.Millisecond)
	})
}

// TestExpiryAtBoundary checks that a lease the client will not expire yet,
// because its expiry is exactly now, is tried again a nanosecond later,
// and not over and over at the same instant.
func (s *ExpireLeadershipSuite) TestExpiryAtBoundary(c *gc.C) {
	fix := &fixture{
		leases: redisHeld("redis/0", time.Second),
		expectCalls: append(expireRedis(lease.ErrInvalid, nil),
			expireRedis(nil, deleteLease("redis"))...),
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
		advanceToAlarm(c, clock, time.Second+time.Nanosecond)
	})
}
