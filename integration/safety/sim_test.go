package safety_test

import (
	"fmt"
	"strings"
	"time"
)

// outcome of one run of a schedule.
type outcome struct {
	hist       []rec
	violations []violation
	batch      batchStats
}

func (o outcome) fails(kind string) bool {
	for _, v := range o.violations {
		if kind == "" || v.kind == kind {
			return true
		}
	}
	return false
}

// simulate runs events on a fresh server, then the final phase, and
// checks the history.
func simulate(s setup, v variant, events []event) (outcome, error) {
	w, err := newWorld(s, v)
	if err != nil {
		return outcome{}, err
	}
	defer w.close()
	func() {
		defer func() {
			if r := recover(); r != nil {
				if _, ok := r.(errHung); !ok {
					panic(r)
				}
			}
		}()
		w.setStep(stepSetup)
		for _, n := range w.nodes {
			w.startNode(n)
		}
		for _, tr := range w.trackers {
			w.startTracker(tr)
		}
		for i, e := range events {
			w.setStep(i)
			w.run(e)
		}
		w.finish()
	}()
	w.checkHistory()
	return outcome{w.hist, w.violations, w.batch}, nil
}

// shrinkBudget bounds the reruns spent looking for a shorter schedule.
const shrinkBudget = 150

// shrink looks for a short schedule that still breaks a guarantee of the
// same kind as the first violation in o: first the events up to the last
// step the violations name, then delta debugging (ddmin, removing ever
// smaller chunks of events while the schedule still fails). It returns the
// schedule, its outcome, and how many reruns it took.
func shrink(s setup, v variant, events []event, o outcome) ([]event, outcome, int, error) {
	kind := o.violations[0].kind
	runs := 0
	try := func(candidate []event) (outcome, bool, error) {
		runs++
		got, err := simulate(s, v, candidate)
		return got, err == nil && got.fails(kind), err
	}
	last := -1
	for _, vi := range o.violations {
		for _, step := range vi.steps {
			if step == stepFinal {
				last = len(events) - 1 // the final phase needs everything
			} else if step > last {
				last = step
			}
		}
	}
	if last+1 < len(events) {
		if got, ok, err := try(events[:last+1]); err != nil {
			return nil, outcome{}, runs, err
		} else if ok {
			events, o = events[:last+1], got
		}
	}
	for n := 2; len(events) >= 2 && runs < shrinkBudget; {
		chunk := (len(events) + n - 1) / n
		reduced := false
		for from := 0; from < len(events) && runs < shrinkBudget; from += chunk {
			to := min(from+chunk, len(events))
			candidate := append(append([]event(nil), events[:from]...), events[to:]...)
			got, ok, err := try(candidate)
			if err != nil {
				return nil, outcome{}, runs, err
			}
			if ok {
				events, o, reduced = candidate, got, true
				n = max(n-1, 2)
				break
			}
		}
		if !reduced {
			if n >= len(events) {
				break
			}
			n = min(2*n, len(events))
		}
	}
	return events, o, runs, nil
}

// report describes a failing seed: its violations, and the shortest
// schedule found that still fails, with its history.
func report(seed int64, s setup, v variant, events []event, o outcome, shrunk []event, so outcome, runs int, took time.Duration) string {
	var b strings.Builder
	fmt.Fprintf(&b, "seed %d (%s): %d managers, clock offsets %v, services %v\n", seed, v, len(s.offsets), s.offsets, s.services)
	fmt.Fprintf(&b, "rerun it with: cd integration && SAFETY_SEED=%d SAFETY_EVENTS=%d go test -race -run 'TestSafety/%s' ./safety\n",
		seed, len(events), v)
	fmt.Fprintf(&b, "violations with all %d events:\n", len(events))
	for _, vi := range o.violations {
		fmt.Fprintf(&b, "  %s\n", vi)
	}
	fmt.Fprintf(&b, "shortest failing schedule found (%d of %d events; %d reruns in %v):\n",
		len(shrunk), len(events), runs, took.Round(time.Millisecond))
	for i, e := range shrunk {
		fmt.Fprintf(&b, "  #%d %s\n", i, e)
	}
	b.WriteString("its history (global time since the start; m<i> is controller i):\n")
	for _, r := range so.hist {
		fmt.Fprintf(&b, "  %s\n", r)
	}
	b.WriteString("its violations:\n")
	for _, vi := range so.violations {
		fmt.Fprintf(&b, "  %s\n", vi)
	}
	return b.String()
}
