package leadership_test

import (
	"runtime"
	"strings"
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
			method:   "Refresh",
			callback: setRedis("redis/7", 30*time.Second),
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

// InterleaveSuite checks that a wake that expires several leases answers
// the claims that wait in between, rather than after the last expiry.
type InterleaveSuite struct{}

var _ = gc.Suite(&InterleaveSuite{})

// threeDue returns leases a, b and c, each held by its unit 0 until one
// second after the clock's start.
func threeDue() map[string]lease.Info {
	leases := make(map[string]lease.Info)
	for _, name := range []string{"a", "b", "c"} {
		leases[name] = lease.Info{Holder: name + "/0", Expiry: offset(time.Second)}
	}
	return leases
}

// waitClaimWaiting waits, for LongWait at most, until some goroutine is
// parked in a claim's send to the manager, and fails the test otherwise
// (see waitParked).
func waitClaimWaiting(c *gc.C) {
	waitParked(c, 1)
}

// waitParked waits, for LongWait at most, until n goroutines are parked
// in a claim's or a revocation's call of the manager, and fails the test
// otherwise. It is called while the manager's goroutine is inside a
// client call, so such a call cannot have been taken yet, unless it is
// the one the manager is serving: a parked sender is one the manager's
// next receive finds. A goroutine still on its way there (checking names,
// making the request) does not count.
func waitParked(c *gc.C, n int) {
	deadline := time.Now().Add(LongWait)
	buf := make([]byte, 1<<20)
	for time.Now().Before(deadline) {
		parked := 0
		for _, g := range strings.Split(string(buf[:runtime.Stack(buf, true)]), "\n\n") {
			header, _, _ := strings.Cut(g, "\n")
			if strings.Contains(header, "[select") &&
				(strings.Contains(g, "leadership.claim.invoke(") || strings.Contains(g, "leadership.revoke.invoke(")) {
				parked++
			}
		}
		if parked >= n {
			return
		}
		runtime.Gosched()
	}
	c.Fatalf("fewer than %d claims or revocations were waiting for the manager within %v", n, LongWait)
}

// midWakeClaim is a claim a test makes while the manager is inside its
// expiry of lease a, the first of threeDue's leases to fall due.
type midWakeClaim struct {
	manager leadership.ManagerWorker
	claimed chan error
}

func newMidWakeClaim() *midWakeClaim {
	return &midWakeClaim{claimed: make(chan error, 1)}
}

// expireA returns the expected expiry of lease a, during which the unit
// claims the service (for a minute), and which returns once that claim
// waits to be taken.
func (w *midWakeClaim) expireA(c *gc.C, service, unit string) call {
	return call{method: "ExpireLease", args: []interface{}{"a"}, callback: func(leases map[string]lease.Info) {
		delete(leases, "a")
		go func() { w.claimed <- w.manager.ClaimLeadership(service, unit, time.Minute) }()
		waitClaimWaiting(c)
	}}
}

// wake returns a fixture's test that makes the manager wake when the
// leases fall due, checks that the claim succeeds, then runs after.
func (w *midWakeClaim) wake(c *gc.C, after func(leadership.ManagerWorker)) func(leadership.ManagerWorker, *clocktest.Clock) {
	return func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		w.manager = m
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		c.Check(receive(c, w.claimed, "claim not answered"), jc.ErrorIsNil)
		after(m)
	}
}

// TestClaimAnsweredBetweenExpiries has a unit claim another service while
// the manager expires a: the claim is answered before b's expiry.
func (s *InterleaveSuite) TestClaimAnsweredBetweenExpiries(c *gc.C) {
	w := newMidWakeClaim()
	fix := &fixture{
		leases: threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			w.expireA(c, "z", "z/0"),
			{method: "ClaimLease", args: []interface{}{"z", lease.Request{Holder: "z/0", Duration: time.Minute}},
				callback: func(leases map[string]lease.Info) {
					leases["z"] = lease.Info{Holder: "z/0", Expiry: offset(time.Minute + time.Second)}
				}},
			expireCall("b", nil),
			expireCall("c", nil),
		},
	}
	fix.RunTest(c, w.wake(c, func(leadership.ManagerWorker) {}))
}

// TestClaimBetweenExpiriesExtendsDueLease has the holder of a due lease
// extend it between two expiries of one wake: the expiry that follows is
// refused by the client (ErrInvalid: not expired), and the unit stays
// leader.
func (s *InterleaveSuite) TestClaimBetweenExpiriesExtendsDueLease(c *gc.C) {
	w := newMidWakeClaim()
	fix := &fixture{
		leases: threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			w.expireA(c, "b", "b/0"),
			{method: "ExtendLease", args: []interface{}{"b", lease.Request{Holder: "b/0", Duration: time.Minute}},
				callback: func(leases map[string]lease.Info) {
					leases["b"] = lease.Info{Holder: "b/0", Expiry: offset(time.Minute + time.Second)}
				}},
			{method: "ExpireLease", args: []interface{}{"b"}, err: lease.ErrInvalid},
			expireCall("c", nil),
		},
	}
	fix.RunTest(c, w.wake(c, func(m leadership.ManagerWorker) {
		_, err := m.CheckLeadership("b", "b/0")
		c.Check(err, jc.ErrorIsNil)
	}))
}
