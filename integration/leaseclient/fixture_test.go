package leaseclient_test

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// txnCollection is the mgo/txn collection every fixture's Mongo uses, so
// that a lease's AssertOp can go into the tests' own transactions.
const txnCollection = mongofixture.TxnCollection

// defaultClockStart is clocktest.Start, a hostile instant.
var defaultClockStart = clocktest.Start

// mongoSuite gives each test a fresh server and a database on it; server,
// session and db are the fixture's, under the names the suites use.
type mongoSuite struct {
	mongofixture.Suite
	server  *mongotest.Server
	session *mgo.Session
	db      *mgo.Database
}

func (s *mongoSuite) SetUpTest(c *gc.C) {
	s.Suite.SetUpTest(c)
	s.server, s.session, s.db = s.Server, s.Session, s.DB
}

// faultSuite is a mongoSuite for tests that use the embedded server's
// fault hooks: it skips them when LEADERSHIP_MONGO_URL names an external
// server.
type faultSuite struct {
	mongoSuite
}

func (s *faultSuite) SetUpTest(c *gc.C) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		c.Skip("needs the embedded server's fault hooks")
	}
	s.mongoSuite.SetUpTest(c)
}

// dumpAll returns every document of the fixtures' lease collection and of
// the transaction collection, as they are stored: a test compares dumps to
// show that nothing was written.
func (s *mongoSuite) dumpAll(c *gc.C) map[string][]bson.M {
	dump := map[string][]bson.M{}
	for _, coll := range []string{"default-collection", txnCollection} {
		var docs []bson.M
		c.Assert(s.db.C(coll).Find(nil).Sort("_id").All(&docs), jc.ErrorIsNil)
		dump[coll] = docs
	}
	return dump
}

// takeWriteId removes a lease document's write id from doc, checks it is
// a valid ObjectId, and returns it: every write sets a new one, so tests
// compare the rest of the document with what they expect, and the ids
// with each other.
func takeWriteId(c *gc.C, doc bson.M) bson.ObjectId {
	id, ok := doc["writeid"].(bson.ObjectId)
	c.Check(ok && id.Valid(), jc.IsTrue, gc.Commentf("write id %#v", doc["writeid"]))
	delete(doc, "writeid")
	return id
}

// Hook is run around one transaction attempt, like jujutxn's TestHook.
type Hook struct {
	Before func()
	After  func()
}

// Mongo is lease.NewMongo with jujutxn-style test hooks: each transaction
// attempt takes the next queued Hook, runs its Before, the transaction, and
// its After.
type Mongo struct {
	lease.Mongo
	DB *mgo.Database

	mu    sync.Mutex
	hooks []Hook
}

// NewMongo returns a Mongo on db with no hooks.
func NewMongo(db *mgo.Database) *Mongo {
	return &Mongo{Mongo: lease.NewMongo(db, txnCollection), DB: db}
}

// TxnCollection is part of the lease.TxnCollectionNamer interface, which
// lease.NewMongo's Mongo implements: the client cleans queues through
// this Mongo as through that one.
func (m *Mongo) TxnCollection() string {
	return m.Mongo.(lease.TxnCollectionNamer).TxnCollection()
}

// RunTransaction is part of the lease.Mongo interface.
func (m *Mongo) RunTransaction(ops []txn.Op) error {
	m.mu.Lock()
	var hook Hook
	if len(m.hooks) > 0 {
		hook, m.hooks = m.hooks[0], m.hooks[1:]
	}
	m.mu.Unlock()
	if hook.Before != nil {
		hook.Before()
	}
	err := m.Mongo.RunTransaction(ops)
	if hook.After != nil {
		hook.After()
	}
	return err
}

// SetHooks queues hooks, one per transaction attempt. The returned func
// checks that they were all used.
func (m *Mongo) SetHooks(c *gc.C, hooks ...Hook) func() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.hooks = append(m.hooks, hooks...)
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		c.Check(m.hooks, gc.HasLen, 0, gc.Commentf("transaction hooks not used"))
		m.hooks = nil
	}
}

// SetBeforeHooks queues one Before hook per transaction attempt.
func (m *Mongo) SetBeforeHooks(c *gc.C, fs ...func()) func() {
	var hooks []Hook
	for _, f := range fs {
		hooks = append(hooks, Hook{Before: f})
	}
	return m.SetHooks(c, hooks...)
}

// SetRetryHooks runs block before the first attempt, and check after the
// second.
func (m *Mongo) SetRetryHooks(c *gc.C, block, check func()) func() {
	return m.SetHooks(c, Hook{Before: block}, Hook{After: check})
}

// FixtureParams says how to make a Fixture; zero fields take defaults.
type FixtureParams struct {
	Id         string
	Namespace  string
	Collection string
	ClockStart time.Time
	ClockStep  time.Duration
}

// Fixture is one lease client and what it was made with.
type Fixture struct {
	Client lease.Client
	Config lease.ClientConfig
	Mongo  *Mongo
	Clock  *Clock
	Zero   time.Time
}

// NewFixture makes a client on db, and asserts that it worked.
func NewFixture(c *gc.C, db *mgo.Database, params FixtureParams) *Fixture {
	return newFixture(c, db, params, lease.NewClient)
}

// NewFixtureAfterFault is NewFixture for a test that has just closed
// connections (a "not primary" reply, dropped connections): a client
// whose first reads meet a connection the fault closed is made again
// (mongofixture.AfterClosedConns).
func NewFixtureAfterFault(c *gc.C, db *mgo.Database, params FixtureParams) *Fixture {
	return newFixture(c, db, params, func(config lease.ClientConfig) (client lease.Client, err error) {
		err = mongofixture.AfterClosedConns(c, "NewClient", func() error {
			client, err = lease.NewClient(config)
			return err
		})
		return client, err
	})
}

// newFixture is NewFixture, making the client with newClient.
func newFixture(c *gc.C, db *mgo.Database, params FixtureParams, newClient func(lease.ClientConfig) (lease.Client, error)) *Fixture {
	if params.Id == "" {
		params.Id = "default-client"
	}
	if params.Namespace == "" {
		params.Namespace = "default-namespace"
	}
	if params.Collection == "" {
		params.Collection = "default-collection"
	}
	if params.ClockStart.IsZero() {
		params.ClockStart = defaultClockStart
	}
	mongo := NewMongo(db)
	clock := NewClock(params.ClockStart, params.ClockStep)
	config := lease.ClientConfig{
		Id:         params.Id,
		Namespace:  params.Namespace,
		Collection: params.Collection,
		Mongo:      mongo,
		Clock:      clock,
	}
	client, err := newClient(config)
	c.Assert(err, jc.ErrorIsNil)
	return &Fixture{
		Client: client,
		Config: config,
		Mongo:  mongo,
		Clock:  clock,
		Zero:   params.ClockStart,
	}
}

// EasyFixture makes a client with the default parameters.
func EasyFixture(c *gc.C, db *mgo.Database) *Fixture {
	return NewFixture(c, db, FixtureParams{})
}

// ClaimedFixture makes a client with the default parameters, and claims
// the lease "name" through it for "holder", for a minute from Zero.
func ClaimedFixture(c *gc.C, db *mgo.Database) *Fixture {
	fix := EasyFixture(c, db)
	err := fix.Client.ClaimLease("name", lease.Request{Holder: "holder", Duration: time.Minute})
	c.Assert(err, jc.ErrorIsNil)
	return fix
}

// Holder returns a checker used as c.Check(name, fix.Holder(), holder); an
// unheld lease has holder "".
func (fix *Fixture) Holder() gc.Checker {
	return &leaseChecker{
		CheckerInfo: &gc.CheckerInfo{Name: "Holder", Params: []string{"name", "holder"}},
		check: func(info lease.Info, expected interface{}) (bool, string) {
			holder, ok := expected.(string)
			if !ok {
				return false, "expected holder must be a string"
			}
			if info.Holder != holder {
				return false, fmt.Sprintf("lease held by %q", info.Holder)
			}
			return true, ""
		},
		fix: fix,
	}
}

// Expiry returns a checker used as c.Check(name, fix.Expiry(), t); it
// compares instants, whatever their zones.
func (fix *Fixture) Expiry() gc.Checker {
	return &leaseChecker{
		CheckerInfo: &gc.CheckerInfo{Name: "Expiry", Params: []string{"name", "expiry"}},
		check: func(info lease.Info, expected interface{}) (bool, string) {
			expiry, ok := expected.(time.Time)
			if !ok {
				return false, "expected expiry must be a time.Time"
			}
			if !info.Expiry.Equal(expiry) {
				return false, fmt.Sprintf("lease expires at %s", info.Expiry)
			}
			return true, ""
		},
		fix: fix,
	}
}

type leaseChecker struct {
	*gc.CheckerInfo
	check func(info lease.Info, expected interface{}) (bool, string)
	fix   *Fixture
}

func (lc *leaseChecker) Check(params []interface{}, names []string) (bool, string) {
	name, ok := params[0].(string)
	if !ok {
		return false, "lease name must be a string"
	}
	return lc.check(lc.fix.Client.Leases()[name], params[1])
}

// clientAs returns fix's client as a T, one of the interfaces of the
// lease package that the MongoDB client implements, and asserts that it
// is one.
func clientAs[T any](c *gc.C, fix *Fixture) T {
	v, ok := fix.Client.(T)
	c.Assert(ok, jc.IsTrue, gc.Commentf("%T is not a %T", fix.Client, (*T)(nil)))
	return v
}

// errorIs is errors.Is, for jc.Satisfies.
func errorIs(err, target error) bool {
	return errors.Is(err, target)
}

// Clock is the lease clients' test clock: each call to Now returns the
// current time and then moves it on by the step. It has no alarms.
type Clock struct {
	mu   sync.Mutex
	now  time.Time
	step time.Duration
}

var _ lease.Clock = (*Clock)(nil)

// NewClock returns a Clock that starts at start and steps by step.
func NewClock(start time.Time, step time.Duration) *Clock {
	return &Clock{now: start, step: step}
}

// Now returns the current time, then advances it by the step.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now
	c.now = c.now.Add(c.step)
	return now
}

// Alarm is not supported: the lease client never asks for one.
func (c *Clock) Alarm(time.Time) <-chan time.Time {
	panic("test Clock has no alarms")
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Reset sets the clock to now and its step to step. (Juju's version ignored
// the step; this one does not.)
func (c *Clock) Reset(now time.Time, step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = now
	c.step = step
}

// SetStep changes the step and keeps the time.
func (c *Clock) SetStep(step time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.step = step
}
