package safety_test

import (
	"sync"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// gatedClock is one controller's clock: a clocktest.Clock whose alarms
// reach the manager only when the driver lets them through. Time moves
// for every controller at once (the driver advances all the clocks, then
// lets each manager in turn handle what fell due), so at most one manager
// touches the database at any moment, and a seed replays the same history.
//
// A manager keeps one alarm at a time: each call to Alarm replaces the one
// it selects on, so only the latest alarm is ever let through.
type gatedClock struct {
	*clocktest.Clock

	mu       sync.Mutex
	latest   *gatedAlarm
	requests int
	changed  chan struct{} // closed, and replaced, on every request
}

var _ lease.Clock = (*gatedClock)(nil)

type gatedAlarm struct {
	fired     <-chan time.Time // the clocktest alarm
	out       chan time.Time   // what the manager receives
	delivered bool
}

func newGatedClock(now time.Time) *gatedClock {
	return &gatedClock{Clock: clocktest.NewClock(now), changed: make(chan struct{})}
}

// Alarm is part of the lease.Clock interface.
func (c *gatedClock) Alarm(t time.Time) <-chan time.Time {
	a := &gatedAlarm{fired: c.Clock.Alarm(t), out: make(chan time.Time, 1)}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.latest = a
	c.requests++
	close(c.changed)
	c.changed = make(chan struct{})
	return a.out
}

// state returns how many alarms have been requested, and a channel closed
// at the next request.
func (c *gatedClock) state() (int, <-chan struct{}) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests, c.changed
}

// deliver lets the latest alarm through to the manager if the clock has
// fired it and it has not been let through yet, and reports whether it
// did.
func (c *gatedClock) deliver() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := c.latest
	if a == nil || a.delivered {
		return false
	}
	select {
	case t := <-a.fired:
		a.delivered = true
		a.out <- t
		return true
	default:
		return false
	}
}
