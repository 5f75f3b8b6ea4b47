package mongotest_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/lease"
)

// replSetMgoSuite checks that mgo.v2, through mgowire, and the lease
// package's client work with a replica-set member, and again once a
// step-down ends.
type replSetMgoSuite struct {
	fixture
}

var _ = gc.Suite(&replSetMgoSuite{fixture{serverFixture: serverFixture{replicaSet: true}}})

// TestSession checks a normal session: mgo reads setName and hosts from
// isMaster, and reaches nothing but the server.
func (s *replSetMgoSuite) TestSession(c *gc.C) {
	c.Check(s.session.LiveServers(), jc.DeepEquals, []string{s.server.Addr()})
	coll := s.db.C("things")
	c.Assert(coll.Insert(bson.M{"_id": 1, "n": 1}), jc.ErrorIsNil)
	var doc bson.M
	c.Assert(coll.FindId(1).One(&doc), jc.ErrorIsNil)
	c.Check(doc["n"], gc.Equals, 1)
	var result struct {
		SetName  string `bson:"setName"`
		IsMaster bool   `bson:"ismaster"`
	}
	c.Assert(s.session.Run("isMaster", &result), jc.ErrorIsNil)
	c.Check(result.SetName, gc.Equals, setName)
	c.Check(result.IsMaster, jc.IsTrue)

	runner := txn.NewRunner(s.db.C("txns"))
	ops := []txn.Op{{C: "accounts", Id: "a", Assert: txn.DocMissing, Insert: bson.M{"bal": 1}}}
	c.Assert(runner.Run(ops, "", nil), jc.ErrorIsNil)
	c.Check(runner.Run(ops, "", nil), gc.Equals, txn.ErrAborted)
}

// TestStepDown steps the member down under a session: a write is refused
// ("not primary"), a Monotonic read (mgo's slaveOk, which mgowire sends
// as the read preference primaryPreferred) is served by the secondary,
// and once the step-down has ended on the server's clock, writes and
// transactions succeed again.
func (s *replSetMgoSuite) TestStepDown(c *gc.C) {
	coll := s.db.C("things")
	c.Assert(coll.Insert(bson.M{"_id": 1}), jc.ErrorIsNil)

	c.Assert(s.server.StepDown(10*time.Second), jc.ErrorIsNil)
	err := coll.Insert(bson.M{"_id": 2})
	c.Assert(err, gc.ErrorMatches, ".*not primary.*")

	monotonic := s.session.Copy()
	defer monotonic.Close()
	monotonic.SetMode(mgo.Monotonic, true)
	var n int
	// A session keeps a socket that failed until Refresh.
	c.Assert(mongofixture.AfterClosedConns(c, "Count", func() (err error) {
		monotonic.Refresh()
		n, err = coll.With(monotonic).Count()
		return err
	}), jc.ErrorIsNil)
	c.Check(n, gc.Equals, 1)

	s.clock.Advance(10 * time.Second)
	c.Check(s.server.Topology().Primary, jc.IsTrue)
	c.Assert(mongofixture.AfterClosedConns(c, "Insert", func() error {
		s.session.Refresh()
		return coll.Insert(bson.M{"_id": 2})
	}), jc.ErrorIsNil)
	runner := txn.NewRunner(s.db.C("txns"))
	c.Assert(runner.Run([]txn.Op{{C: "things", Id: 1, Assert: txn.DocExists, Update: bson.M{"$set": bson.M{"done": true}}}}, "", nil), jc.ErrorIsNil)
	checkCount(c, coll.Find(bson.M{"done": true}), 1)
}

// TestLeaseClient claims leases with the lease package's client through a
// step-down: a claim during it fails, and is not reported as a lost race
// (lease.ErrInvalid); after it, claims succeed, and a refresh sees every
// lease that was claimed.
func (s *replSetMgoSuite) TestLeaseClient(c *gc.C) {
	client, err := lease.NewClient(lease.ClientConfig{
		Id: "client", Namespace: "ns", Collection: "leases",
		Mongo: lease.NewMongo(s.db, "txns"), Clock: s.clock,
	})
	c.Assert(err, jc.ErrorIsNil)
	request := lease.Request{Holder: "unit/0", Duration: time.Minute}
	c.Assert(client.ClaimLease("before", request), jc.ErrorIsNil)

	c.Assert(s.server.StepDown(10*time.Second), jc.ErrorIsNil)
	err = client.ClaimLease("during", request)
	c.Assert(err, gc.NotNil)
	c.Check(errors.Is(err, lease.ErrInvalid), jc.IsFalse, gc.Commentf("%v", err))

	s.clock.Advance(10 * time.Second)
	c.Assert(mongofixture.AfterClosedConns(c, "ClaimLease", func() error {
		return client.ClaimLease("after", request)
	}), jc.ErrorIsNil)
	err = client.ClaimLease("during", request)
	if errors.Is(err, lease.ErrInvalid) {
		// The failed claim's transaction was completed meanwhile.
		c.Assert(client.Refresh(), jc.ErrorIsNil)
	} else {
		c.Assert(err, jc.ErrorIsNil)
	}
	c.Assert(client.Refresh(), jc.ErrorIsNil)
	leases := client.Leases()
	for _, name := range []string{"before", "during", "after"} {
		c.Check(leases[name].Holder, gc.Equals, "unit/0", gc.Commentf("lease %s", name))
	}
}
