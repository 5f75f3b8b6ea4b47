package main

import (
	"bytes"
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
	s.rec.wrote(t)

	res := summarize(s.rec, []string{"redis", "mysql"}, map[string]settingsDoc{
		"redis": {Service: "redis", Version: 1, Leader: "redis/0", Term: 4, Log: []logEntry{{"redis/0", 4}}},
	})
	c.Check(res.elected, gc.Equals, 6)
	c.Check(res.firstLeaders+len(res.handovers)+len(res.failovers)+res.afterLost+res.afterInterrupted+res.afterUnended,
		gc.Equals, res.elected)
	c.Check(res.auditProblems, gc.HasLen, 0)
	c.Check(res.ok(), jc.IsTrue)
	s.out.Reset()
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "  leaders elected                6   2 first leaders, 1 after a resignation, "+
		"1 after a crash, 1 after a leader lost its lease, 1 after a leader's controller was killed\n")
	c.Check(s.out.String(), jc.Contains, "\nOK: at most one leader")
}

func (s *summarySuite) TestLeaderlessServiceIsNoProgress(c *gc.C) {
	t := s.rec.led("redis", "redis/0", "controller-0", s.at(0), s.at(2))
	s.rec.wrote(t)
	res := summarize(s.rec, []string{"redis", "mysql", "nginx"}, map[string]settingsDoc{
		"redis": {Service: "redis", Version: 1, Leader: "redis/0", Term: 1, Log: []logEntry{{"redis/0", 1}}},
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
		observer.Observe(leadership.Event{Kind: leadership.EventStore, Call: "ExtendLease", Duration: d})
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
	s.out.Reset()
	printSummary(&s.out, res, 20*time.Second)
	c.Check(s.out.String(), jc.Contains, "  store calls                    4   median 600ms, max 1.2s (30% of the lease); 3 over lease/10, when the managers log \"slow store\"\n")
	c.Check(s.out.String(), jc.Contains, "WARNING: store calls took up to 1.2s, 30% of the 4s lease")
	c.Check(s.out.String(), jc.Contains, "Try a longer lease: -lease 12s -run 1m0s\n")
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
