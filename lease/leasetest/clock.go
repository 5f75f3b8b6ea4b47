package leasetest

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// Clock is a fake [lease.Clock] whose time moves only when a test moves it.
// Create one with [NewClock]. It is safe for concurrent use.
//
// To move it under leadership managers and trackers, use
// [Clock.AdvanceSettled], and [Clock.Settle] after anything else the test
// does to them (starting a tracker, stopping one): the manager and the
// tracker report their work to the clock (it is a [lease.Settler]), so
// AdvanceSettled can fire each alarm at its own time and wait, after each,
// until every claim has been answered and every next alarm set. Advance
// alone would fire every alarm due within the step with the step's end as
// its time: a renewal due halfway through a term would then start at the
// term's end, and race the manager's expiry of the lease. WaitAlarms does
// not help there either: a manager always has an alarm pending, so
// WaitAlarms(1) returns at once, whatever is in flight.
// ExampleTracker_renewals in package leadership renews a tracker five
// times this way.
//
// For code of your own that waits on one alarm at a time, [Clock.WaitAlarms]
// or [Clock.WaitAlarmFor] tells the test that the code has set its alarm,
// and [Clock.Advance] then fires it; or report the code's loop through
// [Clock.Track], and use Settle and AdvanceSettled. Nothing sleeps: the
// timeout these methods take is only a deadline for failing, measured on
// the real clock (the idea of Juju's testing clock, whose Alarms channel
// tells a test when code under test is waiting).
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	pending []alarm // sorted by time, then by order of request
	// requested counts every alarm ever requested, by its instant, so
	// that a test can wait for one even if it has already fired.
	requested map[instant]int
	// changed is closed, and replaced, whenever an alarm is requested,
	// and whenever an activity changes while a wait watches it (see
	// notifyLocked); watched is set while one does.
	changed chan struct{}
	watched bool
	// activities are those that report to the clock and have not ended
	// (see settle.go).
	activities map[*activity]struct{}
}

var _ lease.Clock = (*Clock)(nil)

type alarm struct {
	at time.Time
	ch chan time.Time
}

// instant is a time as a map key: its Unix seconds and nanoseconds, which,
// unlike UnixNano, are distinct for every time.Time (UnixNano overflows
// silently outside 1677-2262, and would take an alarm in 2300 for one in
// 1715), and unlike time.Time ignore the zone and the monotonic reading.
type instant struct {
	sec  int64
	nsec int
}

func instantOf(t time.Time) instant {
	return instant{t.Unix(), t.Nanosecond()}
}

// NewClock returns a Clock that reads now until it is moved.
func NewClock(now time.Time) *Clock {
	return &Clock{
		now:        now,
		requested:  make(map[instant]int),
		changed:    make(chan struct{}),
		activities: make(map[*activity]struct{}),
	}
}

// Now is part of the [lease.Clock] interface.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Alarm is part of the [lease.Clock] interface. The returned channel has a
// buffer of one, so an alarm that nobody reads never blocks the clock. An
// alarm for a time not after Now fires at once.
func (c *Clock) Alarm(t time.Time) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.requested[instantOf(t)]++
	if !t.After(c.now) {
		ch <- c.now
	} else {
		i := sort.Search(len(c.pending), func(i int) bool {
			return c.pending[i].at.After(t)
		})
		c.pending = append(c.pending, alarm{})
		copy(c.pending[i+1:], c.pending[i:])
		c.pending[i] = alarm{at: t, ch: ch}
	}
	c.notifyLocked(true)
	return ch
}

// Advance moves the clock forward by d, then fires, in time order, every
// pending alarm whose time has come. A negative d is an error in the test
// and panics; use [Clock.Set] to move the clock backwards.
func (c *Clock) Advance(d time.Duration) {
	if d < 0 {
		panic(fmt.Sprintf("leasetest: Advance(%v): negative duration", d))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(c.now.Add(d))
}

// Set moves the clock to t, which may be earlier than Now (as when NTP steps
// a clock back), then fires every pending alarm whose time has come.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(t)
}

func (c *Clock) setLocked(t time.Time) {
	c.now = t
	n := 0
	for n < len(c.pending) && !c.pending[n].at.After(t) {
		c.pending[n].ch <- t
		n++
	}
	c.pending = append(c.pending[:0], c.pending[n:]...)
}

// Alarms returns the times of the pending alarms, earliest first.
func (c *Clock) Alarms() []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.alarmsLocked()
}

func (c *Clock) alarmsLocked() []time.Time {
	times := make([]time.Time, len(c.pending))
	for i, a := range c.pending {
		times[i] = a.at
	}
	return times
}

// WaitAlarms waits until at least n alarms are pending, and returns an
// error that lists the pending alarms if that has not happened within
// timeout of real time.
func (c *Clock) WaitAlarms(n int, timeout time.Duration) error {
	return c.waitFor(timeout, func() bool {
		return len(c.pending) >= n
	}, func() string {
		return fmt.Sprintf("%d pending alarms wanted", n)
	})
}

// WaitAlarmFor waits until an alarm has been requested for exactly the
// instant t, whether it is still pending or has fired already, and returns
// an error that lists the pending alarms if that has not happened within
// timeout of real time.
func (c *Clock) WaitAlarmFor(t time.Time, timeout time.Duration) error {
	return c.waitFor(timeout, func() bool {
		return c.requested[instantOf(t)] > 0
	}, func() string {
		return fmt.Sprintf("an alarm for %s wanted", t.Format(time.RFC3339Nano))
	})
}

// waitFor waits until done, called with c.mu held, returns true.
func (c *Clock) waitFor(timeout time.Duration, done func() bool, want func() string) error {
	deadline := lease.SystemClock{}.Alarm(lease.SystemClock{}.Now().Add(timeout))
	for {
		c.mu.Lock()
		if done() {
			c.mu.Unlock()
			return nil
		}
		changed := c.changed
		c.watched = true
		c.mu.Unlock()
		select {
		case <-changed:
		case <-deadline:
			c.mu.Lock()
			defer c.mu.Unlock()
			return fmt.Errorf("leasetest: timed out after %v: %s; now %s; pending alarms: %s",
				timeout, want(), c.now.Format(time.RFC3339Nano), formatTimes(c.alarmsLocked()))
		}
	}
}

func formatTimes(times []time.Time) string {
	if len(times) == 0 {
		return "none"
	}
	parts := make([]string, len(times))
	for i, t := range times {
		parts[i] = t.Format(time.RFC3339Nano)
	}
	return strings.Join(parts, ", ")
}
