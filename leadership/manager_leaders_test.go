package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type LeadersSuite struct{}

var _ = gc.Suite(&LeadersSuite{})

func (s *LeadersSuite) TestLeadersReadsStore(c *gc.C) {
	fix := &fixture{
		leases: heldLeases(),
		expectCalls: []call{{
			method: "Refresh",
			callback: func(leases map[string]lease.Info) {
				leases["store"] = lease.Info{Holder: "store/3", Expiry: offset(time.Minute)}
			},
		}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		reader, ok := manager.(leadership.LeaderReader)
		c.Assert(ok, jc.IsTrue)
		leaders, err := reader.Leaders()
		c.Assert(err, jc.ErrorIsNil)
		c.Check(leaders, jc.DeepEquals, map[string]string{"redis": "redis/0", "store": "store/3"})

		// The caller owns the map.
		leaders["redis"] = "redis/7"
		again, err := reader.Leaders()
		c.Assert(err, jc.ErrorIsNil)
		c.Check(again, jc.DeepEquals, map[string]string{"redis": "redis/0", "store": "store/3"})
	})
}

func (s *LeadersSuite) TestLeadersReleasesWaiters(c *gc.C) {
	fix := releasedOnRefresh()
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")
		leaders, err := manager.(leadership.LeaderReader).Leaders()
		c.Assert(err, jc.ErrorIsNil)
		c.Check(leaders, gc.HasLen, 0)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *LeadersSuite) TestLeadersRefreshErrorGoesToCaller(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "Refresh", err: unavailable("lol borken")}, {method: "Refresh"}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, "cannot read leaders: lol borken: lease store unavailable")
		leaders, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(err, jc.ErrorIsNil)
		c.Check(leaders, gc.HasLen, 0)
	})
}

func (s *LeadersSuite) TestLeadersContentionGoesToCaller(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{{method: "Refresh", err: lease.ErrExcessiveContention}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		_, err := manager.(leadership.LeaderReader).Leaders()
		c.Check(errors.Is(err, lease.ErrExcessiveContention), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, "cannot read leaders: .*")
	})
}
