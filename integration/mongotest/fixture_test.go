package mongotest_test

import (
	"os"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// serverFixture gives each test a fresh Server.
type serverFixture struct {
	server *mongotest.Server
}

func (f *serverFixture) SetUpTest(c *gc.C) {
	var err error
	f.server, err = mongotest.Start()
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

// embeddedOnly skips the test against an external server, whose fault
// hooks are not supported. Call it before SetUpTest starts anything:
// gocheck skips TearDownTest when SetUpTest skips.
func embeddedOnly(c *gc.C) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		c.Skip("needs the embedded server")
	}
}
