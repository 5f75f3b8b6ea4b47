package mongotest_test

import (
	"io"
	"net"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/mgoread"
)

type faultSuite struct {
	fixture
}

var _ = gc.Suite(&faultSuite{fixture{serverFixture: serverFixture{embedded: true}}})

func (s *faultSuite) TestDropConnections(c *gc.C) {
	coll := s.db.C("things")
	c.Assert(coll.Insert(bson.M{"_id": 1}), jc.ErrorIsNil)

	s.server.DropConnections()
	var doc bson.M
	err := coll.FindId(1).One(&doc)
	c.Check(err, gc.NotNil)

	session, err := s.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer session.Close()
	c.Assert(session.DB("").C("things").FindId(1).One(&doc), jc.ErrorIsNil)
	s.session.Refresh()
	c.Assert(coll.Insert(bson.M{"_id": 2}), jc.ErrorIsNil)
}

// TestDropConnectionsMidIteration drops the connection between two batches
// of a query. The query is read with find and getMore commands
// (internal/mgoread), as the library reads: mgo's iterator can deadlock
// there (MGO-156, internal/mgoread's package doc).
func (s *faultSuite) TestDropConnectionsMidIteration(c *gc.C) {
	coll := s.db.C("things")
	for i := 0; i < 10; i++ {
		c.Assert(coll.Insert(bson.M{"_id": i}), jc.ErrorIsNil)
	}
	read := 0
	err := mgoread.Each(coll, mgoread.Query{Batch: 2}, func(bson.Raw) error {
		read++
		if read == 1 {
			s.server.DropConnections()
		}
		return nil
	})
	c.Check(err, gc.NotNil)
	c.Check(read, gc.Equals, 2)

	s.session.Refresh()
	checkCount(c, coll, 10)
}

func (s *faultSuite) TestStopRestart(c *gc.C) {
	addr := s.server.Addr()
	runner := txn.NewRunner(s.db.C("txns"))
	c.Assert(s.db.C("things").Insert(bson.M{"_id": "plain", "n": 1}), jc.ErrorIsNil)
	err := runner.Run([]txn.Op{{C: "accounts", Id: "a", Assert: txn.DocMissing, Insert: account{Bal: 1}}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)

	c.Assert(s.server.Stop(), jc.ErrorIsNil)
	c.Assert(s.server.Stop(), jc.ErrorIsNil) // stopping again does nothing
	var doc bson.M
	c.Check(s.db.C("things").FindId("plain").One(&doc), gc.NotNil)
	assertClosedAtOnce(c, addr)

	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	c.Check(s.server.Addr(), gc.Equals, addr)
	s.session.Refresh()
	c.Assert(s.db.C("things").FindId("plain").One(&doc), jc.ErrorIsNil)
	c.Check(doc["n"], gc.Equals, 1)
	err = runner.Run([]txn.Op{{
		C: "accounts", Id: "a", Assert: txn.DocExists,
		Update: bson.M{"$inc": bson.M{"bal": 1}},
	}}, "", nil)
	c.Assert(err, jc.ErrorIsNil)
	var acc account
	c.Assert(s.db.C("accounts").FindId("a").One(&acc), jc.ErrorIsNil)
	c.Check(acc.Bal, gc.Equals, 2)

	// Restart also works on a running server.
	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	s.session.Refresh()
	c.Assert(s.db.C("accounts").FindId("a").One(&acc), jc.ErrorIsNil)
	c.Check(acc.Bal, gc.Equals, 2)
}

func (s *faultSuite) TestClosedServer(c *gc.C) {
	s.session.Close()
	s.session = nil
	c.Assert(s.server.Close(), jc.ErrorIsNil)
	c.Check(s.server.Close(), jc.ErrorIsNil)
	c.Check(s.server.Stop(), gc.ErrorMatches, "mongotest: server is closed")
	c.Check(s.server.Restart(), gc.ErrorMatches, "mongotest: server is closed")
	s.server.DropConnections()
	_, err := net.Dial("tcp", s.server.Addr())
	c.Check(err, gc.NotNil)
}

// assertClosedAtOnce checks that a connection to addr is accepted and then
// closed without a reply.
func assertClosedAtOnce(c *gc.C, addr string) {
	conn, err := net.Dial("tcp", addr)
	c.Assert(err, jc.ErrorIsNil)
	defer conn.Close()
	c.Assert(conn.SetDeadline(time.Now().Add(longWait)), jc.ErrorIsNil)
	_, err = conn.Read(make([]byte, 1))
	c.Check(err, gc.Equals, io.EOF)
}
