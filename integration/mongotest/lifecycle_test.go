package mongotest_test

import (
	"os"
	"strings"

	jc "github.com/juju/testing/checkers"
	"go.uber.org/goleak"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// LifecycleSuite checks what a Server leaves behind once closed, and what
// Start makes of an external server. Its tests start their own servers,
// set environment variables (restored after each test), and need the
// embedded server.
type LifecycleSuite struct {
	restore []func() // what setenv changed, to undo after the test
}

var _ = gc.Suite(&LifecycleSuite{})

func (s *LifecycleSuite) SetUpTest(c *gc.C) {
	embeddedOnly(c)
}

func (s *LifecycleSuite) TearDownTest(c *gc.C) {
	for i := len(s.restore) - 1; i >= 0; i-- {
		s.restore[i]()
	}
	s.restore = nil
}

// setenv sets the environment variable name to value until the test
// ends, as testing.T's Setenv does.
func (s *LifecycleSuite) setenv(c *gc.C, name, value string) {
	old, had := os.LookupEnv(name)
	c.Assert(os.Setenv(name, value), jc.ErrorIsNil)
	s.restore = append(s.restore, func() {
		if had {
			os.Setenv(name, old)
		} else {
			os.Unsetenv(name)
		}
	})
}

// TestCloseLeavesNoGoroutines uses every part of a server, including the
// fault hooks, and closes it while a client is still connected: no
// goroutine of the server's may be left behind.
func (s *LifecycleSuite) TestCloseLeavesNoGoroutines(c *gc.C) {
	defer goleak.VerifyNone(c, append(mgoGoroutines, goleak.IgnoreCurrent())...)

	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	session, err := server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	coll := session.DB("").C("things")
	for i := 0; i < 5; i++ {
		c.Assert(coll.Insert(bson.M{"_id": i}), jc.ErrorIsNil)
	}
	// Leave a cursor open on the server.
	iter := coll.Find(nil).Batch(2).Iter()
	var doc bson.M
	c.Assert(iter.Next(&doc), jc.IsTrue, gc.Commentf("%v", iter.Err()))
	c.Assert(server.Restart(), jc.ErrorIsNil)
	session.Refresh()
	c.Assert(coll.Insert(bson.M{"_id": "after restart"}), jc.ErrorIsNil)
	server.DropConnections()
	session.Refresh()
	c.Assert(coll.Insert(bson.M{"_id": "after drop"}), jc.ErrorIsNil)

	c.Assert(server.Close(), jc.ErrorIsNil)
	c.Check(coll.Insert(bson.M{"_id": "after close"}), gc.NotNil, gc.Commentf("insert after Close succeeded"))
}

// TestCloseRemovesData checks that Close removes the data directory.
func (s *LifecycleSuite) TestCloseRemovesData(c *gc.C) {
	tmp := c.MkDir()
	s.setenv(c, "TMPDIR", tmp)
	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(dirEntries(c, tmp), gc.HasLen, 1, gc.Commentf("entries Start made in TMPDIR"))
	c.Assert(server.Close(), jc.ErrorIsNil)
	c.Check(dirEntries(c, tmp), gc.HasLen, 0, gc.Commentf("entries Close left in TMPDIR"))
}

func dirEntries(c *gc.C, dir string) []os.DirEntry {
	entries, err := os.ReadDir(dir)
	c.Assert(err, jc.ErrorIsNil)
	return entries
}

// TestExternalServer points LEADERSHIP_MONGO_URL at an embedded server, to
// check what Start does with an external one: a database of its own per
// Server, dropped on Close, and fault hooks that say they are unsupported.
func (s *LifecycleSuite) TestExternalServer(c *gc.C) {
	backing, admin, closeBoth := startDialed(c, mongotest.Options{})
	defer closeBoth()

	s.setenv(c, "LEADERSHIP_MONGO_URL", "mongodb://"+backing.Addr()+"/admin")
	var names []string
	for i := 0; i < 2; i++ {
		names = append(names, useExternal(c, backing.Addr(), admin))
	}
	c.Check(names[0] != names[1] && strings.HasPrefix(names[0], "mongotest_"), jc.IsTrue, gc.Commentf("database names: %q", names))
	dbs, err := admin.DatabaseNames()
	c.Assert(err, jc.ErrorIsNil)
	for _, db := range dbs {
		c.Check(db == names[0] || db == names[1], jc.IsFalse, gc.Commentf("Close left database %s behind", db))
	}
}

// useExternal starts a Server, which must use the external server at
// addr, checks it, closes it and returns the name of its database.
func useExternal(c *gc.C, addr string, admin *mgo.Session) string {
	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	defer func() {
		c.Check(server.Close(), jc.ErrorIsNil)
	}()
	c.Check(server.Addr(), gc.Equals, addr)
	session, err := server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	db := session.DB("")
	c.Assert(db.C("things").Insert(bson.M{"_id": 1}), jc.ErrorIsNil)
	n, err := admin.DB(db.Name).C("things").Count()
	c.Check(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 1, gc.Commentf("documents in %s on the external server", db.Name))
	c.Check(server.Commands(), gc.Equals, int64(-1))
	for what, err := range map[string]error{"Stop": server.Stop(), "Restart": server.Restart()} {
		c.Check(err, gc.ErrorMatches, ".*not supported against an external server.*", gc.Commentf("%s", what))
	}
	server.DropConnections()
	c.Check(session.Ping(), jc.ErrorIsNil, gc.Commentf("DropConnections dropped a connection to an external server"))
	return db.Name
}
