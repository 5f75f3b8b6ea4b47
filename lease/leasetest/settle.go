package leasetest

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

var _ lease.Settler = (*Clock)(nil)

// activity is one [lease.Activity] reporting to a Clock. Its fields are
// guarded by the clock's mutex.
type activity struct {
	clock *Clock
	name  string
	// idle is set while the activity waits for alarm, stop or wake.
	idle       bool
	alarm      <-chan time.Time
	stop, wake <-chan struct{}
}

// Track is part of the [lease.Settler] interface. Leadership managers and
// trackers call it themselves; code of your own that runs loops on the
// clock may report to it too, so that [Clock.Settle] waits for it.
func (c *Clock) Track(name string) lease.Activity {
	c.mu.Lock()
	defer c.mu.Unlock()
	a := &activity{clock: c, name: name}
	c.activities[a] = struct{}{}
	c.notifyLocked(false)
	return a
}

// Idle is part of the [lease.Activity] interface.
func (a *activity) Idle(alarm <-chan time.Time, stop, wake <-chan struct{}) {
	a.update(func() { a.idle, a.alarm, a.stop, a.wake = true, alarm, stop, wake })
}

// Busy is part of the [lease.Activity] interface.
func (a *activity) Busy() {
	a.update(func() { a.idle, a.alarm, a.stop, a.wake = false, nil, nil, nil })
}

// Done is part of the [lease.Activity] interface.
func (a *activity) Done() {
	a.update(func() { delete(a.clock.activities, a) })
}

// update runs f, which changes a, under the clock's lock, and tells the
// clock's waiters that something changed.
func (a *activity) update(f func()) {
	c := a.clock
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	c.notifyLocked(false)
}

// unsettledLocked returns why a has not settled, or "" if it has: it is
// idle, its alarm (if any) is still pending, and neither of its channels
// is closed.
func (c *Clock) unsettledLocked(a *activity) string {
	switch {
	case !a.idle:
		return "running"
	case a.alarm != nil && !c.pendingLocked(a.alarm):
		return "its alarm has fired"
	case isClosed(a.stop):
		return "told to stop"
	case isClosed(a.wake):
		return "woken"
	}
	return ""
}

// pendingLocked reports whether ch is one of the clock's pending alarms.
func (c *Clock) pendingLocked(ch <-chan time.Time) bool {
	for _, p := range c.pending {
		if p.ch == ch {
			return true
		}
	}
	return false
}

// isClosed reports whether ch, which is only ever closed, is closed.
func isClosed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// settledLocked returns "" if every activity has settled, or else a list
// of those that have not, and why.
func (c *Clock) settledLocked() string {
	var busy []string
	for a := range c.activities {
		if why := c.unsettledLocked(a); why != "" {
			busy = append(busy, a.name+": "+why)
		}
	}
	sort.Strings(busy)
	return strings.Join(busy, "; ")
}

// Settle waits until the code that reports to the clock has settled: every
// leadership manager and tracker on it (and any [lease.Activity] of your
// own, see [Clock.Track]) waits for an alarm that has not fired, or for
// something only the test can do, and no call between them is in flight:
// a tracker's claim has been answered and its renewal scheduled, a
// manager has finished its wake. It returns an error that names what has
// not settled if that has not happened within timeout of real time.
//
// Settle cannot know of calls your own goroutines make (a unit agent of
// yours calling a manager, say): make them before Settle, from the test's
// goroutine, or report them through an activity. A tracker waiting for a
// release on a manager that is not a [leadership.ContextBlocker] (a
// wrapper that embeds only Manager) never settles.
//
// [leadership.ContextBlocker]: https://pkg.go.dev/github.com/seed07a61904/leadership/leadership#ContextBlocker
func (c *Clock) Settle(timeout time.Duration) error {
	return c.waitFor(timeout, func() bool {
		return c.settledLocked() == ""
	}, func() string {
		return "everything on the clock to settle; not settled: " + c.settledLocked()
	})
}

// AdvanceSettled moves the clock forward by d as real time would pass for
// code that reacts at once: it settles (see [Clock.Settle]), then, for each
// pending alarm due within d in time order, moves the clock to that
// alarm's time, fires it (with any others due at that instant) and
// settles again, and finally moves the clock to the end of d. So every
// alarm fires at its own time, and the renewal a tracker starts when its
// alarm fires is answered before the clock reaches the end of the term it
// renews. Use it, not [Clock.Advance], to move the clock under a
// leadership manager and trackers.
//
// It returns an error, leaving the clock where it got to, if anything
// takes longer than timeout of real time to settle. A negative d panics,
// as for Advance.
func (c *Clock) AdvanceSettled(d, timeout time.Duration) error {
	if d < 0 {
		panic(fmt.Sprintf("leasetest: AdvanceSettled(%v): negative duration", d))
	}
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		if err := c.Settle(timeout); err != nil {
			return err
		}
		c.mu.Lock()
		if len(c.pending) == 0 || c.pending[0].at.After(end) {
			c.setLocked(end)
			c.mu.Unlock()
			return c.Settle(timeout)
		}
		c.setLocked(c.pending[0].at)
		c.mu.Unlock()
	}
}

// notifyLocked wakes everything waiting for the clock to change. Unless
// always is set, it does so only if a wait is watching: activities change
// at every turn of a manager's loop, and a new channel for each would cost
// the benchmarks that run on the fake clock two allocations an operation.
func (c *Clock) notifyLocked(always bool) {
	if !always && !c.watched {
		return
	}
	close(c.changed)
	c.changed = make(chan struct{})
	c.watched = false
}
