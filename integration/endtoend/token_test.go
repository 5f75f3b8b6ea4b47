package endtoend_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
)

// TokenSuite checks that a token from CheckLeadership fences a
// transaction of the caller's own.
type TokenSuite struct {
	mongoSuite
}

var _ = gc.Suite(&TokenSuite{})

func (s *TokenSuite) TestTokenFencesCallerTransaction(c *gc.C) {
	clock := clocktest.NewClock(start)
	manager := s.startManager(c, "machine-0", clock)

	err := manager.ClaimLeadership("redis", "redis/0", time.Minute)
	c.Assert(err, jc.ErrorIsNil)
	token, err := manager.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)

	// While redis/0 leads, its transactions commit.
	c.Check(s.runFenced(token, "while-leading"), jc.ErrorIsNil)

	// Once the lease has run out and the manager expired it, they abort.
	clock.Advance(time.Minute + time.Second)
	waitReleased(c, manager, "redis")
	c.Check(s.runFenced(token, "after-expiry"), gc.Equals, txn.ErrAborted)

	// And they keep aborting once another unit leads; its own token works.
	err = manager.ClaimLeadership("redis", "redis/1", time.Minute)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.runFenced(token, "after-reclaim"), gc.Equals, txn.ErrAborted)
	_, err = manager.CheckLeadership("redis", "redis/0")
	c.Check(err, gc.ErrorMatches, `"redis/0" is not leader of "redis"`)
	token1, err := manager.CheckLeadership("redis", "redis/1")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.runFenced(token1, "new-leader"), jc.ErrorIsNil)

	n, err := s.DB.C("settings").Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 2)
}

func (s *TokenSuite) TestTokenFromOtherManagerFences(c *gc.C) {
	// Two controllers whose clocks are an hour apart.
	clockA := clocktest.NewClock(start)
	clockB := clocktest.NewClock(start.Add(time.Hour))
	managerA, managerB := s.startPair(c, clockA, clockB)

	c.Assert(managerA.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Check(managerB.ClaimLeadership("redis", "redis/1", time.Minute), gc.Equals, leadership.ErrClaimDenied)
	token, err := managerA.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)

	// Controller A dies; B expires A's lease on its own, and its unit
	// takes over.
	managerA.Kill()
	c.Assert(managerA.Wait(), jc.ErrorIsNil)
	clockB.Advance(2 * time.Minute)
	waitReleased(c, managerB, "redis")
	c.Assert(managerB.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)

	c.Check(s.runFenced(token, "stale-leader"), gc.Equals, txn.ErrAborted)
	token1, err := managerB.CheckLeadership("redis", "redis/1")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.runFenced(token1, "new-leader"), jc.ErrorIsNil)
}
