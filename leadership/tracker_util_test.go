package leadership_test

import (
	"context"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// managerCall is one call to a stubManager, waiting for the test's reply.
type managerCall struct {
	method   string
	service  string
	unit     string
	duration time.Duration
	reply    chan error
}

// stubManager is a leadership.Manager, Revoker and ContextBlocker whose
// every call is handed to the test, which answers it (or leaves it
// hanging) with managerCall.reply. A context wait returns ctx.Err() once
// ctx is done, whether or not the test has taken the call.
type stubManager struct {
	calls chan managerCall
}

var (
	_ leadership.Manager        = (*stubManager)(nil)
	_ leadership.Revoker        = (*stubManager)(nil)
	_ leadership.ContextBlocker = (*stubManager)(nil)
)

func newStubManager() *stubManager {
	return &stubManager{calls: make(chan managerCall)}
}

func (m *stubManager) call(ctx context.Context, mc managerCall) error {
	mc.reply = make(chan error, 1)
	select {
	case m.calls <- mc:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-mc.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ClaimLeadership is part of the leadership.Manager interface.
func (m *stubManager) ClaimLeadership(service, unit string, duration time.Duration) error {
	return m.call(context.Background(), managerCall{method: "ClaimLeadership", service: service, unit: unit, duration: duration})
}

// CheckLeadership is part of the leadership.Manager interface. Trackers
// never call it.
func (m *stubManager) CheckLeadership(service, unit string) (leadership.Token, error) {
	panic("CheckLeadership called")
}

// BlockUntilLeadershipReleased is part of the leadership.Manager interface.
func (m *stubManager) BlockUntilLeadershipReleased(service string) error {
	return m.call(context.Background(), managerCall{method: "BlockUntilLeadershipReleased", service: service})
}

// BlockUntilLeadershipReleasedContext is part of the
// leadership.ContextBlocker interface.
func (m *stubManager) BlockUntilLeadershipReleasedContext(ctx context.Context, service string) error {
	return m.call(ctx, managerCall{method: "BlockUntilLeadershipReleasedContext", service: service})
}

// RevokeLeadership is part of the leadership.Revoker interface.
func (m *stubManager) RevokeLeadership(service, unit string) error {
	return m.call(context.Background(), managerCall{method: "RevokeLeadership", service: service, unit: unit})
}

// expect waits up to LongWait for the next call, checks its method, and
// returns it for the test to answer.
func (m *stubManager) expect(c *gc.C, method string) managerCall {
	mc := receive(c, m.calls, "no "+method+" call")
	c.Assert(mc.method, gc.Equals, method)
	return mc
}

// expectNone fails if a call comes within ShortWait.
func (m *stubManager) expectNone(c *gc.C) {
	select {
	case mc := <-m.calls:
		c.Fatalf("unexpected %s call", mc.method)
	case <-time.After(ShortWait):
	}
}

// plainManager hides every method of a manager but leadership.Manager's.
type plainManager struct {
	leadership.Manager
}

// assertTicket waits up to LongWait for the ticket, and checks its answer.
func assertTicket(c *gc.C, tk leadership.Ticket, want bool) {
	receive(c, tk.Ready(), "ticket not answered")
	c.Check(tk.Wait(), gc.Equals, want)
}

// assertNotReady fails if the ticket is answered within ShortWait.
func assertNotReady(c *gc.C, tk leadership.Ticket) {
	select {
	case <-tk.Ready():
		c.Fatalf("ticket answered %v unexpectedly", tk.Wait())
	case <-time.After(ShortWait):
	}
}

// stopTracker kills the tracker and waits up to LongWait for it to stop,
// returning its Wait's error.
func stopTracker(c *gc.C, tracker leadership.Tracker) error {
	tracker.Kill()
	done := make(chan error, 1)
	go func() { done <- tracker.Wait() }()
	return receive(c, done, "tracker still running")
}

// newTrackerFor starts a tracker for unit of redis on m and clock, with
// the given term.
func newTrackerFor(c *gc.C, m leadership.Manager, clock lease.Clock, unit string, duration time.Duration) leadership.Tracker {
	t, err := leadership.NewTracker(trackerConfig(m, clock, unit, duration))
	c.Assert(err, jc.ErrorIsNil)
	return t
}

// trackerConfig is the config of a tracker for unit of redis on m and
// clock, with terms of duration.
func trackerConfig(m leadership.Manager, clock lease.Clock, unit string, duration time.Duration) leadership.TrackerConfig {
	return leadership.TrackerConfig{
		Manager:     m,
		ServiceName: "redis",
		UnitName:    unit,
		Duration:    duration,
		Clock:       clock,
	}
}
