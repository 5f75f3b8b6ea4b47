package faults_test

import (
	"net"
	"os"
	"sort"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	"go.uber.org/goleak"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

const (
	leasesC  = mongofixture.Collection
	txnsC    = mongofixture.TxnCollection
	database = "faults"
	maxSleep = time.Hour
	// longWait bounds every wait for something that must happen: past
	// it, the code under test has hung.
	longWait = 2 * time.Minute
)

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// mgoGoroutines are mgo.v2's own goroutines, which outlive a closed
// session for up to its 15-second ping interval.
var mgoGoroutines = []goleak.Option{
	goleak.IgnoreAnyFunction("gopkg.in/mgo%2ev2.(*mongoServer).pinger"),
	goleak.IgnoreAnyFunction("gopkg.in/mgo%2ev2.(*mongoCluster).syncServersLoop"),
	// After a connection error mgo re-syncs, pausing half a second
	// between attempts.
	goleak.IgnoreAnyFunction("gopkg.in/mgo%2ev2.(*mongoCluster).syncServer"),
}

// env is one scenario's world: a fresh server, a cutter on the
// connections of the managers' session, and a session of the test's own
// for checking what the database holds.
type env struct {
	server   *mongotest.Server
	cutter   *cutter
	session  *mgo.Session // the managers', through the cutter
	check    *mgo.Session // the test's own
	leak     goleak.Option
	stops    []func()
	sessions []*mgo.Session // every session dialed, to close
}

func newEnv(c *gc.C) *env {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		c.Skip("fault injection needs the embedded server")
	}
	e := &env{leak: goleak.IgnoreCurrent()}
	server, err := mongotest.Start()
	c.Assert(err, jc.ErrorIsNil)
	e.server = server
	e.cutter = &cutter{server: server}
	e.session = e.dial(c, e.cutter.dial)
	e.check = e.dial(c, nil)
	return e
}

// dial returns a new session to the server through mgowire, over
// connections from dialConn if it is not nil. The env closes it.
func (e *env) dial(c *gc.C, dialConn func(addr string) (net.Conn, error)) *mgo.Session {
	session, err := mgowire.DialWithInfo(&mgo.DialInfo{
		Addrs: []string{e.server.Addr()}, Database: database, Timeout: dialTimeout,
	}, mgowire.Options{DialConn: dialConn})
	c.Assert(err, jc.ErrorIsNil)
	// Operations wait this long for a server to come back, rather than
	// the whole dialTimeout, so that a stopped server fails them sooner.
	session.SetSyncTimeout(syncTimeout)
	e.sessions = append(e.sessions, session)
	return session
}

// redial gives the test, and the managers started from now on, new
// sessions, as new processes would have: after a fault, mgo may hand out a
// socket that died with it, again and again, until its reader notices.
func (e *env) redial(c *gc.C) {
	e.session = e.dial(c, e.cutter.dial)
	e.check = e.dial(c, nil)
}

// close stops every manager, the sessions and the server, and checks
// that no goroutine is left behind.
func (e *env) close(c *gc.C) {
	for i := len(e.stops) - 1; i >= 0; i-- {
		e.stops[i]()
	}
	for _, session := range e.sessions {
		session.Close()
	}
	c.Check(e.server.Close(), jc.ErrorIsNil)
	c.Check(goleak.Find(append(mgoGoroutines, e.leak)...), jc.ErrorIsNil)
}

// alarmClock is a clocktest.Clock that counts the alarms requested: a
// manager asks for one as the last thing it does after each request or
// wake, before it waits again.
type alarmClock struct {
	*clocktest.Clock
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func newAlarmClock(now time.Time) *alarmClock {
	return &alarmClock{Clock: clocktest.NewClock(now), changed: make(chan struct{})}
}

func (a *alarmClock) Alarm(t time.Time) <-chan time.Time {
	ch := a.Clock.Alarm(t)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.n++
	close(a.changed)
	a.changed = make(chan struct{})
	return ch
}

func (a *alarmClock) requests() (int, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.n, a.changed
}

// ctrl is one running manager.
type ctrl struct {
	manager leadership.ManagerWorker
	clock   *alarmClock
	stopped chan struct{}
	err     error // Wait's result, once stopped is closed
}

// startManager starts a manager over a new client with id on the
// managers' session. It returns NewClient's error, if any.
func (e *env) startManager(c *gc.C, id string, clock *alarmClock) (*ctrl, error) {
	client, err := lease.NewClient(mongofixture.ClientConfigOn(e.session.DB(""), id, clock))
	if err != nil {
		return nil, err
	}
	before, _ := clock.requests()
	manager, err := leadership.NewManager(leadership.ManagerConfig{Client: client, Clock: clock, MaxSleep: maxSleep})
	c.Assert(err, jc.ErrorIsNil)
	m := &ctrl{manager: manager, clock: clock, stopped: make(chan struct{})}
	go func() {
		m.err = manager.Wait()
		close(m.stopped)
	}()
	e.stops = append(e.stops, func() {
		manager.Kill()
		<-m.stopped
	})
	m.waitIdle(c, before)
	return m, nil
}

// waitIdle waits until the manager has asked for an alarm more than
// before alarms in all, or has stopped.
func (m *ctrl) waitIdle(c *gc.C, before int) {
	for {
		n, changed := m.clock.requests()
		if n > before {
			return
		}
		select {
		case <-changed:
		case <-m.stopped:
			return
		case <-time.After(longWait):
			c.Fatalf("manager hung: neither idle nor stopped after %v", longWait)
		}
	}
}

// settle returns once the manager's loop has finished with every earlier
// request, alarm included: it makes a request of its own (a block on a
// service nobody claims) and waits for the answer.
func (m *ctrl) settle(c *gc.C) {
	within(c, "BlockUntilLeadershipReleased", func() { m.manager.BlockUntilLeadershipReleased("barrier") })
}

// isStopped reports whether the manager has stopped.
func (m *ctrl) isStopped() bool {
	select {
	case <-m.stopped:
		return true
	default:
		return false
	}
}

// within runs f, and fails the test if it has not returned within
// longWait: nothing the manager is asked may hang.
func within(c *gc.C, what string, f func()) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(longWait):
		c.Fatalf("%s hung for %v", what, longWait)
	}
}

// leaseDoc is a lease document as the test reads it.
type leaseDoc struct {
	Id     string `bson:"_id"`
	Name   string `bson:"name"`
	Holder string `bson:"holder"`
	Expiry int64  `bson:"expiry"`
	Writer string `bson:"writer"`
}

// leases returns the lease documents in the database, by name.
func (e *env) leases(c *gc.C) map[string]leaseDoc {
	var docs []leaseDoc
	err := e.check.DB("").C(leasesC).Find(bson.M{"type": "lease"}).All(&docs)
	c.Assert(err, jc.ErrorIsNil)
	byName := map[string]leaseDoc{}
	for _, doc := range docs {
		_, dup := byName[doc.Name]
		c.Check(dup, jc.IsFalse, gc.Commentf("lease %q duplicated", doc.Name))
		byName[doc.Name] = doc
	}
	return byName
}

// unfinished returns the ids of the transactions that mgo/txn has neither
// applied nor aborted.
func (e *env) unfinished(c *gc.C) []string {
	var docs []struct {
		Id    bson.ObjectId `bson:"_id"`
		State int           `bson:"s"`
	}
	// mgo/txn states: 5 aborted, 6 applied.
	err := e.check.DB("").C(txnsC).Find(bson.M{"s": bson.M{"$nin": []int{5, 6}}}).All(&docs)
	c.Assert(err, jc.ErrorIsNil)
	var ids []string
	for _, doc := range docs {
		ids = append(ids, doc.Id.Hex())
	}
	sort.Strings(ids)
	return ids
}

// resumeAll has mgo/txn finish every unfinished transaction, as Juju's
// resumer worker did once a minute: a transaction interrupted before it
// reached any document is finished by nothing else.
func (e *env) resumeAll(c *gc.C) {
	c.Assert(txn.NewRunner(e.check.DB("").C(txnsC)).ResumeAll(), jc.ErrorIsNil)
}

// fenced runs the token's assertions in a transaction of the test's own,
// on the same transaction collection, and returns the result.
func (e *env) fenced(token leadership.Token) error {
	ops := append(token.AssertOps(), txn.Op{C: "settings", Id: "s", Update: bson.M{"$inc": bson.M{"n": 1}}})
	return txn.NewRunner(e.check.DB("").C(txnsC)).Run(ops, "", nil)
}
