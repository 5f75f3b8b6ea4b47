package leadership_test

import (
	"errors"
	"fmt"
	"math"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// ClaimTimeRangeSuite: a claim or an extension that the client refuses
// with lease.ErrTimeOutOfRange (the store cannot hold its expiry) goes
// back to the caller, annotated, and the manager stays up.
type ClaimTimeRangeSuite struct{}

var _ = gc.Suite(&ClaimTimeRangeSuite{})

func (s *ClaimTimeRangeSuite) TestClaimOutOfRange_ReportedNotFatal(c *gc.C) {
	forever := lease.Request{Holder: "redis/0", Duration: math.MaxInt64}
	fix := &fixture{expectCalls: []call{{
		method: "ClaimLease",
		args:   []interface{}{"redis", forever},
		err:    fmt.Errorf("the fake's expiry: %w", lease.ErrTimeOutOfRange),
	}, {
		method: "ClaimLease",
		args:   []interface{}{"redis", redis0},
	}}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", math.MaxInt64)
		c.Check(err, gc.ErrorMatches,
			`cannot claim leadership of "redis" for "redis/0": the fake's expiry: time out of the store's range`)
		c.Check(errors.Is(err, lease.ErrTimeOutOfRange), jc.IsTrue)

		// The manager is still alive, and the next claim goes through.
		c.Check(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	})
}

func (s *ClaimTimeRangeSuite) TestExtendOutOfRange_ReportedNotFatal(c *gc.C) {
	long := lease.Request{Holder: "redis/0", Duration: 250 * 365 * 24 * time.Hour}
	fix := &fixture{
		leases: map[string]lease.Info{"redis": {Holder: "redis/0", Expiry: clocktest.Start.Add(time.Minute)}},
		expectCalls: []call{{
			method: "ExtendLease",
			args:   []interface{}{"redis", long},
			err:    fmt.Errorf("the fake's expiry: %w", lease.ErrTimeOutOfRange),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", long.Duration)
		c.Check(errors.Is(err, lease.ErrTimeOutOfRange), jc.IsTrue)
		// redis/0 still leads, on its earlier lease.
		_, err = manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.ErrorIsNil)
	})
}

// errClockOutOfRange is what a client reports when the clock reads a time
// the store cannot hold.
var errClockOutOfRange = fmt.Errorf("clock reading 2263-01-01T00:00:00Z of client %q: %w", "machine-0", lease.ErrTimeOutOfRange)

// TestExpireClockOutOfRange_BacksOff: a wake whose expiry the client
// refuses because the clock reads outside the store's range backs off,
// like contention, instead of stopping the manager.
func (s *ClaimTimeRangeSuite) TestExpireClockOutOfRange_BacksOff(c *gc.C) {
	fix := &fixture{
		leases:      redisLease(-time.Second),
		maxSleep:    time.Minute,
		expectCalls: append(expireRedis(errClockOutOfRange, nil), expireRedis(nil, deleteLease("redis"))...),
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(50*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(50 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(50*time.Millisecond+time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestRefreshClockOutOfRange_BacksOff: the same for the refresh a wake
// starts with.
func (s *ClaimTimeRangeSuite) TestRefreshClockOutOfRange_BacksOff(c *gc.C) {
	fix := &fixture{
		maxSleep:    time.Minute,
		expectCalls: []call{{method: "Refresh", err: errClockOutOfRange}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Minute)
		c.Assert(clock.WaitAlarmFor(offset(time.Minute+50*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(50 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(2*time.Minute+50*time.Millisecond), LongWait), jc.ErrorIsNil)
	})
}
