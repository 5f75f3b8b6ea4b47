package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}

// demoSuite runs the demo in-process, on the embedded server.
type demoSuite struct{}

var _ = gc.Suite(&demoSuite{})

// longWait is how long the demo may take beyond its run time and its
// progress wait before the test fails.
const longWait = 60 * time.Second

// testProgressWait is the demo's progress wait in these tests: how much
// longer than its run time a run may go on until every service has been
// led (again, after the outage) and a guarded write has committed. The
// machine may be loaded (the race detector, other tests, the embedded
// database on SQLite): the tests assert outcomes, and give them time.
const testProgressWait = 2 * time.Minute

// runDemo runs the demo with cfg, failing the test if it has not ended
// within its run time, its progress wait and longWait.
func runDemo(c *gc.C, cfg config, out io.Writer) result {
	type outcome struct {
		res result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := run(cfg, out)
		done <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(cfg.runTime + cfg.progressWait + longWait):
		c.Fatalf("demo still running after %s", cfg.runTime+cfg.progressWait+longWait)
	}
	c.Assert(o.err, jc.ErrorIsNil)
	return o.res
}

// TestRun runs a short demo, with an outage. Each leader crashes or
// resigns between 1s and 8s after its election; a crashed leader's lease
// runs out at most 4s later, and it comes back 1s to 4s after that to
// make its stale write; a controller is killed after 20% to 35% of the
// run, and the database is down for 4s, a lease, from 45%, so that every
// guarantee runs out in it. The lease is the demo's default: shorter
// leases, on a machine loaded enough that store calls take seconds (the
// race detector slows the embedded database too), leave no unit leader.
//
// The two units of each service talk to two controllers. With seed 930,
// every unit's first term ends in a resignation, within 2.7s, and the
// controller killed is controller-2, whose units move to controller-0:
// the two units of each service stay on two controllers, so that each
// graceful handover is across controllers.
func (s *demoSuite) TestRun(c *gc.C) {
	cfg := config{services: 2, units: 2, controllers: 3, lease: 4 * time.Second, runTime: 24 * time.Second,
		outage: 4 * time.Second, seed: 930, progressWait: testProgressWait}
	var out bytes.Buffer
	res := runDemo(c, cfg, &out)
	c.Logf("demo output:\n%s", out.String())
	// Safety, whatever the load.
	c.Check(res.safe(), jc.IsTrue)
	c.Check(res.problems, gc.HasLen, 0)
	c.Check(res.selfStops, gc.Equals, 0)
	c.Check(res.overlaps, gc.HasLen, 0)
	c.Check(res.auditProblems, gc.HasLen, 0)
	c.Check(res.staleCommits, gc.Equals, 0)
	// The outage happened, and every service was led again after it,
	// with nothing restarted; the run waits for that (testProgressWait).
	c.Check(res.outage.ran, jc.IsTrue)
	c.Check(res.outage.answered-res.outage.started >= cfg.outage, jc.IsTrue, gc.Commentf("outage from %s to %s", res.outage.started, res.outage.answered))
	c.Check(res.outage.notRecovered, gc.HasLen, 0)
	c.Check(res.outage.recovered, gc.HasLen, cfg.services)
	c.Check(res.progressed(), jc.IsTrue)
	c.Check(res.ok(), jc.IsTrue)
	// Leadership changed hands; guarded writes committed and the
	// database holds them.
	c.Check(res.firstLeaders, gc.Equals, cfg.services)
	c.Check(res.elected > res.firstLeaders, jc.IsTrue, gc.Commentf("%d leaders elected, %d of them first leaders", res.elected, res.firstLeaders))
	c.Check(res.committed > 0, jc.IsTrue)
	c.Check(res.loggedWrites, gc.Equals, res.committed+res.appliedLate)
	c.Check(res.kills, gc.Equals, 1)
	// The units' leader-only work ran under their trackers' leader
	// contexts, and no two units of a service acted at once, as the
	// work itself saw it. Every run that started ended, by leadership
	// lost, Kill (a resignation or a crash, from inside the work, which
	// the tracker waited for before revoking), its controller's stop, or
	// the end of the run.
	w := res.work
	c.Check(w.overlaps, gc.HasLen, 0)
	c.Check(w.runs >= res.firstLeaders, jc.IsTrue, gc.Commentf("%d work runs", w.runs))
	c.Check(w.acts >= res.committed, jc.IsTrue, gc.Commentf("%d acts, %d writes committed", w.acts, res.committed))
	c.Check(w.ended[workLost]+w.ended[workTerm]+w.ended[workKilled]+w.ended[workStopped]+w.ended[workDemo], gc.Equals, w.runs, gc.Commentf("ended %v", w.ended))
	c.Check(w.ended[workOther], gc.Equals, 0)
	// A graceful handover across controllers and a stale write aborted
	// need leaders that keep their leases until they resign: on a machine
	// so loaded that a store call takes more than a quarter of the lease,
	// leaders lose their leases first, and the run cannot show them.
	if slowest := slices.Max(append([]time.Duration{0}, res.storeCalls...)); slowest <= cfg.lease/4 {
		c.Check(len(res.across) > 0, jc.IsTrue, gc.Commentf("graceful handovers %v, across controllers %v", res.handovers, res.across))
		c.Check(res.staleAborted > 0, jc.IsTrue)
		c.Check(w.ended[workKilled] > 0, jc.IsTrue, gc.Commentf("work runs ended %v", w.ended))
		c.Check(regexp.MustCompile(`(?m)^    across controllers +[1-9][0-9]*   min `).MatchString(out.String()), jc.IsTrue)
	} else {
		c.Logf("a store call took %v, over a quarter of the %v lease: handovers and stale writes not checked", slowest, cfg.lease)
	}
	// The summary says so.
	for _, want := range []string{
		`(?m)^  database outage +[0-9.]+s   from [0-9.]+s to [0-9.]+s: its primary stepped down, as in a failover; `,
		`(?m)^  led again after outage +2/2   every service within [0-9.]+s of the database answering(; [0-9] led through it)?; no manager or tracker was restarted$`,
		`(?m)^  stale writes committed +0   must be 0$`,
		`(?m)^  two leaders at once +0   must be 0$`,
		`(?m)^  leader-only work runs +[1-9][0-9]*   under leader contexts, [0-9]+ acts; ended: `,
		`(?m)^    two units' work at once +0   must be 0`,
		`(?m)^  stopped by themselves +0   `,
		`(?m)^OK: at most one leader per service at every observed moment; every stale write aborted; every service led again after the outage\.$`,
	} {
		c.Check(regexp.MustCompile(want).MatchString(out.String()), jc.IsTrue, gc.Commentf("no match for %s", want))
	}
}

// TestRunMongoURL runs a short demo with -mongo, against a server of the
// test's own, and checks that the demo drops its database.
func (s *demoSuite) TestRunMongoURL(c *gc.C) {
	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	defer server.Close()
	url := os.Getenv("LEADERSHIP_MONGO_URL") // with credentials, if any
	if url == "" {
		url = "mongodb://" + server.Addr()
	}
	cfg := config{services: 1, units: 2, controllers: 1, lease: 4 * time.Second, runTime: 2 * time.Second, seed: 1, mongoURL: url,
		outage: time.Second, progressWait: testProgressWait}
	var out bytes.Buffer
	res := runDemo(c, cfg, &out)
	c.Logf("demo output:\n%s", out.String())
	c.Check(res.ok(), jc.IsTrue)
	c.Check(res.committed > 0, jc.IsTrue)
	c.Check(out.String(), gc.Matches, `(?s).*; database leadership_demo_[0-9a-f]{12} on .*`)
	// The demo cannot stop that database, and says so.
	c.Check(res.outage.ran, jc.IsFalse)
	c.Check(out.String(), jc.Contains, "\nno database outage: the demo cannot stop a database it did not start (-mongo); -outage 1s ignored\n")
	c.Check(out.String(), jc.Contains, "\n  database outage             none   the demo cannot stop a database it did not start (-mongo)\n")

	session, err := server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	names, err := session.DatabaseNames()
	c.Assert(err, jc.ErrorIsNil)
	c.Logf("databases after the demo: %q", names)
	for _, name := range names {
		c.Check(strings.HasPrefix(name, "leadership_demo_"), jc.IsFalse, gc.Commentf("database %s left behind", name))
	}
}

func (s *demoSuite) TestParseFlagsDefaults(c *gc.C) {
	cfg, err := parseFlags(nil, io.Discard)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(cfg, gc.Equals, config{
		services: 4, units: 3, controllers: 3,
		lease: 4 * time.Second, runTime: 20 * time.Second, seed: 1,
		outage: 5 * time.Second, progressWait: progressWait,
	})
}

func (s *demoSuite) TestParseFlagsOutage(c *gc.C) {
	cfg, err := parseFlags([]string{"-outage", "0"}, io.Discard)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(cfg.outage, gc.Equals, time.Duration(0))
	cfg, err = parseFlags([]string{"-run", "30s", "-outage", "15s"}, io.Discard)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(cfg.outage, gc.Equals, 15*time.Second)
	c.Check(cfg.runTime, gc.Equals, 30*time.Second)
	var usage bytes.Buffer
	_, err = parseFlags([]string{"-help"}, &usage)
	c.Check(err, gc.Equals, flag.ErrHelp)
	c.Check(usage.String(), gc.Matches, `(?s).*  -outage duration\n\s+how long the database is down, from 45% of the run: its primary steps down, as in a failover, and is elected again; 0 for no outage; .*not with -mongo.*`)
}

func (s *demoSuite) TestParseFlagsInvalid(c *gc.C) {
	for _, test := range []struct {
		args []string
		err  string
	}{
		{[]string{"-services", "0"}, `-services 0: need at least 1`},
		{[]string{"-units", "0"}, `-units 0: need at least 1`},
		{[]string{"-controllers", "0"}, `-controllers 0: need at least 1`},
		{[]string{"-lease", "10ms"}, `-lease 10ms: need at least 100ms`},
		{[]string{"-run", "0s"}, `-run 0s: must be positive`},
		{[]string{"-outage", "-1s"}, `-outage -1s: must be 0 \(no outage\) or positive`},
		{[]string{"-outage", "11s"}, `-outage 11s: at most half of -run 20s, so that the run goes on after it \(it starts at 45% of the run\)`},
		{[]string{"extra"}, `unexpected arguments \["extra"\]`},
	} {
		c.Logf("%q", test.args)
		_, err := parseFlags(test.args, io.Discard)
		c.Check(err, gc.ErrorMatches, test.err)
	}
}

// TestOverlaps checks the check itself: terms of different units that
// overlap are reported, touching and same-unit terms are not.
func (s *demoSuite) TestOverlaps(c *gc.C) {
	at := func(sec float64) time.Time {
		return time.Date(2073, 3, 3, 1, 0, 0, 5, time.UTC).Add(time.Duration(sec * float64(time.Second)))
	}
	terms := []*term{
		{n: 1, service: "redis", unit: "redis/0", claimed: at(0), end: at(4)},
		{n: 2, service: "redis", unit: "redis/0", claimed: at(4.5), end: at(8)},
		{n: 3, service: "redis", unit: "redis/1", claimed: at(8), end: at(12)},
	}
	c.Check(overlaps(terms), gc.HasLen, 0)
	terms = append(terms, &term{n: 4, service: "redis", unit: "redis/2", claimed: at(11.9), end: at(16)})
	c.Check(overlaps(terms), jc.DeepEquals, []string{"redis: redis/1 (term 3) and redis/2 (term 4) both led"})
}

// TestWorkOverlaps checks the check of leader-only work: runs of
// different units whose live spans overlap are reported; touching runs,
// runs of one unit and runs that never acted are not.
func (s *demoSuite) TestWorkOverlaps(c *gc.C) {
	at := func(sec float64) time.Time {
		return time.Date(2073, 3, 3, 1, 0, 0, 5, time.UTC).Add(time.Duration(sec * float64(time.Second)))
	}
	runs := []*workRun{
		{service: "redis", unit: "redis/0", started: at(0), lastLive: at(4)},
		{service: "redis", unit: "redis/0", started: at(3), lastLive: at(5)},
		{service: "redis", unit: "redis/1", started: at(5), lastLive: at(8)},
		{service: "redis", unit: "redis/2", started: at(6)},
	}
	c.Check(workOverlaps(runs), gc.HasLen, 0)
	runs = append(runs, &workRun{service: "redis", unit: "redis/2", started: at(7.9), lastLive: at(9)})
	c.Check(workOverlaps(runs), gc.HasLen, 1)
	c.Check(workOverlaps(runs)[0], gc.Matches, `redis: redis/1 and redis/2 both did leader-only work at once .*`)
}

// TestWorkEnd checks how a leader context's cause is counted.
func (s *demoSuite) TestWorkEnd(c *gc.C) {
	for _, test := range []struct {
		cause error
		want  workEnd
	}{
		{fmt.Errorf("claim: %w", leadership.ErrLeadershipLost), workLost},
		{leadership.ErrTermEnded, workTerm},
		{leadership.ErrTrackerKilled, workKilled},
		{fmt.Errorf("manager: %w", leadership.ErrStopped), workStopped},
		{errDemoStopped, workDemo},
		{leadership.ErrResigned, workOther},
		{context.Canceled, workOther},
	} {
		c.Check(workEndOf(test.cause), gc.Equals, test.want, gc.Commentf("%v", test.cause))
	}
}

// TestAudit checks the database audit against logs it must reject.
func (s *demoSuite) TestAudit(c *gc.C) {
	terms := []*term{{n: 1, unit: "redis/0"}, {n: 2, unit: "redis/1"}}
	writes := map[int]*writeRecord{
		1: {service: "redis", unit: "redis/0", term: 1, outcome: committed},
		2: {service: "redis", unit: "redis/1", term: 2, outcome: committed},
		3: {service: "redis", unit: "redis/1", term: 2, outcome: aborted},
		4: {service: "redis", unit: "redis/1", term: 2, outcome: unknown},
		5: {service: "redis", unit: "redis/0", term: 1, stale: true, outcome: unknown},
		6: {service: "mysql", unit: "mysql/0", term: 1, outcome: committed},
	}
	doc := func(log ...logEntry) settingsDoc {
		d := settingsDoc{Service: "redis", Version: len(log), Log: log}
		if len(log) > 0 {
			d.Leader, d.Term = log[len(log)-1].Unit, log[len(log)-1].Term
		}
		return d
	}
	w1, w2 := logEntry{"redis/0", 1, 1}, logEntry{"redis/1", 2, 2}
	good := audit(doc(w1, w2), terms, writes)
	c.Check(good.problems, gc.HasLen, 0)
	c.Check(good.appliedLate, gc.Equals, 0)
	c.Check(good.staleCommitted, gc.HasLen, 0)
	late := audit(doc(w1, w2, logEntry{"redis/1", 2, 4}), terms, writes)
	c.Check(late.problems, gc.HasLen, 0)
	c.Check(late.appliedLate, gc.Equals, 1)
	c.Check(audit(doc(w1), terms, writes).problems, jc.DeepEquals, []string{
		"redis: write number 2, by redis/1 in term 2, was seen committed but is not in the log",
	})
	c.Check(audit(doc(w1, w2, logEntry{"redis/1", 2, 3}), terms, writes).problems, jc.DeepEquals, []string{
		"redis: write 3, by redis/1 in term 2, aborted but is in the log (number 3)",
	})
	c.Check(audit(doc(w1, w2, w2), terms, writes).problems, jc.DeepEquals, []string{
		"redis: write 3, by redis/1 in term 2, is in the log twice (number 2)",
	})
	c.Check(audit(doc(w1, w2, logEntry{"mysql/0", 1, 6}), terms, writes).problems, jc.DeepEquals, []string{
		"redis: write 3, by mysql/0 in term 1, is not one the units made (number 6)",
		"redis: write 3, by mysql/0 in term 1, but redis/0 led term 1",
	})
	stale := audit(doc(w1, w2, logEntry{"redis/0", 1, 5}), terms, writes)
	c.Check(stale.staleCommitted, jc.DeepEquals, []string{
		"redis: redis/0's stale write with its term-1 token (number 5) met the store unavailable, and COMMITTED",
	})
	c.Check(stale.problems, jc.DeepEquals, []string{
		"redis: write 3, by redis/0 in term 1, committed after a write of term 2",
	})
	c.Check(audit(doc(w2, w1), terms, writes).problems, jc.DeepEquals, []string{
		"redis: write 2, by redis/0 in term 1, committed after a write of term 2",
	})
	wrongTerm := map[int]*writeRecord{1: {service: "redis", unit: "redis/0", term: 2, outcome: committed}}
	c.Check(audit(doc(logEntry{"redis/0", 2, 1}), terms, wrongTerm).problems, jc.DeepEquals, []string{
		"redis: write 1, by redis/0 in term 2, but redis/1 led term 2",
	})
	neverStarted := map[int]*writeRecord{1: {service: "redis", unit: "redis/0", term: 3, outcome: committed}}
	c.Check(audit(doc(logEntry{"redis/0", 3, 1}), terms, neverStarted).problems, jc.DeepEquals, []string{
		"redis: write 1 claims term 3, which never started",
	})
}

// TestStoreUnavailable checks which errors of a guarded write count as
// the store not answering (the outage) rather than as problems.
func (s *demoSuite) TestStoreUnavailable(c *gc.C) {
	for _, test := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{txn.ErrAborted, false},
		{io.EOF, true},
		{fmt.Errorf("cannot claim: %w", lease.ErrUnavailable), true},
		{errors.New("no reachable servers"), true},
		{&mgo.QueryError{Code: 13435, Message: "not primary and secondaryOk=false"}, true},
		{&mgo.LastError{Code: 64, WTimeout: true}, true},
		{errors.New("failed to reload transaction: not primary and secondaryOk=false"), true},
		{errors.New("failed to reload transaction: EOF"), true},
		{errors.New("failed to reload transaction: no reachable servers"), true},
		{errors.New("failed to reload transaction: not found"), false},
		{errors.New("cannot find transaction 5a"), false},
	} {
		c.Check(storeUnavailable(test.err), gc.Equals, test.want, gc.Commentf("%v", test.err))
	}
}
