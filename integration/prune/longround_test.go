package prune_test

import (
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
	client := s.newClient(c, "ctl-1")
	c.Assert(client.ClaimLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	for i := 0; i < 5; i++ {
		c.Assert(client.ExtendLease("svc", request("unit", time.Minute)), jc.ErrorIsNil)
	}
	txns := s.txns(c)
	start := txns[len(txns)-1].Id.Time().Add(minAge + time.Second)
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
