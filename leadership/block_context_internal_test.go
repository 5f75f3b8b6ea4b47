package leadership

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// blockContextWaitSuite checks how a context wait leaves the manager's
// waiters when its context ends.
type blockContextWaitSuite struct{}

var _ = gc.Suite(&blockContextWaitSuite{})

// TestContextWaitLeavesNoWaiter checks that a cancelled context wait
// leaves no registered waiter in the manager. The test reads the loop's
// blocked map directly: that is race-free only because the CheckLeadership
// call before the read is answered by the loop after it has handled the
// cancellation (a returned wait's cancellation is in the loop's buffer,
// which the loop empties before it takes a request), and the loop touches
// the map again only on a request or a wake, neither of which comes (the
// fake clock does not move).
func (s *blockContextWaitSuite) TestContextWaitLeavesNoWaiter(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	client, err := store.NewClient("a")
	if err != nil {
		c.Fatal(err)
	}
	m, stop := startInternal(c, client, clock)
	defer stop()
	if err := m.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		watched := NewDoneWatcher(ctx)
		done := make(chan error, 1)
		go func() { done <- m.BlockUntilLeadershipReleasedContext(watched, "redis") }()
		watched.WaitRegistered() // so the waiter is registered before the cancel
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			c.Fatalf("wait %d returned %v, want context.Canceled", i, err)
		}
	}
	if _, err := m.CheckLeadership("redis", "redis/0"); err != nil {
		c.Fatal(err)
	}
	if n := len(m.blocked); n != 0 {
		c.Fatalf("%d services still have waiters after every wait was cancelled: %v", n, m.blocked)
	}
}

// stuckRefresh is a lease.Client whose first Refresh after armed is set
// closes entered and waits for hang to close.
type stuckRefresh struct {
	lease.Client
	armed   int32 // 1 when armed
	entered chan struct{}
	hang    chan struct{}
}

func (c *stuckRefresh) Refresh() error {
	if atomic.CompareAndSwapInt32(&c.armed, 1, 0) {
		close(c.entered)
		<-c.hang
	}
	return c.Client.Refresh()
}

// TestContextWaitCancelledWhileLoopBusy cancels registered waits while the
// manager's loop is stuck in a store call: each returns at once, and once
// the loop runs again no waiter remains. (The read of m.blocked is
// race-free for the reason given on TestContextWaitLeavesNoWaiter.)
func (s *blockContextWaitSuite) TestContextWaitCancelledWhileLoopBusy(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	client := &stuckRefresh{
		Client:  store.MustNewClient("a"),
		entered: make(chan struct{}),
		hang:    make(chan struct{}),
	}
	m, stop := startInternal(c, client, clock)
	var unstickOnce sync.Once
	unstick := func() { unstickOnce.Do(func() { close(client.hang) }) }
	defer func() {
		unstick() // if the test failed with the loop stuck
		stop()
	}()
	if err := m.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		c.Fatal(err)
	}
	const waits = 5 // fewer than cancelBuffer
	cancels := make([]context.CancelFunc, waits)
	done := make(chan error, waits)
	for i := range cancels {
		ctx, cancel := context.WithCancel(context.Background())
		cancels[i] = cancel
		watched := NewDoneWatcher(ctx)
		go func() { done <- m.BlockUntilLeadershipReleasedContext(watched, "redis") }()
		watched.WaitRegistered()
	}
	// The check of an unknown lease refreshes, and the refresh sticks.
	atomic.StoreInt32(&client.armed, 1)
	checked := make(chan error, 1)
	go func() {
		_, err := m.CheckLeadership("mysql", "mysql/0")
		checked <- err
	}()
	<-client.entered
	for i, cancel := range cancels {
		cancel()
		select {
		case err := <-done:
			if !errors.Is(err, context.Canceled) {
				c.Fatalf("wait %d returned %v, want context.Canceled", i, err)
			}
		case <-time.After(10 * time.Second):
			c.Fatalf("cancelled wait %d has not returned while the loop is in a store call", i)
		}
	}
	unstick()
	if err := <-checked; !errors.Is(err, ErrNotLeader) {
		c.Fatalf("check returned %v", err)
	}
	if _, err := m.CheckLeadership("redis", "redis/0"); err != nil {
		c.Fatal(err)
	}
	if n := len(m.blocked); n != 0 {
		c.Fatalf("%d services still have waiters after every wait was cancelled: %v", n, m.blocked)
	}
}

// TestContextWaitCancelRacesRelease races many context waits, cancelled at
// once, after a while, or never, against a revoke that releases them, and
// checks that every wait returns nil or an error matching its context's,
// that already-done contexts return promptly, and that no waiter is left
// registered. (Cancellations that reach the loop after the revoke find
// their waiter gone and leave the map untouched, so the read is
// race-free.)
func (s *blockContextWaitSuite) TestContextWaitCancelRacesRelease(c *gc.C) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	m, stop := startInternal(c, store.MustNewClient("a"), clock)
	defer stop()
	for round := 0; round < 5; round++ {
		if err := m.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
			c.Fatal(err)
		}
		done, cancelDone := context.WithCancel(context.Background())
		cancelDone()
		expired, cancelExpired := context.WithDeadline(context.Background(), time.Unix(0, 0))
		defer cancelExpired()
		var wg sync.WaitGroup
		errs := make(chan error, 300)
		for i := 0; i < 100; i++ {
			ctx, cancel := context.WithCancel(context.Background())
			wg.Add(3)
			go func() {
				defer wg.Done()
				err := m.BlockUntilLeadershipReleasedContext(ctx, "redis")
				if err != nil && !errors.Is(err, context.Canceled) {
					errs <- err
				}
			}()
			go func() { defer wg.Done(); cancel() }()
			go func(i int) {
				defer wg.Done()
				ctx := done
				want := context.Canceled
				if i%2 == 1 {
					ctx, want = expired, context.DeadlineExceeded
				}
				if err := m.BlockUntilLeadershipReleasedContext(ctx, "redis"); !errors.Is(err, want) {
					errs <- err
				}
			}(i)
		}
		if err := m.RevokeLeadership("redis", "redis/0"); err != nil {
			c.Fatal(err)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			c.Errorf("round %d: unexpected %v", round, err)
		}
		// The check is answered after every cancellation was handled.
		if _, err := m.CheckLeadership("mysql", "mysql/0"); !errors.Is(err, ErrNotLeader) {
			c.Fatal(err)
		}
		if n := len(m.blocked); n != 0 {
			c.Fatalf("round %d: %d services still have waiters: %v", round, n, m.blocked)
		}
	}
}
