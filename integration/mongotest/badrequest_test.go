package mongotest_test

import (
	"bytes"
	"net"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
)

// badRequestSuite writes requests that no driver would send on a raw
// connection: the server answers with an error or closes the connection,
// and goes on serving everyone else.
type badRequestSuite struct {
	serverFixture
}

var _ = gc.Suite(&badRequestSuite{serverFixture{embedded: true}})

func (s *badRequestSuite) TearDownTest(c *gc.C) {
	if s.server != nil && !c.Failed() {
		// The server still works for a well-behaved client.
		conn := dialRaw(c, s.server.Addr())
		defer conn.Close()
		c.Check(conn.run("test", bson.D{{Name: "ping", Value: 1}})["ok"], gc.Equals, 1.0)
		reply := conn.run("test", bson.D{{Name: "insert", Value: "things"}, {Name: "documents", Value: []bson.M{{"still": "working"}}}})
		c.Check(reply["n"], gc.Equals, 1)
	}
	s.serverFixture.TearDownTest(c)
}

func (s *badRequestSuite) TestUnknownCommand(c *gc.C) {
	conn := dialRaw(c, s.server.Addr())
	defer conn.Close()
	doc := conn.run("test", bson.D{{Name: "frobnicate", Value: 1}})
	c.Check(doc["ok"], gc.Equals, 0.0)
	c.Check(doc["errmsg"], gc.Matches, ".*no such command.*")

	// The connection still works.
	c.Check(conn.run("test", bson.D{{Name: "ping", Value: 1}})["ok"], gc.Equals, 1.0)
}

func (s *badRequestSuite) TestErrorReplies(c *gc.C) {
	deep := []byte{5, 0, 0, 0, 0}
	for i := 0; i < 1000; i++ {
		deep = bytes.Join([][]byte{{byte(len(deep) + 8), byte((len(deep) + 8) >> 8), 0, 0, 3, 'a', 0}, deep, {0}}, nil)
	}
	withDB := func(doc []byte) []byte {
		// Append a $db field to a raw document.
		db := marshal(c, bson.M{"$db": "test"})
		out := append(append([]byte{}, doc[:len(doc)-1]...), db[4:]...)
		n := len(out)
		out[0], out[1], out[2], out[3] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
		return out
	}
	for i, t := range []struct {
		doc  []byte
		code int
		err  string
	}{{
		doc: []byte{5, 0, 0, 0, 0}, code: 9, err: "empty command",
	}, {
		doc: marshal(c, bson.M{"ping": 1}), code: 40571, err: "OP_MSG requests require a \\$db argument",
	}, {
		// A top-level '$' key, which FerretDB refuses, is escaped too.
		doc: withDB(marshal(c, bson.D{{Name: "insert", Value: "things"}, {Name: "documents", Value: []bson.M{{"$bad": 1}}}})),
	}} {
		conn := dialRaw(c, s.server.Addr())
		conn.send(opMsg(0, t.doc))
		doc := conn.readMsg()
		conn.Close()
		if t.err != "" {
			c.Check(doc["ok"], gc.Equals, 0.0, gc.Commentf("request %d", i))
			c.Check(doc["code"], gc.Equals, t.code, gc.Commentf("request %d", i))
			c.Check(doc["errmsg"], gc.Matches, t.err, gc.Commentf("request %d", i))
		} else {
			c.Check(doc["ok"], gc.Equals, 1.0, gc.Commentf("request %d: %v", i, doc))
		}
	}
	// Malformed BSON closes the connection, as it does on MongoDB.
	for i, doc := range [][]byte{
		{12, 0, 0, 0, 0x99, 'x', 0, 1, 2, 3, 4, 0}, // unknown element type
		{12, 0, 0, 0, 2, 'x', 0, 100, 0, 0, 0, 0},  // string longer than the document
		deep,
	} {
		conn := dialRaw(c, s.server.Addr())
		conn.send(opMsg(0, doc))
		conn.assertClosed()
		conn.Close()
		c.Logf("malformed document %d closed the connection", i)
	}
}

func (s *badRequestSuite) TestClosedConnections(c *gc.C) {
	ping := marshal(c, bson.M{"ping": 1, "$db": "test"})
	for i, msg := range [][]byte{
		{3, 0, 0, 0}, // shorter than a header
		{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0xdd, 7, 0, 0},                          // 2 GB
		message(2002, []byte{0, 0, 0, 0}, []byte("test.things\x00"), marshal(c, bson.M{"a": 1})), // OP_INSERT
		message(2004, []byte{0, 0, 0, 0}, []byte("test.$cmd")),                                   // no terminator
		message(2004, []byte{0, 0, 0, 0}, []byte("test.$cmd\x00"), make([]byte, 8), []byte{100, 0, 0, 0, 0}),
		message(2013, []byte{0, 0, 0, 0}),                                                 // OP_MSG without a body section
		message(2013, opMsg(0, ping), opMsg(0, ping)[4:]),                                 // two body sections
		message(2013, opMsg(1<<2, ping)),                                                  // unknown required flag
		message(2013, opMsg(0, ping), []byte{2, 5, 0, 0, 0, 0}),                           // unknown section kind
		message(2013, opMsg(0, ping, sequence{id: "ping", docs: nil})),                    // sequence named like a body field
		message(2013, opMsg(0, ping, sequence{id: "d", docs: [][]byte{{9, 0, 0, 0, 0}}})), // bad document in a sequence
		message(2013, opMsg(1, ping)),                                                     // checksum flag without a checksum... eaten from the body
		message(9999),
	} {
		conn := dialRaw(c, s.server.Addr())
		_, err := conn.Write(msg)
		c.Assert(err, jc.ErrorIsNil, gc.Commentf("message %d", i))
		if i == 0 {
			// Too short to be a message: closing the writing side ends it.
			c.Assert(conn.Conn.(*net.TCPConn).CloseWrite(), jc.ErrorIsNil)
		}
		conn.assertClosed()
		conn.Close()
	}
}
