package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// result is what a run of the demo found.
type result struct {
	elected      int             // terms, in all services
	firstLeaders int             // services that had a leader
	leaderless   []string        // services that never had one
	handovers    []time.Duration // sorted; from a resignation to the next leader
	failovers    []time.Duration // sorted; from a crash to the next leader
	// afterLost, afterInterrupted and afterUnended count the other terms
	// that were not a service's first: after the leader lost its lease,
	// after its tracker stopped with its controller, and (never, if all
	// is well) while the term before had not ended. With firstLeaders
	// and the handovers and failovers, they add up to elected.
	afterLost, afterInterrupted, afterUnended int
	committed                                 int // guarded writes, seen committed by their units
	aborted                                   int // leaders' guarded writes that aborted
	staleAborted                              int
	staleCommits                              int
	kills                                     int
	loggedWrites                              int      // guarded writes found in the settings documents
	overlaps                                  []string // two units leading one service at once
	auditProblems                             []string // the database disagrees
	problems                                  []string // unexpected errors
	lease                                     time.Duration
	runTime                                   time.Duration
	storeCalls                                []time.Duration // the managers' store calls
	slowCalls                                 int             // those over lease/slowFraction
}

// ok reports whether the run showed what leases promise, without error,
// and made progress.
func (res result) ok() bool {
	return res.safe() && res.progressed()
}

// safe reports whether the run kept what leases promise, without error:
// never two leaders, no stale write, a database that agrees.
func (res result) safe() bool {
	return res.staleCommits == 0 && len(res.overlaps) == 0 &&
		len(res.auditProblems) == 0 && len(res.problems) == 0
}

// progressed reports whether every service had a leader and some guarded
// write committed: a run in which nothing happened shows nothing.
func (res result) progressed() bool {
	return res.elected > 0 && len(res.leaderless) == 0 && res.committed > 0
}

// slow reports whether some store call took more than lease/slowFraction.
func (res result) slow() bool {
	return res.slowCalls > 0
}

// summarize returns what rec recorded, checked against itself and against
// the settings documents read back from the database. Nothing may still
// be recording.
func summarize(rec *recorder, services []string, docs map[string]settingsDoc) result {
	res := result{
		handovers:    slices.Clone(rec.handovers),
		failovers:    slices.Clone(rec.failovers),
		aborted:      rec.aborted,
		staleAborted: rec.staleAborted,
		staleCommits: rec.staleCommits,
		kills:        rec.kills,
		problems:     rec.problems,
		lease:        rec.lease,
		runTime:      rec.runTime,
		storeCalls:   slices.Clone(rec.store.durations),
		slowCalls:    rec.store.slow,

		afterLost:        rec.after["lost"],
		afterInterrupted: rec.after["interrupted"],
		afterUnended:     rec.after[""],
	}
	slices.Sort(res.handovers)
	slices.Sort(res.failovers)
	for _, service := range services {
		terms := rec.terms[service]
		res.elected += len(terms)
		if len(terms) > 0 {
			res.firstLeaders++
		} else {
			res.leaderless = append(res.leaderless, service)
		}
		res.committed += rec.committed[service]
		res.overlaps = append(res.overlaps, overlaps(terms)...)
		doc := docs[service]
		res.loggedWrites += len(doc.Log)
		res.auditProblems = append(res.auditProblems, audit(doc, terms, rec.committed[service])...)
	}
	return res
}

// overlaps returns a description of every two terms of different units
// during which both units had their trackers' guarantee that they led.
func overlaps(terms []*term) []string {
	var found []string
	for i, a := range terms {
		for _, b := range terms[i+1:] {
			if a.unit != b.unit && a.claimed.Before(b.end) && b.claimed.Before(a.end) &&
				a.claimed.Before(a.end) && b.claimed.Before(b.end) {
				found = append(found, fmt.Sprintf("%s: %s (term %d) and %s (term %d) both led",
					a.service, a.unit, a.n, b.unit, b.n))
			}
		}
	}
	return found
}

// audit returns every way in which a service's settings document
// disagrees with the terms the demo recorded and the number of guarded
// writes its units saw commit. The document's log is in commit order:
// every write must come from its term's leader, and terms must not go
// backwards.
func audit(doc settingsDoc, terms []*term, committed int) []string {
	var problems []string
	add := func(format string, args ...any) {
		problems = append(problems, doc.Service+": "+fmt.Sprintf(format, args...))
	}
	if len(doc.Log) != committed {
		add("the database holds %d guarded writes; the units saw %d commit", len(doc.Log), committed)
	}
	if doc.Version != len(doc.Log) {
		add("version %d, but %d writes in the log", doc.Version, len(doc.Log))
	}
	last := 0
	for k, e := range doc.Log {
		switch {
		case e.Term < 1 || e.Term > len(terms):
			add("write %d claims term %d, which never started", k+1, e.Term)
		case terms[e.Term-1].unit != e.Unit:
			add("write %d, by %s in term %d, but %s led term %d", k+1, e.Unit, e.Term, terms[e.Term-1].unit, e.Term)
		case e.Term < last:
			add("write %d, by %s in term %d, committed after a write of term %d", k+1, e.Unit, e.Term, last)
		}
		last = max(last, e.Term)
	}
	if n := len(doc.Log); n > 0 && (doc.Leader != doc.Log[n-1].Unit || doc.Term != doc.Log[n-1].Term) {
		add("last writer %s (term %d), but the log ends with %s (term %d)", doc.Leader, doc.Term, doc.Log[n-1].Unit, doc.Log[n-1].Term)
	}
	return problems
}

// printSummary prints the summary table, the problems found and the
// verdict.
func printSummary(out io.Writer, res result, elapsed time.Duration) {
	fmt.Fprintf(out, "\nsummary after %s\n", seconds(elapsed))
	row := func(name string, value any, note string) {
		fmt.Fprintf(out, "  %-26s %5v   %s\n", name, value, note)
	}
	row("leaders elected", res.elected, electedBreakdown(res))
	row("graceful handover", len(res.handovers), spread(res.handovers,
		fmt.Sprintf("from resigning (stop acting, revoke) to the next leader (on another controller, at its manager's next read, within %s)",
			res.lease/4)))
	row("crash failover", len(res.failovers), spread(res.failovers,
		fmt.Sprintf("from the crash to the next leader (the %s lease runs out first; managers read the store every %s)",
			res.lease, res.lease/4)))
	row("guarded writes committed", res.committed, fmt.Sprintf("%d found in the settings documents", res.loggedWrites))
	row("guarded writes aborted", res.aborted, "a leader lost its lease during the write")
	row("stale writes aborted", res.staleAborted, "old token, after losing leadership")
	row("stale writes committed", res.staleCommits, "must be 0")
	row("two leaders at once", len(res.overlaps), "must be 0")
	row("database audit problems", len(res.auditProblems), "must be 0")
	row("controllers killed", res.kills, "")
	row("unexpected errors", len(res.problems), "must be 0")
	row("store calls", len(res.storeCalls), storeSummary(res.storeCalls, res.slowCalls, res.lease))
	for _, p := range append(slices.Clone(res.overlaps), res.auditProblems...) {
		fmt.Fprintln(out, "  FAIL:", p)
	}
	if res.slow() {
		slowest := slices.Max(res.storeCalls)
		fmt.Fprintf(out, "WARNING: store calls took up to %s, %s of the %s lease (the managers call more than lease/%d slow).\n"+
			"  Renewals and expiries then run late: leaders lose leases they meant to keep, and handovers\n"+
			"  and failovers take longer than the lease explains. Try a longer lease: %s\n",
			seconds(slowest), percent(slowest, res.lease), res.lease, slowFraction,
			suggestFlags(res.lease, res.runTime, slowest))
	}
	switch {
	case !res.safe():
		fmt.Fprintln(out, "FAILED")
	case !res.progressed():
		fmt.Fprintf(out, "NO PROGRESS: %s. Nothing unsafe happened, but the run shows little.\n", noProgress(res))
	default:
		fmt.Fprintln(out, "OK: at most one leader per service at every observed moment; every stale write aborted.")
	}
}

// electedBreakdown says how the leaders elected came to lead; the parts
// add up to res.elected.
func electedBreakdown(res result) string {
	parts := []string{
		fmt.Sprintf("%d first leaders", res.firstLeaders),
		fmt.Sprintf("%d after a resignation", len(res.handovers)),
		fmt.Sprintf("%d after a crash", len(res.failovers)),
	}
	for _, p := range []struct {
		n    int
		what string
	}{
		{res.afterLost, "after a leader lost its lease"},
		{res.afterInterrupted, "after a leader's controller was killed"},
		{res.afterUnended, "while the term before had not ended"},
	} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return strings.Join(parts, ", ")
}

// noProgress says why a run that was safe made no progress.
func noProgress(res result) string {
	var why []string
	switch n := len(res.leaderless); {
	case n == 1:
		why = append(why, fmt.Sprintf("%s never had a leader in %s", res.leaderless[0], res.runTime))
	case n > 1:
		why = append(why, fmt.Sprintf("%d services (%s) never had a leader in %s", n, strings.Join(res.leaderless, ", "), res.runTime))
	}
	if res.committed == 0 {
		why = append(why, "no guarded write committed")
	}
	return strings.Join(why, "; ")
}

// spread describes sorted durations by their minimum, median and maximum,
// followed by what they measure.
func spread(ds []time.Duration, what string) string {
	if len(ds) == 0 {
		return "none; " + what
	}
	n := len(ds)
	return fmt.Sprintf("min %s, median %s, max %s %s", seconds(ds[0]), seconds(ds[n/2]), seconds(ds[n-1]), what)
}
