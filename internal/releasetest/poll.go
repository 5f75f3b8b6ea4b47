package releasetest

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
)

// TestPollReadsOnlyWaitedLeases checks that a revocation through a
// releases every service's waiters on b at b's next poll, and b reads
// only the leases someone waits on: the release of a service nobody
// waits on makes it read those, and nothing else.
func (s *Suite) TestPollReadsOnlyWaitedLeases(c *gc.C) {
	a, b, eventsB := s.managers(c)
	for _, service := range []string{"mysql", "redis", "wordpress"} {
		c.Assert(a.ClaimLeadership(service, service+"/0", time.Minute), jc.ErrorIsNil)
	}
	released := blockedAcross(c, b, eventsB)

	revoker := a.(leadership.Revoker)
	c.Assert(revoker.RevokeLeadership("mysql", "mysql/0"), jc.ErrorIsNil)
	s.clock.Advance(ClockPoll)
	reads := readsUntilWake(c, eventsB)
	c.Check(reads, jc.DeepEquals, []string{string(s.poll), "RefreshLease redis"})
	select {
	case err := <-released:
		c.Fatalf("released early: %v", err)
	default:
	}

	c.Assert(revoker.RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	s.clock.Advance(ClockPoll)
	c.Assert(receive(c, released, "redis never released on b"), jc.ErrorIsNil)
}

// TestQuietPollReadsCountOnly checks that a poll when no release was
// counted reads the count alone.
func (s *Suite) TestQuietPollReadsCountOnly(c *gc.C) {
	a, b, eventsB := s.managers(c)
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	go b.BlockUntilLeadershipReleased("redis")
	waitBlocked(c, b, eventsB, "redis", nil)
	for i := 0; i < 3; i++ {
		s.clock.Advance(ClockPoll)
		c.Check(readsUntilWake(c, eventsB), jc.DeepEquals, []string{string(s.poll)})
	}
}

// TestClockStepBackKeepsPolling checks that a clock that steps back
// while someone waits does not put off the polls of a client that reads
// no clocks: a revocation through a, after b's clock stepped back an
// hour, still reaches b's waiter one ClockPoll later. A store whose
// clients read the clocks skips it: its clients refuse every write
// until a clock that stepped back is back (integration/leaseclient's
// TestRevokeAfterClockStepsBack), so a cannot revoke.
func (s *Suite) TestClockStepBackKeepsPolling(c *gc.C) {
	a, b, eventsB := s.managers(c)
	if s.poll == leadership.CallRefreshClocks {
		c.Skip("the store's clients read the clocks, and refuse to write until a clock that stepped back is back")
	}
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	released := blockedAcross(c, b, eventsB)

	s.clock.Set(s.clock.Now().Add(-time.Hour))
	// A round trip, and then Settle, so that b has read the clock since
	// the step before the clock moves on: b answers the check before it
	// reads the clock to set its alarm, and had it read it only after
	// the Advance below, it would have taken the step to be ClockPoll
	// shorter, and its poll to be due ClockPoll later.
	_, err := b.CheckLeadership("redis", "redis/9")
	c.Assert(err, gc.NotNil)
	c.Assert(s.clock.Settle(LongWait), jc.ErrorIsNil)
	c.Assert(a.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
	s.clock.Advance(ClockPoll)
	select {
	case err := <-released:
		c.Assert(err, jc.ErrorIsNil)
	case <-deadline():
		c.Fatalf("b's waiter not released one ClockPoll after the revocation; alarms %v", s.clock.Alarms())
	}
}
