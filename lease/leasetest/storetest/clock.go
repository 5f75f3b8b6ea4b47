package storetest

import (
	"sync"
	"time"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// clock is the clock the suite gives to a store's clients: a
// [leasetest.Clock], whose reading the suite sets, that can also move by a
// step at every reading, so that a call sees time pass while it runs (a
// negative step makes every reading earlier than the last, as a clock
// stepped back during the call). The step is zero unless a test sets it.
type clock struct {
	*leasetest.Clock

	mu   sync.Mutex
	step time.Duration
}

var _ lease.Clock = (*clock)(nil)

// newClock returns a clock that reads now until it is moved.
func newClock(now time.Time) *clock {
	return &clock{Clock: leasetest.NewClock(now)}
}

// Now is part of the [lease.Clock] interface: it returns the reading, then
// moves the clock by its step.
func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.Clock.Now()
	if c.step != 0 {
		c.Clock.Set(now.Add(c.step))
	}
	return now
}

// peek returns the reading without moving the clock.
func (c *clock) peek() time.Time {
	return c.Clock.Now()
}

// setStep makes every later reading move the clock by step.
func (c *clock) setStep(step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step = step
}
