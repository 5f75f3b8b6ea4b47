package mongotest_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
)

// badRequestSuite writes requests that mgo.v2 would never send on a raw
// connection: the bridge answers with an error or closes the connection,
// and goes on serving everyone else.
type badRequestSuite struct {
	fixture
}

var _ = gc.Suite(&badRequestSuite{})

func (s *badRequestSuite) SetUpTest(c *gc.C) {
	embeddedOnly(c)
	s.fixture.SetUpTest(c)
}

func (s *badRequestSuite) TearDownTest(c *gc.C) {
	if s.server != nil && !c.Failed() {
		// The server still works for a well-behaved client.
		c.Check(s.session.Ping(), jc.ErrorIsNil)
		c.Check(s.db.C("things").Insert(bson.M{"still": "working"}), jc.ErrorIsNil)
	}
	s.fixture.TearDownTest(c)
}

func (s *badRequestSuite) dial(c *gc.C) net.Conn {
	conn, err := net.Dial("tcp", s.server.Addr())
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(conn.SetDeadline(time.Now().Add(longWait)), jc.ErrorIsNil)
	return conn
}

// message returns a wire protocol message with the given opcode and body.
func message(opCode int32, body ...[]byte) []byte {
	b := bytes.Join(body, nil)
	h := make([]byte, 16)
	binary.LittleEndian.PutUint32(h[0:], uint32(16+len(b)))
	binary.LittleEndian.PutUint32(h[4:], 7)
	binary.LittleEndian.PutUint32(h[12:], uint32(opCode))
	return append(h, b...)
}

// opQuery returns an OP_QUERY message for namespace ns with document doc.
func opQuery(ns string, doc []byte) []byte {
	return message(2004, []byte{0, 0, 0, 0}, []byte(ns), []byte{0}, make([]byte, 4), []byte{1, 0, 0, 0}, doc)
}

func marshal(c *gc.C, v interface{}) []byte {
	b, err := bson.Marshal(v)
	c.Assert(err, jc.ErrorIsNil)
	return b
}

// reply reads an OP_REPLY and returns its flags and its document.
func reply(c *gc.C, conn net.Conn) (int32, bson.M) {
	h := make([]byte, 16)
	_, err := io.ReadFull(conn, h)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(binary.LittleEndian.Uint32(h[8:]), gc.Equals, uint32(7))  // responseTo
	c.Assert(binary.LittleEndian.Uint32(h[12:]), gc.Equals, uint32(1)) // OP_REPLY
	body := make([]byte, binary.LittleEndian.Uint32(h)-16)
	_, err = io.ReadFull(conn, body)
	c.Assert(err, jc.ErrorIsNil)
	var doc bson.M
	c.Assert(bson.Unmarshal(body[20:], &doc), jc.ErrorIsNil)
	return int32(binary.LittleEndian.Uint32(body)), doc
}

// assertClosed checks that the bridge closes conn without replying.
func assertClosed(c *gc.C, conn net.Conn) {
	n, err := conn.Read(make([]byte, 1))
	c.Check(n, gc.Equals, 0)
	c.Check(err, gc.NotNil)
	c.Check(err, gc.Not(jc.Satisfies), func(err error) bool {
		ne, ok := err.(net.Error)
		return ok && ne.Timeout()
	})
}

func (s *badRequestSuite) TestUnknownCommand(c *gc.C) {
	conn := s.dial(c)
	defer conn.Close()
	_, err := conn.Write(opQuery("test.$cmd", marshal(c, bson.D{{Name: "frobnicate", Value: 1}})))
	c.Assert(err, jc.ErrorIsNil)
	_, doc := reply(c, conn)
	c.Check(doc["ok"], gc.Equals, 0.0)
	c.Check(doc["errmsg"], gc.Matches, ".*no such command.*")

	// The connection still works.
	_, err = conn.Write(opQuery("test.$cmd", marshal(c, bson.D{{Name: "ping", Value: 1}})))
	c.Assert(err, jc.ErrorIsNil)
	_, doc = reply(c, conn)
	c.Check(doc["ok"], gc.Equals, 1.0)
}

func (s *badRequestSuite) TestErrorReplies(c *gc.C) {
	deep := []byte{5, 0, 0, 0, 0}
	for i := 0; i < 1000; i++ {
		deep = bytes.Join([][]byte{{byte(len(deep) + 8), byte((len(deep) + 8) >> 8), 0, 0, 3, 'a', 0}, deep, {0}}, nil)
	}
	for i, t := range []struct {
		ns    string
		doc   []byte
		flags int32
		err   string
	}{{
		ns: "test.$cmd", doc: []byte{5, 0, 0, 0, 0}, err: ".*empty command",
	}, {
		ns: "test.$cmd", doc: []byte{12, 0, 0, 0, 0x99, 'x', 0, 1, 2, 3, 4, 0}, err: ".*unknown element type 0x99.*",
	}, {
		ns: "test.$cmd", doc: []byte{12, 0, 0, 0, 2, 'x', 0, 100, 0, 0, 0, 0}, err: ".*malformed BSON.*",
	}, {
		ns: "test.$cmd", doc: deep, err: ".*nested too deeply.*",
	}, {
		// A top-level '$' key, which FerretDB refuses, is escaped too.
		ns: "test.$cmd", doc: marshal(c, bson.D{{Name: "insert", Value: "things"}, {Name: "documents", Value: []bson.M{{"$bad": 1}}}}),
	}, {
		ns: "test.things", doc: marshal(c, bson.M{}), flags: 2, err: ".*only commands are supported.*",
	}} {
		conn := s.dial(c)
		_, err := conn.Write(opQuery(t.ns, t.doc))
		c.Assert(err, jc.ErrorIsNil)
		flags, doc := reply(c, conn)
		conn.Close()
		c.Check(flags, gc.Equals, t.flags, gc.Commentf("request %d", i))
		if t.flags != 0 {
			c.Check(doc["$err"], gc.Matches, t.err, gc.Commentf("request %d", i))
		} else if t.err != "" {
			c.Check(doc["ok"], gc.Equals, 0.0, gc.Commentf("request %d", i))
			c.Check(doc["errmsg"], gc.Matches, t.err, gc.Commentf("request %d", i))
		} else {
			c.Check(doc["ok"], gc.Equals, 1.0, gc.Commentf("request %d: %v", i, doc))
		}
	}
}

func (s *badRequestSuite) TestClosedConnections(c *gc.C) {
	for i, msg := range [][]byte{
		{3, 0, 0, 0}, // shorter than a header
		{0xff, 0xff, 0xff, 0x7f, 0, 0, 0, 0, 0, 0, 0, 0, 0xd4, 7, 0, 0},                          // 2 GB
		message(2002, []byte{0, 0, 0, 0}, []byte("test.things\x00"), marshal(c, bson.M{"a": 1})), // OP_INSERT
		message(2013, []byte{0, 0, 0, 0, 0}, marshal(c, bson.M{"ping": 1, "$db": "test"})),       // OP_MSG
		message(2004, []byte{0, 0, 0, 0}, []byte("test.$cmd")),                                   // no terminator
		message(2004, []byte{0, 0, 0, 0}, []byte("test.$cmd\x00"), make([]byte, 8), []byte{100, 0, 0, 0, 0}),
		message(2007, []byte{0, 0, 0, 0, 3, 0, 0, 0}, make([]byte, 8)), // kill cursors, count too high
		message(9999),
	} {
		conn := s.dial(c)
		_, err := conn.Write(msg)
		c.Assert(err, jc.ErrorIsNil, gc.Commentf("message %d", i))
		if i == 0 {
			// Too short to be a message: closing the writing side ends it.
			c.Assert(conn.(*net.TCPConn).CloseWrite(), jc.ErrorIsNil)
		}
		assertClosed(c, conn)
		conn.Close()
	}
}

func (s *badRequestSuite) TestKillUnknownCursors(c *gc.C) {
	conn := s.dial(c)
	defer conn.Close()
	ids := make([]byte, 16)
	binary.LittleEndian.PutUint64(ids, 12345)
	binary.LittleEndian.PutUint64(ids[8:], 1<<62)
	_, err := conn.Write(message(2007, []byte{0, 0, 0, 0, 2, 0, 0, 0}, ids))
	c.Assert(err, jc.ErrorIsNil)
	// No reply to OP_KILL_CURSORS; the connection goes on.
	_, err = conn.Write(opQuery("test.$cmd", marshal(c, bson.D{{Name: "ping", Value: 1}})))
	c.Assert(err, jc.ErrorIsNil)
	_, doc := reply(c, conn)
	c.Check(doc["ok"], gc.Equals, 1.0)
}
