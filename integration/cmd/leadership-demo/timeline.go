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
	via        string    // the controller of its latest guarantee
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
	// unrevoked is set when the unit resigned but its tracker did not
	// revoke (the store did not answer, or its controller had stopped):
	// its lease runs out instead.
	unrevoked bool
}

// actingUntil returns when the term's leader stopped acting: the end of
// its guarantee, or earlier if it crashed or resigned before.
func (t *term) actingUntil() time.Time {
	if t.ended != "" && t.endedAt.Before(t.end) {
		return t.endedAt
	}
	return t.end
}

// outcome is what became of a guarded write.
type outcome int

const (
	committed outcome = iota + 1 // its transaction returned nil
	aborted                      // txn.ErrAborted: the token no longer held
	unknown                      // the store did not answer; the audit decides
)

// writeRecord is what the demo knows of one guarded write, by its number.
type writeRecord struct {
	service string
	unit    string
	term    int
	stale   bool // made with the token of a term that had ended
	outcome outcome
}

// outage is the record of the database's outage.
type outage struct {
	planned  time.Duration // -outage; 0 if none
	none     string        // why there is none, if there is none
	started  time.Time     // zero until it starts
	answered time.Time     // when the database answered again; zero until then
	// recovered holds, by service, when it was first led after the
	// database answered: the answer itself if a guarantee spanned it.
	recovered map[string]time.Time
	// kept counts the services whose leader's guarantee spanned the
	// answer.
	kept      int
	announced bool // the timeline said every service was led again
}

// recovery returns how long after the database answered the last of the
// services in o.recovered was led again.
func (o outage) recovery() time.Duration {
	var last time.Duration
	for _, at := range o.recovered {
		last = max(last, at.Sub(o.answered))
	}
	return last
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

	services []string // every service, for the progress signal

	mu            sync.Mutex
	progressShown bool
	terms         map[string][]*term // by service, in order
	failovers     []time.Duration    // from a crash to the next leader
	handovers     []time.Duration    // from a resignation to the next leader
	// across holds those of the handovers whose next leader claimed
	// through another controller than the one the resigning leader's
	// tracker revoked through.
	across       []time.Duration
	committed    map[string]int // guarded writes, by service
	aborted      int            // leaders' guarded writes that aborted
	staleAborted int
	staleCommits int
	// unavailable counts the leaders' guarded writes that met a store
	// that did not answer, and unavailableOutside those of them made
	// neither during the outage nor in the lease that followed it.
	unavailable, unavailableOutside int
	// staleUnknown counts the stale writes that met a store that did not
	// answer; checksUnavailable the leaders' CheckLeadership calls that
	// did (no write followed).
	staleUnknown, checksUnavailable int
	writes                          map[int]*writeRecord // by number
	kills                           int
	// selfStops counts the managers and trackers that stopped without
	// being killed.
	selfStops int
	problems  []string
	// after counts the terms that were not a service's first, by how the
	// term before ended ("resigned", "crashed", "lost", "interrupted", or
	// "" if its unit had not learnt yet that it had), "unrevoked" for a
	// resignation without a revoke.
	after  map[string]int
	store  storeCalls
	outage outage
	// works holds the runs of leader-only work, by service, in the order
	// they started.
	works map[string][]*workRun
	// progressed is closed once the run has shown what it must: see
	// checkProgressLocked.
	progressed     chan struct{}
	progressClosed bool
}

// newRecorder returns a recorder whose timeline counts from start.
func newRecorder(out io.Writer, cfg config, start time.Time) *recorder {
	return &recorder{
		out:        out,
		clock:      lease.SystemClock{},
		start:      start,
		runTime:    cfg.runTime,
		lease:      cfg.lease,
		progress:   cfg.progress,
		services:   serviceNames(cfg.services),
		terms:      map[string][]*term{},
		committed:  map[string]int{},
		writes:     map[int]*writeRecord{},
		works:      map[string][]*workRun{},
		after:      map[string]int{},
		outage:     outage{recovered: map[string]time.Time{}},
		progressed: make(chan struct{}),
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
	defer r.checkProgressLocked()
	defer r.announceRecoveryLocked()
	terms := r.terms[service]
	if n := len(terms); n > 0 && terms[n-1].unit == unit && terms[n-1].ended == "" {
		t := terms[n-1]
		if until.After(t.end) {
			t.end = until
		}
		t.via = controller
		if again := r.recoveredLocked(t, from); again != "" {
			r.printf(service, "%s %s (term %d)", unit, again, t.n)
		}
		return t
	}
	t := &term{n: len(terms) + 1, service: service, unit: unit, controller: controller, via: controller, claimed: from, end: until}
	r.terms[service] = append(terms, t)
	again := r.recoveredLocked(t, from)
	if again != "" {
		again = "; " + again
	}
	if len(terms) == 0 {
		r.printf(service, "%s leads (term %d, via %s)%s", unit, t.n, controller, again)
		return t
	}
	prev := terms[len(terms)-1]
	delay := from.Sub(prev.endedAt)
	switch {
	case prev.ended == "resigned" && prev.unrevoked:
		r.after["unrevoked"]++
		r.printf(service, "%s leads (term %d, via %s), %s after %s resigned (not revoked; its lease ran out)%s",
			unit, t.n, controller, seconds(delay), prev.unit, again)
	case prev.ended == "resigned":
		r.after[prev.ended]++
		r.handovers = append(r.handovers, delay)
		where := "through the same controller"
		if prev.via != controller {
			r.across = append(r.across, delay)
			where = "across controllers, from " + prev.via
		}
		r.printf(service, "%s leads (term %d, via %s), %s after %s resigned (%s)%s",
			unit, t.n, controller, seconds(delay), prev.unit, where, again)
	case prev.ended == "crashed":
		r.after[prev.ended]++
		r.failovers = append(r.failovers, delay)
		r.printf(service, "%s leads (term %d, via %s), %s after %s crashed%s", unit, t.n, controller, seconds(delay), prev.unit, again)
	case prev.ended == "":
		r.after[prev.ended]++
		r.printf(service, "%s leads (term %d, via %s); %s's guarantee ran out %s before, but it has not learnt so yet (blocked in a call)%s",
			unit, t.n, controller, prev.unit, seconds(from.Sub(prev.end)), again)
	default:
		r.after[prev.ended]++
		r.printf(service, "%s leads (term %d, via %s), %s after %s's term %d ended (%s)%s",
			unit, t.n, controller, seconds(delay), prev.unit, prev.n, prev.ended, again)
	}
	return t
}

// recoveredLocked records, if t's service had not been led since the
// database answered after the outage, that it is now: at the answer
// itself if t's guarantees span it, or else from t's new guarantee, asked
// at from, if from is at or after the answer. It returns what it
// recorded, for the timeline, or "" if nothing. The caller holds r.mu.
func (r *recorder) recoveredLocked(t *term, from time.Time) string {
	o := &r.outage
	if o.answered.IsZero() {
		return ""
	}
	if _, done := o.recovered[t.service]; done {
		return ""
	}
	var what string
	switch {
	case !t.claimed.After(o.answered) && t.actingUntil().After(o.answered):
		o.recovered[t.service] = o.answered
		o.kept++
		what = "led through the outage: its guarantee spans the database's answer"
	case !from.Before(o.answered):
		o.recovered[t.service] = from
		what = "led again " + seconds(from.Sub(o.answered)) + " after the database answered"
	default:
		return ""
	}
	return what
}

// announceRecoveryLocked prints, once, that every service has been led
// again since the database answered, when it is so. The caller holds
// r.mu.
func (r *recorder) announceRecoveryLocked() {
	o := &r.outage
	if o.announced || o.answered.IsZero() || len(o.recovered) < len(r.services) {
		return
	}
	o.announced = true
	r.printf("database", "every service led again, the last %s after the database answered", seconds(o.recovery()))
}

// checkProgressLocked closes r.progressed once the run has shown what it
// must: every service has had a leader, a guarded write has committed,
// and, if an outage is planned, it has ended and every service has been
// led again since. The caller holds r.mu.
func (r *recorder) checkProgressLocked() {
	if r.progressClosed {
		return
	}
	for _, service := range r.services {
		if len(r.terms[service]) == 0 {
			return
		}
	}
	committed := 0
	for _, n := range r.committed {
		committed += n
	}
	if committed == 0 {
		return
	}
	if o := r.outage; o.planned > 0 && (o.answered.IsZero() || len(o.recovered) < len(r.services)) {
		return
	}
	r.progressClosed = true
	close(r.progressed)
}

// noOutage records that the run has no outage, and why.
func (r *recorder) noOutage(why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outage.none = why
}

// planOutage records that the database will be down for d during the run.
func (r *recorder) planOutage(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outage.planned = d
}

// outageStarted records that the database went down at now, for how
// long, and how.
func (r *recorder) outageStarted(now time.Time, how string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outage.started = now
	r.printf("database", "DOWN for %s: %s", r.outage.planned, how)
}

// outageEnded records that the database answered again at now. A leader
// whose guarantee spans now led through the outage.
func (r *recorder) outageEnded(now time.Time, how string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.checkProgressLocked()
	defer r.announceRecoveryLocked()
	r.outage.answered = now
	r.printf("database", "UP after %s: %s", seconds(now.Sub(r.outage.started)), how)
	for _, service := range r.services {
		if terms := r.terms[service]; len(terms) > 0 {
			// Only a guarantee that spans the answer counts: no unit
			// has been told anything since.
			t := terms[len(terms)-1]
			if t.claimed.After(now) || !t.actingUntil().After(now) {
				continue
			}
			if again := r.recoveredLocked(t, t.claimed); again != "" {
				r.printf(service, "%s %s (term %d)", t.unit, again, t.n)
			}
		}
	}
}

// progressMade returns a channel that is closed once the run has shown
// what it must (see checkProgressLocked).
func (r *recorder) progressMade() <-chan struct{} {
	return r.progressed
}

// duringOutageLocked reports whether now is in the outage or in the lease
// that follows the database's answer, when store errors are expected.
// The caller holds r.mu.
func (r *recorder) duringOutageLocked(now time.Time) bool {
	o := r.outage
	return !o.started.IsZero() && !now.Before(o.started) &&
		(o.answered.IsZero() || !now.After(o.answered.Add(r.lease)))
}

// endLocked records that t ended, how, at now, with r.mu held.
func (r *recorder) endLocked(now time.Time, t *term, how string) {
	t.ended, t.endedAt = how, now
}

// newWrite returns the number of a new guarded write by t's leader (stale
// if t has ended), which it records with an unknown outcome.
func (r *recorder) newWrite(t *term, stale bool) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.writes) + 1
	r.writes[n] = &writeRecord{service: t.service, unit: t.unit, term: t.n, stale: stale, outcome: unknown}
	return n
}

// wrote records that guarded write n, of t's leader, committed.
func (r *recorder) wrote(t *term, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	defer r.checkProgressLocked()
	t.writes++
	r.committed[t.service]++
	r.writes[n].outcome = committed
}

// writeAborted records that guarded write n, of t's leader, aborted: the
// unit lost its lease while it wrote.
func (r *recorder) writeAborted(now time.Time, t *term, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.aborted++
	r.writes[n].outcome = aborted
	r.printf(t.service, "%s's guarded write aborted: its lease is gone", t.unit)
}

// writeUnavailable records that guarded write n, of t's leader, failed
// with err, which says the store did not answer: its outcome stays
// unknown until the audit.
func (r *recorder) writeUnavailable(now time.Time, t *term, n int, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unavailable++
	if !r.duringOutageLocked(now) {
		r.unavailableOutside++
	}
	r.printf(t.service, "%s's guarded write %d met the store unavailable (%v): outcome unknown until the audit", t.unit, n, err)
}

// checkUnavailable records that the CheckLeadership call before a guarded
// write of t's leader failed with err, which says the store did not
// answer: no write.
func (r *recorder) checkUnavailable(now time.Time, t *term, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.checksUnavailable++
	r.printf(t.service, "%s: CheckLeadership met the store unavailable (%s); no write", t.unit, storeCause(err))
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

// notRevoked records that the tracker of t's leader, which resigned,
// stopped without revoking, for the reason given (the store did not
// answer; the tracker had stopped with its controller): the lease runs
// out instead.
func (r *recorder) notRevoked(now time.Time, t *term, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	t.unrevoked = true
	r.printf(t.service, "%s's tracker stopped, %s after it resigned, but could not revoke (%s): its lease runs out instead",
		t.unit, seconds(now.Sub(t.endedAt)), why)
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

// stale records the outcome of stale write n: one made with the token of
// old, a term that its unit knows has ended. err is what the transaction
// returned; wasAborted says whether it is txn.ErrAborted, and unavailable
// whether it says the store did not answer (the audit then decides).
func (r *recorder) stale(now time.Time, old *term, n int, err error, wasAborted, unavailable bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	leader := "no leader yet"
	if terms := r.terms[old.service]; terms[len(terms)-1].unit != old.unit {
		leader = "leader is " + terms[len(terms)-1].unit
	}
	switch {
	case wasAborted:
		r.staleAborted++
		r.writes[n].outcome = aborted
		r.printf(old.service, "%s writes with its term-%d token: ABORTED, as it must be (%s)", old.unit, old.n, leader)
	case err == nil:
		r.staleCommits++
		r.writes[n].outcome = committed
		r.problemLocked(now, "%s's stale write with its term-%d token COMMITTED (%s)", old.unit, old.n, leader)
	case unavailable:
		r.staleUnknown++
		r.printf(old.service, "%s writes with its term-%d token: the store did not answer (%v); the audit decides (%s)", old.unit, old.n, err, leader)
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

// stoppedByItself records that a manager or a tracker stopped without
// being killed, which makes the demo fail.
func (r *recorder) stoppedByItself(now time.Time, format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.selfStops++
	r.problemLocked(now, format, args...)
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
