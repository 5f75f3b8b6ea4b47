package leaseclient_test

import (
	"sync"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// Clock is the lease clients' test clock: each call to Now returns the
// current time and then moves it on by the step. It has no alarms.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

var _ lease.Clock = (*Clock)(nil)

// NewClock returns a Clock that starts at start and steps by step.
func NewClock(start time.Time, step time.Duration) *Clock {
	return &Clock{now: start, step: step}
}

// Now returns the current time, then advances it by the step.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	c.now = c.now.Add(c.step)
	return now
}

// Alarm is not supported: the lease client never asks for one.
func (c *Clock) Alarm(time.Time) <-chan time.Time {
	panic("test Clock has no alarms")
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Reset sets the clock to now and its step to step. (Juju's version ignored
// the step; this one does not.)
func (c *Clock) Reset(now time.Time, step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
	c.step = step
}

// SetStep changes the step and keeps the time.
func (c *Clock) SetStep(step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step = step
}
