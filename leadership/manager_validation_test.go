package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type ValidationSuite struct{}

var _ = gc.Suite(&ValidationSuite{})

func (s *ValidationSuite) TestMissingClient(c *gc.C) {
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Clock: clocktest.NewClock(defaultClockStart),
	})
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta("missing client: set Client to one from lease.NewClient (in tests, from a leasetest.Store's NewClient)"))
	c.Check(manager, gc.IsNil)
}

func (s *ValidationSuite) TestMissingClock(c *gc.C) {
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: NewClient(nil, nil),
	})
	c.Check(err, gc.ErrorMatches, `missing clock: set Clock to lease\.SystemClock\{\}, the wall clock \(in tests, a fake one such as leasetest\.NewClock\(leasetest\.Start\)\)`)
	c.Check(manager, gc.IsNil)
}

func (s *ValidationSuite) TestNegativeMaxSleep(c *gc.C) {
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   NewClient(nil, nil),
		Clock:    clocktest.NewClock(defaultClockStart),
		MaxSleep: -time.Second,
	})
	c.Check(err, gc.ErrorMatches, `invalid MaxSleep -1s: must not be negative`)
	c.Check(manager, gc.IsNil)
}

// TestTypedNilClient: a nil *Client in the interface is not nil, and
// passed Validate; the manager's goroutine then panicked on it.
func (s *ValidationSuite) TestTypedNilClient(c *gc.C) {
	var client *Client
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: client,
		Clock:  clocktest.NewClock(defaultClockStart),
	})
	c.Check(err, gc.ErrorMatches, `invalid client: nil \*leadership_test.Client`)
	c.Check(manager, gc.IsNil)
}

func (s *ValidationSuite) TestTypedNilClock(c *gc.C) {
	var clock *clocktest.Clock
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: NewClient(nil, nil),
		Clock:  clock,
	})
	c.Check(err, gc.ErrorMatches, `invalid clock: nil \*leasetest.Clock`)
	c.Check(manager, gc.IsNil)
}

// TestTinyMaxSleep: a positive MaxSleep under a millisecond made an idle
// manager wake all the time, using a whole CPU.
func (s *ValidationSuite) TestTinyMaxSleep(c *gc.C) {
	for _, d := range []time.Duration{time.Nanosecond, time.Microsecond, time.Millisecond - 1} {
		err := leadership.ManagerConfig{
			Client:   NewClient(nil, nil),
			Clock:    clocktest.NewClock(defaultClockStart),
			MaxSleep: d,
		}.Validate()
		c.Check(err, gc.ErrorMatches, fmt.Sprintf(`invalid MaxSleep %s: must be zero \(one minute\) or at least 1ms`, regexp.QuoteMeta(d.String())))
	}
	err := leadership.ManagerConfig{
		Client:   NewClient(nil, nil),
		Clock:    clocktest.NewClock(defaultClockStart),
		MaxSleep: time.Millisecond,
	}.Validate()
	c.Check(err, jc.ErrorIsNil)
}

func (s *ValidationSuite) TestValidateOrder(c *gc.C) {
	err := leadership.ManagerConfig{MaxSleep: -1}.Validate()
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta("missing client: set Client to one from lease.NewClient (in tests, from a leasetest.Store's NewClient)"))
	err = leadership.ManagerConfig{Client: NewClient(nil, nil), MaxSleep: -1}.Validate()
	c.Check(err, gc.ErrorMatches, `missing clock: .*`)
}

func (s *ValidationSuite) TestZeroMaxSleepMeansOneMinute(c *gc.C) {
	clock := clocktest.NewClock(defaultClockStart)
	config := leadership.ManagerConfig{Client: NewClient(nil, nil), Clock: clock}
	manager, err := leadership.NewManager(config)
	c.Assert(err, jc.ErrorIsNil)
	defer func() { c.Check(manager.Wait(), jc.ErrorIsNil) }()
	defer manager.Kill()

	c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
	c.Check(clock.Alarms(), jc.DeepEquals, []time.Time{offset(time.Minute)})
	c.Check(config.MaxSleep, gc.Equals, time.Duration(0))
}

func (s *ValidationSuite) TestClaimLeadership_ServiceName(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("foo/0", "bar/0", time.Minute)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid service name "foo/0": it has '/' at byte 3; a service name is .*`)
	})
}

func (s *ValidationSuite) TestClaimLeadership_UnitName(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("foo", "bar", time.Minute)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid unit name "bar": it has no "/" and unit number after the service name; a unit name is .*`)
	})
}

func (s *ValidationSuite) TestClaimLeadership_Duration(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("foo", "foo/0", 0)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid duration 0: must be positive`)
	})
}

func (s *ValidationSuite) TestClaimLeadership_NegativeDuration(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("foo", "foo/0", -time.Second)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid duration -1s: must be positive`)
	})
}

func (s *ValidationSuite) TestCheckLeadership_ServiceName(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		token, err := manager.CheckLeadership("foo/0", "bar/0")
		c.Check(err, gc.ErrorMatches, `cannot check leadership: invalid service name "foo/0": it has '/' at byte 3; a service name is .*`)
		c.Check(token, gc.IsNil)
	})
}

func (s *ValidationSuite) TestCheckLeadership_UnitName(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		token, err := manager.CheckLeadership("foo", "bar")
		c.Check(err, gc.ErrorMatches, `cannot check leadership: invalid unit name "bar": it has no "/" and unit number after the service name; a unit name is .*`)
		c.Check(token, gc.IsNil)
	})
}

func (s *ValidationSuite) TestBlockUntilLeadershipReleased_ServiceName(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.BlockUntilLeadershipReleased("foo/0")
		c.Check(err, gc.ErrorMatches, `cannot wait for leaderlessness: invalid service name "foo/0": it has '/' at byte 3; a service name is .*`)
	})
}

// TestNames checks the name rules through the public API: a valid pair
// gets as far as the client's cache (an unheld service unblocks at once),
// an invalid one is refused before the loop sees it.
func (s *ValidationSuite) TestNames(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		for i, t := range []struct {
			service string
			valid   bool
		}{
			{"a", true}, {"mysql", true}, {"wordpress-b2", true}, {"wordpress-2", false}, {"a1-b2-3c", true},
			{"", false}, {"1a", false}, {"a-1", false}, {"A", false},
			{"a_b", false}, {"a--b", false}, {"a-", false}, {"-a", false}, {"a/0", false},
		} {
			c.Logf("test %d: service %q", i, t.service)
			err := manager.BlockUntilLeadershipReleased(t.service)
			if t.valid {
				c.Check(err, jc.ErrorIsNil)
			} else {
				c.Check(err, gc.ErrorMatches, `cannot wait for leaderlessness: invalid service name .*`)
			}
		}
		for i, t := range []struct {
			unit  string
			valid bool
		}{
			{"a/0", true}, {"a/10", true}, {"a/907", true}, {"a/1234567890", true},
			{"a", false}, {"a/", false}, {"a/01", false}, {"a/-1", false}, {"a/12345678901", false},
			{"a/x", false}, {"1a/0", false}, {"a/0/0", false}, {"/0", false},
		} {
			c.Logf("test %d: unit %q", i, t.unit)
			err := manager.ClaimLeadership("a", t.unit, 0)
			if t.valid {
				c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid duration 0: must be positive`)
			} else {
				c.Check(err, gc.ErrorMatches, `cannot claim leadership: invalid unit name .*`)
			}
		}
	})
}

// TestMaxBatch: MaxBatch is zero (the default), 1 (no batches) or up to
// 1,000; anything else is refused, naming the value and the rule.
func (s *ValidationSuite) TestMaxBatch(c *gc.C) {
	for _, n := range []int{-1, 1001, 1 << 40} {
		err := leadership.ManagerConfig{
			Client:   NewClient(nil, nil),
			Clock:    clocktest.NewClock(defaultClockStart),
			MaxBatch: n,
		}.Validate()
		c.Check(err, gc.ErrorMatches, fmt.Sprintf(`invalid MaxBatch %d: must be zero \(100\), 1 \(no batches\) or up to 1000`, n))
	}
	for _, n := range []int{0, 1, 2, 1000} {
		err := leadership.ManagerConfig{
			Client:   NewClient(nil, nil),
			Clock:    clocktest.NewClock(defaultClockStart),
			MaxBatch: n,
		}.Validate()
		c.Check(err, jc.ErrorIsNil)
	}
	// Checked after ClockPoll, before Observer.
	err := leadership.ManagerConfig{
		Client:    NewClient(nil, nil),
		Clock:     clocktest.NewClock(defaultClockStart),
		ClockPoll: time.Nanosecond,
		MaxBatch:  -1,
	}.Validate()
	c.Check(err, gc.ErrorMatches, `invalid ClockPoll 1ns: .*`)
	var observer leadership.ObserverFunc
	err = leadership.ManagerConfig{
		Client:   NewClient(nil, nil),
		Clock:    clocktest.NewClock(defaultClockStart),
		MaxBatch: -1,
		Observer: observer,
	}.Validate()
	c.Check(err, gc.ErrorMatches, `invalid MaxBatch -1: .*`)
}

// InputSuite: a call's own bad input is that call's error, refused before
// the manager's loop sees it (the scripted client fails the test on any
// call it does not expect); and a client's refusal of an argument is the
// error of the call that made it, never a reason to stop the manager.
type InputSuite struct{}

var _ = gc.Suite(&InputSuite{})

// isInvalidArgument reports whether err matches
// leadership.ErrInvalidArgument, for jc.Satisfies.
func isInvalidArgument(err error) bool {
	return errors.Is(err, leadership.ErrInvalidArgument)
}

// TestUnitOfAnotherService: ClaimLeadership("redis", "mysql/0", d)
// succeeded, and so did Check and Revoke, though TrackerConfig.Validate
// refused the pair. Each now refuses it, without calling the client.
func (s *InputSuite) TestUnitOfAnotherService(c *gc.C) {
	fix := &fixture{leases: map[string]lease.Info{"redis": {Holder: "mysql/0", Expiry: offset(time.Minute)}}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		const rest = `unit "mysql/0" is not a unit of service "redis": it is a unit of "mysql"; a unit name starts with its service's name and a slash \("redis/0"\)`
		err := manager.ClaimLeadership("redis", "mysql/0", time.Minute)
		c.Check(err, gc.ErrorMatches, "cannot claim leadership: "+rest)
		c.Check(err, jc.Satisfies, isInvalidArgument)
		token, err := manager.CheckLeadership("redis", "mysql/0")
		c.Check(err, gc.ErrorMatches, "cannot check leadership: "+rest)
		c.Check(err, jc.Satisfies, isInvalidArgument)
		c.Check(token, gc.IsNil)
		err = manager.(leadership.Revoker).RevokeLeadership("redis", "mysql/0")
		c.Check(err, gc.ErrorMatches, "cannot revoke leadership: "+rest)
		c.Check(err, jc.Satisfies, isInvalidArgument)
	})
}

// TestLongNames: a service name had no length limit; a 17MiB one went to
// the client, whose store refused the transaction with an error that
// stopped the manager for every unit. Every entry point now refuses names
// over the limits, with a short message, without calling the client.
func (s *InputSuite) TestLongNames(c *gc.C) {
	long := strings.Repeat("a", 17<<20)
	longest := strings.Repeat("a", leadership.MaxServiceNameLen)
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		serviceErr := `invalid service name "a{64}"\.\.\. \(17825792 bytes\): it is 17825792 bytes, more than 128; a service name is 1 to 128 bytes .*`
		unitErr := `invalid unit name "a{64}"\.\.\. \(17825794 bytes\): its service name "a{64}"\.\.\. \(17825792 bytes\) is 17825792 bytes, more than 128; a unit name is .*`
		for _, t := range []struct {
			call string
			err  error
			want string
		}{
			{"claim", manager.ClaimLeadership(long, long+"/0", time.Minute), "cannot claim leadership: " + serviceErr},
			{"claim", manager.ClaimLeadership(longest, long+"/0", time.Minute), "cannot claim leadership: " + unitErr},
			{"claim", manager.ClaimLeadership("redis", "redis/12345678901", time.Minute),
				`cannot claim leadership: invalid unit name "redis/12345678901": its unit number "12345678901" has more than 10 digits; .*`},
			{"check", second(manager.CheckLeadership(long, long+"/0")), "cannot check leadership: " + serviceErr},
			{"block", manager.BlockUntilLeadershipReleased(long), "cannot wait for leaderlessness: " + serviceErr},
			{"block", manager.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(context.Background(), long),
				"cannot wait for leaderlessness: " + serviceErr},
			{"revoke", manager.(leadership.Revoker).RevokeLeadership(long, long+"/0"), "cannot revoke leadership: " + serviceErr},
		} {
			c.Check(t.err, gc.ErrorMatches, t.want, gc.Commentf(t.call))
			c.Check(t.err, jc.Satisfies, isInvalidArgument)
			if t.err != nil {
				c.Check(len(t.err.Error()) < 1000, jc.IsTrue, gc.Commentf("%s: %d bytes", t.call, len(t.err.Error())))
			}
		}
	})
}

// second returns the error of a CheckLeadership.
func second(_ leadership.Token, err error) error {
	return err
}

// errRefused is a client's refusal of an argument, wrapped as a client
// with stricter rules than the manager's might wrap it.
var errRefused = fmt.Errorf("cannot store it: %w", lease.ErrInvalidArgument)

// TestClientRefusesClaim: a client that refuses a claim's argument made
// the manager stop (its error was not one it knew to survive). The claim
// now gets the refusal, and the manager serves the next claim.
func (s *InputSuite) TestClientRefusesClaim(c *gc.C) {
	fix := &fixture{expectCalls: []call{
		{method: "ClaimLease", args: []interface{}{"redis", redis0}, err: errRefused},
		claimCall("ClaimLease"),
	}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
		c.Check(err, gc.ErrorMatches, `cannot claim leadership of "redis" for "redis/0": cannot store it: invalid argument`)
		c.Check(err, jc.Satisfies, isInvalidArgument)
		c.Check(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	})
}

// TestClientRefusesRead: a check whose read of the lease the client
// refuses gets the refusal; the manager carries on.
func (s *InputSuite) TestClientRefusesRead(c *gc.C) {
	fix := &fixture{refreshing: true, expectCalls: []call{
		{method: "RefreshLease", args: []interface{}{"redis"}, err: errRefused},
		{method: "RefreshLease", args: []interface{}{"redis"}},
	}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(err, gc.ErrorMatches, `cannot check leadership of "redis" for "redis/0": cannot store it: invalid argument`)
		c.Check(err, jc.Satisfies, isInvalidArgument)
		_, err = manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.Satisfies, func(err error) bool { return errors.Is(err, leadership.ErrNotLeader) })
	})
}

// TestClientRefusesExpiry: a lease the client will not expire (a name
// an earlier version stored, over today's limit) makes the wake back
// off, as contention does, rather than stop the manager.
func (s *InputSuite) TestClientRefusesExpiry(c *gc.C) {
	calls := expireRedis(errRefused, nil)
	calls = append(calls, expireRedis(nil, deleteLease("redis"))...)
	fix := dueFixture(time.Minute, calls...)
	fix.RunTest(c, func(_ leadership.ManagerWorker, clock *clocktest.Clock) {
		advanceToAlarm(c, clock, 50*time.Millisecond)
		c.Assert(clock.WaitAlarmFor(offset(50*time.Millisecond+time.Minute), LongWait), jc.ErrorIsNil)
	})
}
