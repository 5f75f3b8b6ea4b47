package releasetest

import (
	"context"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
)

// watchRedis starts a watch of redis's leader through m, which ends with
// the test (its context is cancelled at teardown).
func (s *Suite) watchRedis(c *gc.C, m leadership.Manager) <-chan leadership.Leader {
	watcher, ok := m.(leadership.LeaderWatcher)
	c.Assert(ok, jc.IsTrue)
	ctx, cancel := context.WithCancel(context.Background())
	s.cancel = append(s.cancel, cancel)
	leaders, err := watcher.WatchLeader(ctx, "redis")
	c.Assert(err, jc.ErrorIsNil)
	return leaders
}

// nextLeader checks that the watch's next value, within LongWait, is
// redis led by unit (none: "") as the watch's seq-th value.
func nextLeader(c *gc.C, leaders <-chan leadership.Leader, unit string, seq uint64) {
	got, ok := receiveOpen(c, leaders, "no value from the watch")
	c.Assert(ok, jc.IsTrue, gc.Commentf("watch closed; a value was expected"))
	c.Check(got, gc.Equals, leadership.Leader{Service: "redis", Unit: unit, Seq: seq})
}

// TestWatchFollowsOtherManager checks that a watch through b follows
// what is done through a, each change within one ClockPoll of b's: a
// claim of a free lease (b reads the watched leases it knows no unit to
// hold at each poll), a revocation and an expiry (b's poll sees the
// count of releases change, and reads the watched leases again), though
// b's MaxSleep is an hour and nobody is blocked.
func (s *Suite) TestWatchFollowsOtherManager(c *gc.C) {
	a, b, _ := s.managers(c)
	leaders := s.watchRedis(c, b)
	nextLeader(c, leaders, "", 1)
	poll := func() {
		c.Assert(s.clock.AdvanceSettled(ClockPoll, LongWait), jc.ErrorIsNil)
	}

	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	notWithin(c, leaders, "a value from the watch before b has polled")
	poll()
	nextLeader(c, leaders, "redis/0", 2)

	c.Assert(a.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	notWithin(c, leaders, "a value from the watch before b has polled")
	poll()
	nextLeader(c, leaders, "", 3)

	c.Assert(a.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
	poll()
	nextLeader(c, leaders, "redis/1", 4)

	// The lease runs out; a or b expires it (each at its own wake), and
	// b sees it gone within a poll.
	c.Assert(s.clock.AdvanceSettled(time.Minute+ClockPoll, LongWait), jc.ErrorIsNil)
	nextLeader(c, leaders, "", 5)
	notWithin(c, leaders, "a value from the watch after the expiry")
}

// TestWatchMissesReleaseBetweenReads checks that a unit that leads
// again after a release between two of b's reads shows no change
// through b: the watch follows who leads, as b reads it.
func (s *Suite) TestWatchMissesReleaseBetweenReads(c *gc.C) {
	a, b, _ := s.managers(c)
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	leaders := s.watchRedis(c, b)
	nextLeader(c, leaders, "redis/0", 1)

	revoker := a.(leadership.Revoker)
	c.Assert(revoker.RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	c.Assert(s.clock.AdvanceSettled(ClockPoll, LongWait), jc.ErrorIsNil)
	notWithin(c, leaders, "a value from the watch for the same unit leading again")

	// A different unit after the release is a change.
	c.Assert(revoker.RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	c.Assert(a.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
	c.Assert(s.clock.AdvanceSettled(ClockPoll, LongWait), jc.ErrorIsNil)
	nextLeader(c, leaders, "redis/1", 2)
}
