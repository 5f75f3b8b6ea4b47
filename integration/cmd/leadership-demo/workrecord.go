package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/leadership"
)

// workRun is one run of a unit's leader-only work under a leader context
// (see unit.work), as the work itself saw it.
type workRun struct {
	service, unit string
	// started is read once the work runs, after its tracker granted the
	// context; lastLive is the latest time read just before the work
	// found its context not done and acted (zero if it never acted).
	// Each is on the right side of the truth: the context was granted
	// by started, and still not done at lastLive.
	started, lastLive time.Time
	acts              int
	// end says why the context ended (see workEnd); "" while it runs.
	end workEnd
}

// workEnd is why a leader context ended, by its cause.
type workEnd string

const (
	workLost    workEnd = "lost"    // leadership.ErrLeadershipLost: another unit leads
	workTerm    workEnd = "term"    // leadership.ErrTermEnded: no renewal in time (a slow store, the outage)
	workKilled  workEnd = "killed"  // leadership.ErrTrackerKilled: the unit resigned or crashed
	workStopped workEnd = "stopped" // leadership.ErrStopped: its controller stopped
	workDemo    workEnd = "demo"    // errDemoStopped: the run is over
	workOther   workEnd = "other"   // anything else: a problem
)

// workEndOf returns why a leader context ended with cause.
func workEndOf(cause error) workEnd {
	switch {
	case errors.Is(cause, leadership.ErrLeadershipLost):
		return workLost
	case errors.Is(cause, leadership.ErrTermEnded):
		return workTerm
	case errors.Is(cause, leadership.ErrTrackerKilled):
		return workKilled
	case errors.Is(cause, leadership.ErrStopped):
		return workStopped
	case errors.Is(cause, errDemoStopped):
		return workDemo
	}
	return workOther
}

// workStarted records that unit's leader-only work started at now, under
// a leader context, and returns its run.
func (r *recorder) workStarted(service, unit string, now time.Time) *workRun {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := &workRun{service: service, unit: unit, started: now}
	r.works[service] = append(r.works[service], w)
	return w
}

// workActs records that w's leader context was not done at at, a time
// read before the work looked, and that the work then acted.
func (r *recorder) workActs(w *workRun, at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.lastLive = at
	w.acts++
}

// workEnded records that w returned at now, its leader context done with
// cause. A cause the demo does not expect is a problem.
func (r *recorder) workEnded(w *workRun, now time.Time, cause error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.end = workEndOf(cause)
	if w.end == workOther {
		r.problems = append(r.problems, fmt.Sprintf("%s: %s's leader context ended with %v", seconds(now.Sub(r.start)), w.unit, cause))
	}
}

// workResult is what the summary says of the units' leader-only work.
type workResult struct {
	runs  int // runs of leader-only work, in all services
	acts  int // times it acted
	ended map[workEnd]int
	// overlaps describes every two runs of different units of a service
	// that both acted while the other's leader context was live.
	overlaps []string
}

// workOverlaps returns a description of every two runs of different
// units in runs (one service's) whose live spans, from the start to the
// last time each found its context not done, overlap: two units doing
// leader-only work at once. A run that never acted has no span.
func workOverlaps(runs []*workRun) []string {
	var found []string
	for i, a := range runs {
		for _, b := range runs[i+1:] {
			if a.unit != b.unit && !a.lastLive.IsZero() && !b.lastLive.IsZero() &&
				a.started.Before(b.lastLive) && b.started.Before(a.lastLive) {
				found = append(found, fmt.Sprintf("%s: %s and %s both did leader-only work at once (%s to %s, and %s to %s)",
					a.service, a.unit, b.unit, a.started.Format("15:04:05.000"), a.lastLive.Format("15:04:05.000"),
					b.started.Format("15:04:05.000"), b.lastLive.Format("15:04:05.000")))
			}
		}
	}
	return found
}

// summarizeWork returns what rec recorded of the leader-only work.
func summarizeWork(rec *recorder, services []string) workResult {
	res := workResult{ended: map[workEnd]int{}}
	for _, service := range services {
		runs := rec.works[service]
		res.runs += len(runs)
		for _, w := range runs {
			res.acts += w.acts
			if w.end != "" {
				res.ended[w.end]++
			}
		}
		res.overlaps = append(res.overlaps, workOverlaps(runs)...)
	}
	return res
}

// describe says how the runs ended, for the summary.
func (w workResult) describe() string {
	return fmt.Sprintf("under leader contexts, %d acts; ended: %d leadership lost (%d to another unit, %d term ran out), %d by Kill (resign, crash), %d with their controller, %d at the demo's end",
		w.acts, w.ended[workLost]+w.ended[workTerm], w.ended[workLost], w.ended[workTerm], w.ended[workKilled], w.ended[workStopped], w.ended[workDemo])
}
