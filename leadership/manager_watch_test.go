package leadership_test

import (
	"context"
	"errors"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

type WatchLeaderSuite struct{}

var _ = gc.Suite(&WatchLeaderSuite{})

func (s *WatchLeaderSuite) TestFirstValueIsCurrentLeader(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		redis, cancel := startWatch(c, manager, "redis")
		defer cancel()
		store, cancelStore := startWatch(c, manager, "store")
		defer cancelStore()
		assertNextLeader(c, redis, "redis", "redis/0", 1)
		assertNextLeader(c, store, "store", "", 1)
		assertNoLeader(c, redis)
		assertNoLeader(c, store)
	})
}

// A client that reads single leases is read first: the watch starts
// with what the store says, not the cache; if the read fails, with the
// cache.
func (s *WatchLeaderSuite) TestFirstValueReadsStore(c *gc.C) {
	fix := &fixture{
		leases:     heldLeases(),
		refreshing: true,
		expectCalls: []call{{
			method:   "RefreshLease",
			args:     []interface{}{"redis"},
			callback: setRedis("redis/1", time.Minute),
		}, {
			method:   "RefreshLease",
			args:     []interface{}{"redis"},
			err:      unavailable("lol borken"),
			callback: setRedis("redis/2", time.Minute),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		first, cancel := startWatch(c, manager, "redis")
		defer cancel()
		assertNextLeader(c, first, "redis", "redis/1", 1)
		// The failed read's callback plays a cache that the read did
		// not change: the manager goes by it, and tells the first watch
		// too, in the order it saw it.
		second, cancelSecond := startWatch(c, manager, "redis")
		defer cancelSecond()
		assertNextLeader(c, first, "redis", "redis/2", 2)
		assertNextLeader(c, second, "redis", "redis/2", 1)
	})
}

// A claim granted through the manager is delivered before the claim
// returns; an extension is no change; a revocation is.
func (s *WatchLeaderSuite) TestClaimExtendRevoke(c *gc.C) {
	fix := &fixture{
		expectCalls: []call{
			grantCall("redis/0"),
			{method: "ExtendLease", args: []interface{}{"redis", redis0}},
			revokeCall("redis", "redis/0", nil),
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		leaders, cancel := startWatch(c, manager, "redis")
		defer cancel()
		assertNextLeader(c, leaders, "redis", "", 1)
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		assertNextLeader(c, leaders, "redis", "redis/0", 2)
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		assertNoLeader(c, leaders)
		c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		assertNextLeader(c, leaders, "redis", "", 3)
	})
}

func (s *WatchLeaderSuite) TestExpiry(c *gc.C) {
	fix := heldFixture(expireRedis(nil, deleteLease("redis"))...)
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		leaders, cancel := startWatch(c, manager, "redis")
		defer cancel()
		assertNextLeader(c, leaders, "redis", "redis/0", 1)
		advanceToAlarm(c, clock, time.Second)
		assertNextLeader(c, leaders, "redis", "", 2)
	})
}

// Another controller's writes, as the manager reads them: a claim
// denied on what the store says, a wake's refresh of every lease, and a
// Leaders call's.
func (s *WatchLeaderSuite) TestOtherControllersWritesAsRead(c *gc.C) {
	fix := &fixture{
		maxSleep: time.Minute,
		expectCalls: []call{{
			method:   "ClaimLease",
			args:     []interface{}{"redis", lease.Request{Holder: "redis/1", Duration: time.Minute}},
			err:      lease.ErrInvalid,
			callback: setRedis("redis/7", time.Hour),
		}, {
			// The wake at MaxSleep.
			method:   "Refresh",
			callback: setRedis("redis/8", time.Hour),
		}, {
			method:   "Refresh",
			callback: setRedis("redis/9", time.Hour),
		}},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, clock *clocktest.Clock) {
		leaders, cancel := startWatch(c, manager, "redis")
		defer cancel()
		assertNextLeader(c, leaders, "redis", "", 1)
		// The cache says nobody leads; the store, which the claim's
		// write finds changed, has redis/7.
		err := manager.ClaimLeadership("redis", "redis/1", time.Minute)
		c.Check(err, gc.Equals, leadership.ErrClaimDenied)
		assertNextLeader(c, leaders, "redis", "redis/7", 2)

		advanceToAlarm(c, clock, time.Minute)
		assertNextLeader(c, leaders, "redis", "redis/8", 3)

		_, err = manager.(leadership.LeaderReader).Leaders()
		c.Assert(err, jc.ErrorIsNil)
		assertNextLeader(c, leaders, "redis", "redis/9", 4)
	})
}

// A reader that lags behind gets every change, in order, numbered
// without a gap, and the manager never waits for it.
func (s *WatchLeaderSuite) TestEveryChangeInOrderToSlowReader(c *gc.C) {
	const n = 400
	calls, units := changeCalls(n)
	fix := &fixture{expectCalls: calls}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		leaders, cancel := startWatch(c, manager, "redis")
		defer cancel()
		want := append([]string{""}, units...)
		got := 0
		read := func(k int) {
			for ; k > 0; k-- {
				assertNextLeader(c, leaders, "redis", want[got], uint64(got+1))
				got++
			}
		}
		// Bursts of changes, each larger than what the reader takes
		// between them.
		makeChanges(c, manager, 0, 150)
		read(30)
		makeChanges(c, manager, 150, 150)
		read(1)
		makeChanges(c, manager, 300, 100)
		read(len(want) - got)
		assertNoLeader(c, leaders)
	})
}

// A reader more than WatchBacklog values behind loses the oldest; the
// latest is delivered, and Seq shows the gap.
func (s *WatchLeaderSuite) TestBacklogDropsOldest(c *gc.C) {
	n := leadership.WatchBacklog + 9
	calls, units := changeCalls(n)
	fix := &fixture{expectCalls: calls}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		leaders, cancel := startWatch(c, manager, "redis")
		defer cancel()
		makeChanges(c, manager, 0, n)
		// n+1 values in all (the first, then n changes): the last
		// WatchBacklog are kept.
		want := append([]string{""}, units...)
		for seq := n + 2 - leadership.WatchBacklog; seq <= n+1; seq++ {
			assertNextLeader(c, leaders, "redis", want[seq-1], uint64(seq))
		}
		assertNoLeader(c, leaders)
	})
}

func (s *WatchLeaderSuite) TestCancelCloses(c *gc.C) {
	fix := &fixture{leases: heldLeases()}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		before := watchFeeders()
		leaders, cancel := startWatch(c, manager, "redis")
		assertNextLeader(c, leaders, "redis", "redis/0", 1)
		cancel()
		assertWatchClosed(c, leaders)
		waitWatchGoroutines(c, before)
	})
}

// A cancelled watch closes at once, even while the manager's loop is
// held in a store call, dropping what it had not delivered.
func (s *WatchLeaderSuite) TestCancelClosesWhileManagerBusy(c *gc.C) {
	inside, unstick := make(chan struct{}), make(chan struct{})
	fix := heldFixture(holdingRefresh(inside, unstick))
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		unstuck := false
		defer func() {
			if !unstuck { // let the client's Wait have its lock
				close(unstick)
			}
		}()
		before := watchFeeders()
		leaders, cancel := startWatch(c, manager, "redis")
		read := make(chan error, 1)
		go func() {
			_, err := manager.(leadership.LeaderReader).Leaders()
			read <- err
		}()
		<-inside
		waitForwardWaiting(c, before+1) // with the first value, undelivered
		cancel()
		assertWatchClosed(c, leaders)
		unstuck = true
		close(unstick)
		c.Check(<-read, jc.ErrorIsNil)
		waitWatchGoroutines(c, before)
	})
}

// Kill closes every watch once it has delivered what the manager sent it
// before it stopped; the watch's context is not done.
func (s *WatchLeaderSuite) TestKillCloses(c *gc.C) {
	fix := &fixture{expectCalls: []call{grantCall("redis/0")}}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		before := watchFeeders()
		watcher := manager.(leadership.LeaderWatcher)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		leaders, err := watcher.WatchLeader(ctx, "redis")
		c.Assert(err, jc.ErrorIsNil)
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		manager.Kill()
		c.Assert(manager.Wait(), jc.ErrorIsNil)
		assertNextLeader(c, leaders, "redis", "", 1)
		assertNextLeader(c, leaders, "redis", "redis/0", 2)
		assertWatchClosed(c, leaders)
		c.Check(ctx.Err(), jc.ErrorIsNil)
		waitWatchGoroutines(c, before)

		_, err = watcher.WatchLeader(ctx, "redis")
		c.Check(err, gc.Equals, leadership.ErrStopped)
		waitWatchGoroutines(c, before)
	})
}

func (s *WatchLeaderSuite) TestRefusals(c *gc.C) {
	fix := &fixture{}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		before := watchFeeders()
		watcher := manager.(leadership.LeaderWatcher)
		for _, name := range []string{"", "Redis", "redis/0", "db-2", strings.Repeat("a", leadership.MaxServiceNameLen+1)} {
			leaders, err := watcher.WatchLeader(context.Background(), name)
			c.Check(leaders, gc.IsNil)
			c.Check(errors.Is(err, leadership.ErrInvalidArgument), jc.IsTrue, gc.Commentf("%q: %v", name, err))
			c.Check(err, gc.ErrorMatches, `cannot watch leader: invalid service name .*`)
		}

		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		leaders, err := watcher.WatchLeader(ctx, "redis")
		c.Check(leaders, gc.IsNil)
		c.Check(errors.Is(err, context.Canceled), jc.IsTrue)
		c.Check(err, gc.ErrorMatches, `watching the leader of "redis": context canceled`)
		c.Check(watchFeeders(), gc.Equals, before)
	})
}

// Each of many watches gets every change of its own service, in order;
// cancelling some leaves the others.
func (s *WatchLeaderSuite) TestManyWatches(c *gc.C) {
	fix := &fixture{
		leases: map[string]lease.Info{"store": {Holder: "store/0", Expiry: offset(time.Hour)}},
		expectCalls: []call{
			grantCall("redis/0"),
			revokeCall("redis", "redis/0", nil),
		},
	}
	fix.RunTest(c, func(manager leadership.ManagerWorker, _ *clocktest.Clock) {
		before := watchFeeders()
		type watched struct {
			leaders <-chan leadership.Leader
			cancel  context.CancelFunc
		}
		var redis, store []watched
		for i := 0; i < 20; i++ {
			leaders, cancel := startWatch(c, manager, "redis")
			redis = append(redis, watched{leaders, cancel})
			if i%4 == 0 {
				leaders, cancel := startWatch(c, manager, "store")
				store = append(store, watched{leaders, cancel})
			}
		}
		c.Assert(manager.ClaimLeadership("redis", "redis/0", time.Minute), jc.ErrorIsNil)
		for _, w := range redis {
			assertNextLeader(c, w.leaders, "redis", "", 1)
			assertNextLeader(c, w.leaders, "redis", "redis/0", 2)
		}
		for _, w := range store {
			assertNextLeader(c, w.leaders, "store", "store/0", 1)
		}
		for _, w := range redis[:10] {
			w.cancel()
			assertWatchClosed(c, w.leaders)
		}
		c.Assert(manager.(leadership.Revoker).RevokeLeadership("redis", "redis/0"), jc.ErrorIsNil)
		for _, w := range redis[10:] {
			assertNextLeader(c, w.leaders, "redis", "", 3)
		}
		for _, w := range store {
			assertNoLeader(c, w.leaders)
		}
		for _, w := range append(redis[10:], store...) {
			w.cancel()
			assertWatchClosed(c, w.leaders)
		}
		waitWatchGoroutines(c, before)
	})
}
