package endtoend_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/worker"
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

// TermTokenSuite checks term tokens (leadership.TermChecker) on the
// embedded server: a token from an earlier term aborts once the unit
// leads again, and terms never repeat.
type TermTokenSuite struct {
	mongoSuite
}

var _ = gc.Suite(&TermTokenSuite{})

func termToken(c *gc.C, manager leadership.Manager, service, unit string) leadership.TermToken {
	token, err := manager.(leadership.TermChecker).CheckLeadershipTerm(service, unit)
	c.Assert(err, jc.ErrorIsNil)
	return token
}

func (s *TermTokenSuite) TestEarlierTermAbortsAfterUnitLeadsAgain(c *gc.C) {
	clock := clocktest.NewClock(start)
	manager := s.startManager(c, "machine-0", clock)

	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	first := termToken(c, manager, "redis", "redis/0")
	plain, err := manager.CheckLeadership("redis", "redis/0")
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.runFenced(first, "first-term"), jc.ErrorIsNil)

	// Revoked, then leading again (after an expiry too): the holder-only Token
	// holds again, the earlier term's does not.
	c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	second := termToken(c, manager, "redis", "redis/0")
	c.Check(second.Term() > first.Term(), jc.IsTrue, gc.Commentf("terms %d, %d", first.Term(), second.Term()))
	c.Check(s.runFenced(first, "first-term-after-revoke"), gc.Equals, txn.ErrAborted)
	c.Check(s.runFenced(plain, "plain-after-revoke"), jc.ErrorIsNil)
	c.Check(s.runFenced(second, "second-term"), jc.ErrorIsNil)

	// An extension keeps the term.
	clock.Advance(30 * time.Second)
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Check(s.runFenced(second, "second-term-extended"), jc.ErrorIsNil)

	clock.Advance(2 * time.Minute)
	waitReleased(c, manager, "redis")
	c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	third := termToken(c, manager, "redis", "redis/0")
	c.Check(third.Term() > second.Term(), jc.IsTrue, gc.Commentf("terms %d, %d", second.Term(), third.Term()))
	c.Check(s.runFenced(second, "second-term-after-expiry"), gc.Equals, txn.ErrAborted)
	c.Check(s.runFenced(third, "third-term"), jc.ErrorIsNil)
}

// Terms never repeat across controller restarts, nor after the lease's
// document is removed (by an operator, or an earlier version's expiry)
// and made again.
func (s *TermTokenSuite) TestTermsNeverRepeatAcrossRestartsAndRemoval(c *gc.C) {
	clock := clocktest.NewClock(start)
	seen := map[int64]bool{}
	var last int64
	for i, id := range []string{"machine-0", "machine-1", "machine-2", "machine-3"} {
		manager := s.startManager(c, id, clock)
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		token := termToken(c, manager, "redis", "redis/0")
		c.Check(seen[token.Term()], jc.IsFalse, gc.Commentf("round %d: term %d again", i, token.Term()))
		c.Check(token.Term() > last, jc.IsTrue, gc.Commentf("round %d: term %d after %d", i, token.Term(), last))
		seen[token.Term()], last = true, token.Term()
		c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		c.Assert(worker.Stop(manager), jc.ErrorIsNil)
		if i%2 == 1 {
			c.Assert(s.DB.C(mongofixture.Collection).RemoveId("lease#"+mongofixture.Namespace+"#redis#"), jc.ErrorIsNil)
		}
	}
}
