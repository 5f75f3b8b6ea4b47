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

// unavailable returns an error matching lease.ErrUnavailable, as a client
// reports a store it cannot reach.
func unavailable(what string) error {
	return fmt.Errorf("%s: %w", what, lease.ErrUnavailable)
}

// OutageSuite checks what a manager does after calls that could not use
// the store.
type OutageSuite struct{}

var _ = gc.Suite(&OutageSuite{})

// TestCheckAfterUnknownExtension: an extension's reply is lost. The cache
// still says the unit leads, but the check reads the lease from the store
// before it answers.
func (s *OutageSuite) TestCheckAfterUnknownExtension(c *gc.C) {
	fix := refreshingFixture(redisHeld("redis/0", time.Minute),
		redisCall("ExtendLease", unavailable("reply lost"), nil),
		readRedis(nil, nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		token, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(token, gc.NotNil)
	})
}

// TestOutageReadsEveryLease: a single lease's read fails; the manager's
// next wake, 50ms later, reads every lease (other controllers may have
// written meanwhile), not only the ones due.
func (s *OutageSuite) TestOutageReadsEveryLease(c *gc.C) {
	fix := refreshingFixture(redisHeld("redis/0", time.Minute),
		call{method: "RefreshLease", args: []interface{}{"mysql"}, err: unavailable("no reachable servers")},
		call{method: "Refresh"})
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		_, err := manager.CheckLeadership("mysql", "mysql/0")
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		advanceToAlarm(c, clock, 50*time.Millisecond)
	})
}

// TestCorruptRefreshStillExpires: a refresh that finds a corrupt document
// (the client has read every other lease) does not hold up the wake: the
// lease that ran out is expired.
func (s *OutageSuite) TestCorruptRefreshStillExpires(c *gc.C) {
	fix := &fixture{leases: redisHeld("redis/0", time.Second), expectCalls: []call{
		{method: "Refresh", err: fmt.Errorf("corrupt lease document %q: %w", "lease#bad", lease.ErrCorrupt)},
		expireCall("redis", nil),
	}}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
	})
}

// TestReadErrInvalidIsTheCallersError: a client whose read of a lease
// returns lease.ErrInvalid (a rule for writes; a read has no view to find
// changed) breaks its contract, but the error is the check's alone: the
// manager keeps serving.
func (s *OutageSuite) TestReadErrInvalidIsTheCallersError(c *gc.C) {
	fix := refreshingFixture(nil, readRedis(lease.ErrInvalid, nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(errors.Is(err, lease.ErrInvalid), jc.IsTrue, gc.Commentf("%v", err))
		checkRunning(c, manager)
	})
}

// TestReadErrInvalidOnClaimIsTheCallersError: the same for the read a
// claim makes before it denies.
func (s *OutageSuite) TestReadErrInvalidOnClaimIsTheCallersError(c *gc.C) {
	fix := refreshingFixture(redisHeld("redis/0", time.Minute), readRedis(lease.ErrInvalid, nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/1", time.Minute)
		c.Check(errors.Is(err, lease.ErrInvalid), jc.IsTrue, gc.Commentf("%v", err))
		checkRunning(c, manager)
	})
}

// TestReadErrInvalidOnWakeBacksOff: the same for a wake's Refresh: the
// wake backs off, and the next one expires the lease.
func (s *OutageSuite) TestReadErrInvalidOnWakeBacksOff(c *gc.C) {
	fix := &fixture{leases: redisHeld("redis/0", time.Second), expectCalls: []call{
		{method: "Refresh", err: lease.ErrInvalid},
		{method: "Refresh"},
		expireCall("redis", nil),
	}}
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
		advanceToAlarm(c, clock, time.Second+50*time.Millisecond)
	})
}

// checkRunning fails the test if manager has stopped: nothing but Kill
// may stop it.
func checkRunning(c *gc.C, manager leadership.ManagerWorker) {
	select {
	case <-manager.(leadership.Stopping).Dying():
		c.Errorf("the manager stopped")
	default:
	}
}

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
			method:   "ClaimLease",
			args:     []interface{}{"redis", redis0},
			err:      fmt.Errorf("claim raced: %w", lease.ErrInvalid),
			callback: setRedis("redis/1", time.Minute),
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

// OutageBackOffSuite checks when a manager that backs off after wakes
// that could not reach the store wakes again.
type OutageBackOffSuite struct{}

var _ = gc.Suite(&OutageBackOffSuite{})

// TestWriteEndsStoreBackOff: two wakes fail to reach the store, and the
// manager backs off, 50ms then 100ms. A claim made 10ms into the second
// back-off is written: the store answers again, so the manager wakes at
// once, without the clock moving, reads every lease and expires the one
// that ran out.
func (s *OutageBackOffSuite) TestWriteEndsStoreBackOff(c *gc.C) {
	mysql0 := lease.Request{Holder: "mysql/0", Duration: time.Minute}
	fix := &fixture{
		leases: redisHeld("redis/0", time.Second),
		expectCalls: []call{
			{method: "Refresh", err: unavailable("no reachable servers")},
			{method: "Refresh", err: unavailable("no reachable servers")},
			{method: "ClaimLease", args: []interface{}{"mysql", mysql0}, callback: func(leases map[string]lease.Info) {
				leases["mysql"] = lease.Info{Holder: "mysql/0", Expiry: offset(time.Second + 60*time.Millisecond + time.Minute)}
			}},
			{method: "Refresh"},
			expireCall("redis", nil),
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
		advanceToAlarm(c, clock, time.Second+50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(time.Second+150*time.Millisecond), LongWait), jc.ErrorIsNil)
		clock.Advance(10 * time.Millisecond)
		c.Check(manager.ClaimLeadership("mysql", "mysql/0", time.Minute), jc.ErrorIsNil)
		// The wake follows without any advance; the fixture waits for
		// its Refresh and ExpireLease.
	})
}

// TestReadLeavesStoreBackOff: a wake's read of the lease due fails, and
// the manager backs off 50ms. A read that works meanwhile (a check that
// misses) does not end the back-off: a stepped-down primary answers reads
// and refuses writes, and waking for each read would retry the refused
// expiries at the pace of the checks. The manager wakes at the end of the
// back-off, and reads every lease.
func (s *OutageBackOffSuite) TestReadLeavesStoreBackOff(c *gc.C) {
	leases := redisHeld("redis/0", time.Second)
	leases["wordpress"] = lease.Info{Holder: "wordpress/0", Expiry: offset(time.Hour)}
	fix := refreshingFixture(leases,
		readRedis(unavailable("not primary"), nil),
		call{method: "RefreshLease", args: []interface{}{"mysql"}},
		call{method: "Refresh"},
		expireCall("redis", nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		clock.Advance(time.Second)
		backOffEnd := offset(time.Second + 50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(backOffEnd, LongWait), jc.ErrorIsNil)
		clock.Advance(10 * time.Millisecond)
		_, err := manager.CheckLeadership("mysql", "mysql/0")
		c.Check(err, gc.ErrorMatches, `"mysql/0" is not leader of "mysql"`)
		// A check that hits the cache calls nothing; once it returns,
		// the loop has set its alarm after the miss.
		_, err = manager.CheckLeadership("wordpress", "wordpress/0")
		c.Check(err, jc.ErrorIsNil)
		c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{backOffEnd})
		clock.Advance(40 * time.Millisecond)
	})
}
