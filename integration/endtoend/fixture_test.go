package endtoend_test

import (
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

const (
	// txnCollection is shared by the lease clients and the tests' own
	// transactions: tokens only fence transactions in the same one.
	txnCollection = "txns"
	namespace     = "service-leadership"
	leases        = "leases"

	// longWait is how long a test waits for something that must happen.
	longWait = 10 * time.Second
)

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// mongoSuite gives each test a fresh server and a database on it.
type mongoSuite struct {
	server  *mongotest.Server
	session *mgo.Session
	db      *mgo.Database
	// cleanups run at the end of each test, last first.
	cleanups []func(*gc.C)
}

// addCleanup arranges for f to run at the end of the test.
func (s *mongoSuite) addCleanup(f func(*gc.C)) {
	s.cleanups = append(s.cleanups, f)
}

func (s *mongoSuite) SetUpTest(c *gc.C) {
	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	s.server = server
	session, err := server.Dial()
	if err != nil {
		server.Close()
		c.Fatalf("cannot dial: %v", err)
	}
	s.session = session
	s.db = session.DB("")
}

func (s *mongoSuite) TearDownTest(c *gc.C) {
	// Managers stop first, while the server still runs.
	for i := len(s.cleanups) - 1; i >= 0; i-- {
		s.cleanups[i](c)
	}
	s.cleanups = nil
	if s.session != nil {
		s.session.Close()
		s.session = nil
	}
	if s.server != nil {
		s.server.Close()
		s.server = nil
	}
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
	client, err := lease.NewClient(lease.ClientConfig{
		Id:         id,
		Namespace:  namespace,
		Collection: leases,
		Mongo:      lease.NewMongo(s.db, txnCollection),
		Clock:      clock,
	})
	c.Assert(err, jc.ErrorIsNil)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:    client,
		Clock:     clock,
		MaxSleep:  time.Minute,
		ClockPoll: poll,
	})
	c.Assert(err, jc.ErrorIsNil)
	s.addCleanup(func(c *gc.C) {
		manager.Kill()
		c.Check(manager.Wait(), jc.ErrorIsNil)
	})
	return manager
}

// runFenced runs, in a transaction of the test's own, the token's
// assertions and the insertion of a settings document with the given id.
func (s *mongoSuite) runFenced(token leadership.Token, id string) error {
	ops := append(token.AssertOps(), txn.Op{
		C:      "settings",
		Id:     id,
		Assert: txn.DocMissing,
		Insert: bson.M{"written-by": id},
	})
	return txn.NewRunner(s.db.C(txnCollection)).Run(ops, "", nil)
}

// waitReleased waits until the manager has no leader for the service.
func waitReleased(c *gc.C, manager leadership.Manager, service string) {
	done := make(chan error, 1)
	go func() {
		done <- manager.BlockUntilLeadershipReleased(service)
	}()
	select {
	case err := <-done:
		c.Assert(err, jc.ErrorIsNil)
	case <-time.After(longWait):
		c.Fatalf("leadership of %q never released", service)
	}
}
