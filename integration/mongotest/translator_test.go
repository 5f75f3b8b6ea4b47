package mongotest_test

import (
	"net"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// translatorSuite checks, end to end, what mgo sees through mgowire of
// what a replica set does to a client: a primary that steps down, a
// majority write that times out.
type translatorSuite struct {
	serverFixture
	dialer  *recordingDialer
	session *mgo.Session
	coll    *mgo.Collection
}

var _ = gc.Suite(&translatorSuite{serverFixture: serverFixture{embedded: true}})

func (s *translatorSuite) SetUpTest(c *gc.C) {
	s.serverFixture.SetUpTest(c)
	s.dialer = newRecordingDialer()
	var err error
	s.session, err = s.server.DialWith(mgowire.Options{DialConn: s.dialer.dial})
	c.Assert(err, jc.ErrorIsNil)
	s.coll = s.session.DB("").C("things")
	c.Assert(s.coll.Insert(bson.M{"_id": "a", "n": 1}), jc.ErrorIsNil)
}

func (s *translatorSuite) TearDownTest(c *gc.C) {
	if s.session != nil {
		s.session.Close()
	}
	s.serverFixture.TearDownTest(c)
}

// recordingDialer is an mgowire DialConn that remembers the connections
// it made, and reports those that mgowire closes.
type recordingDialer struct {
	mu     sync.Mutex
	conns  []*recordedConn
	closed chan *recordedConn // each connection once, as it is closed
}

func newRecordingDialer() *recordingDialer {
	return &recordingDialer{closed: make(chan *recordedConn, 1000)}
}

type recordedConn struct {
	net.Conn
	d    *recordingDialer
	once sync.Once
}

func (r *recordedConn) Close() error {
	r.once.Do(func() { r.d.closed <- r })
	return r.Conn.Close()
}

func (d *recordingDialer) dial(addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	rc := &recordedConn{Conn: conn, d: d}
	d.mu.Lock()
	d.conns = append(d.conns, rc)
	d.mu.Unlock()
	return rc, nil
}

// snapshot returns the connections dialed so far.
func (d *recordingDialer) snapshot() []*recordedConn {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]*recordedConn(nil), d.conns...)
}

// assertClosed waits until mgowire closes a connection, which must be one
// of conns.
func (d *recordingDialer) assertClosed(c *gc.C, conns []*recordedConn) {
	select {
	case rc := <-d.closed:
		for _, want := range conns {
			if rc == want {
				return
			}
		}
		c.Fatalf("a connection dialed later was closed")
	case <-time.After(longWait):
		c.Fatalf("no connection closed")
	}
}

// checkNotPrimary runs op after arming a not-primary refusal of command:
// op fails with code (10107 for a write, 13435 for a read), mgowire
// closes that connection, and
// both a copy of the session and the session itself, once refreshed, work
// on a new connection.
func (s *translatorSuite) checkNotPrimary(c *gc.C, command string, code int, op func(*mgo.Collection) error) {
	before := s.dialer.snapshot()
	c.Assert(s.server.FailNotPrimary(command, 1), jc.ErrorIsNil)
	err := op(s.coll)
	c.Assert(err, gc.NotNil)
	c.Check(wiretest.ErrorCode(err), gc.Equals, code, gc.Commentf("%s: %#v", command, err))
	c.Check(err, gc.ErrorMatches, ".*not primary.*")
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
	s.dialer.assertClosed(c, before)

	copied := s.session.Copy()
	defer copied.Close()
	c.Check(op(s.coll.With(copied)), jc.ErrorIsNil)
	s.session.Refresh()
	c.Check(op(s.coll), jc.ErrorIsNil)
	c.Check(len(s.dialer.snapshot()) > len(before), jc.IsTrue)
}

func (s *translatorSuite) TestNotPrimaryOnInsert(c *gc.C) {
	i := 0
	s.checkNotPrimary(c, "insert", 10107, func(coll *mgo.Collection) error {
		i++
		return coll.Insert(bson.M{"_id": i})
	})
	// The refused insert was not run.
	var ids []bson.M
	c.Assert(s.coll.Find(bson.M{"_id": bson.M{"$type": "number"}}).Sort("_id").All(&ids), jc.ErrorIsNil)
	c.Check(ids, jc.DeepEquals, []bson.M{{"_id": 2}, {"_id": 3}})
}

func (s *translatorSuite) TestNotPrimaryOnUpdate(c *gc.C) {
	s.checkNotPrimary(c, "update", 10107, func(coll *mgo.Collection) error {
		return coll.UpdateId("a", bson.M{"$inc": bson.M{"n": 1}})
	})
	s.checkN(c, 3)
}

func (s *translatorSuite) TestNotPrimaryOnFindAndModify(c *gc.C) {
	s.checkNotPrimary(c, "findAndModify", 10107, func(coll *mgo.Collection) error {
		_, err := coll.FindId("a").Apply(mgo.Change{Update: bson.M{"$inc": bson.M{"n": 1}}}, &bson.M{})
		return err
	})
	s.checkN(c, 3)
}

// TestNotPrimaryOnFind checks a primary read refused as a secondary
// refuses it: NotPrimaryNoSecondaryOk, which mgowire also counts as "not
// primary".
func (s *translatorSuite) TestNotPrimaryOnFind(c *gc.C) {
	s.checkNotPrimary(c, "find", 13435, func(coll *mgo.Collection) error {
		return coll.FindId("a").One(&bson.M{})
	})
}

// checkN checks the counter of document "a".
func (s *translatorSuite) checkN(c *gc.C, n int) {
	var doc struct{ N int }
	c.Assert(s.coll.FindId("a").One(&doc), jc.ErrorIsNil)
	c.Check(doc.N, gc.Equals, n)
}

// TestNotPrimaryInTxn fails one step of a transaction: Run returns an
// error, and the transaction completes when resumed on another session,
// exactly once.
func (s *translatorSuite) TestNotPrimaryInTxn(c *gc.C) {
	runner := txn.NewRunner(s.session.DB("").C("txns"))
	ops := []txn.Op{{C: "things", Id: "a", Assert: bson.M{"n": 1}, Update: bson.M{"$inc": bson.M{"n": 1}}}}
	c.Assert(s.server.FailNotPrimary("update", 1), jc.ErrorIsNil)
	err := runner.Run(ops, "", nil)
	c.Assert(err, gc.NotNil)
	c.Check(err, gc.ErrorMatches, ".*not primary.*")

	other, err := s.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer other.Close()
	c.Assert(txn.NewRunner(other.DB("").C("txns")).ResumeAll(), jc.ErrorIsNil)
	s.session.Refresh()
	s.checkN(c, 2)
	// Running it again: the assertion now fails.
	c.Check(txn.NewRunner(other.DB("").C("txns")).Run(ops, "", nil), gc.Equals, txn.ErrAborted)
}

// checkWriteConcern runs op after arming a writeConcernError for command:
// op must fail, with code 64, although the write was applied (a timed-out
// majority write is not undone; it is only not known to be durable).
func (s *translatorSuite) checkWriteConcern(c *gc.C, command string, op func() error) {
	c.Assert(s.server.FailWriteConcern(command, 1), jc.ErrorIsNil)
	err := op()
	c.Assert(err, gc.NotNil, gc.Commentf("%s succeeded despite a writeConcernError", command))
	c.Check(err, gc.ErrorMatches, ".*waiting for replication timed out.*")
	c.Check(wiretest.ErrorCode(err), gc.Equals, 64, gc.Commentf("%s: %#v", command, err))
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
	s.session.Refresh()
}

func (s *translatorSuite) TestWriteConcernErrors(c *gc.C) {
	s.checkWriteConcern(c, "insert", func() error { return s.coll.Insert(bson.M{"_id": "b"}) })
	s.checkWriteConcern(c, "update", func() error { return s.coll.UpdateId("a", bson.M{"$inc": bson.M{"n": 1}}) })
	s.checkWriteConcern(c, "findAndModify", func() error {
		_, err := s.coll.FindId("a").Apply(mgo.Change{Update: bson.M{"$inc": bson.M{"n": 1}}}, &bson.M{})
		return err
	})
	s.checkWriteConcern(c, "delete", func() error { return s.coll.RemoveId("b") })
	s.checkN(c, 3)
	checkCount(c, s.coll, 1)
}

// TestWriteConcernErrorInTxn makes each kind of write of a transaction
// report a writeConcernError in turn: Run must return an error each time,
// never nil, and the transaction, resumed, is applied exactly once.
func (s *translatorSuite) TestWriteConcernErrorInTxn(c *gc.C) {
	runner := txn.NewRunner(s.session.DB("").C("txns"))
	want := 1
	for _, command := range []string{"insert", "findAndModify", "update"} {
		ops := []txn.Op{{C: "things", Id: "a", Assert: bson.M{"n": want}, Update: bson.M{"$inc": bson.M{"n": 1}}}}
		c.Assert(s.server.FailWriteConcern(command, 1), jc.ErrorIsNil)
		err := runner.Run(ops, "", nil)
		c.Check(err, gc.ErrorMatches, ".*waiting for replication timed out.*", gc.Commentf("a %s of the transaction", command))
		s.session.Refresh()
		c.Assert(runner.ResumeAll(), jc.ErrorIsNil)
		want++
		s.checkN(c, want)
	}
}
