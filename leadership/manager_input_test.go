package leadership_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

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
