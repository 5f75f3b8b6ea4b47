package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// WakeSuite tests when the manager wakes: at least every MaxSleep (Juju LP
// 1511659), and with a new alarm only when the wake-up time changes.
type WakeSuite struct{}

var _ = gc.Suite(&WakeSuite{})

// TestIdleWakeExpiresForeignLease is LP 1511659: a manager that holds no
// lease and is never called still refreshes every MaxSleep, and expires a
// lease that another controller let lapse.
func (s *WakeSuite) TestIdleWakeExpiresForeignLease(c *gc.C) {
	fix := &fixture{
		maxSleep: time.Minute,
		expectCalls: []call{{
			method: "Refresh",
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/7", Expiry: offset(30 * time.Second)}
			},
		}, {
			method:   "ExpireLease",
			args:     []interface{}{"redis"},
			callback: deleteLease("redis"),
		}},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{offset(time.Minute)})
		clock.Advance(time.Minute)
		c.Assert(clock.WaitAlarmFor(offset(2*time.Minute), LongWait), jc.ErrorIsNil)
	})
}

func (s *WakeSuite) TestIdleWakesRepeat(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		expectCalls: []call{{method: "Refresh"}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Minute)
		advanceToAlarm(c, clock, 2*time.Minute)
		c.Assert(clock.WaitAlarmFor(offset(3*time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestMaxSleepCountsFromLastWake checks that the manager wakes at the
// earlier of the next expiry and MaxSleep after its last wake.
func (s *WakeSuite) TestMaxSleepCountsFromLastWake(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		leases:      redisHeld("redis/0", 90*time.Second),
		expectCalls: append([]call{{method: "Refresh"}}, expireRedis(nil, deleteLease("redis"))...),
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{offset(time.Minute)})
		clock.Advance(time.Minute)
		advanceToAlarm(c, clock, 90*time.Second)
		c.Assert(clock.WaitAlarmFor(offset(150*time.Second), LongWait), jc.ErrorIsNil)
	})
}

func (s *WakeSuite) TestRefreshErrorOnWake(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		expectCalls: []call{{method: "Refresh", err: unavailable("zap")}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Minute)
		advanceToAlarm(c, clock, time.Minute+50*time.Millisecond)
	})
}

// TestNewAlarmOnlyWhenWakeTimeChanges counts the fake clock's pending
// alarms: Juju's 2015 loop made a new one on every iteration.
func (s *WakeSuite) TestNewAlarmOnlyWhenWakeTimeChanges(c *gc.C) {
	setRedis := func(expiry time.Duration) func(map[string]lease.Info) {
		return func(leases map[string]lease.Info) {
			leases["redis"] = lease.Info{Holder: "redis/0", Expiry: offset(expiry)}
		}
	}
	fix := &fixture{
		leases: redisHeld("redis/0", 10*time.Second),
		expectCalls: []call{{
			// Extended, but no further: the wake-up time stays.
			method:   "ExtendLease",
			args:     []interface{}{"redis", redis0},
			callback: setRedis(10 * time.Second),
		}, {
			// A lease that expires later does not move the wake-up time.
			method: "ClaimLease",
			args:   []interface{}{"store", lease.Request{Holder: "store/0", Duration: time.Minute}},
			callback: func(leases map[string]lease.Info) {
				leases["store"] = lease.Info{Holder: "store/0", Expiry: offset(time.Minute)}
			},
		}, {
			// Extending the earliest lease does.
			method:   "ExtendLease",
			args:     []interface{}{"redis", redis0},
			callback: setRedis(20 * time.Second),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		// An unheld service's block returns at once; once it has, the loop
		// has set its alarm for everything that came before.
		sync := func() {
			c.Assert(manager.BlockUntilLeadershipReleased("sync"), jc.ErrorIsNil)
		}
		sync()
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{offset(10 * time.Second)})

		for i := 0; i < 10; i++ {
			_, err := manager.CheckLeadership("redis", "redis/0")
			c.Assert(err, jc.ErrorIsNil)
			c.Assert(manager.ClaimLeadership("redis", "redis/1", time.Minute), gc.Equals, leadership.ErrClaimDenied)
		}
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		c.Assert(manager.ClaimLeadership("store", "store/0", time.Minute), jc.ErrorIsNil)
		sync()
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{offset(10 * time.Second)})

		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		sync()
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{
			offset(10 * time.Second), // abandoned
			offset(20 * time.Second),
		})
	})
}
