package conformance_test

import (
	"context"
	"os"
	"sync"
	"testing"
	"time"

	jc "github.com/juju/testing/checkers"
	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.uber.org/goleak"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// longWait bounds how long a test waits for something that should
// happen; it is only ever a failure deadline.
const longWait = time.Minute

// shortWait is the window of a "must not happen" assertion.
const shortWait = 50 * time.Millisecond

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestPackage(t *testing.T) {
	gc.TestingT(t)
}

// setName is the replica set of the replica-set fixtures.
const setName = "rs0"

// fixture gives each test a fresh server, standalone or a replica-set
// member with a fake clock.
type fixture struct {
	replicaSet bool
	server     *mongotest.Server
	clock      *leasetest.Clock
	clients    []*mongo.Client
	// cancels end the contexts of ready.
	cancels []context.CancelFunc
}

func (f *fixture) SetUpTest(c *gc.C) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		c.Skip("needs the embedded server's fault hooks")
	}
	f.clock = leasetest.NewClock(clocktest.Start)
	opts := mongotest.Options{Clock: f.clock}
	if f.replicaSet {
		opts.ReplicaSet = setName
	}
	var err error
	f.server, err = mongotest.StartWith(opts)
	c.Assert(err, jc.ErrorIsNil)
}

func (f *fixture) TearDownTest(c *gc.C) {
	for _, cancel := range f.cancels {
		cancel()
	}
	f.cancels = nil
	ctx, cancel := context.WithTimeout(context.Background(), longWait)
	defer cancel()
	for _, client := range f.clients {
		c.Check(client.Disconnect(ctx), jc.ErrorIsNil)
	}
	f.clients = nil
	if f.server != nil {
		c.Check(f.server.Close(), jc.ErrorIsNil)
	}
}

// connect returns a driver client to the server, with the URI options
// query (such as "replicaSet=rs0" or "directConnection=true"), whose
// events rec records; the fixture disconnects it.
func (f *fixture) connect(c *gc.C, query string, rec *recorder) *mongo.Client {
	opts := options.Client().ApplyURI("mongodb://" + f.server.Addr() + "/?" + query).
		SetServerSelectionTimeout(longWait).
		SetMonitor(rec.commandMonitor()).
		SetServerMonitor(rec.serverMonitor())
	client, err := mongo.Connect(opts)
	c.Assert(err, jc.ErrorIsNil)
	f.clients = append(f.clients, client)
	return client
}

// ready connects a driver client as connect does, pings the server, and
// waits until the driver describes it as a server of the given kind
// ("RSPrimary"). It returns the client's recorder, its collection
// test.things, and a context that ends after longWait or with the test.
func (f *fixture) ready(c *gc.C, query, kind string) (*recorder, *mongo.Collection, context.Context) {
	rec := newRecorder()
	client := f.connect(c, query, rec)
	ctx, cancel := testContext()
	f.cancels = append(f.cancels, cancel)
	c.Assert(client.Ping(ctx, nil), jc.ErrorIsNil)
	rec.waitServerKind(c, kind)
	return rec, client.Database("test").Collection("things"), ctx
}

// context returns a context that ends after longWait.
func testContext() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), longWait)
}

// recorder records what a driver client reports: the commands it sends
// and their outcomes, and the descriptions of the server and of the
// topology that its monitoring (SDAM) makes.
type recorder struct {
	mu        sync.Mutex
	started   []*event.CommandStartedEvent
	succeeded []*event.CommandSucceededEvent
	failed    []*event.CommandFailedEvent
	servers   []event.ServerDescription
	topos     []event.TopologyDescription
	changed   chan struct{}
	// onStarted, if not nil, is called as each command starts, before
	// the driver sends it.
	onStarted func(*event.CommandStartedEvent)
}

// newRecorder returns an empty recorder.
func newRecorder() *recorder {
	return &recorder{changed: make(chan struct{})}
}

// changedLocked wakes the waiters. The caller holds mu.
func (r *recorder) changedLocked() {
	close(r.changed)
	r.changed = make(chan struct{})
}

func (r *recorder) commandMonitor() *event.CommandMonitor {
	return &event.CommandMonitor{
		Started: func(_ context.Context, e *event.CommandStartedEvent) {
			r.mu.Lock()
			hook := r.onStarted
			r.started = append(r.started, e)
			r.changedLocked()
			r.mu.Unlock()
			if hook != nil {
				hook(e)
			}
		},
		Succeeded: func(_ context.Context, e *event.CommandSucceededEvent) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.succeeded = append(r.succeeded, e)
			r.changedLocked()
		},
		Failed: func(_ context.Context, e *event.CommandFailedEvent) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.failed = append(r.failed, e)
			r.changedLocked()
		},
	}
}

func (r *recorder) serverMonitor() *event.ServerMonitor {
	return &event.ServerMonitor{
		ServerDescriptionChanged: func(e *event.ServerDescriptionChangedEvent) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.servers = append(r.servers, e.NewDescription)
			r.changedLocked()
		},
		TopologyDescriptionChanged: func(e *event.TopologyDescriptionChangedEvent) {
			r.mu.Lock()
			defer r.mu.Unlock()
			r.topos = append(r.topos, e.NewDescription)
			r.changedLocked()
		},
	}
}

// setOnStarted sets the hook called as each command starts.
func (r *recorder) setOnStarted(hook func(*event.CommandStartedEvent)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onStarted = hook
}

// waitFor waits until cond, called with mu held, returns true, and fails
// the test, naming what, if that has not happened within longWait.
func (r *recorder) waitFor(c *gc.C, what string, cond func() bool) {
	deadline := time.After(longWait)
	for {
		r.mu.Lock()
		ok := cond()
		changed := r.changed
		r.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-deadline:
			c.Fatalf("gave up waiting for %s", what)
		}
	}
}

// waitServerKind waits until the last description of the server that the
// driver made has the given kind ("RSPrimary", "RSSecondary", "Unknown",
// "Standalone", ...), and returns it.
func (r *recorder) waitServerKind(c *gc.C, kind string) event.ServerDescription {
	return waitLast(c, r, &r.servers, "a server description of kind "+kind,
		func(d event.ServerDescription) bool { return d.Kind == kind })
}

// waitTopologyKind waits until the last topology description has the
// given kind ("Single", "ReplicaSetWithPrimary", ...), and returns it.
func (r *recorder) waitTopologyKind(c *gc.C, kind string) event.TopologyDescription {
	return waitLast(c, r, &r.topos, "a topology description of kind "+kind,
		func(d event.TopologyDescription) bool { return d.Kind == kind })
}

// waitLast waits until the last of r's list descs satisfies ok, and
// returns it; what says what the test waits for.
func waitLast[D any](c *gc.C, r *recorder, descs *[]D, what string, ok func(D) bool) D {
	var last D
	r.waitFor(c, what, func() bool {
		if len(*descs) == 0 {
			return false
		}
		last = (*descs)[len(*descs)-1]
		return ok(last)
	})
	return last
}

// sawServerKind reports whether the driver described the server with
// the given kind at any time.
func (r *recorder) sawServerKind(kind string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.servers {
		if s.Kind == kind {
			return true
		}
	}
	return false
}

// startedNamed returns the commands named name that the client started.
func (r *recorder) startedNamed(name string) []*event.CommandStartedEvent {
	return named(r, &r.started, name, func(e *event.CommandStartedEvent) string { return e.CommandName })
}

// failedNamed returns the failures of the commands named name.
func (r *recorder) failedNamed(name string) []*event.CommandFailedEvent {
	return named(r, &r.failed, name, func(e *event.CommandFailedEvent) string { return e.CommandName })
}

// succeededNamed returns the successes of the commands named name.
func (r *recorder) succeededNamed(name string) []*event.CommandSucceededEvent {
	return named(r, &r.succeeded, name, func(e *event.CommandSucceededEvent) string { return e.CommandName })
}

// named returns the events of r's list events, in order, whose command,
// as commandName reads it, is name.
func named[E any](r *recorder, events *[]E, name string, commandName func(E) string) []E {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []E
	for _, e := range *events {
		if commandName(e) == name {
			out = append(out, e)
		}
	}
	return out
}

// helloReply is what the tests read of a hello or isMaster reply.
type helloReply struct {
	IsWritablePrimary *bool          `bson:"isWritablePrimary"`
	IsMaster          *bool          `bson:"ismaster"`
	Secondary         *bool          `bson:"secondary"`
	SetName           string         `bson:"setName"`
	SetVersion        *int32         `bson:"setVersion"`
	Hosts             []string       `bson:"hosts"`
	Primary           string         `bson:"primary"`
	Me                string         `bson:"me"`
	ElectionID        *bson.ObjectID `bson:"electionId"`
	TopologyVersion   *struct {
		ProcessID bson.ObjectID `bson:"processId"`
		Counter   int64         `bson:"counter"`
	} `bson:"topologyVersion"`
	ConnectionID bson.RawValue `bson:"connectionId"`
	raw          bson.Raw
}

// role returns isWritablePrimary, or ismaster for isMaster.
func (h helloReply) role(name string) *bool {
	if name == "isMaster" {
		return h.IsMaster
	}
	return h.IsWritablePrimary
}

// has reports whether the reply has the field.
func (h helloReply) has(field string) bool {
	_, ok := lookupRaw(h.raw, field)
	return ok
}

// runHello runs hello (or isMaster) through the client and returns the
// reply.
func runHello(c *gc.C, client *mongo.Client, name string) helloReply {
	ctx, cancel := testContext()
	defer cancel()
	raw, err := client.Database("admin").RunCommand(ctx, bson.D{{Key: name, Value: 1}}).Raw()
	c.Assert(err, jc.ErrorIsNil)
	var h helloReply
	c.Assert(bson.Unmarshal(raw, &h), jc.ErrorIsNil)
	h.raw = raw
	return h
}

// writeConcernErrInfo is a writeConcernError's errInfo, as MongoDB 4.4
// and later send it.
type writeConcernErrInfo struct {
	WTimeout     *bool `bson:"wtimeout"`
	WriteConcern struct {
		W          bson.RawValue `bson:"w"`
		WTimeout   int32         `bson:"wtimeout"`
		Provenance string        `bson:"provenance"`
	} `bson:"writeConcern"`
}

// checkErrInfo checks a writeConcernError's errInfo: its wtimeout flag
// (nil: absent) and its writeConcern {w: "majority", wtimeout,
// provenance}, and nothing else.
func checkErrInfo(c *gc.C, raw bson.Raw, wtimeoutFlag *bool, wtimeout int32, provenance string) {
	var info writeConcernErrInfo
	c.Assert(bson.Unmarshal(raw, &info), jc.ErrorIsNil)
	c.Check(info.WTimeout, jc.DeepEquals, wtimeoutFlag, gc.Commentf("%v", raw))
	c.Check(info.WriteConcern.W.StringValue(), gc.Equals, "majority")
	c.Check(info.WriteConcern.WTimeout, gc.Equals, wtimeout)
	c.Check(info.WriteConcern.Provenance, gc.Equals, provenance)
	elems, err := raw.Elements()
	c.Assert(err, jc.ErrorIsNil)
	want := 1
	if wtimeoutFlag != nil {
		want = 2
	}
	c.Check(elems, gc.HasLen, want, gc.Commentf("%v", raw))
}

// lookupRaw returns the value of key in a raw document, and whether it is
// there.
func lookupRaw(doc bson.Raw, key string) (bson.RawValue, bool) {
	v, err := doc.LookupErr(key)
	return v, err == nil
}
