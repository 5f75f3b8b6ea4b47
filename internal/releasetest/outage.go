package releasetest

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// TestFailedPollReadsEveryLeaseAfterOutage checks that a poll for
// releases that fails because the store is down is a call that failed
// the store, as a failed read of the clocks is: once the store is back,
// the manager reads every lease again (other controllers may have
// written meanwhile), not only the leases someone waits on, and not an
// hour later at MaxSleep. It needs a [storetest.StopStore].
func (s *Suite) TestFailedPollReadsEveryLeaseAfterOutage(c *gc.C) {
	store, ok := s.store.(storetest.StopStore)
	if !ok {
		c.Skip("the store cannot be stopped (not a storetest.StopStore)")
	}
	a, b, eventsB := s.managers(c)
	c.Assert(a.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
	blockedAcross(c, b, eventsB)

	c.Assert(store.Stop(), jc.ErrorIsNil)
	c.Assert(s.clock.AdvanceSettled(ClockPoll, LongWait), jc.ErrorIsNil)
	c.Assert(store.Restart(), jc.ErrorIsNil)
	c.Assert(s.clock.AdvanceSettled(time.Second, LongWait), jc.ErrorIsNil)
	var failed, refreshed bool
	for !refreshed {
		select {
		case e := <-eventsB:
			switch {
			case e.Kind != leadership.EventRefresh:
			case e.Call == s.poll && e.Result == leadership.ResultUnavailable:
				failed = true
			case e.Call == leadership.CallRefresh && failed && e.Result == leadership.ResultOK:
				refreshed = true
			}
		default:
			c.Fatalf("no full refresh after the outage (poll failed: %v)", failed)
		}
	}
}
