package endtoend_test

import (
	"context"
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/releasetest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// The suite of releases across controllers, on the MongoDB client: a
// server for each test; the in-memory store runs it in package
// leadership's tests.
var _ = gc.Suite(&releasetest.Suite{
	NewStore: func(c *gc.C, clock lease.Clock) (storetest.Store, func()) {
		f, err := mongofixture.Start(mongotest.Options{})
		c.Assert(err, jc.ErrorIsNil)
		return f.Store(clock), func() { f.Close() }
	},
})

// RevokeSuite checks RevokeLeadership, the context wait and Leaders across
// two controllers on the embedded server.
type RevokeSuite struct {
	mongoSuite
}

var _ = gc.Suite(&RevokeSuite{})

// Controller A's unit revokes; its token stops fencing at once, and
// controller B, which waited with a context, sees the release at its next
// poll, ClockPoll later, long before the lease would have run out.
func (s *RevokeSuite) TestRevokeAcrossControllers(c *gc.C) {
	clock := clocktest.NewClock(start)
	managerA, managerB := s.startPair(c, clock, clock)

	c.Assert(managerA.ClaimLeadership("redis", "redis/0", time.Hour), jc.ErrorIsNil)
	c.Check(managerB.ClaimLeadership("redis", "redis/1", time.Hour), gc.Equals, leadership.ErrClaimDenied)
	token, err := managerA.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	leaders, err := managerB.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/0"})

	released := goErr(func() error {
		return managerB.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(context.Background(), "redis")
	})
	c.Assert(managerA.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Check(s.runFenced(token, "after-revoke"), gc.Equals, txn.ErrAborted)

	// B's poll reads the clock document, finds the count of releases
	// changed, and reads the lease again.
	c.Assert(clock.WaitAlarms(1, longWait), jc.ErrorIsNil)
	clock.Advance(releasetest.ClockPoll)
	waitNil(c, released, "B never saw the revocation")
	c.Assert(managerB.ClaimLeadership("redis", "redis/1", time.Hour), jc.ErrorIsNil)
	leaders, err = managerA.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/1"})
}

// A unit that claimed through controller A is revoked through controller
// B, whose cache had not seen the claim; a unit that does not lead cannot
// be revoked. A's cache still has the lease until its next read, so its
// CheckLeadership may still answer yes, but the token no longer fences.
func (s *RevokeSuite) TestRevokeThroughOtherController(c *gc.C) {
	clock := clocktest.NewClock(start)
	managerA, managerB := s.startPair(c, clock, clock)

	c.Assert(managerA.ClaimLeadership("redis", "redis/0", time.Hour), jc.ErrorIsNil)
	err := managerB.(leadership.Revoker).RevokeLeadership("redis", "redis/1")
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
	c.Assert(managerB.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	token, err := managerA.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.runFenced(token, "after-revoke"), gc.Equals, txn.ErrAborted)

	// After its next read of the store, A knows.
	_, err = managerA.(leadership.LeaderReader).Leaders()
	c.Assert(err, jc.ErrorIsNil)
	_, err = managerA.CheckLeadership("redis", "redis/0")
	c.Check(err, gc.ErrorMatches, `"redis/0" is not leader of "redis"`)
	c.Check(errors.Is(err, leadership.ErrNotLeader), jc.IsTrue)
}
