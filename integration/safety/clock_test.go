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
	// stepIn counts down the readings until the clock steps back by
	// stepBy, in the middle of whatever the manager is doing then.
	stepIn int
	stepBy time.Duration
	// slowIn counts down the readings (the manager's and its trackers')
	// until slow is called, to move every clock on in the middle of
	// whatever the node is doing then: the time a call takes.
	slowIn int
	slow   func()
	// quiet, while set, keeps readings from counting down stepIn and
	// slowIn: the driver's own questions to the trackers are no part of
	// the schedule.
	quiet bool
	// hasty counts the alarms in a row requested for less than
	// hastyAlarm after the clock's reading: on a real clock, each would
	// wake the manager again at once.
	hasty int
	// lastRead is the latest reading; advanced adds up how far the clock
	// has moved forward between consecutive readings since the last
	// resetAdvanced. A manager cannot tell a clock that stepped back by as
	// much as time passed from one that stood still; what it must do is
	// wake once its clock has moved forward MaxSleep in all.
	lastRead time.Time
	advanced time.Duration
}

// hastyAlarm is how soon after the clock's reading an alarm counts as
// asking to wake at once.
const hastyAlarm = time.Millisecond

var _ lease.Clock = (*gatedClock)(nil)

type gatedAlarm struct {
	fired     <-chan time.Time // the clocktest alarm
	out       chan time.Time   // what the manager receives
	delivered bool
}

// newGatedAlarm returns an alarm that holds back fired until deliver.
func newGatedAlarm(fired <-chan time.Time) *gatedAlarm {
	return &gatedAlarm{fired: fired, out: make(chan time.Time, 1)}
}

// deliver lets a through if it has fired and has not been let through
// yet, and reports whether it did; a may be nil. The caller holds the
// lock of the clock whose latest alarm a is.
func (a *gatedAlarm) deliver() bool {
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

func newGatedClock(now time.Time) *gatedClock {
	return &gatedClock{Clock: clocktest.NewClock(now), changed: make(chan struct{})}
}

// Now is part of the lease.Clock interface. It is the manager's and its
// client's reading; the driver reads c.Clock.Now, which never steps.
func (c *gatedClock) Now() time.Time {
	now := c.Clock.Now()
	c.mu.Lock()
	if d := now.Sub(c.lastRead); !c.lastRead.IsZero() && d > 0 {
		c.advanced += d
	}
	c.lastRead = now
	slow := c.countLocked(now)
	c.mu.Unlock()
	if slow != nil {
		slow()
	}
	return now
}

// read is a tracker's reading of the node's clock: it counts down stepIn
// and slowIn as the manager's readings do, but not towards the manager's
// pace (see advanced).
func (c *gatedClock) read() time.Time {
	now := c.Clock.Now()
	c.mu.Lock()
	slow := c.countLocked(now)
	c.mu.Unlock()
	if slow != nil {
		slow()
	}
	return now
}

// countLocked counts a reading, now, towards a pending step back, which
// it makes, and towards a pending slow call, which it returns for the
// caller to make once c.mu is unlocked.
func (c *gatedClock) countLocked(now time.Time) func() {
	if c.quiet {
		return nil
	}
	if c.stepIn > 0 {
		c.stepIn--
		if c.stepIn == 0 {
			c.Clock.Set(now.Add(-c.stepBy))
		}
	}
	if c.slowIn > 0 {
		c.slowIn--
		if c.slowIn == 0 {
			slow := c.slow
			c.slow = nil
			return slow
		}
	}
	return nil
}

// slowAfter makes the node call f right after the n-th reading from now of
// its manager or its trackers.
func (c *gatedClock) slowAfter(n int, f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.slowIn, c.slow = n, f
}

// setQuiet sets or clears quiet.
func (c *gatedClock) setQuiet(v bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.quiet = v
}

// stepBackAfter makes the clock step back by d right after the manager's
// n-th reading from now.
func (c *gatedClock) stepBackAfter(n int, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stepIn, c.stepBy = n, d
}

// advancedSinceReset returns how far the clock has moved forward, between
// consecutive readings, since the last resetAdvanced.
func (c *gatedClock) advancedSinceReset() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.advanced
}

// resetHasty starts counting hasty alarms again: a new manager's are its
// own, not its predecessor's on the same clock.
func (c *gatedClock) resetHasty() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hasty = 0
}

// resetAdvanced starts counting again from the latest reading.
func (c *gatedClock) resetAdvanced() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.advanced = 0
}

// hastyAlarms returns how many of the latest alarms, in a row, were
// requested for less than hastyAlarm after the clock's reading.
func (c *gatedClock) hastyAlarms() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hasty
}

// Alarm is part of the lease.Clock interface.
func (c *gatedClock) Alarm(t time.Time) <-chan time.Time {
	hasty := t.Sub(c.Clock.Now()) < hastyAlarm
	a := newGatedAlarm(c.Clock.Alarm(t))
	c.mu.Lock()
	defer c.mu.Unlock()
	if hasty {
		c.hasty++
	} else {
		c.hasty = 0
	}
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
	return c.latest.deliver()
}
