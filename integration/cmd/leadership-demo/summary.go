package main

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// result is what a run of the demo found.
type result struct {
	elected       int             // terms, in all services
	firstLeaders  int             // services that had a leader
	handovers     []time.Duration // sorted; from a resignation to the next leader
	failovers     []time.Duration // sorted; from a crash to the next leader
	committed     int             // guarded writes, seen committed by their units
	aborted       int             // leaders' guarded writes that aborted
	staleAborted  int
	staleCommits  int
	kills         int
	loggedWrites  int      // guarded writes found in the settings documents
	overlaps      []string // two units leading one service at once
	auditProblems []string // the database disagrees
	problems      []string // unexpected errors
}

// ok reports whether the run showed what leases promise, without error.
func (res result) ok() bool {
	return res.elected > 0 && res.staleCommits == 0 && len(res.overlaps) == 0 &&
		len(res.auditProblems) == 0 && len(res.problems) == 0
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
	}
	slices.Sort(res.handovers)
	slices.Sort(res.failovers)
	for _, service := range services {
		terms := rec.terms[service]
		res.elected += len(terms)
		if len(terms) > 0 {
			res.firstLeaders++
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
	row("leaders elected", res.elected, fmt.Sprintf("%d first leaders, %d after a resignation, %d after a crash",
		res.firstLeaders, len(res.handovers), len(res.failovers)))
	row("graceful handover", len(res.handovers), spread(res.handovers, "from resigning (stop acting, revoke) to the next leader"))
	row("crash failover", len(res.failovers), spread(res.failovers, "from the crash to the next leader (the lease runs out first)"))
	row("guarded writes committed", res.committed, fmt.Sprintf("%d found in the settings documents", res.loggedWrites))
	row("guarded writes aborted", res.aborted, "a leader lost its lease during the write")
	row("stale writes aborted", res.staleAborted, "old token, after losing leadership")
	row("stale writes committed", res.staleCommits, "must be 0")
	row("two leaders at once", len(res.overlaps), "must be 0")
	row("database audit problems", len(res.auditProblems), "must be 0")
	row("controllers killed", res.kills, "")
	row("unexpected errors", len(res.problems), "must be 0")
	for _, p := range append(slices.Clone(res.overlaps), res.auditProblems...) {
		fmt.Fprintln(out, "  FAIL:", p)
	}
	if res.ok() {
		fmt.Fprintln(out, "OK: at most one leader per service at every observed moment; every stale write aborted.")
	} else {
		fmt.Fprintln(out, "FAILED")
	}
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
