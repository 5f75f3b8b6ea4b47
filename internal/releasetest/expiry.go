package releasetest

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// TestExpiryReachesWaiterOnOtherManager checks that an expiry through a
// releases the unit blocked through b, which would itself expire the
// lease only much later. x leads redis for a minute and dies; a read
// x's clock right after x's claim, so that for a the lease runs out
// when the minute does; b started 50s later, and has bounded x's clock
// only then, so that for b the lease runs out 50s after that. a expires
// it; b's next poll sees the count of releases change, reads the lease
// and releases its waiter, who can then lead. It needs a
// [storetest.ClockStore], whose clients bound each writer's clock: on a
// store whose clients share one clock, b would expire the lease as soon
// as a.
func (s *Suite) TestExpiryReachesWaiterOnOtherManager(c *gc.C) {
	if _, ok := s.store.(storetest.ClockStore); !ok {
		c.Skip("the store's clients share one clock (not a storetest.ClockStore)")
	}
	x, _ := s.manager(c, "x")
	a, eventsA := s.manager(c, "a")
	c.Assert(x.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	_, err := a.CheckLeadership("redis", "redis/9")
	c.Assert(err, gc.NotNil)
	x.Kill()
	c.Assert(x.Wait(), jc.ErrorIsNil)

	s.clock.Advance(50 * time.Second)
	b, eventsB := s.manager(c, "b")
	released := blockedAcross(c, b, eventsB)

	s.clock.Advance(10*time.Second + time.Nanosecond)
	e := waitEvent(c, eventsA, func(e leadership.Event) bool { return e.Kind == leadership.EventExpire })
	c.Assert(e.Result, gc.Equals, leadership.ResultExpired)
	s.clock.Advance(ClockPoll)
	c.Assert(receive(c, released, "b's waiter not released one ClockPoll after a's expiry"), jc.ErrorIsNil)
	c.Check(b.ClaimLeadership("redis", "redis/1", time.Minute), jc.ErrorIsNil)
}
