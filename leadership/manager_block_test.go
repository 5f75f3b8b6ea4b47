package leadership_test

import (
	"context"
	"errors"
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
	return receive(c, bt.done, "still blocked")
}

func heldLeases() map[string]lease.Info {
	return redisHeld("redis/0", time.Second)
}

// heldFixture returns a fixture where redis/0 holds redis (heldLeases),
// whose client expects calls.
func heldFixture(calls ...call) *fixture {
	return &fixture{leases: heldLeases(), expectCalls: calls}
}

// checkNotHeld checks that a wait that start begins on a lease nobody
// holds returns at once.
func checkNotHeld(c *gc.C, start func(leadership.Manager, string) *blockTest) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := start(manager, "redis")
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

// checkExpires checks that a wait that start begins on a held lease
// blocks until the manager expires the lease.
func checkExpires(c *gc.C, start func(leadership.Manager, string) *blockTest) {
	fix := heldFixture(expireRedis(nil, deleteLease("redis"))...)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		bt := start(manager, "redis")
		bt.assertBlocked(c)
		clock.Advance(time.Second)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipNotHeld(c *gc.C) {
	checkNotHeld(c, newBlockTest)
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipExpires(c *gc.C) {
	checkExpires(c, newBlockTest)
}

func (s *BlockUntilLeadershipReleasedSuite) TestLeadershipChanged(c *gc.C) {
	fix := &fixture{
		leases: heldLeases(),
		expectCalls: []call{{method: "Refresh"}, {
			method:   "ExpireLease",
			args:     []interface{}{"redis"},
			err:      lease.ErrInvalid,
			callback: setRedis("redis/99", time.Minute),
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

type BlockContextSuite struct{}

var _ = gc.Suite(&BlockContextSuite{})

// newContextBlockTest runs BlockUntilLeadershipReleasedContext in a
// goroutine.
func newContextBlockTest(ctx context.Context, manager leadership.Manager, service string) *blockTest {
	bt := &blockTest{done: make(chan error, 1)}
	go func() {
		bt.done <- manager.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(ctx, service)
	}()
	return bt
}

// backgroundBlockTest runs BlockUntilLeadershipReleasedContext with a
// context that is never done.
func backgroundBlockTest(manager leadership.Manager, service string) *blockTest {
	return newContextBlockTest(context.Background(), manager, service)
}

func (s *BlockContextSuite) TestNotHeld(c *gc.C) {
	checkNotHeld(c, backgroundBlockTest)
}

func (s *BlockContextSuite) TestExpires(c *gc.C) {
	checkExpires(c, backgroundBlockTest)
}

func (s *BlockContextSuite) TestCancelled(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		ctx, cancel := context.WithCancel(context.Background())
		bt := newContextBlockTest(ctx, manager, "redis")
		bt.assertBlocked(c)
		cancel()
		err := bt.assertUnblocked(c)
		c.Check(errors.Is(err, context.Canceled), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, `waiting for leaderlessness of "redis": context canceled`)

		// The manager is still serving.
		_, err = manager.CheckLeadership("redis", "redis/0")
		c.Check(err, jc.ErrorIsNil)
	})
}

func (s *BlockContextSuite) TestAlreadyDone(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		err := newContextBlockTest(ctx, manager, "redis").assertUnblocked(c)
		c.Check(errors.Is(err, context.Canceled), jc.IsTrue)
	})
}

// Cancelling one waiter leaves the others on the same service waiting,
// and they are released as before.
func (s *BlockContextSuite) TestCancelOneOfTwo(c *gc.C) {
	fix := heldFixture(revokeCall("redis", "redis/0", nil))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		ctx, cancel := context.WithCancel(context.Background())
		cancelled := newContextBlockTest(ctx, manager, "redis")
		kept := newContextBlockTest(context.Background(), manager, "redis")
		cancelled.assertBlocked(c)
		kept.assertBlocked(c)
		cancel()
		c.Check(errors.Is(cancelled.assertUnblocked(c), context.Canceled), jc.IsTrue)
		kept.assertBlocked(c)
		c.Check(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		c.Check(kept.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *BlockContextSuite) TestStopped(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := newContextBlockTest(context.Background(), manager, "redis")
		bt.assertBlocked(c)
		manager.Kill()
		c.Check(bt.assertUnblocked(c), gc.Equals, leadership.ErrStopped)
	})
}

func (s *BlockContextSuite) TestInvalidService(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		err := manager.(leadership.ContextBlocker).BlockUntilLeadershipReleasedContext(context.Background(), "Redis")
		c.Check(err, gc.ErrorMatches, `cannot wait for leaderlessness: invalid service name "Redis": it has upper-case 'R' at byte 0; a service name is .*`)
		c.Check(errors.Is(err, leadership.ErrInvalidArgument), jc.IsTrue)
	})
}

// TestCancelledReturnsPromptlyWhileLoopBusy: a registered wait whose
// context is cancelled returns at once, while the manager's loop is stuck
// in a slow store call (a Refresh, for a check of another service).
func (s *BlockContextSuite) TestCancelledReturnsPromptlyWhileLoopBusy(c *gc.C) {
	entered := make(chan struct{})
	hang := make(chan struct{})
	fix := heldFixture(holdingRefresh(entered, hang))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		watched := leadership.NewDoneWatcher(ctx)
		bt := newContextBlockTest(watched, manager, "redis")
		watched.WaitRegistered()
		checked := make(chan error, 1)
		go func() {
			_, err := manager.CheckLeadership("mysql", "mysql/0")
			checked <- err
		}()
		<-entered
		cancel()
		select {
		case err := <-bt.done:
			c.Check(errors.Is(err, context.Canceled), jc.IsTrue, gc.Commentf("%v", err))
		case <-time.After(LongWait):
			c.Errorf("cancelled wait did not return while the loop was in a store call")
		}
		close(hang)
		c.Check(errors.Is(<-checked, leadership.ErrNotLeader), jc.IsTrue)
	})
}
