package mongotest_test

import (
	"os"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// serverFixture gives each test a fresh Server.
type serverFixture struct {
	// embedded skips the suite against an external server: its tests
	// need the fault hooks or a fresh server's users.
	embedded bool
	// replicaSet makes the server a member of replica set setName, on
	// clock, and implies embedded.
	replicaSet bool

	server *mongotest.Server
	// clock is the replica-set member's fake clock.
	clock *leasetest.Clock
}

func (f *serverFixture) SetUpTest(c *gc.C) {
	var opts mongotest.Options
	if f.embedded || f.replicaSet {
		embeddedOnly(c)
	}
	if f.replicaSet {
		f.clock = leasetest.NewClock(clocktest.Start)
		opts = mongotest.Options{ReplicaSet: setName, Clock: f.clock}
	}
	var err error
	f.server, err = mongotest.StartWith(opts)
	c.Assert(err, jc.ErrorIsNil)
}

func (f *serverFixture) TearDownTest(c *gc.C) {
	if f.server != nil {
		c.Check(f.server.Close(), jc.ErrorIsNil)
	}
}

// fixture gives each test a fresh Server and a session to it.
type fixture struct {
	serverFixture
	session *mgo.Session
	db      *mgo.Database
}

func (f *fixture) SetUpTest(c *gc.C) {
	f.serverFixture.SetUpTest(c)
	var err error
	f.session, err = f.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	f.db = f.session.DB("")
}

func (f *fixture) TearDownTest(c *gc.C) {
	if f.session != nil {
		f.session.Close()
	}
	f.serverFixture.TearDownTest(c)
}

// startDialed starts a server with opts and dials it; closeBoth closes
// the session, then the server. Tests that need more than one server, or
// none for some of their cases, use it instead of a fixture.
func startDialed(c *gc.C, opts mongotest.Options) (server *mongotest.Server, session *mgo.Session, closeBoth func()) {
	server, err := mongotest.StartWith(opts)
	c.Assert(err, jc.ErrorIsNil)
	session, err = server.Dial()
	if err != nil {
		server.Close()
		c.Fatalf("cannot dial the server: %v", err)
	}
	return server, session, func() {
		session.Close()
		server.Close()
	}
}

// embeddedOnly skips the test against an external server, whose fault
// hooks are not supported. Call it before SetUpTest starts anything:
// gocheck skips TearDownTest when SetUpTest skips.
func embeddedOnly(c *gc.C) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		c.Skip("needs the embedded server")
	}
}

// checkCount checks that q, a collection or a query, counts want
// documents.
func checkCount(c *gc.C, q interface{ Count() (int, error) }, want int) {
	n, err := q.Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, want)
}
