package leasetest

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/juju/errors"

	"github.com/seed07a61904/leadership/internal/timeshift"
	"github.com/seed07a61904/leadership/lease"
)

// Clock is a fake [lease.Clock] whose time moves only when a test moves it.
// Create one with [NewClock]. It is safe for concurrent use.
//
// It is also a [lease.MonotonicClock], as a leadership tracker needs: its
// monotonic time starts at the time given to NewClock, moves forward with
// [Clock.Advance], and with [Clock.Set] to a later time (which counts as
// time passing), but not with Set to an earlier time, which is a step back
// of Now only (as when NTP steps a clock back). An alarm from
// [Clock.MonotonicAlarm] therefore fires after as much Advance as when it
// was set, whatever steps back come in between: Alarms and WaitAlarms list
// it at the time Now will read when it fires, and WaitAlarmFor finds it by
// that time, and by every time it was pending for before a step.
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
	mu  sync.Mutex
	now time.Time
	// mono is the monotonic time: it moves as now does, except when now
	// steps back.
	mono    time.Time
	pending []alarm // sorted by time, then by order of request
	// requested counts every alarm ever requested, by its instant, so
	// that a test can wait for one even if it has already fired.
	requested map[instant]int
	// changed is closed, and replaced, whenever an alarm is requested,
	// whenever a step back moves an alarm on the monotonic time, and
	// whenever an activity changes while a wait watches it (see
	// notifyLocked); watched is set while one does.
	changed chan struct{}
	watched bool
	// activities are those that report to the clock and have not ended
	// (see settle.go).
	activities map[*activity]struct{}
}

var _ lease.MonotonicClock = (*Clock)(nil)

// alarm is a pending alarm: at is when Now will read when it fires; for an
// alarm on the monotonic time, monoAt is its time there, and at moves back
// whenever Now steps back.
type alarm struct {
	at     time.Time
	ch     chan time.Time
	mono   bool
	monoAt time.Time
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
		mono:       now,
		requested:  make(map[instant]int),
		changed:    make(chan struct{}),
		activities: make(map[*activity]struct{}),
	}
}

// Now is part of the [lease.Clock] interface.
func (c *Clock) Now() time.Time {
	return c.read(&c.now)
}

// Alarm is part of the [lease.Clock] interface. The returned channel has a
// buffer of one, so an alarm that nobody reads never blocks the clock. An
// alarm for a time not after Now fires at once.
func (c *Clock) Alarm(t time.Time) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addLocked(alarm{at: t}, !t.After(c.now))
}

// Monotonic is part of the [lease.MonotonicClock] interface.
func (c *Clock) Monotonic() time.Time {
	return c.read(&c.mono)
}

// read returns *t, read under the clock's lock.
func (c *Clock) read(t *time.Time) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return *t
}

// MonotonicAlarm is part of the [lease.MonotonicClock] interface. Like
// Alarm's, its channel has a buffer of one; an alarm for a monotonic time
// already reached fires at once.
func (c *Clock) MonotonicAlarm(t time.Time) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.addLocked(alarm{at: c.wallLocked(t), mono: true, monoAt: t}, !t.After(c.mono))
}

// wallLocked returns the time Now reads when the monotonic time reaches
// mono, if the clock does not step before then.
func (c *Clock) wallLocked(mono time.Time) time.Time {
	return timeshift.Shift(c.now, mono, c.mono)
}

// addLocked requests a, which fires at once if due, and returns its
// channel.
func (c *Clock) addLocked(a alarm, due bool) <-chan time.Time {
	a.ch = make(chan time.Time, 1)
	c.requested[instantOf(a.at)]++
	if due {
		a.ch <- c.now
	} else {
		i := sort.Search(len(c.pending), func(i int) bool {
			return c.pending[i].at.After(a.at)
		})
		c.pending = append(c.pending, alarm{})
		copy(c.pending[i+1:], c.pending[i:])
		c.pending[i] = a
	}
	c.notifyLocked(true)
	return a.ch
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
// a clock back), then fires every pending alarm whose time has come. A
// later t moves the monotonic time forward as far; an earlier one leaves
// it, and moves every pending alarm on it back by the step.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.setLocked(t)
}

func (c *Clock) setLocked(t time.Time) {
	if t.After(c.now) {
		c.mono = timeshift.Shift(c.mono, t, c.now)
	}
	c.now = t
	stepped := false
	for i, a := range c.pending {
		if a.mono {
			if at := c.wallLocked(a.monoAt); !at.Equal(a.at) {
				c.pending[i].at = at
				c.requested[instantOf(at)]++
				stepped = true
			}
		}
	}
	if stepped {
		sort.SliceStable(c.pending, func(i, j int) bool {
			return c.pending[i].at.Before(c.pending[j].at)
		})
		c.notifyLocked(true)
	}
	kept := c.pending[:0]
	for _, a := range c.pending {
		due := !a.at.After(t)
		if a.mono {
			due = !a.monoAt.After(c.mono)
		}
		if due {
			a.ch <- t
		} else {
			kept = append(kept, a)
		}
	}
	for i := len(kept); i < len(c.pending); i++ {
		c.pending[i] = alarm{}
	}
	c.pending = kept
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
	// A failure deadline on real time: this file is one of those the
	// Makefile's wall-clock rule allows to read it.
	deadline := time.After(timeout)
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
			return errors.Errorf("leasetest: timed out after %v: %s; now %s; pending alarms: %s",
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
