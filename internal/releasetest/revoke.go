package releasetest

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/worker"
)

// TestRevokeReachesTrackerOnOtherManager is the graceful handover across
// controllers, with one-minute terms: redis/0's tracker, through a,
// stops, which revokes through a; redis/1's tracker, waiting through b,
// leads once b has polled, one ClockPoll later, not when redis/0's term
// would have run out, nor at b's MaxSleep.
func (s *Suite) TestRevokeReachesTrackerOnOtherManager(c *gc.C) {
	a, b, eventsB := s.managers(c)
	first := s.tracker(c, a, "redis/0")
	c.Assert(answer(c, first.WaitLeader(), "redis/0 never answered as leader"), jc.IsTrue)
	second := s.tracker(c, b, "redis/1")
	c.Assert(answer(c, second.WaitMinion(), "redis/1 never answered as minion"), jc.IsTrue)
	waitBlocked(c, b, eventsB, "redis", claimDenied("redis/1"))
	leading := second.WaitLeader()

	c.Assert(worker.Stop(first), jc.ErrorIsNil) // it has revoked
	notWithin(c, leading.Ready(), "redis/1's ticket answered before b has polled")
	s.clock.Advance(ClockPoll)
	c.Check(answer(c, leading, "redis/1 does not lead one ClockPoll after redis/0's revocation"), jc.IsTrue)
	checkLeaders(c, a, map[string]string{"redis": "redis/1"})
}
