package mongotest_test

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// hookSuite checks the replies that the fault hooks change, on raw
// connections; translatorSuite checks what mgo sees of them through
// mgowire.
type hookSuite struct {
	serverFixture
}

var _ = gc.Suite(&hookSuite{serverFixture{embedded: true}})

func insertCmd(docs ...bson.M) bson.D {
	return bson.D{{Name: "insert", Value: "things"}, {Name: "documents", Value: docs}}
}

func countCmd() bson.D {
	return bson.D{{Name: "count", Value: "things"}}
}

// notPrimary and notSecondaryOk are the refusals of a write and of a
// primary read by a member that is not primary, less their
// topologyVersion (see withoutTV).
var (
	notPrimary     = bson.M{"ok": 0.0, "code": 10107, "codeName": "NotWritablePrimary", "errmsg": "not primary"}
	notSecondaryOk = bson.M{"ok": 0.0, "code": 13435, "codeName": "NotPrimaryNoSecondaryOk", "errmsg": "not primary and secondaryOk=false"}
)

// withoutTV checks that the reply has the server's topologyVersion, as
// MongoDB 4.4 and later put in a not-primary error, and returns the
// reply without it.
func withoutTV(c *gc.C, server *mongotest.Server, reply bson.M) bson.M {
	tv, ok := reply["topologyVersion"].(bson.M)
	c.Check(ok, jc.IsTrue, gc.Commentf("no topologyVersion in %v", reply))
	if ok {
		top := server.Topology()
		c.Check(tv, jc.DeepEquals, bson.M{"processId": bson.ObjectIdHex(top.ProcessID), "counter": top.Counter})
	}
	out := bson.M{}
	for k, v := range reply {
		if k != "topologyVersion" {
			out[k] = v
		}
	}
	return out
}

func (s *hookSuite) TestFailNotPrimaryAny(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailNotPrimary("", 2), jc.ErrorIsNil)
	c.Check(s.server.PendingFaults(), gc.Equals, 2)

	// Monitoring commands pass.
	c.Check(conn.run("admin", bson.D{{Name: "ping", Value: 1}})["ok"], gc.Equals, 1.0)
	c.Check(conn.run("admin", bson.D{{Name: "hello", Value: 1}})["ok"], gc.Equals, 1.0)
	// So do the commands that a secondary runs: buildInfo, and reads
	// that allow secondaries.
	c.Check(conn.run("admin", bson.D{{Name: "buildInfo", Value: 1}})["ok"], gc.Equals, 1.0)
	secondaryCount := append(countCmd(), bson.DocElem{Name: "$readPreference", Value: bson.M{"mode": "primaryPreferred"}})
	c.Check(conn.run("test", secondaryCount)["ok"], gc.Equals, 1.0)
	c.Check(s.server.PendingFaults(), gc.Equals, 2)
	// The next write and primary read fail, as a secondary refuses them,
	// and are not run.
	c.Check(withoutTV(c, s.server, conn.run("test", insertCmd(bson.M{"_id": 1}))), jc.DeepEquals, notPrimary)
	c.Check(withoutTV(c, s.server, conn.run("test", countCmd())), jc.DeepEquals, notSecondaryOk)
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
	c.Check(withoutTV(c, s.server, conn.run("test", fam)), jc.DeepEquals, notPrimary)
	c.Check(conn.run("test", fam)["ok"], gc.Equals, 1.0)
	doc := conn.run("test", bson.D{{Name: "find", Value: "things"}})
	c.Check(doc["cursor"].(bson.M)["firstBatch"], jc.DeepEquals, []interface{}{bson.M{"_id": 1, "n": 2}})
}

// majority is the write concern of a write that waits for a majority,
// with a wtimeout.
var majority = bson.DocElem{Name: "writeConcern", Value: bson.D{{Name: "w", Value: "majority"}, {Name: "wtimeout", Value: 5000}}}

// wtimeoutError is the writeConcernError of a majority write (see
// majority) that timed out, as MongoDB 4.4 and later report it.
var wtimeoutError = bson.M{
	"code": 64, "codeName": "WriteConcernFailed", "errmsg": "waiting for replication timed out",
	"errInfo": bson.M{"wtimeout": true, "writeConcern": bson.M{"w": "majority", "wtimeout": 5000, "provenance": "clientSupplied"}},
}

func (s *hookSuite) TestFailWriteConcern(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailWriteConcern("", 1), jc.ErrorIsNil)
	c.Assert(s.server.FailWriteConcern("findAndModify", 1), jc.ErrorIsNil)
	// Not a write: unchanged.
	c.Check(conn.run("test", countCmd()), jc.DeepEquals, bson.M{"ok": 1.0, "n": 0})
	// Writes that MongoDB never reports a wtimeout for pass, and do not
	// use up the hooks: w: 1, no write concern (the implicit default is
	// w: 1 on a standalone), a majority without a wtimeout.
	w1 := bson.DocElem{Name: "writeConcern", Value: bson.M{"w": 1, "wtimeout": 5000}}
	c.Check(conn.run("test", append(insertCmd(bson.M{"_id": 10}), w1)), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 11})), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	noTimeout := bson.DocElem{Name: "writeConcern", Value: bson.M{"w": "majority"}}
	c.Check(conn.run("test", append(insertCmd(bson.M{"_id": 12}), noTimeout)), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	c.Check(s.server.PendingFaults(), gc.Equals, 2)
	// The write is applied, and its reply says the write concern failed.
	c.Check(conn.run("test", append(insertCmd(bson.M{"_id": 1, "n": 1}), majority)), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1, "writeConcernError": wtimeoutError})
	c.Check(conn.run("test", append(insertCmd(bson.M{"_id": 2}), majority)), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	fam := conn.run("test", bson.D{{Name: "findAndModify", Value: "things"}, {Name: "query", Value: bson.M{"_id": 1}}, {Name: "update", Value: bson.M{"$inc": bson.M{"n": 1}}}, {Name: "new", Value: true}, majority})
	c.Check(fam["value"], jc.DeepEquals, bson.M{"_id": 1, "n": 2})
	c.Check(fam["writeConcernError"], jc.DeepEquals, wtimeoutError)
	c.Check(fam["topologyVersion"], gc.IsNil) // a wtimeout is not a not-primary error
	c.Check(conn.run("test", countCmd())["n"], gc.Equals, 5)
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
}

// TestFailWriteConcernNamedRead checks that a hook named for a command
// that is not a write never fires: MongoDB reports write concern errors
// on writes alone.
func (s *hookSuite) TestFailWriteConcernNamedRead(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailWriteConcern("count", 1), jc.ErrorIsNil)
	c.Check(conn.run("test", countCmd()), jc.DeepEquals, bson.M{"ok": 1.0, "n": 0})
	c.Check(s.server.PendingFaults(), gc.Equals, 1)
}

// TestFailWriteConcernCode checks the writeConcernErrors of a step-down
// or a shutdown during the wait for replication: they need no wtimeout,
// carry the topologyVersion, and label a retryable write's reply.
func (s *hookSuite) TestFailWriteConcernCode(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	noTimeout := bson.DocElem{Name: "writeConcern", Value: bson.M{"w": "majority"}}
	for i, t := range []struct {
		code   mongotest.Code
		name   string
		errmsg string
	}{
		{mongotest.CodePrimarySteppedDown, "PrimarySteppedDown", "Primary stepped down while waiting for replication"},
		{mongotest.CodeInterruptedDueToReplStateChange, "InterruptedDueToReplStateChange", "operation was interrupted"},
		{mongotest.CodeShutdownInProgress, "ShutdownInProgress", "Replication is being shut down"},
	} {
		c.Logf("code %d", t.code)
		c.Check(t.code.String(), gc.Equals, t.name)
		c.Assert(s.server.FailWriteConcernCode("insert", 1, t.code), jc.ErrorIsNil)
		want := bson.M{
			"code": int(t.code), "codeName": t.name, "errmsg": t.errmsg,
			"errInfo": bson.M{"writeConcern": bson.M{"w": "majority", "wtimeout": 0, "provenance": "clientSupplied"}},
		}
		reply := conn.run("test", append(insertCmd(bson.M{"_id": i}), noTimeout))
		c.Check(reply["writeConcernError"], jc.DeepEquals, want)
		c.Check(reply["n"], gc.Equals, 1)
		c.Check(reply["errorLabels"], gc.IsNil) // not a retryable write
		withoutTV(c, s.server, reply)

		// A retryable write gets the label; its retry is answered from
		// the first attempt, without running it again.
		c.Assert(s.server.FailWriteConcernCode("", 1, t.code), jc.ErrorIsNil)
		retryable := append(insertCmd(bson.M{"_id": 100 + i}), noTimeout,
			bson.DocElem{Name: "lsid", Value: bson.M{"id": bson.Binary{Kind: 4, Data: []byte("0123456789abcdef")}}},
			bson.DocElem{Name: "txnNumber", Value: int64(1 + i)})
		reply = conn.run("test", retryable)
		c.Check(reply["errorLabels"], jc.DeepEquals, []interface{}{"RetryableWriteError"})
		c.Check(reply["writeConcernError"].(bson.M)["code"], gc.Equals, int(t.code))
		c.Check(conn.run("test", retryable), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	}
	c.Check(conn.run("test", countCmd())["n"], gc.Equals, 6)
	c.Check(s.server.FailWriteConcernCode("", 1, 50), gc.ErrorMatches, "mongotest: FailWriteConcernCode: code 50 is not one of 64, 189, 11602 and 91")
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
