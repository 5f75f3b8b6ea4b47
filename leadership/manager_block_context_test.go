package leadership_test

import (
	"context"
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
)

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

func (s *BlockContextSuite) TestNotHeld(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		bt := newContextBlockTest(context.Background(), manager, "redis")
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
}

func (s *BlockContextSuite) TestExpires(c *gc.C) {
	fix := &fixture{
		leases:      heldLeases(),
		expectCalls: expireRedis(nil, deleteLease("redis")),
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		bt := newContextBlockTest(context.Background(), manager, "redis")
		bt.assertBlocked(c)
		clock.Advance(time.Second)
		c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
	})
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
	fix := &fixture{
		leases:      heldLeases(),
		expectCalls: []call{revokeCall("redis", "redis/0", nil)},
	}
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

// doneWatcher reports each call of Done on calls, so that a test knows
// when a context wait has been registered by the manager's loop (the wait
// reads Done once per select; see TestContextWaitLeavesNoWaiter).
type doneWatcher struct {
	context.Context
	calls chan struct{}
}

func (w *doneWatcher) Done() <-chan struct{} {
	w.calls <- struct{}{}
	return w.Context.Done()
}

// TestCancelledReturnsPromptlyWhileLoopBusy: a registered wait whose
// context is cancelled returns at once, while the manager's loop is stuck
// in a slow store call (a Refresh, for a check of another service).
func (s *BlockContextSuite) TestCancelledReturnsPromptlyWhileLoopBusy(c *gc.C) {
	entered := make(chan struct{})
	hang := make(chan struct{})
	fix := &fixture{
		leases:      heldLeases(),
		expectCalls: []call{holdingRefresh(entered, hang)},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		watched := &doneWatcher{Context: ctx, calls: make(chan struct{}, 10)}
		bt := newContextBlockTest(watched, manager, "redis")
		<-watched.calls
		<-watched.calls // registered
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
