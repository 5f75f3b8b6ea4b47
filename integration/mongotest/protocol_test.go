package mongotest_test

import (
	"encoding/binary"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// protocolSuite checks that the server speaks the wire protocol as
// MongoDB 6.0 and later do: OP_MSG, and OP_QUERY for the handshake only.
type protocolSuite struct {
	serverFixture
}

var _ = gc.Suite(&protocolSuite{serverFixture{embedded: true}})

const legacyText = `. The client driver may require an upgrade. For more details see https://dochub.mongodb.org/core/legacy-opcode-removal`

func (s *protocolSuite) TestHandshakeOverOpQuery(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	for _, cmd := range []interface{}{
		bson.D{{Name: "isMaster", Value: 1}},
		bson.D{{Name: "ismaster", Value: 1}},
		bson.D{{Name: "hello", Value: 1}},
		bson.D{{Name: "$query", Value: bson.D{{Name: "ismaster", Value: 1}}}, {Name: "$readPreference", Value: bson.M{"mode": "primaryPreferred"}}},
	} {
		flags, doc := conn.query("admin.$cmd", marshal(c, cmd))
		c.Check(flags, gc.Equals, int32(0))
		c.Check(doc["ok"], gc.Equals, 1.0, gc.Commentf("%v: %v", cmd, doc))
		c.Check(doc["maxWireVersion"].(int) >= 17, jc.IsTrue, gc.Commentf("%v", doc))
		c.Check(doc["setName"], gc.IsNil)
	}
}

// TestOnlyTheHandshakeOverOpQuery sends, as OP_QUERY, the commands that
// mgo.v2 sends that way: each fails with MongoDB's error 352.
func (s *protocolSuite) TestOnlyTheHandshakeOverOpQuery(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	for _, name := range []string{"getnonce", "ping", "find", "insert", "findAndModify", "saslStart", "logout"} {
		flags, doc := conn.query("test.$cmd", marshal(c, bson.D{{Name: name, Value: 1}}))
		c.Check(flags, gc.Equals, int32(0))
		c.Check(doc, jc.DeepEquals, bson.M{
			"ok": 0.0, "code": 352, "codeName": "UnsupportedOpQueryCommand",
			"errmsg": "Unsupported OP_QUERY command: " + name + legacyText,
		})
	}
	flags, doc := conn.query("test.things", marshal(c, bson.M{}))
	c.Check(flags, gc.Equals, int32(2)) // QueryFailure
	c.Check(doc["code"], gc.Equals, 5739101)
	c.Check(doc["$err"], gc.Equals, "OP_QUERY is no longer supported"+legacyText)
}

func (s *protocolSuite) TestNoGetnonce(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	doc := conn.run("admin", bson.D{{Name: "getnonce", Value: 1}})
	c.Check(doc["ok"], gc.Equals, 0.0)
	c.Check(doc["code"], gc.Equals, 59)
	c.Check(doc["errmsg"], gc.Matches, "no such command: 'getnonce'")
}

// TestLegacyOpcodesClose sends each legacy opcode that mgo.v2 can send
// after the handshake: the server closes the connection, as MongoDB 5.1
// and later do.
func (s *protocolSuite) TestLegacyOpcodesClose(c *gc.C) {
	ids := make([]byte, 8)
	binary.LittleEndian.PutUint64(ids, 12345)
	for _, msg := range [][]byte{
		message(2007, []byte{0, 0, 0, 0, 1, 0, 0, 0}, ids),                                       // OP_KILL_CURSORS
		message(2005, []byte{0, 0, 0, 0}, []byte("test.things\x00"), make([]byte, 4), ids),       // OP_GET_MORE
		message(2002, []byte{0, 0, 0, 0}, []byte("test.things\x00"), marshal(c, bson.M{"a": 1})), // OP_INSERT
		message(2001, []byte{0, 0, 0, 0}, []byte("test.things\x00"), make([]byte, 4), marshal(c, bson.M{}), marshal(c, bson.M{})),
		message(2006, []byte{0, 0, 0, 0}, []byte("test.things\x00"), make([]byte, 4), marshal(c, bson.M{})),
		message(2012, make([]byte, 9)), // OP_COMPRESSED, never negotiated
	} {
		conn := dialRaw(c, s.server.Addr())
		_, err := conn.Write(msg)
		c.Assert(err, jc.ErrorIsNil)
		conn.assertClosed()
		conn.Close()
	}
}

// TestPlainMgoFails dials with mgo.v2 alone, which speaks the legacy
// protocol: it cannot connect, as against a real MongoDB 7.
func (s *protocolSuite) TestPlainMgoFails(c *gc.C) {
	before := s.server.Connections()
	session, err := mgo.DialWithInfo(&mgo.DialInfo{
		Addrs: []string{s.server.Addr()}, Timeout: 2 * time.Second, FailFast: true,
	})
	if err == nil {
		session.Close()
	}
	c.Assert(err, gc.ErrorMatches, "no reachable servers")
	// It did reach the server, and was refused.
	c.Check(s.server.Connections() > before, jc.IsTrue)
}

func (s *protocolSuite) TestDocumentSequences(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	docs := [][]byte{
		marshal(c, bson.M{"_id": 1, "op": bson.M{"$set": bson.M{"a.b": 1}}}),
		marshal(c, bson.M{"_id": 2}),
	}
	conn.send(opMsg(0, marshal(c, bson.D{{Name: "insert", Value: "things"}, {Name: "$db", Value: "test"}}),
		sequence{id: "documents", docs: docs}))
	c.Check(conn.readMsg()["n"], gc.Equals, 2)

	doc := conn.run("test", bson.D{{Name: "find", Value: "things"}, {Name: "filter", Value: bson.M{"_id": 1}}})
	batch := doc["cursor"].(bson.M)["firstBatch"].([]interface{})
	c.Assert(batch, gc.HasLen, 1)
	c.Check(batch[0], jc.DeepEquals, bson.M{"_id": 1, "op": bson.M{"$set": bson.M{"a.b": 1}}})
}

// TestMoreToCome sends a request that asks for no reply: none comes, and
// the next request on the connection sees its effect.
func (s *protocolSuite) TestMoreToCome(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	conn.send(opMsg(2, marshal(c, bson.D{
		{Name: "insert", Value: "things"}, {Name: "documents", Value: []bson.M{{"_id": 1}}}, {Name: "$db", Value: "test"},
	})))
	doc := conn.run("test", bson.D{{Name: "count", Value: "things"}})
	c.Check(doc["n"], gc.Equals, 1)

	// A checksum is accepted (and not verified).
	conn.send(append(opMsg(1, marshal(c, bson.D{{Name: "ping", Value: 1}, {Name: "$db", Value: "test"}})), 1, 2, 3, 4))
	c.Check(conn.readMsg()["ok"], gc.Equals, 1.0)
}

// TestKillCursorsFromAnotherConnection kills a cursor through another
// connection than the one that opened it, as mgo.v2 may.
func (s *protocolSuite) TestKillCursorsFromAnotherConnection(c *gc.C) {
	a := dialRaw(c, s.server.Addr())
	defer a.Close()
	b := dialRaw(c, s.server.Addr())
	defer b.Close()
	a.run("test", bson.D{{Name: "insert", Value: "things"}, {Name: "documents", Value: []bson.M{{"_id": 1}, {"_id": 2}, {"_id": 3}}}})
	doc := a.run("test", bson.D{{Name: "find", Value: "things"}, {Name: "batchSize", Value: 1}})
	id := doc["cursor"].(bson.M)["id"].(int64)
	c.Assert(id, gc.Not(gc.Equals), int64(0))

	doc = b.run("test", bson.D{{Name: "killCursors", Value: "things"}, {Name: "cursors", Value: []int64{id}}})
	c.Check(doc["cursorsKilled"], jc.DeepEquals, []interface{}{id})
	doc = a.run("test", bson.D{{Name: "getMore", Value: id}, {Name: "collection", Value: "things"}})
	c.Check(doc["ok"], gc.Equals, 0.0)
	c.Check(doc["code"], gc.Equals, 43) // CursorNotFound
}
