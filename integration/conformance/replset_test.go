package conformance_test

import (
	"context"
	"encoding/binary"
	"errors"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// replSetSuite checks the embedded server as a one-member replica set.
type replSetSuite struct {
	fixture
}

var _ = gc.Suite(&replSetSuite{fixture: fixture{replicaSet: true}})

// electionID is the electionId of a term, as MongoDB's protocol version 1
// makes it: 0x7fffffff, then the term as a big-endian int64.
func electionID(term int64) bson.ObjectID {
	var id bson.ObjectID
	copy(id[:], []byte{0x7f, 0xff, 0xff, 0xff})
	binary.BigEndian.PutUint64(id[4:], uint64(term))
	return id
}

// TestDiscovery checks that the driver, given the set's name, finds the
// member as a primary of a replica set with a primary (SDAM
// "updateRSFromPrimary"), with the fields that hello reports.
func (s *replSetSuite) TestDiscovery(c *gc.C) {
	rec := newRecorder()
	client := s.connect(c, "replicaSet="+setName, rec)
	ctx, cancel := testContext()
	defer cancel()
	c.Assert(client.Ping(ctx, nil), jc.ErrorIsNil)

	addr := s.server.Addr()
	top := s.server.Topology()
	desc := rec.waitServerKind(c, "RSPrimary")
	c.Check(desc.SetName, gc.Equals, setName)
	c.Check(desc.SetVersion, gc.Equals, uint32(1))
	c.Check(desc.Hosts, jc.DeepEquals, []string{addr})
	c.Check(string(desc.Primary), gc.Equals, addr)
	c.Check(desc.ElectionID, gc.Equals, electionID(1))
	c.Check(desc.TopologyVersionProcessID.Hex(), gc.Equals, top.ProcessID)
	c.Check(desc.TopologyVersionCounter, gc.Equals, int64(0))
	topo := rec.waitTopologyKind(c, "ReplicaSetWithPrimary")
	c.Check(topo.SetName, gc.Equals, setName)
	c.Check(topo.Servers, gc.HasLen, 1)

	for _, name := range []string{"hello", "isMaster"} {
		h := runHello(c, client, name)
		c.Check(h.role(name), jc.DeepEquals, &yes)
		c.Check(h.Secondary, jc.DeepEquals, &no)
		c.Check(h.SetName, gc.Equals, setName)
		c.Check(h.Me, gc.Equals, addr)
		c.Check(h.Primary, gc.Equals, addr)
		c.Check(h.Hosts, jc.DeepEquals, []string{addr})
		c.Check(h.ElectionID, jc.DeepEquals, &desc.ElectionID)
		c.Check(h.SetVersion, jc.DeepEquals, &one)
		c.Assert(h.TopologyVersion, gc.NotNil)
		c.Check(h.TopologyVersion.ProcessID, gc.Equals, desc.TopologyVersionProcessID)
		c.Check(h.TopologyVersion.Counter, gc.Equals, int64(0))
	}
}

// no and one are false and 1, for comparing pointer fields.
var (
	no  = false
	one = int32(1)
)

// TestRetryableWrite checks that the driver, seeing a replica set, sends
// its writes as retryable writes (lsid and txnNumber), and that the server
// runs them.
func (s *replSetSuite) TestRetryableWrite(c *gc.C) {
	rec := newRecorder()
	client := s.connect(c, "replicaSet="+setName, rec)
	ctx, cancel := testContext()
	defer cancel()
	coll := client.Database("test").Collection("things")
	_, err := coll.InsertOne(ctx, bson.M{"_id": 1})
	c.Assert(err, jc.ErrorIsNil)
	inserts := rec.startedNamed("insert")
	c.Assert(inserts, gc.HasLen, 1)
	_, hasTxn := lookupRaw(inserts[0].Command, "txnNumber")
	c.Check(hasTxn, jc.IsTrue)
	_, hasLsid := lookupRaw(inserts[0].Command, "lsid")
	c.Check(hasLsid, jc.IsTrue)
}

// checkNotPrimaryFailure checks that a command failure is a NotWritablePrimary
// refusal of a retryable write, as MongoDB 4.4 and later send it: code
// 10107, the RetryableWriteError label (which the driver must not add
// itself to a 4.4+ server's error: Retryable Writes, "RetryableWriteError
// Labels"), and the server's topologyVersion with the given counter.
func checkNotPrimaryFailure(c *gc.C, failure error, counter int64) {
	raw := failureReply(c, failure)
	var reply struct {
		OK              float64  `bson:"ok"`
		Code            int32    `bson:"code"`
		CodeName        string   `bson:"codeName"`
		ErrMsg          string   `bson:"errmsg"`
		ErrorLabels     []string `bson:"errorLabels"`
		TopologyVersion *struct {
			ProcessID bson.ObjectID `bson:"processId"`
			Counter   int64         `bson:"counter"`
		} `bson:"topologyVersion"`
	}
	c.Assert(bson.Unmarshal(raw, &reply), jc.ErrorIsNil)
	c.Check(reply.OK, gc.Equals, 0.0)
	c.Check(reply.Code, gc.Equals, int32(10107))
	c.Check(reply.CodeName, gc.Equals, "NotWritablePrimary")
	c.Check(reply.ErrMsg, gc.Equals, "not primary")
	c.Check(reply.ErrorLabels, jc.DeepEquals, []string{"RetryableWriteError"})
	c.Assert(reply.TopologyVersion, gc.NotNil, gc.Commentf("no topologyVersion in %v", raw))
	c.Check(reply.TopologyVersion.Counter, gc.Equals, counter)
}

// failureReply returns the server's reply that a driver error carries.
func failureReply(c *gc.C, err error) bson.Raw {
	var de driver.Error
	var ce mongo.CommandError
	var we mongo.WriteException
	switch {
	case errors.As(err, &de):
		return bson.Raw(de.Raw)
	case errors.As(err, &ce):
		return ce.Raw
	case errors.As(err, &we):
		return we.Raw
	}
	c.Fatalf("not a server's error: %#v", err)
	return nil
}

// TestNotPrimaryRetried checks the driver's reaction to a one-off "not
// primary" refusal of a retryable write, which carries the member's
// current topologyVersion (its hello still says primary): the driver
// retries the write once, with the same txnNumber, and the retry
// succeeds; it does not mark the server Unknown, because an error whose
// topologyVersion is not newer than the server's description is stale
// (SDAM "Error Handling", isStaleError). A step-down, which bumps the
// topologyVersion, is what a driver acts on (TestStepDownRetried).
func (s *replSetSuite) TestNotPrimaryRetried(c *gc.C) {
	rec, coll, ctx := s.ready(c, "replicaSet="+setName, "RSPrimary")

	c.Assert(s.server.FailNotPrimary("insert", 1), jc.ErrorIsNil)
	_, err := coll.InsertOne(ctx, bson.M{"_id": 1})
	c.Assert(err, jc.ErrorIsNil)
	failed := rec.failedNamed("insert")
	c.Assert(failed, gc.HasLen, 1)
	checkNotPrimaryFailure(c, failed[0].Failure, 0)
	c.Check(rec.sawServerKind("Unknown"), jc.IsFalse)
	checkRetried(c, rec)
	c.Check(rec.succeededNamed("insert"), gc.HasLen, 1)
	n, err := coll.CountDocuments(ctx, bson.M{})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, int64(1))
}

// checkRetried checks that the client sent the insert twice, with the
// same lsid and txnNumber.
func checkRetried(c *gc.C, rec *recorder) {
	inserts := rec.startedNamed("insert")
	c.Assert(inserts, gc.HasLen, 2)
	for _, key := range []string{"txnNumber", "lsid"} {
		first, ok1 := lookupRaw(inserts[0].Command, key)
		second, ok2 := lookupRaw(inserts[1].Command, key)
		c.Check(ok1 && ok2, jc.IsTrue, gc.Commentf("%s missing", key))
		c.Check(first.Equal(second), jc.IsTrue, gc.Commentf("%s: %v then %v", key, first, second))
	}
}

// TestStepDownRetried steps the member down as the driver sends a
// retryable write: the write is refused (10107, RetryableWriteError,
// topologyVersion), the driver sees the member as a secondary (the
// awaitable hello of its streaming monitor is answered at the change),
// and its retry waits for a primary; when the step-down ends on the
// server's clock, the driver finds the primary again, in a new term, and
// the retry succeeds.
func (s *replSetSuite) TestStepDownRetried(c *gc.C) {
	rec, coll, ctx := s.ready(c, "replicaSet="+setName, "RSPrimary")

	var once sync.Once
	stepDownErr := make(chan error, 1)
	rec.setOnStarted(func(e *event.CommandStartedEvent) {
		if e.CommandName == "insert" {
			once.Do(func() { stepDownErr <- s.server.StepDown(10 * time.Second) })
		}
	})
	done := make(chan error, 1)
	go func() {
		_, err := coll.InsertOne(ctx, bson.M{"_id": 1})
		done <- err
	}()
	c.Assert(<-stepDownErr, jc.ErrorIsNil)
	rec.waitFor(c, "the refused insert", func() bool {
		for _, e := range rec.failed {
			if e.CommandName == "insert" {
				return true
			}
		}
		return false
	})
	checkNotPrimaryFailure(c, rec.failedNamed("insert")[0].Failure, 1)
	desc := rec.waitServerKind(c, "RSSecondary")
	c.Check(desc.TopologyVersionCounter, gc.Equals, int64(1))
	rec.waitTopologyKind(c, "ReplicaSetNoPrimary")
	select {
	case err := <-done:
		c.Fatalf("the insert returned during the step-down: %v", err)
	case <-time.After(shortWait):
	}

	s.clock.Advance(10 * time.Second)
	c.Assert(<-done, jc.ErrorIsNil)
	desc = rec.waitServerKind(c, "RSPrimary")
	c.Check(desc.TopologyVersionCounter, gc.Equals, int64(2))
	c.Check(desc.ElectionID, gc.Equals, electionID(2))
	checkRetried(c, rec)
	c.Check(rec.succeededNamed("insert"), gc.HasLen, 1)
	n, err := coll.CountDocuments(ctx, bson.M{})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, int64(1))
}

// TestDirectToSecondary connects straight to a stepped-down member: the
// driver sees a secondary, its writes are refused (and retried once, on
// the same member), and its reads, which it sends with the read
// preference primaryPreferred to a single server (Server Selection,
// "Topology type: Single"), are served. After StepUp, writes succeed.
func (s *replSetSuite) TestDirectToSecondary(c *gc.C) {
	c.Assert(s.server.StepDown(0), jc.ErrorIsNil)
	rec, coll, ctx := s.ready(c, "directConnection=true", "RSSecondary")

	h := runHello(c, coll.Database().Client(), "hello")
	c.Check(h.IsWritablePrimary, jc.DeepEquals, &no)
	c.Check(h.Secondary, jc.DeepEquals, &yes)
	c.Check(h.has("primary"), jc.IsFalse)
	c.Check(h.has("electionId"), jc.IsFalse)
	c.Check(h.Me, gc.Equals, s.server.Addr())

	// Without a deadline: with one, the driver retries until it ends
	// (client-side operation timeout).
	_, err := coll.InsertOne(context.Background(), bson.M{"_id": 1})
	checkNotPrimaryFailure(c, err, 1)
	var se mongo.ServerError
	c.Assert(errors.As(err, &se), jc.IsTrue)
	c.Check(se.HasErrorCode(10107), jc.IsTrue)
	c.Check(se.HasErrorLabel("RetryableWriteError"), jc.IsTrue)
	c.Check(mongo.IsTimeout(err), jc.IsFalse)
	c.Check(rec.failedNamed("insert"), gc.HasLen, 2)
	n, err := coll.CountDocuments(ctx, bson.M{})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, int64(0))
	aggs := rec.startedNamed("aggregate")
	c.Assert(aggs, gc.HasLen, 1)
	rp, ok := lookupRaw(aggs[0].Command, "$readPreference")
	c.Assert(ok, jc.IsTrue)
	c.Check(rp.Document().Lookup("mode").StringValue(), gc.Equals, "primaryPreferred")

	c.Assert(s.server.StepUp(), jc.ErrorIsNil)
	rec.waitServerKind(c, "RSPrimary")
	_, err = coll.InsertOne(ctx, bson.M{"_id": 1})
	c.Assert(err, jc.ErrorIsNil)
}

// TestWriteConcernStepDownRetried makes a retryable write's wait for
// replication end with PrimarySteppedDown: the write was applied, and the
// reply (ok: 1, so the driver's command monitoring counts it a success)
// carries the writeConcernError (with errInfo.writeConcern, here the
// implicit default majority), the topologyVersion and the
// RetryableWriteError label. The driver retries the write, and the retry
// is answered from the first attempt without running it again, as
// MongoDB answers it: one document, no duplicate key error.
func (s *replSetSuite) TestWriteConcernStepDownRetried(c *gc.C) {
	rec, coll, ctx := s.ready(c, "replicaSet="+setName, "RSPrimary")

	c.Assert(s.server.FailWriteConcernCode("insert", 1, mongotest.CodePrimarySteppedDown), jc.ErrorIsNil)
	_, err := coll.InsertOne(ctx, bson.M{"_id": 1})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(s.server.PendingFaults(), gc.Equals, 0)
	checkRetried(c, rec)

	replies := rec.succeededNamed("insert")
	c.Assert(replies, gc.HasLen, 2)
	var first struct {
		OK                float64 `bson:"ok"`
		N                 int32   `bson:"n"`
		WriteConcernError struct {
			Code     int32    `bson:"code"`
			CodeName string   `bson:"codeName"`
			ErrMsg   string   `bson:"errmsg"`
			ErrInfo  bson.Raw `bson:"errInfo"`
		} `bson:"writeConcernError"`
		ErrorLabels     []string `bson:"errorLabels"`
		TopologyVersion struct {
			Counter int64 `bson:"counter"`
		} `bson:"topologyVersion"`
	}
	c.Assert(bson.Unmarshal(replies[0].Reply, &first), jc.ErrorIsNil)
	c.Check(first.OK, gc.Equals, 1.0)
	c.Check(first.N, gc.Equals, int32(1))
	wce := first.WriteConcernError
	c.Check(wce.Code, gc.Equals, int32(189))
	c.Check(wce.CodeName, gc.Equals, "PrimarySteppedDown")
	c.Check(wce.ErrMsg, gc.Equals, "Primary stepped down while waiting for replication")
	checkErrInfo(c, wce.ErrInfo, nil, 0, "implicitDefault")
	c.Check(first.ErrorLabels, jc.DeepEquals, []string{"RetryableWriteError"})
	_, hasTV := lookupRaw(replies[0].Reply, "topologyVersion")
	c.Check(hasTV, jc.IsTrue)
	// The retry's reply is the first attempt's, without the error.
	_, hasWCE := lookupRaw(replies[1].Reply, "writeConcernError")
	c.Check(hasWCE, jc.IsFalse)

	n, err := coll.CountDocuments(ctx, bson.M{})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, int64(1))
}
