package conformance_test

import (
	"errors"

	jc "github.com/juju/testing/checkers"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	gc "gopkg.in/check.v1"
)

// standaloneSuite checks the embedded server as a standalone.
type standaloneSuite struct {
	fixture
}

var _ = gc.Suite(&standaloneSuite{})

// TestDiscovery checks that the driver finds a standalone server, with
// the topologyVersion that MongoDB 4.4 and later report in hello, and
// that hello has no replica-set fields.
func (s *standaloneSuite) TestDiscovery(c *gc.C) {
	rec := newRecorder()
	client := s.connect(c, "", rec)
	ctx, cancel := testContext()
	defer cancel()
	c.Assert(client.Ping(ctx, nil), jc.ErrorIsNil)

	desc := rec.waitServerKind(c, "Standalone")
	top := s.server.Topology()
	c.Check(desc.TopologyVersionProcessID.Hex(), gc.Equals, top.ProcessID)
	c.Check(desc.TopologyVersionCounter, gc.Equals, int64(0))
	c.Check(desc.SetName, gc.Equals, "")
	c.Check(desc.MaxWireVersion >= 17, jc.IsTrue, gc.Commentf("maxWireVersion %d: not MongoDB 6.0 or later", desc.MaxWireVersion))
	c.Check(desc.SessionTimeoutMinutes, gc.NotNil)
	rec.waitTopologyKind(c, "Single")

	for _, name := range []string{"hello", "isMaster"} {
		h := runHello(c, client, name)
		c.Check(h.role(name), jc.DeepEquals, &yes, gc.Commentf("%s: %v", name, h.raw))
		c.Assert(h.TopologyVersion, gc.NotNil, gc.Commentf("%s: %v", name, h.raw))
		c.Check(h.TopologyVersion.ProcessID, gc.Equals, desc.TopologyVersionProcessID)
		c.Check(h.TopologyVersion.Counter, gc.Equals, int64(0))
		for _, field := range []string{"setName", "hosts", "secondary", "primary", "me", "electionId", "setVersion"} {
			c.Check(h.has(field), jc.IsFalse, gc.Commentf("%s has %s on a standalone", name, field))
		}
		c.Check(h.ConnectionID.Type, gc.Equals, bson.TypeInt32, gc.Commentf("%s: connectionId %v", name, h.ConnectionID))
	}
}

// yes is true, for comparing *bool fields.
var yes = true

// TestConnectionIDs checks that each connection has a connectionId of its
// own, which the driver reports in its command events.
func (s *standaloneSuite) TestConnectionIDs(c *gc.C) {
	ids := map[int64]bool{}
	for i := 0; i < 3; i++ {
		rec := newRecorder()
		client := s.connect(c, "", rec)
		ctx, cancel := testContext()
		c.Assert(client.Ping(ctx, nil), jc.ErrorIsNil)
		cancel()
		started := rec.startedNamed("ping")
		c.Assert(started, gc.HasLen, 1)
		id := started[0].ServerConnectionID
		c.Assert(id, gc.NotNil)
		c.Check(ids[*id], jc.IsFalse, gc.Commentf("connectionId %d twice", *id))
		ids[*id] = true
	}
}

// TestNoRetryableWrites checks that the driver, seeing a standalone,
// sends no txnNumber: retryable writes need a replica set.
func (s *standaloneSuite) TestNoRetryableWrites(c *gc.C) {
	rec := newRecorder()
	client := s.connect(c, "", rec)
	ctx, cancel := testContext()
	defer cancel()
	_, err := client.Database("test").Collection("things").InsertOne(ctx, bson.M{"_id": 1})
	c.Assert(err, jc.ErrorIsNil)
	inserts := rec.startedNamed("insert")
	c.Assert(inserts, gc.HasLen, 1)
	_, hasTxn := lookupRaw(inserts[0].Command, "txnNumber")
	c.Check(hasTxn, jc.IsFalse)
}

// TestWriteConcernError checks the writeConcernError of a timed-out
// write concern as the driver reports it: the code, its name, the message
// and errInfo (the driver's Details) with wtimeout and the write concern
// used. The driver's own writes carry no wtimeout (the v2 driver has
// none), and do not use up the hook.
func (s *standaloneSuite) TestWriteConcernError(c *gc.C) {
	rec := newRecorder()
	client := s.connect(c, "w=majority", rec)
	ctx, cancel := testContext()
	defer cancel()
	c.Assert(s.server.FailWriteConcern("insert", 1), jc.ErrorIsNil)
	coll := client.Database("test").Collection("things")
	_, err := coll.InsertOne(ctx, bson.M{"_id": 1})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.server.PendingFaults(), gc.Equals, 1)

	cmd := bson.D{
		{Key: "insert", Value: "things"},
		{Key: "documents", Value: bson.A{bson.M{"_id": 2}}},
		{Key: "writeConcern", Value: bson.M{"w": "majority", "wtimeout": 5000}},
	}
	err = client.Database("test").RunCommand(ctx, cmd).Err()
	var we mongo.WriteException
	c.Assert(errors.As(err, &we), jc.IsTrue, gc.Commentf("%#v", err))
	wce := we.WriteConcernError
	c.Assert(wce, gc.NotNil)
	c.Check(wce.Code, gc.Equals, 64)
	c.Check(wce.Name, gc.Equals, "WriteConcernFailed")
	c.Check(wce.Message, gc.Equals, "waiting for replication timed out")
	checkErrInfo(c, wce.Details, &yes, 5000, "clientSupplied")
	c.Check(we.HasErrorLabel("RetryableWriteError"), jc.IsFalse)
	// The write was applied.
	n, err := coll.CountDocuments(ctx, bson.M{})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, int64(2))
}
