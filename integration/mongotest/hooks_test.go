package mongotest_test

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
)

// hookSuite checks the replies that the fault hooks change, on raw
// connections; translatorSuite checks what mgo sees of them through
// mgowire.
type hookSuite struct {
	serverFixture
}

var _ = gc.Suite(&hookSuite{})

func (s *hookSuite) SetUpTest(c *gc.C) {
	embeddedOnly(c)
	s.serverFixture.SetUpTest(c)
}

func insertCmd(docs ...bson.M) bson.D {
	return bson.D{{Name: "insert", Value: "things"}, {Name: "documents", Value: docs}}
}

func countCmd() bson.D {
	return bson.D{{Name: "count", Value: "things"}}
}

var notPrimary = bson.M{"ok": 0.0, "code": 10107, "codeName": "NotWritablePrimary", "errmsg": "not primary"}

func (s *hookSuite) TestFailNotPrimaryAny(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailNotPrimary("", 2), jc.ErrorIsNil)
	c.Check(s.server.PendingFaults(), gc.Equals, 2)

	// Monitoring commands pass.
	c.Check(conn.run("admin", bson.D{{Name: "ping", Value: 1}})["ok"], gc.Equals, 1.0)
	c.Check(conn.run("admin", bson.D{{Name: "hello", Value: 1}})["ok"], gc.Equals, 1.0)
	// The next two commands fail, and are not run.
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 1})), jc.DeepEquals, notPrimary)
	c.Check(conn.run("test", countCmd()), jc.DeepEquals, notPrimary)
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 2}))["n"], gc.Equals, 1)
	c.Check(conn.run("test", countCmd())["n"], gc.Equals, 1)
}

func (s *hookSuite) TestFailNotPrimaryNamed(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailNotPrimary("FINDANDMODIFY", 1), jc.ErrorIsNil)
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 1, "n": 1}))["n"], gc.Equals, 1)
	fam := bson.D{{Name: "findandmodify", Value: "things"}, {Name: "query", Value: bson.M{"_id": 1}}, {Name: "update", Value: bson.M{"$inc": bson.M{"n": 1}}}}
	c.Check(conn.run("test", fam), jc.DeepEquals, notPrimary)
	c.Check(conn.run("test", fam)["ok"], gc.Equals, 1.0)
	doc := conn.run("test", bson.D{{Name: "find", Value: "things"}})
	c.Check(doc["cursor"].(bson.M)["firstBatch"], jc.DeepEquals, []interface{}{bson.M{"_id": 1, "n": 2}})
}

func (s *hookSuite) TestFailWriteConcern(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailWriteConcern("", 1), jc.ErrorIsNil)
	c.Assert(s.server.FailWriteConcern("findAndModify", 1), jc.ErrorIsNil)
	// Not a write: unchanged.
	c.Check(conn.run("test", countCmd()), jc.DeepEquals, bson.M{"ok": 1.0, "n": 0})
	wce := bson.M{"code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting for replication timed out", "errInfo": bson.M{"wtimeout": true}}
	// The write is applied, and its reply says the write concern failed.
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 1, "n": 1})), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1, "writeConcernError": wce})
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 2})), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	fam := conn.run("test", bson.D{{Name: "findAndModify", Value: "things"}, {Name: "query", Value: bson.M{"_id": 1}}, {Name: "update", Value: bson.M{"$inc": bson.M{"n": 1}}}, {Name: "new", Value: true}})
	c.Check(fam["value"], jc.DeepEquals, bson.M{"_id": 1, "n": 2})
	c.Check(fam["writeConcernError"], jc.DeepEquals, wce)
	c.Check(conn.run("test", countCmd())["n"], gc.Equals, 2)
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
}

func (s *hookSuite) TestClearFaults(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailNotPrimary("", 3), jc.ErrorIsNil)
	c.Assert(s.server.FailWriteConcern("", 2), jc.ErrorIsNil)
	c.Check(s.server.PendingFaults(), gc.Equals, 5)
	s.server.ClearFaults()
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 1})), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
}

func (s *hookSuite) TestBadCounts(c *gc.C) {
	c.Check(s.server.FailNotPrimary("insert", -1), gc.ErrorMatches, "mongotest: FailNotPrimary: negative count -1")
	c.Check(s.server.FailWriteConcern("", -2), gc.ErrorMatches, "mongotest: FailWriteConcern: negative count -2")
	c.Check(s.server.FailNotPrimary("insert", 0), jc.ErrorIsNil)
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
}
