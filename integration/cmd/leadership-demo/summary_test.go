package main

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// summarySuite checks the timeline and the summary without a database:
// a recorder fed by hand, stamped by a fake clock.
type summarySuite struct {
	out   bytes.Buffer
	clock *leasetest.Clock
	rec   *recorder
}

var _ = gc.Suite(&summarySuite{})

func (s *summarySuite) SetUpTest(c *gc.C) {
	s.out.Reset()
	s.clock = leasetest.NewClock(leasetest.Start)
	cfg := config{services: 2, units: 3, controllers: 2, lease: 4 * time.Second, runTime: 20 * time.Second}
	s.rec = newRecorder(&s.out, cfg, s.clock.Now())
	s.rec.clock = s.clock
}

// checkSummary prints res's summary of a 20s run on the emptied s.out,
// checks that it contains each of wants, and returns it.
func (s *summarySuite) checkSummary(c *gc.C, res result, wants ...string) string {
	s.out.Reset()
	printSummary(&s.out, res, 20*time.Second)
	for _, want := range wants {
		c.Check(s.out.String(), jc.Contains, want)
	}
	return s.out.String()
}

// at returns the instant sec seconds into the run.
func (s *summarySuite) at(sec float64) time.Time {
	return leasetest.Start.Add(time.Duration(sec * float64(time.Second)))
}

// moveTo moves the fake clock to sec seconds into the run.
func (s *summarySuite) moveTo(sec float64) {
	s.clock.Set(s.at(sec))
}

var stamp = regexp.MustCompile(`(?m)^ *([0-9]+\.[0-9]+)s  `)

func (s *summarySuite) TestStampsNeverRunBackwards(c *gc.C) {
	// A unit's ClaimLeader call began at 1s, but its answer came, and is
	// recorded, after another unit's resignation at 2s was printed.
	s.moveTo(2)
	first := s.rec.led("redis", "redis/0", "controller-0", s.at(0.5), s.at(2.5))
	s.moveTo(2.1)
	s.rec.resigned(s.at(2.1), first)
	s.moveTo(2.3)
	s.rec.led("redis", "redis/1", "controller-1", s.at(1), s.at(3))
	var last float64
	matches := stamp.FindAllStringSubmatch(s.out.String(), -1)
	c.Assert(matches, gc.HasLen, 3, gc.Commentf("%s", s.out.String()))
	for _, m := range matches {
		sec, err := strconv.ParseFloat(m[1], 64)
		c.Assert(err, jc.ErrorIsNil)
		c.Check(sec >= last, jc.IsTrue, gc.Commentf("stamps run backwards:\n%s", s.out.String()))
		last = sec
	}
	c.Check(s.out.String(), jc.Contains, "   2.30s  redis        redis/1 leads (term 2, via controller-1)")
}

func (s *summarySuite) TestBreakdownAddsUp(c *gc.C) {
	t := s.rec.led("redis", "redis/0", "controller-0", s.at(0), s.at(2))
	s.rec.resigned(s.at(1), t)
	t = s.rec.led("redis", "redis/1", "controller-1", s.at(2), s.at(4))
	s.rec.crashed(s.at(3), t)
	t = s.rec.led("redis", "redis/2", "controller-0", s.at(8), s.at(10))
	s.rec.lost(s.at(9), t, "its tracker says it is no longer leader")
	t = s.rec.led("redis", "redis/0", "controller-1", s.at(11), s.at(13))
	s.rec.interrupted(s.at(12), t, "its tracker stopped with its controller")
	s.rec.led("redis", "redis/1", "controller-1", s.at(14), s.at(16))
	s.rec.led("mysql", "mysql/0", "controller-0", s.at(0), s.at(2))
	n := s.rec.newWrite(t, false)
	s.rec.wrote(t, n)

	res := summarize(s.rec, []string{"redis", "mysql"}, map[string]settingsDoc{
		"redis": {Service: "redis", Version: 1, Leader: "redis/0", Term: 4, Log: []logEntry{{"redis/0", 4, n}}},
	})
	c.Check(res.elected, gc.Equals, 6)
	c.Check(res.firstLeaders+len(res.handovers)+len(res.failovers)+res.afterLost+res.afterInterrupted+res.afterUnrevoked+res.afterUnended,
		gc.Equals, res.elected)
	c.Check(res.auditProblems, gc.HasLen, 0)
	c.Check(res.ok(), jc.IsTrue)
	s.checkSummary(c, res,
		"  leaders elected                6   2 first leaders, 1 after a resignation, "+
			"1 after a crash, 1 after a leader lost its lease, 1 after a leader's controller was killed\n",
		"\nOK: at most one leader",
	)
}

func (s *summarySuite) TestLeaderlessServiceIsNoProgress(c *gc.C) {
	t := s.rec.led("redis", "redis/0", "controller-0", s.at(0), s.at(2))
	n := s.rec.newWrite(t, false)
	s.rec.wrote(t, n)
	res := summarize(s.rec, []string{"redis", "mysql", "nginx"}, map[string]settingsDoc{
		"redis": {Service: "redis", Version: 1, Leader: "redis/0", Term: 1, Log: []logEntry{{"redis/0", 1, n}}},
	})
	c.Check(res.safe(), jc.IsTrue)
	c.Check(res.progressed(), jc.IsFalse)
	c.Check(res.ok(), jc.IsFalse) // main exits 1
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains,
		"\nNO PROGRESS: 2 services (mysql, nginx) never had a leader in 20s. Nothing unsafe happened, but the run shows little.\n")
	c.Check(s.out.String(), gc.Not(jc.Contains), "OK:")
}

func (s *summarySuite) TestNoWritesIsNoProgress(c *gc.C) {
	s.rec.led("redis", "redis/0", "controller-0", s.at(0), s.at(2))
	res := summarize(s.rec, []string{"redis"}, nil)
	c.Check(res.ok(), jc.IsFalse)
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "\nNO PROGRESS: no guarded write committed. ")
}

func (s *summarySuite) TestSlowStoreWarns(c *gc.C) {
	observer := s.rec.observer("controller-1", nil)
	call := func(d time.Duration) {
		observer.Observe(leadership.Event{Kind: leadership.EventStore, Call: leadership.CallExtendLease, Duration: d})
	}
	call(100 * time.Millisecond) // 2.5% of the lease
	c.Check(s.out.String(), gc.Equals, "")
	call(500 * time.Millisecond) // over lease/10: warned
	call(600 * time.Millisecond) // not twice the last warned: counted only
	call(1200 * time.Millisecond)
	observer.Observe(leadership.Event{Kind: leadership.EventLeading, Result: leadership.ResultLeader})
	lines := strings.Split(strings.TrimSpace(s.out.String()), "\n")
	c.Assert(lines, gc.HasLen, 2, gc.Commentf("%s", s.out.String()))
	c.Check(lines[0], gc.Matches, `.*controller-1 slow store: ExtendLease took 0.5s, 12% of the 4s lease; handovers and failovers will be late \(try -lease 8s -run 40s\)`)
	c.Check(lines[1], gc.Matches, `.*controller-1 slow store: ExtendLease took 1.2s, 30% of the 4s lease; handovers and failovers will be late \(try -lease 12s -run 1m0s\)`)

	res := summarize(s.rec, nil, nil)
	c.Check(res.storeCalls, gc.HasLen, 4)
	c.Check(res.slowCalls, gc.Equals, 3)
	s.checkSummary(c, res,
		"  store calls                    4   median 600ms, max 1.2s (30% of the lease); 3 over lease/10, when the managers log \""+string(leadership.LogSlowStore)+"\"\n",
		"WARNING: store calls took up to 1.2s, 30% of the 4s lease",
		"Try a longer lease: -lease 12s -run 1m0s\n",
	)
}

func (s *summarySuite) TestSuggestLease(c *gc.C) {
	for _, test := range []struct {
		current, slowest, want time.Duration
	}{
		{4 * time.Second, 500 * time.Millisecond, 8 * time.Second},
		{4 * time.Second, 1200 * time.Millisecond, 12 * time.Second},
		{4 * time.Second, 1210 * time.Millisecond, 13 * time.Second},
		{time.Second, 2 * time.Second, 20 * time.Second},
	} {
		c.Check(suggestLease(test.current, test.slowest), gc.Equals, test.want, gc.Commentf("%v", test))
	}
}

// leadFor records a guarantee of unit's from sec seconds into the run, for
// the tracker's ClaimDuration of the suite's 4s lease (2s), with the
// fake clock moved to sec.
func (s *summarySuite) leadFor(service, unit, controller string, sec float64) *term {
	s.moveTo(sec)
	return s.rec.led(service, unit, controller, s.at(sec), s.at(sec+2))
}

// wroteAt records a committed guarded write of t's leader.
func (s *summarySuite) wroteAt(t *term) logEntry {
	n := s.rec.newWrite(t, false)
	s.rec.wrote(t, n)
	return logEntry{Unit: t.unit, Term: t.n, Write: n}
}

// progressed reports whether the recorder has signalled progress.
func (s *summarySuite) progressed() bool {
	select {
	case <-s.rec.progressMade():
		return true
	default:
		return false
	}
}

func (s *summarySuite) TestOutageRecovery(c *gc.C) {
	s.rec.planOutage(5 * time.Second)
	mysql := s.leadFor("mysql", "mysql/0", "controller-0", 1)
	wordpress := s.leadFor("wordpress", "wordpress/1", "controller-1", 1.5)
	mysqlLog := []logEntry{s.wroteAt(mysql)}
	wpLog := []logEntry{s.wroteAt(wordpress)}
	c.Check(s.progressed(), jc.IsFalse, gc.Commentf("the outage is still to come"))

	s.moveTo(9)
	s.rec.outageStarted(s.at(9), "its primary steps down")
	s.leadFor("mysql", "mysql/0", "controller-0", 9.2) // its guarantee runs to 11.2
	s.moveTo(11.3)
	s.rec.lost(s.at(11.3), mysql, "its tracker says it is no longer leader")
	// wordpress/1 asks during the outage, and is answered after it: its
	// guarantee spans the answer.
	s.moveTo(14)
	s.rec.outageEnded(s.at(14), "primary again")
	c.Check(s.progressed(), jc.IsFalse, gc.Commentf("no service led again yet"))
	s.moveTo(14.4)
	wordpress = s.rec.led("wordpress", "wordpress/1", "controller-1", s.at(13.9), s.at(15.9))
	c.Check(s.progressed(), jc.IsFalse, gc.Commentf("mysql not led again yet"))
	mysql = s.leadFor("mysql", "mysql/2", "controller-2", 15.5)
	c.Check(s.progressed(), jc.IsTrue)
	mysqlLog = append(mysqlLog, s.wroteAt(mysql))
	wpLog = append(wpLog, s.wroteAt(wordpress))

	c.Check(s.out.String(), jc.Contains, "   9.00s  database     DOWN for 5s: its primary steps down\n")
	c.Check(s.out.String(), jc.Contains, "  14.00s  database     UP after 5s: primary again\n")
	c.Check(s.out.String(), jc.Contains, "  14.40s  wordpress    wordpress/1 led through the outage: its guarantee spans the database's answer (term 1)\n")
	c.Check(s.out.String(), jc.Contains, "  15.50s  mysql        mysql/2 leads (term 2, via controller-2), 4.2s after mysql/0's term 1 ended (lost); led again 1.5s after the database answered\n")
	c.Check(s.out.String(), jc.Contains, "  15.50s  database     every service led again, the last 1.5s after the database answered\n")

	doc := func(service string, log []logEntry) settingsDoc {
		last := log[len(log)-1]
		return settingsDoc{Service: service, Leader: last.Unit, Term: last.Term, Version: len(log), Log: log}
	}
	res := summarize(s.rec, []string{"mysql", "wordpress"}, map[string]settingsDoc{
		"mysql":     doc("mysql", mysqlLog),
		"wordpress": doc("wordpress", wpLog),
	})
	c.Check(res.auditProblems, gc.HasLen, 0)
	c.Check(res.ok(), jc.IsTrue)
	c.Check(res.outage.ran, jc.IsTrue)
	c.Check(res.outage.started, gc.Equals, 9*time.Second)
	c.Check(res.outage.answered, gc.Equals, 14*time.Second)
	c.Check(res.outage.recovered, jc.DeepEquals, map[string]time.Duration{"mysql": 1500 * time.Millisecond, "wordpress": 0})
	c.Check(res.outage.notRecovered, gc.HasLen, 0)
	c.Check(res.outage.kept, gc.Equals, 1)
	c.Check(res.outage.recovery(), gc.Equals, 1500*time.Millisecond)
	s.checkSummary(c, res,
		"  database outage               5s   from 9s to 14s: its primary stepped down, as in a failover; no store call met it\n",
		"  led again after outage       2/2   every service within 1.5s of the database answering; 1 led through it; no manager or tracker was restarted\n",
		"\nOK: at most one leader per service at every observed moment; every stale write aborted; every service led again after the outage.\n",
	)
}

func (s *summarySuite) TestNotLedAgainIsNoProgress(c *gc.C) {
	s.rec.planOutage(5 * time.Second)
	mysql := s.leadFor("mysql", "mysql/0", "controller-0", 1)
	s.leadFor("wordpress", "wordpress/0", "controller-1", 1)
	entry := s.wroteAt(mysql)
	s.moveTo(9)
	s.rec.outageStarted(s.at(9), "its primary steps down")
	s.moveTo(14)
	s.rec.outageEnded(s.at(14), "primary again")
	s.leadFor("mysql", "mysql/1", "controller-1", 16)
	c.Check(s.progressed(), jc.IsFalse)

	res := summarize(s.rec, []string{"mysql", "wordpress"}, map[string]settingsDoc{
		"mysql": {Service: "mysql", Leader: "mysql/0", Term: 1, Version: 1, Log: []logEntry{entry}},
	})
	c.Check(res.safe(), jc.IsTrue)
	c.Check(res.progressed(), jc.IsFalse)
	c.Check(res.outage.notRecovered, jc.DeepEquals, []string{"wordpress"})
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "  led again after outage       1/2   NOT led again by the end of the run: wordpress\n")
	c.Check(s.out.String(), jc.Contains, "\nNO PROGRESS: wordpress was not led again after the outage. ")
}

func (s *summarySuite) TestNoOutage(c *gc.C) {
	s.rec.noOutage("the demo cannot stop a database it did not start (-mongo)")
	t := s.leadFor("mysql", "mysql/0", "controller-0", 1)
	s.leadFor("wordpress", "wordpress/0", "controller-1", 1)
	entry := s.wroteAt(t)
	c.Check(s.progressed(), jc.IsTrue)
	res := summarize(s.rec, []string{"mysql", "wordpress"}, map[string]settingsDoc{
		"mysql": {Service: "mysql", Leader: "mysql/0", Term: 1, Version: 1, Log: []logEntry{entry}},
	})
	c.Check(res.ok(), jc.IsTrue)
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "  database outage             none   the demo cannot stop a database it did not start (-mongo)\n")
	c.Check(s.out.String(), gc.Not(jc.Contains), "led again after outage")
	c.Check(s.out.String(), jc.Contains, "\nOK: at most one leader per service at every observed moment; every stale write aborted.\n")
}

func (s *summarySuite) TestHandoversAcrossControllers(c *gc.C) {
	// mysql/0 claims through controller-0, moves to controller-1 (its
	// controller died), and resigns there: a handover to a unit on
	// controller-1 is through the same controller.
	t := s.leadFor("mysql", "mysql/0", "controller-0", 1)
	s.leadFor("mysql", "mysql/0", "controller-1", 1.5)
	s.rec.resigned(s.at(2), t)
	s.rec.revoked(s.at(2.1), t)
	t = s.leadFor("mysql", "mysql/1", "controller-1", 2.15)
	s.rec.resigned(s.at(3), t)
	s.rec.revoked(s.at(3.1), t)
	t = s.leadFor("mysql", "mysql/2", "controller-2", 3.4)
	s.moveTo(4)
	s.rec.resigned(s.at(4), t)
	s.rec.notRevoked(s.at(4.1), t, storeCause(fmt.Errorf("cannot revoke leadership of %q for %q: %w", "mysql", "mysql/2",
		errors.New("lease store unavailable: not primary"))))
	s.leadFor("mysql", "mysql/0", "controller-0", 8.5)

	c.Check(s.out.String(), jc.Contains, "mysql/1 leads (term 2, via controller-1), 0.15s after mysql/0 resigned (through the same controller)\n")
	c.Check(s.out.String(), jc.Contains, "mysql/2 leads (term 3, via controller-2), 0.4s after mysql/1 resigned (across controllers, from controller-1)\n")
	c.Check(s.out.String(), jc.Contains, "mysql/2's tracker stopped, 0.1s after it resigned, but could not revoke (lease store unavailable: not primary): its lease runs out instead\n")
	c.Check(s.out.String(), jc.Contains, "mysql/0 leads (term 4, via controller-0), 4.5s after mysql/2 resigned (not revoked; its lease ran out)\n")
	res := summarize(s.rec, []string{"mysql"}, nil)
	c.Check(res.handovers, jc.DeepEquals, []time.Duration{150 * time.Millisecond, 400 * time.Millisecond})
	c.Check(res.across, jc.DeepEquals, []time.Duration{400 * time.Millisecond})
	c.Check(res.afterUnrevoked, gc.Equals, 1)
	c.Check(res.elected, gc.Equals, res.firstLeaders+len(res.handovers)+res.afterUnrevoked)
	s.checkSummary(c, res,
		"  graceful handover              2   min 0.15s, median 0.4s, max 0.4s from resigning (stop acting, revoke) to the next leader\n",
		"    across controllers           1   min 0.4s, median 0.4s, max 0.4s the next leader's controller sees the revoke at its next poll of the store (every 200ms)\n",
		"    same controller              1   min 0.15s, median 0.15s, max 0.15s the controller releases its waiting units at once\n",
		"  leaders elected                4   1 first leaders, 2 after a resignation, 0 after a crash, 1 after a resignation without a revoke\n",
	)
}

// TestUnknownOutcomes checks that writes that met the outage are not
// problems, and that the audit decides them: a leader's write found in the
// log was applied after all; a stale write found there committed.
func (s *summarySuite) TestUnknownOutcomes(c *gc.C) {
	s.rec.planOutage(5 * time.Second)
	old := s.leadFor("mysql", "mysql/0", "controller-0", 1)
	log := []logEntry{s.wroteAt(old)}
	s.moveTo(9)
	s.rec.outageStarted(s.at(9), "its primary steps down")
	late := s.rec.newWrite(old, false)
	s.rec.writeUnavailable(s.at(9.1), old, late, errors.New("lease store unavailable: not primary"))
	lost := s.rec.newWrite(old, false)
	s.rec.writeUnavailable(s.at(9.2), old, lost, errors.New("lease store unavailable: not primary"))
	s.rec.checkUnavailable(s.at(9.3), old, errors.New(`cannot check leadership of "mysql" for "mysql/0": lease store unavailable: no reachable servers`))
	s.rec.lost(s.at(11), old, "its tracker says it is no longer leader")
	s.moveTo(14)
	s.rec.outageEnded(s.at(14), "primary again")
	t := s.leadFor("mysql", "mysql/1", "controller-1", 15)
	stale := s.rec.newWrite(old, true)
	s.rec.stale(s.at(15.1), old, stale, errors.New("lease store unavailable: EOF"), false, true)
	log = append(log, logEntry{"mysql/0", 1, late}, s.wroteAt(t))
	c.Check(s.out.String(), jc.Contains, "mysql/0's guarded write 2 met the store unavailable (lease store unavailable: not primary): outcome unknown until the audit\n")
	c.Check(s.out.String(), jc.Contains, "mysql/0: CheckLeadership met the store unavailable (lease store unavailable: no reachable servers); no write\n")
	c.Check(s.out.String(), jc.Contains, "mysql/0 writes with its term-1 token: the store did not answer (lease store unavailable: EOF); the audit decides (leader is mysql/1)\n")

	doc := settingsDoc{Service: "mysql", Leader: "mysql/1", Term: 2, Version: len(log), Log: log}
	res := summarize(s.rec, []string{"mysql"}, map[string]settingsDoc{"mysql": doc})
	c.Check(res.problems, gc.HasLen, 0)
	c.Check(res.auditProblems, gc.HasLen, 0)
	c.Check(res.unavailable, gc.Equals, 2)
	c.Check(res.unavailableOutside, gc.Equals, 0)
	c.Check(res.appliedLate, gc.Equals, 1)
	c.Check(res.checksUnavailable, gc.Equals, 1)
	c.Check(res.staleUnknown, gc.Equals, 1)
	c.Check(res.staleCommits, gc.Equals, 0)
	c.Check(res.ok(), jc.IsTrue)
	s.checkSummary(c, res,
		"  guarded writes committed       2   3 found in the settings documents, 1 more than seen: of unknown outcome, applied after all\n",
		"  guarded writes unavailable     2   the store did not answer (expected during an outage, and not a failure); "+
			"outcome unknown: the audit found 1 applied, 1 not; 1 leadership check met it too (no write)\n",
	)

	// Had the stale write committed, the audit would have found it.
	doc.Log = append(doc.Log, logEntry{"mysql/0", 1, stale})
	doc.Version++
	res = summarize(s.rec, []string{"mysql"}, map[string]settingsDoc{"mysql": doc})
	c.Check(res.staleCommits, gc.Equals, 1)
	c.Check(res.safe(), jc.IsFalse)
	out := s.checkSummary(c, res,
		"  stale writes committed         1   must be 0\n",
		"  FAIL: mysql: mysql/0's stale write with its term-1 token (number 4) met the store unavailable, and COMMITTED\n",
	)
	c.Check(out, jc.HasSuffix, "\nFAILED\n")
}

// TestStoreCallsDuringOutage checks that the managers' store calls that
// overlap the outage are counted apart, not as slow.
func (s *summarySuite) TestStoreCallsDuringOutage(c *gc.C) {
	s.rec.planOutage(5 * time.Second)
	observer := s.rec.observer("controller-1", nil)
	call := func(endSec float64, d time.Duration) {
		s.moveTo(endSec)
		observer.Observe(leadership.Event{Kind: leadership.EventStore, Call: leadership.CallExtendLease, Duration: d, At: s.at(endSec)})
	}
	call(1, 10*time.Millisecond)
	s.rec.outageStarted(s.at(9), "its primary steps down")
	call(14.2, 5200*time.Millisecond) // started at 9: in the outage
	s.rec.outageEnded(s.at(14), "primary again")
	call(14.5, 600*time.Millisecond) // started at 13.9, before the answer
	call(15, 20*time.Millisecond)
	c.Check(s.out.String(), gc.Not(jc.Contains), "slow store")
	res := summarize(s.rec, nil, nil)
	c.Check(res.storeCalls, jc.DeepEquals, []time.Duration{10 * time.Millisecond, 20 * time.Millisecond})
	c.Check(res.slowCalls, gc.Equals, 0)
	c.Check(res.outage.calls, gc.Equals, 2)
	c.Check(res.outage.longest, gc.Equals, 5200*time.Millisecond)
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "its primary stepped down, as in a failover; 2 store calls met it, the longest waited 5.2s\n")
	c.Check(s.out.String(), jc.Contains, "; not counting 2 during the outage\n")
}

// TestStoppedByItselfFails checks that a tracker or manager that stopped
// without Kill fails the run.
func (s *summarySuite) TestStoppedByItselfFails(c *gc.C) {
	s.rec.stoppedByItself(s.at(1), "%s: tracker stopped by itself: %v", "mysql/0", errors.New("lease store unavailable: EOF"))
	res := summarize(s.rec, nil, nil)
	c.Check(res.selfStops, gc.Equals, 1)
	c.Check(res.safe(), jc.IsFalse)
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "  stopped by themselves          1   managers and trackers stopped without Kill; must be 0\n")
}
