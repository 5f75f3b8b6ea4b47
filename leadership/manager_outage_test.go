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
