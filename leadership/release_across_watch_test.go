package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
)

// A watch through b follows what is done through a, each change within
// one ClockPoll of b's: a claim of a free lease (b reads the watched
// leases it knows no unit to hold at each poll), a revocation and an
// expiry (b's poll sees the count of releases change, and reads the
// watched leases again), though b's MaxSleep is an hour and nobody is
// blocked.
func (s *ReleaseAcrossSuite) TestWatchFollowsOtherManager(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, _ := s.manager(c, "b")
	leaders, cancel := startWatch(c, b, "redis")
	defer cancel()
	assertNextLeader(c, leaders, "redis", "", 1)
	poll := func() {
		c.Assert(s.clock.AdvanceSettled(defaultClockPoll, LongWait), jc.ErrorIsNil)
	}

	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	assertNoLeader(c, leaders) // b has not polled yet
	poll()
	assertNextLeader(c, leaders, "redis", "redis/0", 2)

	c.Assert(a.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	assertNoLeader(c, leaders)
	poll()
	assertNextLeader(c, leaders, "redis", "", 3)

	c.Assert(a.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
	poll()
	assertNextLeader(c, leaders, "redis", "redis/1", 4)

	// The lease runs out; a or b expires it (each at its own wake), and
	// b sees it gone within a poll.
	c.Assert(s.clock.AdvanceSettled(time.Minute+defaultClockPoll, LongWait), jc.ErrorIsNil)
	assertNextLeader(c, leaders, "redis", "", 5)
	assertNoLeader(c, leaders)
}

// A unit that leads again after a release between two of b's reads shows
// no change through b: the watch follows who leads, as b reads it.
func (s *ReleaseAcrossSuite) TestWatchMissesReleaseBetweenReads(c *gc.C) {
	a, _ := s.manager(c, "a")
	b, _ := s.manager(c, "b")
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	leaders, cancel := startWatch(c, b, "redis")
	defer cancel()
	assertNextLeader(c, leaders, "redis", "redis/0", 1)

	c.Assert(a.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Assert(s.clock.AdvanceSettled(defaultClockPoll, LongWait), jc.ErrorIsNil)
	assertNoLeader(c, leaders)

	// A different unit after the release is a change.
	c.Assert(a.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(a.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
	c.Assert(s.clock.AdvanceSettled(defaultClockPoll, LongWait), jc.ErrorIsNil)
	assertNextLeader(c, leaders, "redis", "redis/1", 2)
}
