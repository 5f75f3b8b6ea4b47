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

// RefreshSuite tests the manager over a client that reads single leases
// and the clocks (lease.SingleRefresher, lease.ClockRefresher), as the
// MongoDB client does: a check that misses, a claim it denies, a block and
// an expiry read only their lease, every lease is read only every
// MaxSleep, and the clocks are read every ClockPoll.
type RefreshSuite struct{}

var _ = gc.Suite(&RefreshSuite{})

// refreshRedis is an expected RefreshLease("redis") whose callback plays
// the store's answer.
func refreshRedis(callback func(map[string]lease.Info)) call {
	return call{method: "RefreshLease", args: []interface{}{"redis"}, callback: callback}
}

// holdRedis returns a callback that makes unit the holder of redis until
// expiry.
func holdRedis(unit string, expiry time.Duration) func(map[string]lease.Info) {
	return func(leases map[string]lease.Info) {
		leases["redis"] = lease.Info{Holder: unit, Expiry: offset(expiry), AssertOp: fakeOp}
	}
}

func (s *RefreshSuite) TestCheckMissReadsOneLease(c *gc.C) {
	fix := &fixture{
		refreshing:  true,
		clockPoll:   -1,
		expectCalls: []call{refreshRedis(holdRedis0)},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Assert(err, jc.ErrorIsNil)
		c.Check(token, gc.NotNil)
	})
}

// TestDenialReadsTheStore: the cache says another unit leads, but the
// store says nobody does (the lease expired elsewhere): the claim
// succeeds.
func (s *RefreshSuite) TestDenialReadsTheStore(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		clockPoll:  -1,
		leases:     redisLease(time.Minute),
		expectCalls: []call{
			refreshRedis(deleteLease("redis")),
			{
				method: "ClaimLease",
				args:   []interface{}{"redis", lease.Request{Holder: "redis/1", Duration: time.Minute}},
			},
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		c.Check(manager.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
	})
}

// TestDeniedOnWhatTheStoreSays: the store confirms the other holder; the
// lease is read once, and the claim denied.
func (s *RefreshSuite) TestDeniedOnWhatTheStoreSays(c *gc.C) {
	fix := &fixture{
		refreshing:  true,
		clockPoll:   -1,
		leases:      redisLease(time.Minute),
		expectCalls: []call{refreshRedis(nil)},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/1", time.Minute)
		c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	})
}

// TestClaimRaceReadsOnce: the cache says nobody leads, the claim is
// refused because another unit got there (the client has read the lease
// again before it said ErrInvalid), and the denial needs no further read.
func (s *RefreshSuite) TestClaimRaceReadsOnce(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		clockPoll:  -1,
		expectCalls: []call{{
			method:   "ClaimLease",
			args:     []interface{}{"redis", lease.Request{Holder: "redis/1", Duration: time.Minute}},
			err:      lease.ErrInvalid,
			callback: holdRedis("redis/0", time.Minute),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/1", time.Minute)
		c.Check(err, gc.Equals, leadership.ErrClaimDenied)
	})
}

// TestBlockOnLeaseGrantedElsewhere is a block on a stale view: another
// controller granted the lease after this manager last read it. The block
// reads the store, waits, and is released only once the lease has been
// read again when due, and expired.
func (s *RefreshSuite) TestBlockOnLeaseGrantedElsewhere(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		clockPoll:  -1,
		expectCalls: []call{
			refreshRedis(holdRedis("redis/0", time.Second)),
			refreshRedis(nil),
			{method: "ExpireLease", args: []interface{}{"redis"}, callback: deleteLease("redis")},
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		bt := newBlockTest(manager, "redis")
		bt.assertBlocked(c)
		c.Assert(clock.WaitAlarmFor(offset(time.Second), LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

// TestExpiryReadsOneLease: a wake for a due lease reads that lease, finds
// it extended elsewhere, and sleeps until the new expiry; then reads it
// again and expires it. Every lease is read only at MaxSleep.
func (s *RefreshSuite) TestExpiryReadsOneLease(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		clockPoll:  -1,
		maxSleep:   time.Minute,
		leases:     redisLease(time.Second),
		expectCalls: []call{
			refreshRedis(holdRedis("redis/0", 5*time.Second)),
			refreshRedis(nil),
			{method: "ExpireLease", args: []interface{}{"redis"}, callback: deleteLease("redis")},
			{method: "Refresh"},
		},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(time.Second), LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		c.Assert(clock.WaitAlarmFor(offset(5*time.Second), LongWait), jc.ErrorIsNil)
		clock.Advance(4 * time.Second)
		c.Assert(clock.WaitAlarmFor(offset(time.Minute), LongWait), jc.ErrorIsNil)
		clock.Advance(55 * time.Second)
		c.Assert(clock.WaitAlarmFor(offset(2*time.Minute), LongWait), jc.ErrorIsNil)
	})
}

// TestClockPoll: an idle manager reads the clocks every ClockPoll, and
// every lease every MaxSleep.
func (s *RefreshSuite) TestClockPoll(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		maxSleep:   time.Second,
		clockPoll:  400 * time.Millisecond,
		expectCalls: []call{
			{method: "RefreshClocks"},
			{method: "RefreshClocks"},
			{method: "Refresh"},
			{method: "RefreshClocks"},
		},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		for _, at := range []time.Duration{400, 800, 1000, 1400} {
			t := offset(at * time.Millisecond)
			c.Assert(clock.WaitAlarmFor(t, LongWait), jc.ErrorIsNil)
			clock.Set(t)
		}
		c.Assert(clock.WaitAlarmFor(offset(1800*time.Millisecond), LongWait), jc.ErrorIsNil)
	})
}

// TestFailoverWake is the fake-clock guard of the failover bound
// (docs/design.md#failover).
// The manager first learns of a lease with a loose bound on its writer's
// clock (it ends 10s after the start); a poll of the clocks then tightens
// it (the writer was seen to write again, soon after it did, and died:
// its term ends at 3s). The manager, with the default ClockPoll, wakes for
// the blocked lease at 3s, not at 10s, reads it and expires it.
func (s *RefreshSuite) TestFailoverWake(c *gc.C) {
	tighten := holdRedis("redis/0", 3*time.Second)
	polls := []call{{method: "RefreshClocks", callback: tighten}}
	for i := 0; i < 13; i++ {
		polls = append(polls, call{method: "RefreshClocks"})
	}
	fix := &fixture{
		refreshing: true,
		leases:     redisLease(10 * time.Second),
		expectCalls: append(append([]call{refreshRedis(nil)}, polls...),
			refreshRedis(nil),
			call{method: "ExpireLease", args: []interface{}{"redis"}, callback: deleteLease("redis")},
		),
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		bt := newBlockTest(manager, "redis")
		bt.assertBlocked(c)
		for at := 200 * time.Millisecond; at <= 3*time.Second; at += 200 * time.Millisecond {
			c.Assert(clock.WaitAlarmFor(offset(at), LongWait), jc.ErrorIsNil)
			clock.Set(offset(at))
		}
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

// TestPollErrorBacksOff: a poll that cannot reach the store backs off
// (50ms first), and the manager then reads every lease, not only the
// clocks: other controllers may have written meanwhile.
func (s *RefreshSuite) TestPollErrorBacksOff(c *gc.C) {
	fix := &fixture{
		refreshing:  true,
		expectCalls: []call{{method: "RefreshClocks", err: unavailable("zap")}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(200*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(200 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(250*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(50 * time.Millisecond)
	})
}

// TestPollContentionBacksOff: a poll that meets contention backs off (50ms
// first), and polls again then.
func (s *RefreshSuite) TestPollContentionBacksOff(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		expectCalls: []call{
			{method: "RefreshClocks", err: lease.ErrExcessiveContention},
			{method: "RefreshClocks"},
		},
	}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		c.Assert(clock.WaitAlarmFor(offset(200*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(200 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(250*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(50 * time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(450*time.Millisecond), LongWait), jc.ErrorIsNil)
	})
}

// TestCheckReadRetryable: a read that fails in a way that may pass goes
// back to the checking caller; the manager lives.
func (s *RefreshSuite) TestCheckReadRetryable(c *gc.C) {
	fix := &fixture{
		refreshing: true,
		clockPoll:  -1,
		expectCalls: []call{{
			method: "RefreshLease",
			args:   []interface{}{"redis"},
			err:    fmt.Errorf("wrapped: %w", lease.ErrExcessiveContention),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue, gc.Commentf("%v", err))
	})
}
