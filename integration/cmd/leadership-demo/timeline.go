package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// term is one unit's uninterrupted leadership of a service, as the unit
// observed it: from the return of the claim that started it until end.
type term struct {
	n          int // 1 for a service's first term, and so on
	service    string
	unit       string
	controller string    // that granted the claim
	claimed    time.Time // when the claim returned
	// end is the start of the latest successful claim or renewal plus
	// the lease duration: the unit is leader at least until then.
	end    time.Time
	writes int // guarded writes committed
}

// recorder keeps the demo's record of terms and writes, and prints the
// timeline and the progress line. It is safe for concurrent use.
type recorder struct {
	out      io.Writer
	start    time.Time
	lease    time.Duration
	runTime  time.Duration
	progress bool // rewrite the progress line in place

	mu            sync.Mutex
	progressShown bool
	terms         map[string][]*term // by service, in order
	failovers     []time.Duration    // beyond the old lease's end
	lapses        int                // terms that followed one of the same unit
	committed     map[string]int     // guarded writes, by service
	aborted       int                // leaders' guarded writes that aborted
	staleAborted  int
	staleCommits  int
	kills         int
	problems      []string
}

// newRecorder returns a recorder whose timeline counts from start.
func newRecorder(out io.Writer, cfg config, start time.Time) *recorder {
	return &recorder{
		out:       out,
		start:     start,
		lease:     cfg.lease,
		runTime:   cfg.runTime,
		progress:  cfg.progress,
		terms:     map[string][]*term{},
		committed: map[string]int{},
	}
}

// printf prints one line of the timeline, at the time now, about subject
// (a service, or a controller), with r.mu held.
func (r *recorder) printf(now time.Time, subject, format string, args ...any) {
	if r.progressShown {
		fmt.Fprint(r.out, "\r\033[K")
	}
	fmt.Fprintf(r.out, "%7.2fs  %-12s %s\n", now.Sub(r.start).Seconds(), subject, fmt.Sprintf(format, args...))
	if r.progressShown {
		fmt.Fprint(r.out, r.progressLine(now))
	}
}

// claimed records that unit's claim or renewal, started at start, returned
// success at ret through the named controller. current is the unit's
// term, nil if it was not leader. It returns the unit's term from now on:
// current, extended, if ret is within it; otherwise a new term.
func (r *recorder) claimed(service, unit, controller string, current *term, start, ret time.Time) *term {
	r.mu.Lock()
	defer r.mu.Unlock()
	end := start.Add(r.lease)
	if current != nil && !ret.After(current.end) {
		if end.After(current.end) {
			current.end = end
		}
		return current
	}
	terms := r.terms[service]
	t := &term{n: len(terms) + 1, service: service, unit: unit, controller: controller, claimed: ret, end: end}
	r.terms[service] = append(terms, t)
	switch {
	case len(terms) == 0:
		r.printf(ret, service, "%s leads (term %d, via %s)", unit, t.n, controller)
	case current != nil:
		r.lapses++
		r.printf(ret, service, "%s's renewal returned %s after the end of its term %d: counts as term %d (via %s)",
			unit, seconds(ret.Sub(current.end)), current.n, t.n, controller)
	case terms[len(terms)-1].unit == unit:
		prev := terms[len(terms)-1]
		r.lapses++
		r.printf(ret, service, "%s leads again (term %d, via %s), %s after its own lease ran out",
			unit, t.n, controller, seconds(ret.Sub(prev.end)))
	default:
		prev := terms[len(terms)-1]
		delay := ret.Sub(prev.end)
		r.failovers = append(r.failovers, delay)
		r.printf(ret, service, "%s leads (term %d, via %s), %s after %s's lease ran out",
			unit, t.n, controller, seconds(delay), prev.unit)
	}
	return t
}

// wrote records a guarded write of t's leader that committed.
func (r *recorder) wrote(t *term) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t.writes++
	r.committed[t.service]++
}

// writeAborted records a guarded write of t's leader that aborted: the
// unit lost its lease while it wrote.
func (r *recorder) writeAborted(now time.Time, t *term) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.aborted++
	r.printf(now, t.service, "%s's guarded write aborted: its lease is gone", t.unit)
}

// crashed records that t's leader crashed at now.
func (r *recorder) crashed(now time.Time, t *term) {
	r.mu.Lock()
	defer r.mu.Unlock()
	left := "its lease runs out in " + seconds(t.end.Sub(now))
	if !t.end.After(now) {
		left = "its term ended " + seconds(now.Sub(t.end)) + " ago"
	}
	r.printf(now, t.service, "%s CRASHES after %s in term %d; %s", t.unit, plural(t.writes, "guarded write"), t.n, left)
}

// lost records that t's leader learnt at now that it is no longer leader.
func (r *recorder) lost(now time.Time, t *term, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printf(now, t.service, "%s lost leadership (%s) after %s in term %d", t.unit, why, plural(t.writes, "guarded write"), t.n)
}

// stale records the outcome of a stale write: one made with the token of
// old, a term that its unit knows has ended. err is what the transaction
// returned; aborted says whether it is txn.ErrAborted.
func (r *recorder) stale(now time.Time, old *term, err error, aborted bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	leader := "no leader yet"
	if terms := r.terms[old.service]; terms[len(terms)-1].unit != old.unit {
		leader = "leader is " + terms[len(terms)-1].unit
	}
	switch {
	case aborted:
		r.staleAborted++
		r.printf(now, old.service, "%s writes with its term-%d token: ABORTED, as it must be (%s)", old.unit, old.n, leader)
	case err == nil:
		r.staleCommits++
		r.problemLocked(now, "%s's stale write with its term-%d token COMMITTED (%s)", old.unit, old.n, leader)
	default:
		r.problemLocked(now, "%s's stale write: %v", old.unit, err)
	}
}

// killed records that the named controller is being killed.
func (r *recorder) killed(now time.Time, controller string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.kills++
	r.printf(now, controller, "KILLED; its units move to the next live controller")
}

// moved records that a leader moved from one controller to another,
// because the first one died.
func (r *recorder) moved(now time.Time, t *term, from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printf(now, t.service, "%s (leader) moves from %s to %s", t.unit, from, to)
}

// note prints a line of the timeline.
func (r *recorder) note(now time.Time, subject, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printf(now, subject, format, args...)
}

// problem records something that makes the demo fail.
func (r *recorder) problem(now time.Time, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.problemLocked(now, format, args...)
}

// problemLocked is problem, with r.mu held.
func (r *recorder) problemLocked(now time.Time, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.problems = append(r.problems, msg)
	r.printf(now, "ERROR", "%s", msg)
}

// tick shows progress at now: it rewrites the progress line in place, or
// prints it as a line of the timeline.
func (r *recorder) tick(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.progress {
		r.printf(now, "progress", "%s", r.progressLine(now))
		return
	}
	fmt.Fprint(r.out, "\r\033[K"+r.progressLine(now))
	r.progressShown = true
}

// endProgress removes the progress line, if it is shown.
func (r *recorder) endProgress() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.progressShown {
		fmt.Fprint(r.out, "\r\033[K")
		r.progressShown = false
	}
}

// progressLine says how far the run is, with r.mu held.
func (r *recorder) progressLine(now time.Time) string {
	elected, writes := 0, 0
	for service, terms := range r.terms {
		elected += len(terms)
		writes += r.committed[service]
	}
	return fmt.Sprintf("%s of %s: %d terms, %d failovers, %d guarded writes, stale writes %d aborted %d committed",
		seconds(now.Sub(r.start).Truncate(time.Second/10)), seconds(r.runTime),
		elected, len(r.failovers), writes, r.staleAborted, r.staleCommits)
}

// plural returns n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// seconds formats d in seconds with two decimals, or fewer when exact.
func seconds(d time.Duration) string {
	s := fmt.Sprintf("%.2f", d.Seconds())
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
	return s + "s"
}
