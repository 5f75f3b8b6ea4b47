package leadership

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/lease/leasetest"
)

// TestContextWaitLeavesNoWaiter checks that a cancelled context wait
// leaves no registered waiter in the manager. The test reads the loop's
// blocked map directly: that is race-free only because the CheckLeadership
// call before the read is answered by the loop after it has handled the
// cancellation, and the loop touches the map again only on a request or a
// wake, neither of which comes (the fake clock does not move).
func TestContextWaitLeavesNoWaiter(t *testing.T) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	client, err := store.NewClient("a")
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewManager(ManagerConfig{Client: client, Clock: clock, MaxSleep: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	m := w.(*manager)
	defer func() {
		m.Kill()
		if err := m.Wait(); err != nil {
			t.Errorf("manager stopped with %v", err)
		}
	}()
	if err := m.ClaimLeadership("redis", "redis/0", time.Minute); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		ctx, cancel := context.WithCancel(context.Background())
		watched := &watchedContext{Context: ctx, calls: make(chan struct{}, 10)}
		done := make(chan error, 1)
		go func() { done <- m.BlockUntilLeadershipReleasedContext(watched, "redis") }()
		// The wait reads Done once per select; the second read follows
		// the only case that can fire first here, the loop taking the
		// request. So the waiter is registered before the cancel.
		<-watched.calls
		<-watched.calls
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("wait %d returned %v, want context.Canceled", i, err)
		}
	}
	if _, err := m.CheckLeadership("redis", "redis/0"); err != nil {
		t.Fatal(err)
	}
	if n := len(m.blocked); n != 0 {
		t.Fatalf("%d services still have waiters after every wait was cancelled: %v", n, m.blocked)
	}
}

// watchedContext reports each call of Done on calls.
type watchedContext struct {
	context.Context
	calls chan struct{}
}

func (c *watchedContext) Done() <-chan struct{} {
	c.calls <- struct{}{}
	return c.Context.Done()
}
