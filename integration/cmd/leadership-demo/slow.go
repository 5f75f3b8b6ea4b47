package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/seed07a61904/leadership/leadership"
)

// slowFraction: a store call that takes more than the lease over
// slowFraction is slow; the managers log leadership.LogSlowStore past the
// same mark.
const slowFraction = 10

// storeCalls is what the demo saw of the managers' store calls (their
// writes and reads of the leases), from their events.
type storeCalls struct {
	durations []time.Duration // every call's, in the order seen, but those in the outage
	slow      int             // of those, the calls over lease/slowFraction
	// outage counts the calls that overlapped the outage (from its
	// start to the database's answer), which are expected to be slow or
	// to fail, and longest is the longest of them.
	outage  int
	longest time.Duration
	// warned is the longest call the timeline has warned of; zero if none.
	warned time.Duration
}

// observer returns an observer for the manager and the trackers of
// controller id: it hands every event to next (if not nil), and records
// the manager's store calls.
func (r *recorder) observer(id string, next leadership.Observer) leadership.Observer {
	return leadership.ObserverFunc(func(e leadership.Event) {
		if next != nil {
			next.Observe(e)
		}
		if e.Kind == leadership.EventStore || e.Kind == leadership.EventRefresh {
			r.storeCall(id, e)
		}
	})
}

// storeCall records one store call of the named controller's manager, and
// prints a warning when it is slow: the first time, and whenever one takes
// twice as long as the last warned of. A call that overlapped the outage
// is counted apart, never as slow.
func (r *recorder) storeCall(id string, e leadership.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &r.store
	end := e.At
	if end.IsZero() {
		end = r.clock.Now()
	}
	if o := r.outage; !o.started.IsZero() && end.After(o.started) &&
		(o.answered.IsZero() || end.Add(-e.Duration).Before(o.answered)) {
		s.outage++
		s.longest = max(s.longest, e.Duration)
		return
	}
	s.durations = append(s.durations, e.Duration)
	if e.Duration <= r.lease/slowFraction {
		return
	}
	s.slow++
	if s.warned != 0 && e.Duration < 2*s.warned {
		return
	}
	s.warned = e.Duration
	r.printf(id, "slow store: %s took %s, %s of the %s lease; handovers and failovers will be late (try %s)",
		e.Call, seconds(e.Duration), percent(e.Duration, r.lease), r.lease, suggestFlags(r.lease, r.runTime, e.Duration))
}

// percent returns d as a percentage of whole.
func percent(d, whole time.Duration) string {
	return fmt.Sprintf("%.0f%%", 100*float64(d)/float64(whole))
}

// suggestLease returns a lease long enough that a store call of slowest
// is not slow: slowFraction times it, in whole seconds, and at least
// twice the current lease.
func suggestLease(current, slowest time.Duration) time.Duration {
	d := (slowFraction * slowest).Round(time.Second)
	if d < slowFraction*slowest {
		d += time.Second
	}
	return max(d, 2*current)
}

// suggestFlags returns the demo's flags for a lease that suits store
// calls of slowest, with a run long enough for several handovers.
func suggestFlags(current, run, slowest time.Duration) string {
	lease := suggestLease(current, slowest)
	flags := "-lease " + lease.String()
	if run < 5*lease {
		flags += " -run " + (5 * lease).String()
	}
	return flags
}

// storeSummary describes the store calls: how many, their median and
// longest, and how many were slow.
func storeSummary(durations []time.Duration, slow int, lease time.Duration) string {
	if len(durations) == 0 {
		return "none"
	}
	sorted := slices.Clone(durations)
	slices.Sort(sorted)
	n := len(sorted)
	return fmt.Sprintf("median %s, max %s (%s of the lease); %d over lease/%d, when the managers log %q",
		short(sorted[n/2]), short(sorted[n-1]), percent(sorted[n-1], lease), slow, slowFraction, leadership.LogSlowStore)
}

// short formats d in milliseconds below a second, and as seconds does
// above.
func short(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%dms", d.Round(time.Millisecond).Milliseconds())
	}
	return seconds(d)
}
