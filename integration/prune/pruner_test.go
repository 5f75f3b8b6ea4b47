package prune_test

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// longWait bounds, in real time, a wait for something that must happen;
// shortWait is the window of a check that something does not.
const (
	longWait  = 60 * time.Second
	shortWait = 50 * time.Millisecond
)

// PrunerSuite: a Pruner prunes every Interval on its clock, logs and
// retries a failed round, and stops only when killed.
type PrunerSuite struct {
	pruneSuite
}

var _ = gc.Suite(&PrunerSuite{})

// round is what a Pruner reported of one round.
type round struct {
	stats lease.PruneStats
	err   error
}

// failingMongo is a lease.Mongo whose collections are in a database the
// server refuses while failing is set.
type failingMongo struct {
	lease.Mongo
	db      *mgo.Database
	failing chan bool // holds the current setting
}

func (m *failingMongo) GetCollection(name string) (*mgo.Collection, func()) {
	failing := <-m.failing
	m.failing <- failing
	if failing {
		session := m.db.Session.Copy()
		return session.DB("no$such$db").C(name), session.Close
	}
	return m.Mongo.GetCollection(name)
}

func (m *failingMongo) set(failing bool) {
	<-m.failing
	m.failing <- failing
}

// writeAndAge claims a lease and extends it five times through a client
// ctl-1, and returns that client, the instant just over MinAge after the
// last of those transactions, when a prune may remove them all, and the
// transactions then in the collection.
func (s *PrunerSuite) writeAndAge(c *gc.C) (client lease.Client, start time.Time, txns []txnDoc) {
	client = s.newClient(c, "ctl-1")
	c.Assert(client.ClaimLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	for i := 0; i < 5; i++ {
		c.Assert(client.ExtendLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	}
	txns = s.txns(c)
	return client, txns[len(txns)-1].Id.Time().Add(minAge + time.Second), txns
}

func (s *PrunerSuite) TestSchedule(c *gc.C) {
	client, start, txns := s.writeAndAge(c)
	clock := clocktest.NewClock(start)
	mongo := &failingMongo{Mongo: s.Mongo(), db: s.DB, failing: make(chan bool, 1)}
	mongo.failing <- false
	rounds := make(chan round, 10)
	var logs strings.Builder
	const interval = 10 * time.Minute
	pruner, err := lease.NewPruner(lease.PrunerConfig{
		Prune: lease.PruneConfig{
			Mongo:         mongo,
			TxnCollection: mongofixture.TxnCollection,
			Clock:         clock,
			MinAge:        minAge,
		},
		Interval: interval,
		Logger:   slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Report:   func(stats lease.PruneStats, err error) { rounds <- round{stats, err} },
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() { c.Check(worker.Stop(pruner), jc.ErrorIsNil) }()

	next := func(at time.Time) round {
		c.Assert(clock.WaitAlarmFor(at, longWait), jc.ErrorIsNil)
		select {
		case r := <-rounds:
			c.Fatalf("round before its time: %+v", r)
		case <-time.After(shortWait):
		}
		clock.Set(at)
		select {
		case r := <-rounds:
			return r
		case <-time.After(longWait):
			c.Fatalf("no round at %v", at)
		}
		return round{}
	}

	// The first round comes one Interval after the start, and finds the
	// transactions that it may remove; the second removes them.
	r := next(start.Add(interval))
	c.Assert(r.err, jc.ErrorIsNil)
	c.Check(r.stats.Examined, gc.Equals, len(txns))
	c.Check(r.stats.Removed, gc.Equals, 0)
	c.Check(r.stats.Unconfirmed > 0, jc.IsTrue)
	c.Check(r.stats.Unconfirmed+r.stats.Referenced, gc.Equals, len(txns))
	c.Check(s.txns(c), gc.HasLen, len(txns))
	// Two stay named: the last extension, by the lease's document and the
	// client's own clock document; and the claim, the last transaction
	// to write the shared clock document (it counted the client's own).
	c.Check(logs.String(), jc.Contains, `msg="pruned transactions" examined=7 referenced=2 unconfirmed=5 removed=0`)
	unconfirmed := r.stats.Unconfirmed
	r = next(start.Add(2 * interval))
	c.Assert(r.err, jc.ErrorIsNil)
	c.Check(r.stats, gc.Equals, lease.PruneStats{Examined: len(txns), Referenced: len(txns) - unconfirmed, Removed: unconfirmed})
	s.checkPruned(c)

	// A round that fails is logged, and tried again a minute later.
	c.Assert(client.ExtendLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	mongo.set(true)
	r = next(start.Add(3 * interval))
	c.Check(r.err, gc.ErrorMatches, `reading complete transactions: .*`)
	c.Check(logs.String(), jc.Contains, `level=WARN msg="pruning transactions failed"`)
	r = next(start.Add(3*interval + time.Minute))
	c.Check(r.err, gc.NotNil)

	// Once the store answers, the next retry finds the transaction the
	// extension left unnamed, and the round after removes it.
	mongo.set(false)
	r = next(start.Add(3*interval + 2*time.Minute))
	c.Assert(r.err, jc.ErrorIsNil)
	c.Check(r.stats, gc.Equals, lease.PruneStats{Examined: 3, Referenced: 2, Unconfirmed: 1})
	r = next(start.Add(4*interval + 2*time.Minute))
	c.Assert(r.err, jc.ErrorIsNil)
	c.Check(r.stats, gc.Equals, lease.PruneStats{Examined: 3, Referenced: 2, Removed: 1})
	s.checkPruned(c)
	c.Assert(clock.WaitAlarmFor(start.Add(5*interval+2*time.Minute), longWait), jc.ErrorIsNil)
}

func (s *PrunerSuite) TestKill(c *gc.C) {
	clock := clocktest.NewClock(clocktest.Start)
	pruner, err := lease.NewPruner(lease.PrunerConfig{
		Prune: lease.PruneConfig{Mongo: s.Mongo(), TxnCollection: mongofixture.TxnCollection, Clock: clock},
	})
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(clock.WaitAlarmFor(clocktest.Start.Add(lease.DefaultPruneInterval), longWait), jc.ErrorIsNil)
	pruner.Kill()
	c.Check(pruner.Wait(), jc.ErrorIsNil)
	c.Check(pruner.Wait(), jc.ErrorIsNil)
	pruner.Kill()
}

// slowMongo is a lease.Mongo whose first read of the stash moves the
// clock on by step, as if that round's read of the documents had taken
// that long.
type slowMongo struct {
	lease.Mongo
	clock *clocktest.Clock
	step  time.Duration
	once  sync.Once
}

func (m *slowMongo) GetCollection(name string) (*mgo.Collection, func()) {
	if name == mongofixture.TxnCollection+".stash" {
		m.once.Do(func() { m.clock.Advance(m.step) })
	}
	return m.Mongo.GetCollection(name)
}

// TestLongRound checks that what a round longer than an Interval found
// unnamed at its end is not removed by the round that starts as it ends,
// less than an Interval after that read, but by a later one.
func (s *PrunerSuite) TestLongRound(c *gc.C) {
	_, start, txns := s.writeAndAge(c)
	clock := clocktest.NewClock(start)
	const interval = 10 * time.Minute
	rounds := make(chan round, 10)
	pruner, err := lease.NewPruner(lease.PrunerConfig{
		Prune: lease.PruneConfig{
			Mongo:         &slowMongo{Mongo: s.Mongo(), clock: clock, step: 2 * interval},
			TxnCollection: mongofixture.TxnCollection,
			Clock:         clock,
			MinAge:        minAge,
		},
		Interval: interval,
		Report:   func(stats lease.PruneStats, err error) { rounds <- round{stats, err} },
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() { c.Check(worker.Stop(pruner), jc.ErrorIsNil) }()
	next := func() round {
		select {
		case r := <-rounds:
			c.Assert(r.err, jc.ErrorIsNil)
			return r
		case <-time.After(longWait):
			c.Fatalf("no round")
		}
		return round{}
	}

	// The first round reads the documents from start+Interval to
	// start+3*Interval; the second is due at start+2*Interval, so it
	// starts at once, and must remove nothing.
	c.Assert(clock.WaitAlarmFor(start.Add(interval), longWait), jc.ErrorIsNil)
	clock.Set(start.Add(interval))
	first := next()
	c.Check(first.stats.Removed, gc.Equals, 0)
	c.Check(first.stats.Unconfirmed > 0, jc.IsTrue)
	second := next()
	c.Check(second.stats, gc.Equals, first.stats)
	c.Check(s.txns(c), gc.HasLen, len(txns))

	// An Interval after the second round started, the third removes them.
	c.Assert(clock.WaitAlarmFor(start.Add(4*interval), longWait), jc.ErrorIsNil)
	clock.Set(start.Add(4 * interval))
	third := next()
	c.Check(third.stats.Removed, gc.Equals, first.stats.Unconfirmed)
	s.checkPruned(c)
}
