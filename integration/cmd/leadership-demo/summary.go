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
	// across holds, sorted, those of the handovers whose next leader
	// claimed through another controller than the one the resigning
	// leader revoked through.
	across    []time.Duration
	failovers []time.Duration // sorted; from a crash to the next leader
	// afterLost, afterInterrupted, afterUnrevoked and afterUnended count
	// the other terms that were not a service's first: after the leader
	// lost its lease, after its tracker stopped with its controller,
	// after a resignation without a revoke, and before the leader
	// before had learnt that its guarantee had run out (it was blocked
	// in a call, as in the outage: its writes are fenced). With
	// firstLeaders and the handovers and failovers, they add up to
	// elected.
	afterLost, afterInterrupted, afterUnrevoked, afterUnended int
	committed                                                 int // guarded writes, seen committed by their units
	aborted                                                   int // leaders' guarded writes that aborted
	// unavailable counts the leaders' guarded writes that met a store
	// that did not answer (outcome unknown), unavailableOutside those of
	// them outside the outage and the lease after it, and appliedLate
	// those of them that the audit found applied.
	unavailable, unavailableOutside, appliedLate int
	checksUnavailable                            int // CheckLeadership calls that met it (no write)
	staleAborted                                 int
	staleUnknown                                 int      // stale writes that met it; the audit decides
	staleCommits                                 int      // seen committed, or found in the log
	staleFound                                   []string // those found in the log
	kills                                        int
	selfStops                                    int      // managers and trackers that stopped without Kill
	loggedWrites                                 int      // guarded writes found in the settings documents
	overlaps                                     []string // two units leading one service at once
	auditProblems                                []string // the database disagrees
	problems                                     []string // unexpected errors
	lease                                        time.Duration
	runTime                                      time.Duration
	storeCalls                                   []time.Duration // the managers' store calls, but those in the outage
	slowCalls                                    int             // those over lease/slowFraction
	outage                                       outageResult
	work                                         workResult
}

// outageResult is what the summary says of the database's outage.
type outageResult struct {
	planned time.Duration // -outage; 0 if there was none
	// started and answered are when the database went down and answered
	// again, from the start of the run; ran says whether it did.
	ran               bool
	started, answered time.Duration
	// recovered holds, by service, how long after the database answered
	// it was led again (0 for one whose leader's guarantee spanned the
	// answer); notRecovered the services that were not.
	recovered    map[string]time.Duration
	notRecovered []string
	kept         int    // services whose leader's guarantee spanned the answer
	none         string // why there was no outage, if there was none
	// calls counts the managers' store calls that overlapped it, and
	// longest is the longest of them.
	calls   int
	longest time.Duration
}

// recovery returns how long after the database answered every service
// had been led again: the longest of o.recovered.
func (o outageResult) recovery() time.Duration {
	var last time.Duration
	for _, d := range o.recovered {
		last = max(last, d)
	}
	return last
}

// ok reports whether the run showed what leases promise, without error,
// and made progress.
func (res result) ok() bool {
	return res.safe() && res.progressed()
}

// safe reports whether the run kept what leases promise, without error:
// never two leaders, no stale write, a database that agrees.
func (res result) safe() bool {
	return res.staleCommits == 0 && len(res.overlaps) == 0 && len(res.work.overlaps) == 0 && res.selfStops == 0 &&
		len(res.auditProblems) == 0 && len(res.problems) == 0
}

// progressed reports whether every service had a leader, some guarded
// write committed and, after an outage, every service was led again: a
// run in which nothing happened shows nothing.
func (res result) progressed() bool {
	return res.elected > 0 && len(res.leaderless) == 0 && res.committed > 0 &&
		(res.outage.planned == 0 || res.outage.ran && len(res.outage.notRecovered) == 0)
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
		handovers:          slices.Clone(rec.handovers),
		across:             slices.Clone(rec.across),
		failovers:          slices.Clone(rec.failovers),
		aborted:            rec.aborted,
		unavailable:        rec.unavailable,
		unavailableOutside: rec.unavailableOutside,
		checksUnavailable:  rec.checksUnavailable,
		staleAborted:       rec.staleAborted,
		staleUnknown:       rec.staleUnknown,
		staleCommits:       rec.staleCommits,
		kills:              rec.kills,
		selfStops:          rec.selfStops,
		problems:           slices.Clone(rec.problems),
		lease:              rec.lease,
		runTime:            rec.runTime,
		storeCalls:         slices.Clone(rec.store.durations),
		slowCalls:          rec.store.slow,
		outage:             summarizeOutage(rec, services),
		work:               summarizeWork(rec, services),

		afterLost:        rec.after["lost"],
		afterInterrupted: rec.after["interrupted"],
		afterUnrevoked:   rec.after["unrevoked"],
		afterUnended:     rec.after[""],
	}
	slices.Sort(res.handovers)
	slices.Sort(res.across)
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
		a := audit(doc, terms, rec.writes)
		res.auditProblems = append(res.auditProblems, a.problems...)
		res.appliedLate += a.appliedLate
		res.staleCommits += len(a.staleCommitted)
		res.staleFound = append(res.staleFound, a.staleCommitted...)
	}
	return res
}

// summarizeOutage returns what rec recorded of the outage.
func summarizeOutage(rec *recorder, services []string) outageResult {
	o := rec.outage
	res := outageResult{planned: o.planned, none: o.none, ran: !o.answered.IsZero(), kept: o.kept, calls: rec.store.outage, longest: rec.store.longest}
	if !res.ran {
		return res
	}
	res.started, res.answered = o.started.Sub(rec.start), o.answered.Sub(rec.start)
	res.recovered = map[string]time.Duration{}
	for _, service := range services {
		if at, ok := o.recovered[service]; ok {
			res.recovered[service] = at.Sub(o.answered)
		} else {
			res.notRecovered = append(res.notRecovered, service)
		}
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

// auditResult is what the audit of one service's settings document found.
type auditResult struct {
	problems []string // every way the document disagrees with the record
	// appliedLate counts the leaders' writes of unknown outcome that the
	// log holds: mgo/txn applied them after all.
	appliedLate int
	// staleCommitted describes each stale write of unknown outcome that
	// the log holds: a stale token's write that committed.
	staleCommitted []string
}

// audit returns every way in which a service's settings document
// disagrees with the terms the demo recorded and the guarded writes, by
// number, that its units made (writes holds those of every service).
// The document's log is in commit order: every write must come from its
// term's leader, terms must not go backwards, every write seen committed
// must be there once, and no write seen aborted. Of the writes of unknown
// outcome, a leader's may be there (applied after all) and a stale one
// must not.
func audit(doc settingsDoc, terms []*term, writes map[int]*writeRecord) auditResult {
	var res auditResult
	add := func(format string, args ...any) {
		res.problems = append(res.problems, doc.Service+": "+fmt.Sprintf(format, args...))
	}
	seen := map[int]bool{}
	for k, e := range doc.Log {
		w, ok := writes[e.Write]
		switch {
		case !ok || w.service != doc.Service || w.unit != e.Unit || w.term != e.Term:
			add("write %d, by %s in term %d, is not one the units made (number %d)", k+1, e.Unit, e.Term, e.Write)
			continue
		case seen[e.Write]:
			add("write %d, by %s in term %d, is in the log twice (number %d)", k+1, e.Unit, e.Term, e.Write)
		case w.outcome == aborted:
			add("write %d, by %s in term %d, aborted but is in the log (number %d)", k+1, e.Unit, e.Term, e.Write)
		case w.stale && w.outcome == unknown:
			res.staleCommitted = append(res.staleCommitted, fmt.Sprintf("%s: %s's stale write with its term-%d token (number %d) met the store unavailable, and COMMITTED",
				doc.Service, e.Unit, e.Term, e.Write))
		case w.outcome == unknown:
			res.appliedLate++
		}
		seen[e.Write] = true
	}
	var missing []int
	for n, w := range writes {
		if w.service == doc.Service && w.outcome == committed && !w.stale && !seen[n] {
			missing = append(missing, n)
		}
	}
	slices.Sort(missing)
	for _, n := range missing {
		add("write number %d, by %s in term %d, was seen committed but is not in the log", n, writes[n].unit, writes[n].term)
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
	return res
}

// printSummary prints the summary table, the problems found and the
// verdict.
func printSummary(out io.Writer, res result, elapsed time.Duration) {
	fmt.Fprintf(out, "\nsummary after %s\n", seconds(elapsed))
	row := func(name string, value any, note string) {
		fmt.Fprintf(out, "  %-26s %5v   %s\n", name, value, note)
	}
	row("leaders elected", res.elected, electedBreakdown(res))
	printOutage(row, res.outage)
	row("graceful handover", len(res.handovers), spread(res.handovers,
		"from resigning (stop acting, revoke) to the next leader"))
	same := slices.Clone(res.handovers)
	for _, d := range res.across {
		if i := slices.Index(same, d); i >= 0 {
			same = slices.Delete(same, i, i+1)
		}
	}
	row("  across controllers", len(res.across), spread(res.across,
		fmt.Sprintf("the next leader's controller sees the revoke at its next poll of the store (every %s)", clockPoll)))
	row("  same controller", len(same), spread(same, "the controller releases its waiting units at once"))
	row("crash failover", len(res.failovers), spread(res.failovers,
		fmt.Sprintf("from the crash to the next leader (the %s lease runs out first; managers read the store every %s)",
			res.lease, res.lease/4)))
	logged := fmt.Sprintf("%d found in the settings documents", res.loggedWrites)
	if res.appliedLate > 0 {
		logged += fmt.Sprintf(", %d more than seen: of unknown outcome, applied after all", res.appliedLate)
	}
	row("guarded writes committed", res.committed, logged)
	row("guarded writes aborted", res.aborted, "a leader lost its lease during the write")
	row("guarded writes unavailable", res.unavailable, unavailableSummary(res))
	row("stale writes aborted", res.staleAborted, "old token, after losing leadership")
	if res.staleUnknown > 0 {
		row("stale writes unavailable", res.staleUnknown, "the store did not answer; the audit found them in the log if they committed")
	}
	row("stale writes committed", res.staleCommits, "must be 0")
	row("two leaders at once", len(res.overlaps), "must be 0")
	row("leader-only work runs", res.work.runs, res.work.describe())
	row("  two units' work at once", len(res.work.overlaps), "must be 0: each acted only while its leader context was live")
	row("database audit problems", len(res.auditProblems), "must be 0")
	row("controllers killed", res.kills, "")
	row("stopped by themselves", res.selfStops, "managers and trackers stopped without Kill; must be 0")
	row("unexpected errors", len(res.problems), "must be 0")
	calls := storeSummary(res.storeCalls, res.slowCalls, res.lease)
	if res.outage.calls > 0 {
		calls += fmt.Sprintf("; not counting %d during the outage", res.outage.calls)
	}
	row("store calls", len(res.storeCalls), calls)
	for _, p := range slices.Concat(res.overlaps, res.work.overlaps, res.staleFound, res.auditProblems) {
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
	case res.outage.ran:
		fmt.Fprintln(out, "OK: at most one leader per service at every observed moment; every stale write aborted; every service led again after the outage.")
	default:
		fmt.Fprintln(out, "OK: at most one leader per service at every observed moment; every stale write aborted.")
	}
}

// printOutage prints the rows about the outage.
func printOutage(row func(name string, value any, note string), o outageResult) {
	switch {
	case o.none != "":
		row("database outage", "none", o.none)
		return
	case !o.ran:
		row("database outage", "none", "the run ended before it")
		return
	}
	calls := "no store call met it"
	if o.calls > 0 {
		calls = fmt.Sprintf("%s met it, the longest waited %s", plural(o.calls, "store call"), seconds(o.longest))
	}
	row("database outage", seconds(o.answered-o.started), fmt.Sprintf(
		"from %s to %s: its primary stepped down, as in a failover; %s", seconds(o.started), seconds(o.answered), calls))
	led := fmt.Sprintf("%d/%d", len(o.recovered), len(o.recovered)+len(o.notRecovered))
	if len(o.notRecovered) > 0 {
		row("led again after outage", led, fmt.Sprintf("NOT led again by the end of the run: %s", strings.Join(o.notRecovered, ", ")))
		return
	}
	kept := ""
	if o.kept > 0 {
		kept = fmt.Sprintf("; %d led through it", o.kept)
	}
	row("led again after outage", led, fmt.Sprintf(
		"every service within %s of the database answering%s; no manager or tracker was restarted", seconds(o.recovery()), kept))
}

// unavailableSummary describes the guarded writes that met a store that
// did not answer.
func unavailableSummary(res result) string {
	var parts []string
	if res.unavailable > 0 {
		parts = append(parts, fmt.Sprintf("outcome unknown: the audit found %d applied, %d not", res.appliedLate, res.unavailable-res.appliedLate))
		if res.unavailableOutside > 0 {
			parts = append(parts, fmt.Sprintf("%d of them outside the outage", res.unavailableOutside))
		}
	}
	if res.checksUnavailable > 0 {
		parts = append(parts, fmt.Sprintf("%s met it too (no write)", plural(res.checksUnavailable, "leadership check")))
	}
	if len(parts) == 0 {
		return "the store did not answer (expected during an outage, and not a failure)"
	}
	return "the store did not answer (expected during an outage, and not a failure); " + strings.Join(parts, "; ")
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
		{res.afterUnrevoked, "after a resignation without a revoke"},
		{res.afterUnended, "before the leader before learnt its guarantee had run out"},
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
	o := res.outage
	switch n := len(o.notRecovered); {
	case o.planned > 0 && !o.ran:
		why = append(why, "the outage did not happen")
	case n == 1:
		why = append(why, fmt.Sprintf("%s was not led again after the outage", o.notRecovered[0]))
	case n > 1:
		why = append(why, fmt.Sprintf("%d services (%s) were not led again after the outage", n, strings.Join(o.notRecovered, ", ")))
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
