package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}

// demoSuite runs the demo in-process, on the embedded server.
type demoSuite struct{}

var _ = gc.Suite(&demoSuite{})

// longWait is how long the demo may take beyond its run time before the
// test fails.
const longWait = 60 * time.Second

// TestRun runs a short demo. Each leader crashes between 0.5s and 4s
// after its election, its lease runs out at most 2s later, and it comes
// back 0.5s to 2s after that to make its stale write; a controller is
// killed after 35% to 60% of the run. The 15s run leaves room for a
// database slowed down by the race detector and by other tests running
// at the same time.
func (s *demoSuite) TestRun(c *gc.C) {
	cfg := config{services: 2, units: 3, controllers: 2, lease: 2 * time.Second, runTime: 15 * time.Second, seed: 7}
	var out bytes.Buffer
	type outcome struct {
		res result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := run(cfg, &out)
		done <- outcome{res, err}
	}()
	var o outcome
	select {
	case o = <-done:
	case <-time.After(cfg.runTime + longWait):
		c.Fatalf("demo still running after %s", cfg.runTime+longWait)
	}
	c.Logf("demo output:\n%s", out.String())
	c.Assert(o.err, jc.ErrorIsNil)
	res := o.res
	c.Check(res.safe(), jc.IsTrue)
	c.Check(res.problems, gc.HasLen, 0)
	c.Check(res.overlaps, gc.HasLen, 0)
	c.Check(res.auditProblems, gc.HasLen, 0)
	c.Check(res.staleCommits, gc.Equals, 0)
	// Every service should get a leader; on a loaded machine (the embedded
	// FerretDB slowed down by the race detector and other builds) one may
	// not within the run, so this asks for one at least. The safety checks
	// above hold whatever the load.
	c.Check(res.firstLeaders > 0, jc.IsTrue, gc.Commentf("%d first leaders", res.firstLeaders))
	// Leaders resign and crash at random moments of a slow run: how many
	// of each is not fixed (on a loaded machine a renewal can also miss its
	// term, and the unit counts itself a minion), but leadership must have
	// changed hands.
	c.Check(res.elected > res.firstLeaders, jc.IsTrue, gc.Commentf("%d leaders elected, %d of them first leaders", res.elected, res.firstLeaders))
	c.Check(res.committed > 0, jc.IsTrue)
	c.Check(res.loggedWrites, gc.Equals, res.committed)
	c.Check(res.staleAborted > 0, jc.IsTrue)
	c.Check(res.kills, gc.Equals, 1)
	// The verdict says OK only if every service had a leader; a loaded
	// machine may leave one leaderless, and the demo then says so.
	if res.progressed() {
		c.Check(out.String(), jc.Contains, "\nOK: at most one leader")
	} else {
		c.Check(out.String(), jc.Contains, "\nNO PROGRESS: ")
	}
	c.Check(out.String(), jc.Contains, "\n  store calls  ")
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
	cfg := config{services: 1, units: 2, controllers: 1, lease: time.Second, runTime: 2 * time.Second, seed: 1, mongoURL: url}
	var out bytes.Buffer
	res, err := run(cfg, &out)
	c.Logf("demo output:\n%s", out.String())
	c.Assert(err, jc.ErrorIsNil)
	c.Check(res.ok(), jc.IsTrue)
	c.Check(res.committed > 0, jc.IsTrue)
	c.Check(out.String(), gc.Matches, `(?s).*; database leadership_demo_[0-9a-f]{12} on .*`)

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
	})
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

// TestAudit checks the database audit against logs it must reject.
func (s *demoSuite) TestAudit(c *gc.C) {
	terms := []*term{{n: 1, unit: "redis/0"}, {n: 2, unit: "redis/1"}}
	doc := func(log ...logEntry) settingsDoc {
		d := settingsDoc{Service: "redis", Version: len(log), Log: log}
		if len(log) > 0 {
			d.Leader, d.Term = log[len(log)-1].Unit, log[len(log)-1].Term
		}
		return d
	}
	good := doc(logEntry{"redis/0", 1}, logEntry{"redis/1", 2})
	c.Check(audit(good, terms, 2), gc.HasLen, 0)
	c.Check(audit(good, terms, 3), jc.DeepEquals, []string{
		"redis: the database holds 2 guarded writes; the units saw 3 commit",
	})
	c.Check(audit(doc(logEntry{"redis/1", 2}, logEntry{"redis/0", 1}), terms, 2), jc.DeepEquals, []string{
		"redis: write 2, by redis/0 in term 1, committed after a write of term 2",
	})
	c.Check(audit(doc(logEntry{"redis/0", 2}), terms, 1), jc.DeepEquals, []string{
		"redis: write 1, by redis/0 in term 2, but redis/1 led term 2",
	})
	c.Check(audit(doc(logEntry{"redis/0", 3}), terms, 1), jc.DeepEquals, []string{
		"redis: write 1 claims term 3, which never started",
	})
}
