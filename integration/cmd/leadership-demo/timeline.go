package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// term is one unit's uninterrupted leadership of a service, as its tracker
// guaranteed it: the union of the guarantees of the unit's true
// ClaimLeader answers, from the first call until the last guarantee runs
// out, or until the unit resigned, whichever is sooner.
type term struct {
	n          int // 1 for a service's first term, and so on
	service    string
	unit       string
	controller string    // the unit's controller when the term started
	claimed    time.Time // the first ClaimLeader call that answered true
	// end is when the unit's latest guarantee runs out or, if it
	// resigned, when it stopped acting.
	end    time.Time
	writes int // guarded writes committed
	// ended says how the term ended ("" while it has not): the unit
	// "resigned", "crashed", "lost" it, or was "interrupted"; endedAt
	// is when.
	ended   string
	endedAt time.Time
}

// recorder keeps the demo's record of what units were told and did, and
// prints the timeline and the progress line. It is safe for concurrent
// use. It decides nothing about leadership: it records the guarantees
// that trackers gave, so that the summary can check that no two units'
// guarantees overlapped.
type recorder struct {
	out      io.Writer
	clock    lease.Clock // stamps the lines
	start    time.Time
	runTime  time.Duration
	lease    time.Duration
	progress bool // rewrite the progress line in place

	mu            sync.Mutex
	progressShown bool
	terms         map[string][]*term // by service, in order
	failovers     []time.Duration    // from a crash to the next leader
	handovers     []time.Duration    // from a resignation to the next leader
	committed     map[string]int     // guarded writes, by service
	aborted       int                // leaders' guarded writes that aborted
	staleAborted  int
	staleCommits  int
	kills         int
	problems      []string
	// after counts the terms that were not a service's first, by how the
	// term before ended ("resigned", "crashed", "lost", "interrupted", or
	// "" if it had not).
	after map[string]int
	store storeCalls
}

// newRecorder returns a recorder whose timeline counts from start.
func newRecorder(out io.Writer, cfg config, start time.Time) *recorder {
	return &recorder{
		out:       out,
		clock:     lease.SystemClock{},
		start:     start,
		runTime:   cfg.runTime,
		lease:     cfg.lease,
		progress:  cfg.progress,
		terms:     map[string][]*term{},
		committed: map[string]int{},
		after:     map[string]int{},
	}
}

// printf prints one line of the timeline about subject (a service, or a
// controller), with r.mu held. The line is stamped with the time it is
// printed, read with r.mu held, so that the stamps never run backwards
// even when the events' own times (in the lines' text) arrive out of
// order.
func (r *recorder) printf(subject, format string, args ...any) {
	now := r.clock.Now()
	if r.progressShown {
		fmt.Fprint(r.out, "\r\033[K")
	}
	fmt.Fprintf(r.out, "%7.2fs  %-12s %s\n", now.Sub(r.start).Seconds(), subject, fmt.Sprintf(format, args...))
	if r.progressShown {
		fmt.Fprint(r.out, r.progressLine(now))
	}
}

// led records that unit's tracker, asked at from through the named
// controller, guaranteed that the unit leads until until. It returns the
// unit's term: the service's latest, extended, if that is the unit's and
// has not ended; otherwise a new one.
func (r *recorder) led(service, unit, controller string, from, until time.Time) *term {
	r.mu.Lock()
	defer r.mu.Unlock()
	terms := r.terms[service]
	if n := len(terms); n > 0 && terms[n-1].unit == unit && terms[n-1].ended == "" {
		if until.After(terms[n-1].end) {
			terms[n-1].end = until
		}
		return terms[n-1]
	}
	t := &term{n: len(terms) + 1, service: service, unit: unit, controller: controller, claimed: from, end: until}
	r.terms[service] = append(terms, t)
	if len(terms) == 0 {
		r.printf(service, "%s leads (term %d, via %s)", unit, t.n, controller)
		return t
	}
	prev := terms[len(terms)-1]
	r.after[prev.ended]++
	delay := from.Sub(prev.endedAt)
	switch prev.ended {
	case "resigned":
		r.handovers = append(r.handovers, delay)
		r.printf(service, "%s leads (term %d, via %s), %s after %s resigned", unit, t.n, controller, seconds(delay), prev.unit)
	case "crashed":
		r.failovers = append(r.failovers, delay)
		r.printf(service, "%s leads (term %d, via %s), %s after %s crashed", unit, t.n, controller, seconds(delay), prev.unit)
	case "":
		r.printf(service, "%s leads (term %d, via %s); %s's term %d had not ended", unit, t.n, controller, prev.unit, prev.n)
	default:
		r.printf(service, "%s leads (term %d, via %s), %s after %s's term %d ended (%s)",
			unit, t.n, controller, seconds(delay), prev.unit, prev.n, prev.ended)
	}
	return t
}

// endLocked records that t ended, how, at now, with r.mu held.
func (r *recorder) endLocked(now time.Time, t *term, how string) {
	t.ended, t.endedAt = how, now
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
	r.printf(t.service, "%s's guarded write aborted: its lease is gone", t.unit)
}

// crashed records that t's leader crashed at now. Its guarantee stands:
// the term's end does not change.
func (r *recorder) crashed(now time.Time, t *term) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked(now, t, "crashed")
	left := "its guarantee runs out in " + seconds(t.end.Sub(now))
	if !t.end.After(now) {
		left = "its guarantee ran out " + seconds(now.Sub(t.end)) + " ago"
	}
	r.printf(t.service, "%s CRASHES after %s in term %d; %s", t.unit, plural(t.writes, "guarded write"), t.n, left)
}

// resigned records that t's leader stopped acting at now, to hand over:
// its term ends now, whatever its tracker had guaranteed.
func (r *recorder) resigned(now time.Time, t *term) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked(now, t, "resigned")
	if t.end.After(now) {
		t.end = now
	}
	r.printf(t.service, "%s RESIGNS after %s in term %d: stops acting, stops its tracker", t.unit, plural(t.writes, "guarded write"), t.n)
}

// revoked records that the tracker of t's leader, which resigned, has
// stopped: its leadership is revoked.
func (r *recorder) revoked(now time.Time, t *term) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printf(t.service, "%s's tracker stopped, %s after it resigned: leadership revoked", t.unit, seconds(now.Sub(t.endedAt)))
}

// lost records that t's leader learnt at now that it is no longer leader.
func (r *recorder) lost(now time.Time, t *term, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked(now, t, "lost")
	r.printf(t.service, "%s lost leadership (%s) after %s in term %d", t.unit, why, plural(t.writes, "guarded write"), t.n)
}

// interrupted records that t's leader lost its guarantee at now without
// being told it is not leader.
func (r *recorder) interrupted(now time.Time, t *term, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.endLocked(now, t, "interrupted")
	r.printf(t.service, "%s's term %d interrupted: %s", t.unit, t.n, why)
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
		r.printf(old.service, "%s writes with its term-%d token: ABORTED, as it must be (%s)", old.unit, old.n, leader)
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
	r.printf(controller, "KILLED; its units move to the next live controller")
}

// moved records that a leader moved from one controller to another,
// because the first one died.
func (r *recorder) moved(now time.Time, t *term, from, to string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printf(t.service, "%s (leader) moves from %s to %s", t.unit, from, to)
}

// note prints a line of the timeline.
func (r *recorder) note(now time.Time, subject, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.printf(subject, format, args...)
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
	r.printf("ERROR", "%s", msg)
}

// tick shows progress at now: it rewrites the progress line in place, or
// prints it as a line of the timeline.
func (r *recorder) tick(now time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.progress {
		r.printf("progress", "%s", r.progressLine(now))
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
	return fmt.Sprintf("%s of %s: %d terms, %d handovers, %d failovers, %d guarded writes, stale writes %d aborted %d committed",
		seconds(now.Sub(r.start).Truncate(time.Second/10)), seconds(r.runTime),
		elected, len(r.handovers), len(r.failovers), writes, r.staleAborted, r.staleCommits)
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
