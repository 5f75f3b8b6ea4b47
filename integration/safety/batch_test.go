package safety_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// batchingClient is a batched schedule's client: a recordingClient that
// is also a lease.Batcher, passing each batch on to the MongoDB client's
// ApplyLeases. It records every op of a batch as the single-lease method
// would be recorded (so that the checks see each write the database
// holds), and counts the batches of more than one op. Before such a
// batch, if a burst with a rival write armed it on this node, another
// manager writes the lease of the batch's first op (see rivalWrite).
type batchingClient struct {
	*recordingClient
}

var _ lease.Batcher = (*batchingClient)(nil)

// ApplyLeases is part of the [lease.Batcher] interface.
func (c *batchingClient) ApplyLeases(ops []lease.Op) []error {
	if len(ops) > 1 && c.w.takeRival(c.node) {
		c.rivalWrite(ops[0])
	}
	errs := c.inner.(lease.Batcher).ApplyLeases(ops)
	if len(ops) > 1 {
		c.w.countBatch(errs)
		c.w.record(rec{node: c.node.index, op: "client-batch", result: fmt.Sprintf("%d ops", len(ops))})
	}
	wrapped := make([]error, len(errs))
	for i, op := range ops {
		r := rec{node: c.node.index, op: "client-" + op.Kind.String(), svc: op.Lease, result: describe(errs[i])}
		switch op.Kind {
		case lease.OpClaim, lease.OpExtend:
			r.unit, r.dur = op.Request.Holder, op.Request.Duration
		case lease.OpRevoke:
			r.unit = op.Request.Holder
		}
		c.w.record(r)
		wrapped[i] = wrap(errs[i])
	}
	return wrapped
}

// rivalWrite has another running manager claim op's lease for the unit
// op names (a claim's or extension's holder, or the lease's holder as this
// client last read it), as if that unit's agent claimed through another
// controller: the lease changes under this manager's batch, whose op on it
// then aborts inside the batch. It runs on this node's manager goroutine,
// while the driver waits for it; every other manager is idle.
func (c *batchingClient) rivalWrite(op lease.Op) {
	holder, dur := op.Request.Holder, op.Request.Duration
	if holder == "" {
		holder = c.inner.Leases()[op.Lease].Holder
	}
	if dur == 0 {
		dur = durations[0]
	}
	var rival *node
	for _, n := range c.w.nodes {
		if n != c.node && c.w.runningManager(n) != nil {
			rival = n
			break
		}
	}
	if holder == "" || rival == nil {
		c.w.record(rec{node: c.node.index, op: "rival", svc: op.Lease, result: "none: no holder or no other manager"})
		return
	}
	manager := c.w.runningManager(rival)
	done := make(chan error, 1)
	go func() { done <- manager.ClaimLeadership(op.Lease, holder, dur) }()
	select {
	case err := <-done:
		result := describe(err)
		if errors.Is(err, leadership.ErrClaimDenied) {
			result = "denied"
		}
		// A guarantee like any other claim's, which the checks hold
		// against every other unit's.
		c.w.record(rec{node: rival.index, op: "claim", svc: op.Lease, unit: holder, dur: dur, result: result})
	case <-time.After(longWait):
		c.w.violate("hung", fmt.Sprintf("m%d's rival claim of %s for %s never returned", rival.index, op.Lease, holder), c.w.currentStep())
	}
}

// burst sends a claim by each of e.units through n's manager at once, and
// records each answer as claim does. The claims queue behind the first,
// which goes alone, and go together as one batch (or several, of at most
// MaxBatch) once it returns; which of them go together is up to the
// scheduler, the one thing in a schedule that a seed does not replay.
func (w *world) burst(n *node, e event) {
	if !w.running(n) {
		return
	}
	if e.rival {
		w.armRival(n)
		defer w.armRival(nil)
	}
	type answer struct {
		unit string
		err  error
	}
	inc := n.cur
	answers := make(chan answer, len(e.units))
	began := w.now()
	for _, u := range e.units {
		go func() {
			answers <- answer{u, inc.manager.ClaimLeadership(serviceOf(u), u, e.dur)}
		}()
	}
	got := map[string]error{}
	deadline := time.After(longWait)
	for range e.units {
		select {
		case a := <-answers:
			got[a.unit] = a.err
		case <-deadline:
			w.hung("the claims of a burst on m%d never returned", n.index)
		}
	}
	for _, u := range e.units {
		result := describe(got[u])
		if errors.Is(got[u], leadership.ErrClaimDenied) {
			result = "denied"
		}
		w.record(rec{node: n.index, op: "claim", svc: serviceOf(u), unit: u, dur: e.dur, result: result, took: w.now() - began})
	}
}

// batchStats counts the batches of more than one op that the managers of
// one or more runs sent.
type batchStats struct {
	batches int // batches of more than one op
	ops     int // the ops in them
	invalid int // of those ops, the ones answered lease.ErrInvalid
	// faulted counts the batches sent while the event had a fault or a
	// chaos breakpoint armed.
	faulted int
}

func (s *batchStats) add(o batchStats) {
	s.batches += o.batches
	s.ops += o.ops
	s.invalid += o.invalid
	s.faulted += o.faulted
}

func (s batchStats) String() string {
	return fmt.Sprintf("%d batches of more than one op (%d ops; %d aborted inside their batch, lease.ErrInvalid; %d batches sent under an armed fault or chaos breakpoint)",
		s.batches, s.ops, s.invalid, s.faulted)
}

// countBatch counts a batch of more than one op, answered errs.
func (w *world) countBatch(errs []error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.batch.batches++
	w.batch.ops += len(errs)
	for _, err := range errs {
		if errors.Is(err, lease.ErrInvalid) {
			w.batch.invalid++
		}
	}
	if w.faultArmed {
		w.batch.faulted++
	}
}

// armRival arms a rival write for n's next batch; nil disarms it.
func (w *world) armRival(n *node) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rival = n
}

// takeRival reports whether a rival write is armed for n's batch, and
// disarms it.
func (w *world) takeRival(n *node) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rival != n || n == nil {
		return false
	}
	w.rival = nil
	return true
}

// setFaultArmed records whether the event being run has a fault or a
// chaos breakpoint armed.
func (w *world) setFaultArmed(armed bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.faultArmed = armed
}

// currentStep returns the step being run.
func (w *world) currentStep() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.step
}
