package endtoend_test

import (
	"fmt"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

const (
	// longWait is how long a test waits for something that must happen.
	longWait = 10 * time.Second
)

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// mongoSuite gives each test a fresh server and a database on it; the
// managers it starts stop, at the end of the test, before the server.
type mongoSuite struct {
	mongofixture.Suite
}

// startManager starts a manager over a new lease client with the given
// Id and clock, and stops it, checking it stopped cleanly, at the end of
// the test.
func (s *mongoSuite) startManager(c *gc.C, id string, clock lease.Clock) leadership.ManagerWorker {
	return s.startManagerPolling(c, id, clock, 0)
}

// startManagerPolling is startManager with the given ClockPoll (zero: the
// default).
func (s *mongoSuite) startManagerPolling(c *gc.C, id string, clock lease.Clock, poll time.Duration) leadership.ManagerWorker {
	return s.startManagerWith(c, id, clock, leadership.ManagerConfig{MaxSleep: time.Minute, ClockPoll: poll})
}

// startManagerWith is startManager with the rest of the manager's
// configuration from config, whose Client and Clock it sets.
func (s *mongoSuite) startManagerWith(c *gc.C, id string, clock lease.Clock, config leadership.ManagerConfig) leadership.ManagerWorker {
	client, err := s.NewClient(id, clock)
	c.Assert(err, jc.ErrorIsNil)
	config.Client, config.Clock = client, clock
	manager, err := leadership.NewManager(config)
	c.Assert(err, jc.ErrorIsNil)
	s.AddCleanup(func(c *gc.C) {
		manager.Kill()
		c.Check(manager.Wait(), jc.ErrorIsNil)
	})
	return manager
}

// startPair starts two controllers' managers, as startManager does:
// "machine-0" on clockA and "machine-1" on clockB.
func (s *mongoSuite) startPair(c *gc.C, clockA, clockB lease.Clock) (leadership.ManagerWorker, leadership.ManagerWorker) {
	return s.startManager(c, "machine-0", clockA), s.startManager(c, "machine-1", clockB)
}

// runFenced runs, in a transaction of the test's own, the token's
// assertions and the insertion of a settings document with the given id.
func (s *mongoSuite) runFenced(token leadership.Token, id string) error {
	return s.RunTxn(append(token.AssertOps(), txn.Op{
		C:      "settings",
		Id:     id,
		Assert: txn.DocMissing,
		Insert: bson.M{"written-by": id},
	}))
}

// goErr runs f in a goroutine of its own, and returns a channel that
// receives its result.
func goErr(f func() error) <-chan error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	return done
}

// waitNil waits for the error from done, and asserts it is nil; past
// longWait it fails the test with the message never.
func waitNil(c *gc.C, done <-chan error, never string) {
	select {
	case err := <-done:
		c.Assert(err, jc.ErrorIsNil)
	case <-time.After(longWait):
		c.Fatalf("%s", never)
	}
}

// waitReleased waits until the manager has no leader for the service.
func waitReleased(c *gc.C, manager leadership.Manager, service string) {
	waitNil(c, goErr(func() error { return manager.BlockUntilLeadershipReleased(service) }),
		fmt.Sprintf("leadership of %q never released", service))
}
