package leadership_test

import (
	"errors"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// BatchSuite checks group commit on a scripted lease.Batcher: the writes
// queued while a store call holds the manager's loop go together, in one
// ApplyLeases, and every caller gets the answer it would have had alone.
type BatchSuite struct{}

var _ = gc.Suite(&BatchSuite{})

// queue makes requests while the manager's loop is inside a client call,
// each once the one before waits to be taken, so that the loop takes them
// in that order; and collects their answers.
type queue struct {
	c       *gc.C
	manager leadership.ManagerWorker
	// parked is how many claims and revocations wait on the manager:
	// the one it serves, if the call it is in is a claim's, and those
	// queued.
	parked  int
	answers []chan error
	// made has a value sent once each request has been made, after it was
	// added to answers.
	made chan struct{}
}

// newQueue returns a queue; parked is how many requests wait on the
// manager already.
func newQueue(c *gc.C, parked int) *queue {
	return &queue{c: c, parked: parked, made: make(chan struct{}, 100)}
}

// claim queues a claim of service by unit, for a minute.
func (q *queue) claim(service, unit string) {
	q.start(func() error { return q.manager.ClaimLeadership(service, unit, time.Minute) })
}

// revoke queues a revocation of service by unit.
func (q *queue) revoke(service, unit string) {
	q.start(func() error { return q.manager.(leadership.Revoker).RevokeLeadership(service, unit) })
}

func (q *queue) start(request func() error) {
	answer := make(chan error, 1)
	q.answers = append(q.answers, answer)
	go func() { answer <- request() }()
	q.parked++
	waitParked(q.c, q.parked)
	q.made <- struct{}{}
}

// wait waits until n requests have been made, and returns their answers,
// in the order they were made.
func (q *queue) wait(n int) []error {
	for i := 0; i < n; i++ {
		select {
		case <-q.made:
		case <-time.After(LongWait):
			q.c.Fatalf("%d requests made of %d within %v", i, n, LongWait)
		}
	}
	errs := make([]error, len(q.answers))
	for i, answer := range q.answers {
		select {
		case errs[i] = <-answer:
		case <-time.After(LongWait):
			q.c.Fatalf("request %d not answered within %v", i, LongWait)
		}
	}
	return errs
}

// minute is the request a claim by unit for a minute makes.
func minute(unit string) lease.Request {
	return lease.Request{Holder: unit, Duration: time.Minute}
}

// claimOp and extendOp are the ops of a claim or an extension by the
// service's unit 0 for a minute; revokeOp and expireOp those of a
// revocation by unit and an expiry.
func claimOp(service string) lease.Op {
	return lease.Op{Kind: lease.OpClaim, Lease: service, Request: minute(service + "/0")}
}

func extendOp(service string) lease.Op {
	return lease.Op{Kind: lease.OpExtend, Lease: service, Request: minute(service + "/0")}
}

func revokeOp(service, unit string) lease.Op {
	return lease.Op{Kind: lease.OpRevoke, Lease: service, Request: lease.Request{Holder: unit}}
}

func expireOp(service string) lease.Op {
	return lease.Op{Kind: lease.OpExpire, Lease: service}
}

// hold returns a callback that records each service as held by its unit
// 0 for a minute: another writer's claim, or this manager's, applied.
func hold(services ...string) func(map[string]lease.Info) {
	return func(leases map[string]lease.Info) {
		for _, s := range services {
			leases[s] = lease.Info{Holder: s + "/0", Expiry: offset(time.Minute)}
		}
	}
}

// claimA is the expected claim of "a" by "a/0" that holds the manager's
// loop while queue makes its requests.
func claimA(queue func()) call {
	return call{method: "ClaimLease", args: []interface{}{"a", minute("a/0")}, callback: func(leases map[string]lease.Info) {
		hold("a")(leases)
		queue()
	}}
}

// run returns a fixture's test that claims "a" for "a/0" (whose call
// queues the requests: see claimA), checks the answers, then runs after.
func (q *queue) run(answers []error, after func(leadership.ManagerWorker)) func(leadership.ManagerWorker, *clocktest.Clock) {
	return func(m leadership.ManagerWorker, _ *clocktest.Clock) {
		q.manager = m
		q.c.Check(m.ClaimLeadership("a", "a/0", time.Minute), jc.ErrorIsNil)
		q.c.Check(q.wait(len(answers)), jc.DeepEquals, answers)
		if after != nil {
			after(m)
		}
	}
}

// claims queues a claim of each service by its unit 0.
func (q *queue) claims(services ...string) {
	for _, service := range services {
		q.claim(service, service+"/0")
	}
}

// runBatch runs fix on a lease.Batcher: the manager first serves a/0's
// claim of a, during which queued makes its requests on q; then fix
// expects calls. It checks the requests' answers, then runs after (if
// not nil).
func runBatch(c *gc.C, fix fixture, queued func(q *queue), answers []error, after func(leadership.ManagerWorker), calls ...call) {
	q := newQueue(c, 1)
	fix.batching = true
	fix.expectCalls = append([]call{claimA(func() { queued(q) })}, calls...)
	fix.RunTest(c, q.run(answers, after))
}

// claimBCD queues claims of b, c and d by their units 0.
func claimBCD(q *queue) { q.claims("b", "c", "d") }

// TestQueuedClaimsOneTransaction: three claims queued behind a claim in
// flight go as one ApplyLeases, and each unit then leads.
func (s *BatchSuite) TestQueuedClaimsOneTransaction(c *gc.C) {
	runBatch(c, fixture{}, claimBCD, []error{nil, nil, nil}, func(m leadership.ManagerWorker) {
		for _, service := range []string{"b", "c", "d"} {
			token, err := m.CheckLeadership(service, service+"/0")
			c.Check(err, jc.ErrorIsNil)
			c.Check(token, gc.NotNil)
		}
	}, call{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("c"), claimOp("d")}},
		callback: hold("b", "c", "d")})
}

// TestDeniedOpFailsNoOther: of three queued claims, the manager denies c
// on its cache (another unit holds it) without writing, and the store
// refuses b (another unit claimed it meanwhile): both are denied, as
// alone, and d is granted.
func (s *BatchSuite) TestDeniedOpFailsNoOther(c *gc.C) {
	runBatch(c, fixture{leases: map[string]lease.Info{"c": {Holder: "c/1", Expiry: offset(time.Minute)}}},
		claimBCD, []error{leadership.ErrClaimDenied, leadership.ErrClaimDenied, nil}, nil,
		call{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("d")}},
			errs: []error{lease.ErrInvalid, nil},
			callback: func(leases map[string]lease.Info) {
				leases["b"] = lease.Info{Holder: "b/1", Expiry: offset(time.Minute)}
				hold("d")(leases)
			}})
}

// TestContendedOpRetriedAlone: the store refuses one op of a batch
// because its lease changed (the unit claimed it through another
// manager); that op alone is tried again, an extension now, and every
// caller is granted.
func (s *BatchSuite) TestContendedOpRetriedAlone(c *gc.C) {
	runBatch(c, fixture{}, claimBCD, []error{nil, nil, nil}, nil,
		call{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("c"), claimOp("d")}},
			errs: []error{nil, lease.ErrInvalid, nil}, callback: hold("b", "c", "d")},
		call{method: "ExtendLease", args: []interface{}{"c", minute("c/0")}})
}

// TestContendedOpsRetriedTogether: two contended ops of a batch are tried
// again together, each decided on what the client read: b, which its unit
// claimed elsewhere, is extended; d, released elsewhere, claimed again.
func (s *BatchSuite) TestContendedOpsRetriedTogether(c *gc.C) {
	runBatch(c, fixture{leases: map[string]lease.Info{"d": {Holder: "d/0", Expiry: offset(time.Second)}}},
		claimBCD, []error{nil, nil, nil}, nil,
		call{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("c"), extendOp("d")}},
			errs: []error{lease.ErrInvalid, nil, lease.ErrInvalid},
			callback: func(leases map[string]lease.Info) {
				hold("b", "c")(leases)
				delete(leases, "d")
			}},
		call{method: "ApplyLeases", args: []interface{}{[]lease.Op{extendOp("b"), claimOp("d")}}, callback: hold("d")})
}

// TestRevokeInBatch: a revocation queued with a claim goes in the same
// transaction, and releases the waiters on its lease.
func (s *BatchSuite) TestRevokeInBatch(c *gc.C) {
	q := newQueue(c, 1)
	var bt *blockTest
	fix := &fixture{
		batching: true,
		leases:   map[string]lease.Info{"r": {Holder: "r/0", Expiry: offset(time.Minute)}},
		expectCalls: []call{
			claimA(func() { q.claim("b", "b/0"); q.revoke("r", "r/0") }),
			{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), revokeOp("r", "r/0")}},
				callback: func(leases map[string]lease.Info) {
					hold("b")(leases)
					delete(leases, "r")
				}},
		},
	}
	fix.RunTest(c, func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		bt = blockedOn(c, m, "r")
		q.run([]error{nil, nil}, func(leadership.ManagerWorker) {
			c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
		})(m, clock)
	})
}

// TestSameLeaseWaitsForFirst: of the requests queued about one lease,
// only the first goes in the batch; each later one is decided once the
// one before has its answer, as it would be alone: b/1's claim is denied
// (b/0 has just claimed b), and b/0's second claim extends.
func (s *BatchSuite) TestSameLeaseWaitsForFirst(c *gc.C) {
	queued := func(q *queue) {
		q.claim("b", "b/0")
		q.claim("b", "b/1")
		q.claim("c", "c/0")
		q.claim("b", "b/0")
	}
	runBatch(c, fixture{}, queued, []error{nil, leadership.ErrClaimDenied, nil, nil}, nil,
		call{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("c")}}, callback: hold("b", "c")},
		call{method: "ExtendLease", args: []interface{}{"b", minute("b/0")}})
}

// TestStoreDownMidBatch: the store fails a whole batch: every caller gets
// an error matching lease.ErrUnavailable, the manager keeps running, and
// the next request about one of those leases reads it first (the write's
// outcome is unknown).
func (s *BatchSuite) TestStoreDownMidBatch(c *gc.C) {
	q := newQueue(c, 1)
	fix := &fixture{
		batching: true,
		leases:   map[string]lease.Info{"r": {Holder: "r/0", Expiry: offset(time.Minute)}},
		expectCalls: []call{
			claimA(func() { q.claims("b", "c"); q.revoke("r", "r/0") }),
			{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("c"), revokeOp("r", "r/0")}},
				err: unavailable("connection reset")},
			{method: "Refresh"},
			{method: "ClaimLease", args: []interface{}{"b", minute("b/0")}},
		},
	}
	fix.RunTest(c, func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		q.manager = m
		c.Check(m.ClaimLeadership("a", "a/0", time.Minute), jc.ErrorIsNil)
		errs := q.wait(3)
		c.Check(errs[0], gc.ErrorMatches, `cannot claim leadership of "b" for "b/0": connection reset: lease store unavailable`)
		c.Check(errs[1], gc.ErrorMatches, `cannot claim leadership of "c" for "c/0": connection reset: lease store unavailable`)
		c.Check(errs[2], gc.ErrorMatches, `cannot revoke leadership of "r" for "r/0": connection reset: lease store unavailable`)
		for i, err := range errs {
			c.Check(errors.Is(err, lease.ErrUnavailable), jc.IsTrue, gc.Commentf("request %d", i))
		}
		checkRunning(c, m)
		c.Check(m.ClaimLeadership("b", "b/0", time.Minute), jc.ErrorIsNil)
	})
}

// TestBatchBounded: a batch takes MaxBatch requests at most; the next
// queued one goes after it.
func (s *BatchSuite) TestBatchBounded(c *gc.C) {
	runBatch(c, fixture{maxBatch: 2}, claimBCD, []error{nil, nil, nil}, nil,
		call{method: "ApplyLeases", args: []interface{}{[]lease.Op{claimOp("b"), claimOp("c")}}, callback: hold("b", "c")},
		call{method: "ClaimLease", args: []interface{}{"d", minute("d/0")}})
}

// TestBatchingOff: with MaxBatch 1, a Batcher's queued claims go one at a
// time, through ClaimLease, as with a client that cannot batch.
func (s *BatchSuite) TestBatchingOff(c *gc.C) {
	runBatch(c, fixture{maxBatch: 1}, func(q *queue) { q.claims("b", "c") }, []error{nil, nil}, nil,
		call{method: "ClaimLease", args: []interface{}{"b", minute("b/0")}},
		call{method: "ClaimLease", args: []interface{}{"c", minute("c/0")}})
}

// TestExpiriesInBatches: a wake expires the leases that ran out in
// batches of MaxBatch; a claim that waits on a lease of the first batch is
// answered, and the waiters on its leases released, before the next.
func (s *BatchSuite) TestExpiriesInBatches(c *gc.C) {
	q := newQueue(c, 0)
	var bt *blockTest
	fix := &fixture{
		batching: true,
		maxBatch: 2,
		leases:   threeDue(),
		expectCalls: []call{
			{method: "Refresh"},
			{method: "ApplyLeases", args: []interface{}{[]lease.Op{expireOp("a"), expireOp("b")}},
				callback: func(leases map[string]lease.Info) {
					delete(leases, "a")
					delete(leases, "b")
					q.claim("a", "a/1")
				}},
			{method: "ClaimLease", args: []interface{}{"a", minute("a/1")}, callback: func(leases map[string]lease.Info) {
				c.Check(bt.assertUnblocked(c), jc.ErrorIsNil)
				leases["a"] = lease.Info{Holder: "a/1", Expiry: offset(time.Minute + time.Second)}
			}},
			expireCall("c", nil),
		},
	}
	fix.RunTest(c, func(m leadership.ManagerWorker, clock *clocktest.Clock) {
		q.manager = m
		bt = blockedOn(c, m, "b")
		c.Assert(clock.WaitAlarms(1, LongWait), jc.ErrorIsNil)
		clock.Advance(time.Second)
		c.Check(q.wait(1), jc.DeepEquals, []error{nil})
	})
}
