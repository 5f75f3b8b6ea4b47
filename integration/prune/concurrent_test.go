package prune_test

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// ConcurrentSuite: a Pruner's rounds run while two lease clients and a
// user's runner write, on shared documents (the clock document, and a
// lease the user's transactions assert).
type ConcurrentSuite struct {
	pruneSuite
}

var _ = gc.Suite(&ConcurrentSuite{})

// concurrentRounds is how many rounds the Pruner runs while the writers
// write.
const concurrentRounds = 6

func (s *ConcurrentSuite) TestWritersAndPruner(c *gc.C) {
	client1, client2 := s.newClient(c, "ctl-1"), s.newClient(c, "ctl-2")
	c.Assert(client1.ClaimLease("fence", request("unit", time.Hour)), jc.ErrorIsNil)
	fence := client1.Leases()["fence"].AssertOp
	runner := s.runner()
	for i := 0; i < 3; i++ {
		c.Assert(runner.Run([]txn.Op{{C: userCollection, Id: fmt.Sprintf("acct%d", i), Insert: account{0}}}, "", nil), jc.ErrorIsNil)
	}

	txns := s.txns(c)
	start := txns[len(txns)-1].Id.Time().Add(minAge + time.Second)
	clock := clocktest.NewClock(start)
	rounds := make(chan round, 1)
	pruner, err := lease.NewPruner(lease.PrunerConfig{
		Prune: lease.PruneConfig{
			Mongo:         s.Mongo(),
			TxnCollection: mongofixture.TxnCollection,
			Clock:         clock,
			MinAge:        minAge,
			BatchSize:     20,
		},
		Interval: minAge,
		Report:   func(stats lease.PruneStats, err error) { rounds <- round{stats, err} },
	})
	c.Assert(err, jc.ErrorIsNil)
	defer func() { c.Check(worker.Stop(pruner), jc.ErrorIsNil) }()

	// Each writer counts the operations it has finished, and stops at
	// the first error.
	var stop atomic.Bool
	var done [3]atomic.Int64
	errs := make(chan error, 3)
	progress := make(chan struct{}, 1) // a writer finished an operation
	var wg sync.WaitGroup
	defer func() {
		stop.Store(true)
		wg.Wait()
	}()
	write := func(i int, op func(n int) error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; !stop.Load(); n++ {
				if err := op(n); err != nil {
					errs <- fmt.Errorf("writer %d, op %d: %w", i, n, err)
					return
				}
				done[i].Add(1)
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		}()
	}
	for i := 0; i < 3; i++ {
		c.Assert(client1.ClaimLease(fmt.Sprintf("a%d", i), request("unit", time.Hour)), jc.ErrorIsNil)
	}
	write(0, func(n int) error {
		return client1.ExtendLease(fmt.Sprintf("a%d", n%3), request("unit", time.Hour))
	})
	write(1, func(n int) error {
		name := fmt.Sprintf("b%d", n%3)
		if n < 3 {
			return client2.ClaimLease(name, request("unit", time.Hour))
		}
		return client2.ExtendLease(name, request("unit", time.Hour))
	})
	var moved atomic.Int64 // balance added by the user's transactions
	write(2, func(n int) error {
		ops := []txn.Op{fence, {C: userCollection, Id: fmt.Sprintf("acct%d", n%3), Update: bson.M{"$inc": bson.M{"balance": 1}}}}
		if n%4 == 3 {
			// Through the stash: remove a document, then insert it.
			if err := runner.Run([]txn.Op{fence, {C: userCollection, Id: "temp", Insert: account{n}}}, "", nil); err != nil {
				return err
			}
			ops = append(ops, txn.Op{C: userCollection, Id: "temp", Remove: true})
		}
		if err := runner.Run(ops, "", nil); err != nil {
			return err
		}
		moved.Add(1)
		return nil
	})

	// Before each round, every writer has finished an operation that it
	// started after the round before: no Run spans two rounds.
	var removed int
	for k := 1; k <= concurrentRounds; k++ {
		var marks [3]int64
		for i := range marks {
			marks[i] = done[i].Load()
		}
		deadline := time.After(longWait)
		for i := range marks {
			for done[i].Load() < marks[i]+2 {
				select {
				case err := <-errs:
					c.Fatal(err)
				case <-deadline:
					c.Fatalf("writer %d did not move before round %d", i, k)
				case <-progress:
				}
			}
		}
		at := start.Add(time.Duration(k) * minAge)
		c.Assert(clock.WaitAlarmFor(at, longWait), jc.ErrorIsNil)
		clock.Set(at)
		select {
		case r := <-rounds:
			c.Assert(r.err, jc.ErrorIsNil)
			c.Logf("round %d: %+v", k, r.stats)
			removed += r.stats.Removed
		case <-time.After(longWait):
			c.Fatalf("no round %d", k)
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		c.Error(err)
	}
	c.Check(removed > 0, jc.IsTrue)

	// Nothing was lost, and nothing is left pending.
	c.Assert(runner.ResumeAll(), jc.ErrorIsNil)
	total := 0
	for i := 0; i < 3; i++ {
		var acct account
		c.Assert(s.DB.C(userCollection).FindId(fmt.Sprintf("acct%d", i)).One(&acct), jc.ErrorIsNil)
		total += acct.Balance
	}
	c.Check(total, gc.Equals, int(moved.Load()))
	for _, t := range s.txns(c) {
		c.Check(t.State == stateApplied || t.State == stateAborted, jc.IsTrue, gc.Commentf("%s in state %d", t.Id.Hex(), t.State))
	}
	s.checkNamedExist(c)
	c.Assert(client1.Refresh(), jc.ErrorIsNil)
	c.Assert(client2.Refresh(), jc.ErrorIsNil)
	for _, name := range []string{"fence", "a0", "a1", "a2", "b0", "b1", "b2"} {
		c.Check(client1.Leases()[name].Holder, gc.Equals, "unit", gc.Commentf("%s", name))
	}
}
