package leadership_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type BlockUntilLeadershipReleasedSuite struct{}

var _ = gc.Suite(&BlockUntilLeadershipReleasedSuite{})

// blockTest runs BlockUntilLeadershipReleased in a goroutine.
type blockTest struct {
	done chan error
}

func newBlockTest(manager leadership.Manager, service string) *blockTest {
	bt := &blockTest{done: make(chan error, 1)}
	go func() {
		bt.done <- manager.BlockUntilLeadershipReleased(service)
	}()
	return bt
}

// releasedOnRefresh is a fixture in which redis/0 holds redis until the
// manager's next Refresh finds it gone (released through another
// manager).
func releasedOnRefresh() *fixture {
	return &fixture{leases: heldLeases(), expectCalls: []call{{method: "Refresh", callback: deleteLease("redis")}}}
}

// blockedOn starts a wait on manager for service's release, and checks
// that it blocks (see assertBlocked).
func blockedOn(c *gc.C, manager leadership.Manager, service string) *blockTest {
	bt := newBlockTest(manager, service)
	bt.assertBlocked(c)
	return bt
}

// assertBlocked fails if the call returns within ShortWait. That window
// also gives the call time to reach the manager before the test goes on.
func (bt *blockTest) assertBlocked(c *gc.C) {
	select {
	case err := <-bt.done:
		c.Fatalf("unblocked unexpectedly with %v", err)
	case <-time.After(ShortWait):
	}
}

// assertUnblocked waits up to LongWait for the call to return, and returns
// its error.
func (bt *blockTest) assertUnblocked(c *gc.C) error {
	select {
	case err := <-bt.done:
		return err
	case <-time.After(LongWait):
		c.Fatalf("still blocked after %v", LongWait)
	}
	panic("unreachable")
}

func heldLeases() map[string]lease.Info {
	return redisHeld("redis/0", time.Second)
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipNotHeld(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := newBlockTest(manager, "redis")
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipExpires(c *gc.C) {
	fix := &fixture{
		leases:      heldLeases(),
		expectCalls: expireRedis(nil, deleteLease("redis")),
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")
		clock.Advance(time.Second)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipChanged(c *gc.C) {
	fix := &fixture{
		leases: heldLeases(),
		expectCalls: []call{{method: "Refresh"}, {
			method: "ExpireLease",
			args:   []interface{}{"redis"},
			err:    lease.ErrInvalid,
			callback: func(leases map[string]lease.Info) {
				leases["redis"] = lease.Info{Holder: "redis/99", Expiry: offset(time.Minute)}
			},
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")
		clock.Advance(time.Second)
		c.Assert(clock.WaitAlarmFor(offset(time.Minute), LongWait), jc.ErrorIsNil)
		bt.assertBlocked(c)
	})
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipExpiredEarly(c *gc.C) {
	fix := releasedOnRefresh()
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")

		// A check that misses makes the manager refresh; the refresh shows
		// redis released, and that releases the block.
		_, err := manager.CheckLeadership("redis", "redis/99")
		c.Check(err, gc.ErrorMatches, `"redis/99" is not leader of "redis"`)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *BlockUntilLeadershipReleasedSuite) TestMultiple(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{
			"redis": {Holder: "redis/0", Expiry: offset(time.Second)},
			"store": {Holder: "store/0", Expiry: offset(time.Second)},
		},
		expectCalls: []call{{method: "Refresh"}, {
			method: "ExpireLease",
			args:   []interface{}{"redis"},
			err:    lease.ErrInvalid,
			callback: func(leases map[string]lease.Info) {
				delete(leases, "redis")
				leases["store"] = lease.Info{Holder: "store/9", Expiry: offset(time.Minute)}
			},
		}, {
			// Attempted because the wake's snapshot was taken before the
			// callback above changed store.
			method: "ExpireLease",
			args:   []interface{}{"store"},
			err:    lease.ErrInvalid,
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		redisTest1 := newBlockTest(manager, "redis")
		redisTest2 := newBlockTest(manager, "redis")
		storeTest1 := newBlockTest(manager, "store")
		storeTest2 := newBlockTest(manager, "store")
		redisTest1.assertBlocked(c)
		redisTest2.assertBlocked(c)
		storeTest1.assertBlocked(c)
		storeTest2.assertBlocked(c)

		clock.Advance(time.Second)
		c.Check(redisTest2.assertUnblocked(c), jc.ErrorIsNil)
		c.Check(redisTest1.assertUnblocked(c), jc.ErrorIsNil)
		storeTest1.assertBlocked(c)
		storeTest2.assertBlocked(c)
	})
}

func (s *BlockUntilLeadershipReleasedSuite) TestKillManager(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := blockedOn(c, manager, "redis")

		manager.Kill()
		err := bt.assertUnblocked(c)
		c.Check(err, gc.Equals, leadership.ErrStopped)
		c.Check(err, gc.ErrorMatches, "leadership manager stopped")
	})
}
