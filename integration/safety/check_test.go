package safety_test

import (
	"fmt"
	"sort"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
)

// finish ends a run: it lets mgo/txn finish any transaction that was
// interrupted, restarts every stopped manager, and moves time on, with the
// managers running, past every lease's expiry and MaxSleep. Then every
// lease must have been expired, every transaction must be finished, and
// every block released.
func (w *world) finish() {
	w.setStep(stepFinal)
	for _, tr := range w.trackers {
		if tr.tracker != nil {
			w.killTracker(tr)
		}
	}
	if err := txn.NewRunner(w.db.C(txnsC)).ResumeAll(); err != nil {
		w.violate("unfinished-txn", fmt.Sprintf("cannot resume interrupted transactions: %v", err), stepFinal)
	}
	for _, n := range w.nodes {
		if n.cur == nil {
			w.startNode(n)
		}
	}
	horizon := durations[len(durations)-1] + 3*maxSleep + w.jumped + time.Minute
	for passed := time.Duration(0); passed < horizon; passed += maxSleep / 2 {
		w.run(event{kind: evAdvance, dur: maxSleep / 2})
		for _, n := range w.nodes {
			if n.cur == nil {
				w.startNode(n)
			}
		}
	}
	for _, n := range w.nodes {
		if n.cur == nil {
			w.violate("not-running", fmt.Sprintf("m%d is still not running at the end", n.index), stepFinal)
		}
	}

	var leases []struct {
		Id     string `bson:"_id"`
		Holder string `bson:"holder"`
		Expiry int64  `bson:"expiry"`
		Writer string `bson:"writer"`
	}
	// A released lease keeps its document, with an empty holder.
	if err := w.db.C(leasesC).Find(bson.M{"type": "lease", "holder": bson.M{"$ne": ""}}).All(&leases); err != nil {
		w.violate("not-expired", fmt.Sprintf("cannot read leases: %v", err), stepFinal)
	}
	for _, l := range leases {
		w.violate("not-expired", fmt.Sprintf("lease %s (held by %s, written by %s, expiry %s) never expired",
			l.Id, l.Holder, l.Writer, time.Unix(0, l.Expiry).Format(time.RFC3339Nano)), stepFinal)
	}
	// mgo/txn states: 5 aborted, 6 applied.
	n, err := w.db.C(txnsC).Find(bson.M{"s": bson.M{"$nin": []int{5, 6}}}).Count()
	if err != nil || n > 0 {
		w.violate("unfinished-txn", fmt.Sprintf("%d transactions unfinished (%v)", n, err), stepFinal)
	}

	for _, b := range w.blocks {
		select {
		case err := <-b.done:
			b.done <- err // for close
			if err != nil && !(err == leadership.ErrStopped && b.inc.isStopped()) {
				w.violate("block", fmt.Sprintf("block of #%d on m%d for %s: %v", b.step, b.node, b.svc, err), b.step)
			}
		case <-time.After(longWait):
			w.violate("block", fmt.Sprintf("block of #%d on m%d for %s never released", b.step, b.node, b.svc), b.step)
			return
		}
	}
}

// term is the stretch of global time that a successful claim guaranteed
// its unit: from the start of the call for the claimed duration.
type term struct {
	rec
	from, to time.Duration
}

// checkHistory checks the history against the guarantees:
//   - no two units of a service are ever guaranteed leadership at once (a
//     unit's guarantee ends where its leadership is revoked);
//   - a guarded write commits only while its unit holds the lease in the
//     database, and never while another unit is guaranteed leadership;
//   - a tracker's true ClaimLeader is kept: see checkTrackerClaims.
func (w *world) checkHistory() {
	terms := map[string][]term{}
	for i, r := range w.hist {
		if r.op != "claim" || r.result != "ok" {
			continue
		}
		t := term{r, r.at - r.took, r.at - r.took + r.dur}
		// A revoke of the unit's leadership after the claim ends its
		// guarantee just before it.
		for _, v := range w.hist[i+1:] {
			if v.op == "revoke" && v.result == "ok" && v.svc == r.svc && v.unit == r.unit && v.at <= t.to {
				t.to = v.at - time.Nanosecond
				break
			}
		}
		terms[r.svc] = append(terms[r.svc], t)
	}
	w.checkTrackerClaims()
	w.checkTermWrites()
	svcs := make([]string, 0, len(terms))
	for svc := range terms {
		svcs = append(svcs, svc)
	}
	sort.Strings(svcs)
	for _, svc := range svcs {
		ts := terms[svc]
		for i, a := range ts {
			for _, b := range ts[i+1:] {
				if a.unit != b.unit && a.from <= b.to && b.from <= a.to {
					w.violate("two-leaders", fmt.Sprintf("two leaders of %s: %s guaranteed [%v, %v] by #%d, %s guaranteed [%v, %v] by #%d",
						svc, a.unit, a.from, a.to, a.step, b.unit, b.from, b.to, b.step), a.step, b.step)
				}
			}
		}
	}
	for _, r := range w.hist {
		if r.op != "write" || r.result != "ok" {
			continue
		}
		if r.holder != r.unit {
			w.violate("stale-write", fmt.Sprintf("%s's write at %v committed while the lease was held by %s",
				r.unit, r.at, r.holder), r.step)
		}
		for _, t := range terms[r.svc] {
			if t.unit != r.unit && t.from <= r.at && r.at <= t.to {
				w.violate("stale-write", fmt.Sprintf("%s's write at %v committed while %s was guaranteed [%v, %v] by #%d",
					r.unit, r.at, t.unit, t.from, t.to, t.step), t.step, r.step)
			}
		}
	}
}

// checkTermWrites checks the committed term-writes: each committed only
// while its unit held the lease in its token's term; a service's terms
// never went back from one committed term-write to the next (a stale
// term's commit after a newer term's, which a fencing token forbids);
// and no term was seen with two units.
func (w *world) checkTermWrites() {
	highest := map[string]rec{}
	units := map[string]map[int64]string{}
	for _, r := range w.hist {
		if r.op != "term-write" || r.result != "ok" {
			continue
		}
		if r.holder != r.unit || r.docTerm != r.term {
			w.violate("stale-term-write", fmt.Sprintf("%s's write with a term-%d token at %v committed while the lease was held by %s in term %d",
				r.unit, r.term, r.at, r.holder, r.docTerm), r.step)
		}
		if last, found := highest[r.svc]; found && r.term < last.term {
			w.violate("term-went-back", fmt.Sprintf("%s's write with a term-%d token at %v committed after %s's with term %d at %v",
				r.unit, r.term, r.at, last.unit, last.term, last.at), last.step, r.step)
		}
		if last, found := highest[r.svc]; !found || r.term > last.term {
			highest[r.svc] = r
		}
		if units[r.svc] == nil {
			units[r.svc] = map[int64]string{}
		}
		if other, found := units[r.svc][r.term]; found && other != r.unit {
			w.violate("term-reused", fmt.Sprintf("term %d of %s seen held by %s and by %s", r.term, r.svc, other, r.unit), r.step)
		}
		units[r.svc][r.term] = r.unit
	}
}

// checkTrackerClaims checks that each true ClaimLeader a tracker gave at
// a time T was kept: until T plus ClaimDuration, or until the driver
// killed the tracker if sooner, nobody expired or revoked its unit's lease
// nor was granted it.
func (w *world) checkTrackerClaims() {
	for i, r := range w.hist {
		if r.op != "tracker-claim" {
			continue
		}
		end := r.at + r.dur
		for _, later := range w.hist[i+1:] {
			if later.at > end || (later.op == "tracker-kill" && later.tracker == r.tracker) {
				break
			}
			if later.svc != r.svc || later.result != "ok" {
				continue
			}
			switch {
			case later.op == "client-claim" && later.unit != r.unit,
				later.op == "client-expire",
				later.op == "client-revoke":
				w.violate("tracker-claim", fmt.Sprintf("%s's tracker guaranteed leadership at %v until %v, but m%d's %s of %s (%s) came at %v",
					r.unit, r.at, end, later.node, later.op, later.svc, later.unit, later.at), r.step, later.step)
			}
		}
	}
}
