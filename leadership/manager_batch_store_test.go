package leadership_test

import (
	"errors"
	"fmt"
	"log/slog"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// gatedClient is the in-memory client with hooks, each run once, on the
// manager's goroutine: claimed once its next ClaimLease has written, and
// applying inside its next ApplyLeases, before it writes. A test queues
// requests in claimed while the manager's loop is inside the call.
type gatedClient struct {
	*leasetest.Client
	claimed  func()
	applying func()
}

// ClaimLease is part of the lease.Client interface.
func (g *gatedClient) ClaimLease(name string, request lease.Request) error {
	err := g.Client.ClaimLease(name, request)
	if hook := g.claimed; hook != nil {
		g.claimed = nil
		hook()
	}
	return err
}

// ApplyLeases is part of the lease.Batcher interface.
func (g *gatedClient) ApplyLeases(ops []lease.Op) []error {
	if hook := g.applying; hook != nil {
		g.applying = nil
		hook()
	}
	return g.Client.ApplyLeases(ops)
}

// gatedStore is a manager with MaxBatch maxBatch on a gatedClient of a new
// in-memory store, observed.
type gatedStore struct {
	clock   *clocktest.Clock
	store   *leasetest.Store
	client  *gatedClient
	manager leadership.ManagerWorker
	observation
}

func newGatedStore(c *gc.C, maxBatch int) *gatedStore {
	clock := clocktest.NewClock(defaultClockStart)
	store := leasetest.NewStore(clock)
	g := &gatedStore{
		clock:       clock,
		store:       store,
		client:      &gatedClient{Client: store.MustNewClient("controller-0")},
		observation: newObservation(slog.LevelWarn),
	}
	manager, err := leadership.NewManager(g.observe(leadership.ManagerConfig{
		Client:   g.client,
		Clock:    clock,
		MaxSleep: defaultMaxSleep,
		MaxBatch: maxBatch,
	}))
	c.Assert(err, jc.ErrorIsNil)
	g.manager = manager
	return g
}

// stop kills the manager and checks that it stopped cleanly.
func (g *gatedStore) stop(c *gc.C) {
	g.manager.Kill()
	c.Check(g.manager.Wait(), jc.ErrorIsNil)
}

// queueClaims returns a hook that queues claims of s0 to s<n-1>, each by
// its unit 0, on q.
func queueClaims(q *queue, n int) func() {
	return func() {
		for i := 0; i < n; i++ {
			service := fmt.Sprintf("s%d", i)
			q.claim(service, service+"/0")
		}
	}
}

// TestQueuedClaimsOneTransactionInMemory: ten claims queued behind a
// claim in flight take one transaction of the store, with an EventStore
// each saying so; with MaxBatch 1, one each.
func (s *BatchSuite) TestQueuedClaimsOneTransactionInMemory(c *gc.C) {
	for _, t := range []struct {
		maxBatch     int
		transactions int64
		batch        int
	}{{0, 2, 10}, {1, 11, 0}} {
		c.Logf("MaxBatch %d", t.maxBatch)
		g := newGatedStore(c, t.maxBatch)
		q := newQueue(c, 1)
		q.manager = g.manager
		g.client.claimed = queueClaims(q, 10)
		before := g.store.Transactions()
		c.Check(g.manager.ClaimLeadership("a", "a/0", time.Minute), jc.ErrorIsNil)
		c.Check(q.wait(10), jc.DeepEquals, make([]error, 10))
		c.Check(g.store.Transactions()-before, gc.Equals, t.transactions)

		stores := g.events.Match(func(e leadership.Event) bool { return e.Kind == leadership.EventStore })
		c.Assert(stores, gc.HasLen, 11)
		c.Check(stores[0].Batch, gc.Equals, 0)
		for _, e := range stores[1:] {
			c.Check(e.Call, gc.Equals, leadership.CallClaimLease)
			c.Check(e.Result, gc.Equals, leadership.ResultOK)
			c.Check(e.Batch, gc.Equals, t.batch)
		}
		other := g.store.MustNewClient("controller-1")
		for i := 0; i < 10; i++ {
			info, held := other.Lease(fmt.Sprintf("s%d", i))
			c.Check(held, jc.IsTrue)
			c.Check(info.Holder, gc.Equals, fmt.Sprintf("s%d/0", i))
		}
		g.stop(c)
	}
}

// TestStoreStoppedMidBatchInMemory: the store stops while claims queue:
// each caller gets an error matching lease.ErrUnavailable, nothing is
// written, the manager keeps running, and once the store is back the same
// claims are granted.
func (s *BatchSuite) TestStoreStoppedMidBatchInMemory(c *gc.C) {
	g := newGatedStore(c, 0)
	defer g.stop(c)
	q := newQueue(c, 1)
	q.manager = g.manager
	g.client.claimed = func() {
		queueClaims(q, 3)()
		g.store.Stop()
	}
	before := g.store.Transactions()
	c.Check(g.manager.ClaimLeadership("a", "a/0", time.Minute), jc.ErrorIsNil)
	for i, err := range q.wait(3) {
		c.Check(err, gc.ErrorMatches, fmt.Sprintf(`cannot claim leadership of "s%d" for "s%d/0": leasetest: store stopped: lease store unavailable`, i, i))
		c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue)
	}
	c.Check(g.store.Transactions()-before, gc.Equals, int64(1))
	checkRunning(c, g.manager)

	g.store.Restart()
	for i := 0; i < 3; i++ {
		service := fmt.Sprintf("s%d", i)
		c.Check(g.manager.ClaimLeadership(service, service+"/0", time.Minute), jc.ErrorIsNil)
	}
}

// TestSlowBatchLogsOnce: a batch slower than the slow threshold makes one
// "slow store" line, not one per write.
func (s *BatchSuite) TestSlowBatchLogsOnce(c *gc.C) {
	g := newGatedStore(c, 0)
	defer g.stop(c)
	q := newQueue(c, 1)
	q.manager = g.manager
	g.client.claimed = queueClaims(q, 3)
	// The slow threshold is a tenth of the shortest claim: 6s.
	g.client.applying = func() { g.clock.Advance(7 * time.Second) }
	c.Check(g.manager.ClaimLeadership("a", "a/0", time.Minute), jc.ErrorIsNil)
	c.Check(q.wait(3), jc.DeepEquals, make([]error, 3))
	slow := g.logs.Find(string(leadership.LogSlowStore))
	c.Assert(slow, gc.HasLen, 1)
	c.Check(slow[0].String(), gc.Matches, `.* service=s0( .*|$)`)
	c.Check(slow[0].String(), gc.Matches, `.* duration=7s( .*|$)`)
}
