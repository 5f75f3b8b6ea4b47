package mongotest_test

import (
	"encoding/binary"
	"net"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/clocktest"
)

// replSetSuite checks, on raw connections, what hello says of a server
// and what a replica-set member refuses during a step-down.
type replSetSuite struct {
	serverFixture
}

var _ = gc.Suite(&replSetSuite{serverFixture{replicaSet: true}})

// setName is the replica set of the suites' members.
const setName = "rs0"

// hello sends hello (or isMaster, if legacy) on conn and returns the reply.
func hello(conn *rawConn, legacy bool) bson.M {
	name := "hello"
	if legacy {
		name = "isMaster"
	}
	return conn.run("admin", bson.D{{Name: name, Value: 1}})
}

// electionID is hello's electionId for a term, as MongoDB makes it.
func electionID(term int64) bson.ObjectId {
	id := []byte{0x7f, 0xff, 0xff, 0xff}
	return bson.ObjectId(binary.BigEndian.AppendUint64(id, uint64(term)))
}

// checkPrimaryHello checks the fields of a primary's hello reply.
func (s *replSetSuite) checkPrimaryHello(c *gc.C, doc bson.M, role string, counter, term int64) {
	top := s.server.Topology()
	addr := s.server.Addr()
	c.Check(doc["topologyVersion"], jc.DeepEquals, bson.M{"processId": bson.ObjectIdHex(top.ProcessID), "counter": counter})
	c.Check(doc["setName"], gc.Equals, setName)
	c.Check(doc["setVersion"], gc.Equals, 1)
	c.Check(doc["hosts"], jc.DeepEquals, []interface{}{addr})
	c.Check(doc[role], gc.Equals, true)
	c.Check(doc["secondary"], gc.Equals, false)
	c.Check(doc["primary"], gc.Equals, addr)
	c.Check(doc["me"], gc.Equals, addr)
	c.Check(doc["electionId"], gc.Equals, electionID(term))
	c.Check(doc["ok"], gc.Equals, 1.0)
}

// checkSecondaryHello checks the fields of a stepped-down member's hello.
func (s *replSetSuite) checkSecondaryHello(c *gc.C, doc bson.M, role string, counter int64) {
	addr := s.server.Addr()
	c.Check(doc["topologyVersion"].(bson.M)["counter"], gc.Equals, counter)
	c.Check(doc["setName"], gc.Equals, setName)
	c.Check(doc["hosts"], jc.DeepEquals, []interface{}{addr})
	c.Check(doc[role], gc.Equals, false)
	c.Check(doc["secondary"], gc.Equals, true)
	c.Check(doc["me"], gc.Equals, addr)
	_, hasPrimary := doc["primary"]
	c.Check(hasPrimary, jc.IsFalse)
	_, hasElectionID := doc["electionId"]
	c.Check(hasElectionID, jc.IsFalse)
}

func (s *replSetSuite) TestHelloAsPrimary(c *gc.C) {
	top := s.server.Topology()
	c.Check(top.SetName, gc.Equals, setName)
	c.Check(top.Primary, jc.IsTrue)
	c.Check(top.Counter, gc.Equals, int64(0))
	c.Check(top.Term, gc.Equals, int64(1))
	c.Check(bson.IsObjectIdHex(top.ProcessID), jc.IsTrue)

	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	s.checkPrimaryHello(c, hello(conn, false), "isWritablePrimary", 0, 1)
	doc := hello(conn, true)
	s.checkPrimaryHello(c, doc, "ismaster", 0, 1)
	_, hasHelloField := doc["isWritablePrimary"]
	c.Check(hasHelloField, jc.IsFalse)

	// The OP_QUERY handshake says the same.
	_, doc = conn.query("admin.$cmd", marshal(c, bson.D{{Name: "isMaster", Value: 1}, {Name: "helloOk", Value: true}}))
	s.checkPrimaryHello(c, doc, "ismaster", 0, 1)
	c.Check(doc["helloOk"], gc.Equals, true)
}

func (s *replSetSuite) TestConnectionIDs(c *gc.C) {
	var last int
	for i := 0; i < 3; i++ {
		conn := dialRaw(c, s.server.Addr())
		id, ok := hello(conn, false)["connectionId"].(int)
		c.Check(ok, jc.IsTrue)
		c.Check(id > last, jc.IsTrue, gc.Commentf("connection %d has id %d after %d", i, id, last))
		// The same connection keeps its id.
		c.Check(hello(conn, true)["connectionId"], gc.Equals, id)
		last = id
		conn.Close()
	}
}

// countSecondaryOk is a count with a read preference that allows
// secondaries.
func countSecondaryOk(mode string) bson.D {
	return append(countCmd(), bson.DocElem{Name: "$readPreference", Value: bson.M{"mode": mode}})
}

// retryableInsert is an insert that a driver sends as a retryable write.
func retryableInsert(id int, txnNumber int64) bson.D {
	return append(insertCmd(bson.M{"_id": id}),
		bson.DocElem{Name: "lsid", Value: bson.M{"id": bson.Binary{Kind: 4, Data: []byte("fedcba9876543210")}}},
		bson.DocElem{Name: "txnNumber", Value: txnNumber})
}

func (s *replSetSuite) TestStepDownForADuration(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 1}))["n"], gc.Equals, 1)

	c.Assert(s.server.StepDown(10*time.Second), jc.ErrorIsNil)
	top := s.server.Topology()
	c.Check(top.Primary, jc.IsFalse)
	c.Check(top.Counter, gc.Equals, int64(1))
	c.Check(top.Term, gc.Equals, int64(1))
	c.Check(top.SteppedDownUntil.Equal(clocktest.Start.Add(10*time.Second)), jc.IsTrue)
	s.checkSecondaryHello(c, hello(conn, false), "isWritablePrimary", 1)
	s.checkSecondaryHello(c, hello(conn, true), "ismaster", 1)

	// Writes and primary reads are refused, and not run; reads that
	// allow secondaries, and what a secondary always runs, are served.
	c.Check(withoutTV(c, s.server, conn.run("test", insertCmd(bson.M{"_id": 2}))), jc.DeepEquals, notPrimary)
	c.Check(withoutTV(c, s.server, conn.run("test", countCmd())), jc.DeepEquals, notSecondaryOk)
	c.Check(withoutTV(c, s.server, conn.run("test", countSecondaryOk("primary"))), jc.DeepEquals, notSecondaryOk)
	createCmd := bson.D{{Name: "create", Value: "other"}}
	c.Check(withoutTV(c, s.server, conn.run("test", createCmd)), jc.DeepEquals, notPrimary)
	for _, mode := range []string{"primaryPreferred", "secondary", "secondaryPreferred", "nearest"} {
		c.Check(conn.run("test", countSecondaryOk(mode)), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1}, gc.Commentf("mode %s", mode))
	}
	c.Check(conn.run("admin", bson.D{{Name: "ping", Value: 1}})["ok"], gc.Equals, 1.0)
	c.Check(conn.run("admin", bson.D{{Name: "buildInfo", Value: 1}})["ok"], gc.Equals, 1.0)
	// A retryable write's refusal is labelled.
	reply := conn.run("test", retryableInsert(3, 1))
	c.Check(reply["errorLabels"], jc.DeepEquals, []interface{}{"RetryableWriteError"})
	c.Check(reply["code"], gc.Equals, 10107)

	// A second step-down is refused, as replSetStepDown on a secondary.
	c.Check(s.server.StepDown(time.Second), gc.ErrorMatches, "mongotest: StepDown: not primary so can't step down.*")

	// Just before its end, still secondary.
	s.clock.Advance(10*time.Second - time.Nanosecond)
	c.Check(s.server.Topology().Primary, jc.IsFalse)
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 2}))["code"], gc.Equals, 10107)

	// At its end, primary again in term 2, with a new topologyVersion.
	s.clock.Advance(time.Nanosecond)
	top = s.server.Topology()
	c.Check(top.Primary, jc.IsTrue)
	c.Check(top.Counter, gc.Equals, int64(2))
	c.Check(top.Term, gc.Equals, int64(2))
	c.Check(top.SteppedDownUntil.IsZero(), jc.IsTrue)
	s.checkPrimaryHello(c, hello(conn, false), "isWritablePrimary", 2, 2)
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 2}))["n"], gc.Equals, 1)
	// The refused retryable write was not run: its retry runs it.
	c.Check(conn.run("test", retryableInsert(3, 1)), jc.DeepEquals, bson.M{"ok": 1.0, "n": 1})
	c.Check(conn.run("test", countCmd())["n"], gc.Equals, 3)
}

// TestGetMoreDuringStepDown checks that a stepped-down member serves the
// getMore of a cursor opened with a read preference that allows
// secondaries, and refuses that of a cursor opened on the primary.
func (s *replSetSuite) TestGetMoreDuringStepDown(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Check(conn.run("test", insertCmd(bson.M{"_id": 1}, bson.M{"_id": 2}, bson.M{"_id": 3}))["n"], gc.Equals, 3)
	open := func(extra ...bson.DocElem) int64 {
		cmd := append(bson.D{{Name: "find", Value: "things"}, {Name: "batchSize", Value: 1}}, extra...)
		reply := conn.run("test", cmd)
		cursor, _ := reply["cursor"].(bson.M)
		id, ok := cursor["id"].(int64)
		c.Assert(ok && id != 0, jc.IsTrue, gc.Commentf("%v", reply))
		return id
	}
	getMore := func(id int64) bson.M {
		return conn.run("test", bson.D{{Name: "getMore", Value: id}, {Name: "collection", Value: "things"}, {Name: "batchSize", Value: 1}})
	}
	onPrimary := open()
	onSecondary := open(bson.DocElem{Name: "$readPreference", Value: bson.M{"mode": "secondaryPreferred"}})

	c.Assert(s.server.StepDown(0), jc.ErrorIsNil)
	c.Check(withoutTV(c, s.server, getMore(onPrimary)), jc.DeepEquals, notSecondaryOk)
	reply := getMore(onSecondary)
	c.Check(reply["ok"], gc.Equals, 1.0, gc.Commentf("%v", reply))
	cursor, _ := reply["cursor"].(bson.M)
	c.Check(cursor["nextBatch"], gc.HasLen, 1)
	// A cursor opened on the secondary is served too.
	during := open(bson.DocElem{Name: "$readPreference", Value: bson.M{"mode": "nearest"}})
	c.Check(getMore(during)["ok"], gc.Equals, 1.0)
}

func (s *replSetSuite) TestStepDownUntilStepUp(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.StepDown(0), jc.ErrorIsNil)
	c.Check(s.server.Topology().SteppedDownUntil.IsZero(), jc.IsTrue)
	s.clock.Advance(24 * time.Hour)
	s.checkSecondaryHello(c, hello(conn, false), "isWritablePrimary", 1)

	c.Assert(s.server.StepUp(), jc.ErrorIsNil)
	s.checkPrimaryHello(c, hello(conn, false), "isWritablePrimary", 2, 2)
	// StepUp on a primary does nothing.
	c.Assert(s.server.StepUp(), jc.ErrorIsNil)
	c.Check(s.server.Topology().Counter, gc.Equals, int64(2))

	// A timed step-down ended early by StepUp.
	c.Assert(s.server.StepDown(time.Minute), jc.ErrorIsNil)
	c.Assert(s.server.StepUp(), jc.ErrorIsNil)
	s.clock.Advance(time.Minute)
	top := s.server.Topology()
	c.Check(top.Primary, jc.IsTrue)
	c.Check(top.Counter, gc.Equals, int64(4))
	c.Check(top.Term, gc.Equals, int64(3))
	c.Check(s.clock.Alarms(), gc.HasLen, 0)
}

func (s *replSetSuite) TestStepDownBadDuration(c *gc.C) {
	c.Check(s.server.StepDown(-time.Second), gc.ErrorMatches, `mongotest: StepDown: negative step-down duration -1s: .*`)
	c.Check(s.server.Topology().Primary, jc.IsTrue)
}

// TestAwaitableHello checks the streaming protocol's hello: with the
// current topologyVersion it waits until the topology changes, then
// answers with the new one.
func (s *replSetSuite) TestAwaitableHello(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	tv := hello(conn, false)["topologyVersion"]
	awaitable := bson.D{{Name: "hello", Value: 1}, {Name: "topologyVersion", Value: tv}, {Name: "maxAwaitTimeMS", Value: int64(60000)}, {Name: "$db", Value: "admin"}}
	conn.send(opMsg(1<<16, marshal(c, awaitable))) // exhaustAllowed
	assertNoReply(c, conn)

	c.Assert(s.server.StepDown(10*time.Second), jc.ErrorIsNil)
	c.Assert(conn.SetReadDeadline(time.Now().Add(longWait)), jc.ErrorIsNil)
	doc := conn.readMsg()
	s.checkSecondaryHello(c, doc, "isWritablePrimary", 1)

	// The end of the step-down on the server's clock wakes it too.
	awaitable[1].Value = doc["topologyVersion"]
	conn.send(opMsg(0, marshal(c, awaitable)))
	assertNoReply(c, conn)
	s.clock.Advance(10 * time.Second)
	c.Assert(conn.SetReadDeadline(time.Now().Add(longWait)), jc.ErrorIsNil)
	s.checkPrimaryHello(c, conn.readMsg(), "isWritablePrimary", 2, 2)

	// A stale topologyVersion, or another processId, is answered at once.
	conn.send(opMsg(0, marshal(c, awaitable)))
	s.checkPrimaryHello(c, conn.readMsg(), "isWritablePrimary", 2, 2)
	awaitable[1].Value = bson.M{"processId": bson.NewObjectId(), "counter": int64(2)}
	conn.send(opMsg(0, marshal(c, awaitable)))
	s.checkPrimaryHello(c, conn.readMsg(), "isWritablePrimary", 2, 2)

	// A short maxAwaitTimeMS ends the wait on the wall clock.
	awaitable[1].Value = bson.M{"processId": bson.ObjectIdHex(s.server.Topology().ProcessID), "counter": int64(2)}
	awaitable[2].Value = int64(1)
	conn.send(opMsg(0, marshal(c, awaitable)))
	s.checkPrimaryHello(c, conn.readMsg(), "isWritablePrimary", 2, 2)
}

// TestAwaitableHelloDropped checks that DropConnections ends an awaitable
// hello's wait.
func (s *replSetSuite) TestAwaitableHelloDropped(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	tv := hello(conn, false)["topologyVersion"]
	conn.send(opMsg(0, marshal(c, bson.D{{Name: "hello", Value: 1}, {Name: "topologyVersion", Value: tv}, {Name: "maxAwaitTimeMS", Value: int64(60000)}, {Name: "$db", Value: "admin"}})))
	assertNoReply(c, conn)
	s.server.DropConnections()
	c.Assert(conn.SetReadDeadline(time.Now().Add(longWait)), jc.ErrorIsNil)
	conn.assertClosed()
}

func (s *replSetSuite) TestRestart(c *gc.C) {
	for i := 1; i <= 2; i++ {
		conn := dialRaw(c, s.server.Addr())
		c.Check(hello(conn, false)["connectionId"], gc.Equals, i)
		conn.Close()
	}
	before := s.server.Topology()
	c.Assert(s.server.StepDown(time.Minute), jc.ErrorIsNil)
	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	after := s.server.Topology()
	c.Check(after.ProcessID, gc.Not(gc.Equals), before.ProcessID)
	c.Check(after.Counter, gc.Equals, int64(0))
	c.Check(after.Term, gc.Equals, int64(2))
	c.Check(after.Primary, jc.IsTrue)
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	doc := hello(conn, false)
	s.checkPrimaryHello(c, doc, "isWritablePrimary", 0, 2)
	c.Check(doc["connectionId"], gc.Equals, 1)
}

// TestFailNotPrimaryOnReplicaSet checks that a one-off refusal carries
// the member's topologyVersion and leaves hello alone.
func (s *replSetSuite) TestFailNotPrimaryOnReplicaSet(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	c.Assert(s.server.FailNotPrimary("", 1), jc.ErrorIsNil)
	reply := conn.run("test", retryableInsert(1, 1))
	c.Check(reply["errorLabels"], jc.DeepEquals, []interface{}{"RetryableWriteError"})
	c.Check(reply["topologyVersion"], jc.DeepEquals, bson.M{"processId": bson.ObjectIdHex(s.server.Topology().ProcessID), "counter": int64(0)})
	s.checkPrimaryHello(c, hello(conn, false), "isWritablePrimary", 0, 1)
}

// standaloneSuite checks what a standalone server says in hello.
type standaloneSuite struct {
	serverFixture
}

var _ = gc.Suite(&standaloneSuite{serverFixture{embedded: true}})

func (s *standaloneSuite) TestHello(c *gc.C) {
	top := s.server.Topology()
	c.Check(top.SetName, gc.Equals, "")
	c.Check(top.Primary, jc.IsTrue)
	c.Check(top.Term, gc.Equals, int64(0))
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	for _, legacy := range []bool{false, true} {
		doc := hello(conn, legacy)
		c.Check(doc["topologyVersion"], jc.DeepEquals, bson.M{"processId": bson.ObjectIdHex(top.ProcessID), "counter": int64(0)})
		role := "isWritablePrimary"
		if legacy {
			role = "ismaster"
		}
		c.Check(doc[role], gc.Equals, true)
		for _, field := range []string{"setName", "hosts", "secondary", "primary", "me", "electionId", "setVersion"} {
			_, ok := doc[field]
			c.Check(ok, jc.IsFalse, gc.Commentf("standalone hello has %s", field))
		}
		c.Check(doc["connectionId"], gc.Equals, 1)
	}
	c.Check(s.server.StepDown(time.Second), gc.ErrorMatches, "mongotest: StepDown: the server is a standalone.*")
	c.Check(s.server.StepUp(), gc.ErrorMatches, "mongotest: StepUp: the server is a standalone.*")

	// A restart gives a new processId.
	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	after := s.server.Topology()
	c.Check(after.ProcessID, gc.Not(gc.Equals), top.ProcessID)
	c.Check(after.Term, gc.Equals, int64(0))
}

// assertNoReply checks that no reply arrives on conn within shortWait.
func assertNoReply(c *gc.C, conn *rawConn) {
	c.Assert(conn.SetReadDeadline(time.Now().Add(shortWait)), jc.ErrorIsNil)
	_, err := conn.Read(make([]byte, 1))
	ne, ok := err.(net.Error)
	c.Assert(ok && ne.Timeout(), jc.IsTrue, gc.Commentf("got %v, want no reply", err))
}
