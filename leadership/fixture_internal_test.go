package leadership

import (
	"context"
	"time"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// startInternal starts a manager on client and clock, waking at most
// hourly, for a test that reads its loop's state. stop kills it and fails
// the test unless it stopped cleanly.
func startInternal(c *gc.C, client lease.Client, clock *leasetest.Clock) (m *manager, stop func()) {
	w, err := NewManager(ManagerConfig{Client: client, Clock: clock, MaxSleep: time.Hour})
	if err != nil {
		c.Fatal(err)
	}
	m = w.(*manager)
	return m, func() {
		m.Kill()
		if err := m.Wait(); err != nil {
			c.Errorf("manager stopped with %v", err)
		}
	}
}

// DoneWatcher is a context that reports each call of its Done, so that a
// test knows when a context wait has been registered by the manager's
// loop. It is exported, in tests only, for package leadership_test's
// tests as well.
type DoneWatcher struct {
	context.Context
	calls chan struct{}
}

// NewDoneWatcher returns a DoneWatcher over ctx.
func NewDoneWatcher(ctx context.Context) *DoneWatcher {
	return &DoneWatcher{Context: ctx, calls: make(chan struct{}, 10)}
}

// Done is part of the context.Context interface: it reports the call,
// and returns the wrapped context's Done.
func (w *DoneWatcher) Done() <-chan struct{} {
	w.calls <- struct{}{}
	return w.Context.Done()
}

// WaitRegistered waits until a context wait on w is registered: the wait
// reads Done once per select, and the second read follows the only case
// that can fire first, the loop taking the request.
func (w *DoneWatcher) WaitRegistered() {
	<-w.calls
	<-w.calls
}
