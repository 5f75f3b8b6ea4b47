package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
	"github.com/seed07a61904/leadership/worker"
)

type RevokeLeadershipSuite struct{}

var _ = gc.Suite(&RevokeLeadershipSuite{})

func revokeCall(service, unit string, err error) call {
	return call{
		method: "RevokeLease",
		args:   []interface{}{service, unit},
		err:    err,
		callback: func(leases map[string]lease.Info) {
			if err == nil {
				delete(leases, service)
			}
		},
	}
}

// revokeRedis0 runs fix, revokes redis/0's leadership of redis through
// its manager, and returns what RevokeLeadership returned.
func revokeRedis0(c *gc.C, fix *fixture) (err error) {
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err = manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0")
	})
	return err
}

// revokeHeld is revokeRedis0 on a fixture where redis/0 holds redis's
// lease, and whose client expects calls.
func revokeHeld(c *gc.C, calls ...call) error {
	return revokeRedis0(c, heldFixture(calls...))
}

func (s *RevokeLeadershipSuite) TestRevokeLeader(c *gc.C) {
	fix := heldFixture(revokeCall("redis", "redis/0", nil), call{method: "Refresh"})
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		revoker, ok := manager.(leadership.Revoker)
		c.Assert(ok, jc.IsTrue)
		c.Check(revoker.RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		// The check misses in the cache, refreshes, and still misses.
		_, err := manager.CheckLeadership("redis", "redis/0")
		c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
	})
}

func (s *RevokeLeadershipSuite) TestRevokeReleasesWaitersAtOnce(c *gc.C) {
	fix := heldFixture(revokeCall("redis", "redis/0", nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")
		// The clock does not move: the release comes from the revoke.
		c.Check(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *RevokeLeadershipSuite) TestRevokeNotLeader(c *gc.C) {
	fix := heldFixture(call{method: "Refresh"})
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.(leadership.Revoker).RevokeLeadership("redis", "redis/1")
		c.Check(err, gc.ErrorMatches, `"redis/1" is not leader of "redis"`)
		c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
	})
}

func (s *RevokeLeadershipSuite) TestRevokeNotHeld(c *gc.C) {
	fix := &fixture{expectCalls: []call{{method: "Refresh"}}}
	err := revokeRedis0(c, fix)
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
}

// A unit that claimed through another manager can be revoked through this
// one: the cache misses, so the manager reads the store first.
func (s *RevokeLeadershipSuite) TestRevokeReadsStoreFirst(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{
			method:   "Refresh",
			callback: setRedis("redis/0", time.Minute),
		}, revokeCall("redis", "redis/0", nil)},
	}
	c.Check(revokeRedis0(c, fix), jc.ErrorIsNil)
}

// ErrInvalid means the store changed: the client has refreshed, and the
// manager decides again from what it now knows.
func (s *RevokeLeadershipSuite) TestRevokeInvalidThenHandedOver(c *gc.C) {
	err := revokeHeld(c, call{
		method:   "RevokeLease",
		args:     []interface{}{"redis", "redis/0"},
		err:      lease.ErrInvalid,
		callback: setRedis("redis/1", time.Minute),
	})
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
}

func (s *RevokeLeadershipSuite) TestRevokeInvalidThenRetried(c *gc.C) {
	err := revokeHeld(c,
		revokeCall("redis", "redis/0", lease.ErrInvalid),
		revokeCall("redis", "redis/0", nil),
	)
	c.Check(err, jc.ErrorIsNil)
}

func (s *RevokeLeadershipSuite) TestRevokeContention(c *gc.C) {
	err := revokeHeld(c, revokeCall("redis", "redis/0", lease.ErrExcessiveContention))
	c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)
}

func (s *RevokeLeadershipSuite) TestRevokeUnknownOutcome(c *gc.C) {
	fix := &fixture{
		leases: heldLeases(),
		expectCalls: []call{
			// The revoke is applied, but its reply is lost.
			{method: "RevokeLease", args: []interface{}{"redis", "redis/0"}, err: unavailable("lol borken"), callback: deleteLease("redis")},
			// The check reads the lease first, and finds it gone.
			{method: "Refresh"},
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0")
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, `cannot revoke leadership of "redis" for "redis/0": lol borken: lease store unavailable`)
		_, err = manager.CheckLeadership("redis", "redis/0")
		c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
	})
}

func (s *RevokeLeadershipSuite) TestRevokeNotSupported(c *gc.C) {
	fix := &fixture{leases: heldLeases(), noRevoker: true}
	err := revokeRedis0(c, fix)
	c.Check(errors.Is(err, leadership.ErrRevokeNotSupported), jc.IsTrue)
	c.Check(err, gc.ErrorMatches, `cannot revoke leadership of "redis" for "redis/0": lease client cannot revoke leases`)
}

func (s *RevokeLeadershipSuite) TestRevokeValidation(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		revoker := manager.(leadership.Revoker)
		c.Check(revoker.RevokeLeadership("Redis", "redis/0"), gc.ErrorMatches,
			`cannot revoke leadership: invalid service name "Redis": it has upper-case 'R' at byte 0; a service name is .*`)
		c.Check(revoker.RevokeLeadership("redis", "redis/x"), gc.ErrorMatches,
			`cannot revoke leadership: invalid unit name "redis/x": its unit number "x" is not decimal digits; a unit name is .*`)
	})
}

func (s *RevokeLeadershipSuite) TestRevokeStopped(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		manager.Kill()
		c.Check(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), gc.Equals, leadership.ErrStopped)
	})
}

func (s *RevokeLeadershipSuite) TestRevokeRefreshContentionGoesToCaller(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "Refresh", err: lease.ErrExcessiveContention}},
	}
	err := revokeRedis0(c, fix)
	c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)
}

// tokenHolds evaluates, in memory, the assertions a token's ops make, as
// MongoDB would: each op names a lease document of leasetest.Collection
// and asserts its holder.
func tokenHolds(c *gc.C, store *leasetest.Store, token leadership.Token) bool {
	reader := store.MustNewClient("reader")
	for _, op := range token.AssertOps() {
		c.Assert(op.C, gc.Equals, leasetest.Collection)
		info, ok := reader.Lease(op.Id.(string))
		if !ok {
			return false
		}
		for _, e := range op.Assert.(bson.D) {
			c.Assert(e.Name, gc.Equals, "holder")
			if info.Holder != e.Value {
				return false
			}
		}
	}
	return true
}

// A revoked unit's token no longer holds until the unit leads again; then
// the old token holds again (a token checks who leads, not which term; see
// leadership.Token).
func (s *RevokeLeadershipSuite) TestRevokedTokenHoldsAgainOnceUnitLeadsAgain(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client: store.MustNewClient("a"), Clock: clock, MaxSleep: time.Hour,
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() { c.Check(worker.Stop(manager), jc.ErrorIsNil) }()
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	token, err := manager.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(tokenHolds(c, store, token), jc.IsTrue)
	c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Check(tokenHolds(c, store, token), jc.IsFalse)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Check(tokenHolds(c, store, token), jc.IsTrue)
}
