package safety_test

import (
	"errors"
	"fmt"
	"sync"

	"github.com/seed07a61904/leadership/lease"
)

// recordingClient wraps a node's lease client: it records every write the
// manager makes (claim, extend, expire) in the history, and tells the
// driver when the manager looks a lease up, which is how the driver knows
// that a block request has reached the manager's loop. It wraps every
// error it passes on with %w, as a user's own client might, so that a
// manager that compares errors by identity, or with errors.Cause, dies of
// an ErrInvalid.
type recordingClient struct {
	inner  lease.Client
	reader lease.Reader
	node   *node
	w      *world

	mu     sync.Mutex
	lookup chan string // if not nil, receives the names looked up
}

var (
	_ lease.Client          = (*recordingClient)(nil)
	_ lease.Reader          = (*recordingClient)(nil)
	_ lease.SingleRefresher = (*recordingClient)(nil)
	_ lease.ClockRefresher  = (*recordingClient)(nil)
	_ lease.Revoker         = (*recordingClient)(nil)
	_ lease.StepRefresher   = (*recordingClient)(nil)
)

func newRecordingClient(inner lease.Client, n *node, w *world) *recordingClient {
	reader, _ := inner.(lease.Reader)
	return &recordingClient{inner: inner, reader: reader, node: n, w: w}
}

func (c *recordingClient) ClaimLease(name string, r lease.Request) error {
	err := c.inner.ClaimLease(name, r)
	c.w.record(rec{node: c.node.index, op: "client-claim", svc: name, unit: r.Holder, dur: r.Duration, result: describe(err)})
	return wrap(err)
}

func (c *recordingClient) ExtendLease(name string, r lease.Request) error {
	err := c.inner.ExtendLease(name, r)
	c.w.record(rec{node: c.node.index, op: "client-extend", svc: name, unit: r.Holder, dur: r.Duration, result: describe(err)})
	return wrap(err)
}

func (c *recordingClient) ExpireLease(name string) error {
	err := c.inner.ExpireLease(name)
	c.w.record(rec{node: c.node.index, op: "client-expire", svc: name, result: describe(err)})
	return wrap(err)
}

// RevokeLease passes a revoke on to the MongoDB client. Only "tracked"
// schedules revoke (their trackers, when killed, and their revoke events).
func (c *recordingClient) RevokeLease(name, holder string) error {
	err := c.inner.(lease.Revoker).RevokeLease(name, holder)
	c.w.record(rec{node: c.node.index, op: "client-revoke", svc: name, unit: holder, result: describe(err)})
	return wrap(err)
}

func (c *recordingClient) Leases() map[string]lease.Info {
	return c.inner.Leases()
}

// Refresh passes a full refresh on. For the pace check (see checkPace), a
// refresh that reached the store counts, and so does one that found it
// unavailable (an outage, a step-down, a failed reply): the manager woke
// when it had to, and the store kept it from reading.
func (c *recordingClient) Refresh() error {
	return c.refreshed(c.inner.Refresh())
}

// refreshed records the end of a full refresh that returned err (see
// Refresh), and returns err wrapped.
func (c *recordingClient) refreshed(err error) error {
	if err == nil || errors.Is(err, lease.ErrUnavailable) {
		c.node.clock.resetAdvanced()
	}
	if err != nil {
		c.w.record(rec{node: c.node.index, op: "client-refresh", result: describe(err)})
		return wrap(err)
	}
	return nil
}

// simStepBatch is how many lease documents a step of a stepped refresh
// reads in the simulation, whatever the manager asks: few, so that its
// few leases take several steps, and writes and single reads land
// between them.
const simStepBatch = 2

// BeginRefresh passes a stepped refresh on to the MongoDB client, in
// steps of simStepBatch; its last step counts as a Refresh does.
func (c *recordingClient) BeginRefresh(int) lease.RefreshSteps {
	return &recordingSteps{inner: c.inner.(lease.StepRefresher).BeginRefresh(simStepBatch), c: c}
}

// recordingSteps is a stepped refresh of a recordingClient.
type recordingSteps struct {
	inner lease.RefreshSteps
	c     *recordingClient
}

// Step is part of the lease.RefreshSteps interface.
func (s *recordingSteps) Step() (bool, error) {
	done, err := s.inner.Step()
	if !done {
		return false, wrap(err)
	}
	return true, s.c.refreshed(err)
}

// Close is part of the lease.RefreshSteps interface.
func (s *recordingSteps) Close() {
	s.inner.Close()
}

// RefreshLease and RefreshClocks pass the single-lease and clock reads on
// to the MongoDB client, so that the managers read single leases and poll the
// clocks as they do in production. Neither counts as a refresh for the
// pace check: a manager must still refresh every lease every MaxSleep.
// The driver's barrier (see settle), never claimed and no part of the
// system under test, is not read: its reads, after every event on every
// manager, would only slow every schedule down.
func (c *recordingClient) RefreshLease(name string) error {
	if name == barrierService {
		return nil
	}
	err := c.inner.(lease.SingleRefresher).RefreshLease(name)
	if err != nil {
		c.w.record(rec{node: c.node.index, op: "client-refresh-lease", svc: name, result: describe(err)})
	}
	return wrap(err)
}

func (c *recordingClient) RefreshClocks() error {
	err := c.inner.(lease.ClockRefresher).RefreshClocks()
	if err != nil {
		c.w.record(rec{node: c.node.index, op: "client-refresh-clocks", result: describe(err)})
	}
	return wrap(err)
}

func (c *recordingClient) Lease(name string) (lease.Info, bool) {
	c.mu.Lock()
	lookup := c.lookup
	c.mu.Unlock()
	if lookup != nil {
		select {
		case lookup <- name:
		default:
		}
	}
	if c.reader != nil {
		return c.reader.Lease(name)
	}
	info, ok := c.inner.Leases()[name]
	return info, ok
}

// watchLookups makes the client report, on the returned channel, the
// names the manager looks up, until stop is called.
func (c *recordingClient) watchLookups() (<-chan string, func()) {
	ch := make(chan string, 16)
	c.mu.Lock()
	c.lookup = ch
	c.mu.Unlock()
	return ch, func() {
		c.mu.Lock()
		c.lookup = nil
		c.mu.Unlock()
	}
}

// wrap wraps err, if it is not nil, with %w.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("recorded: %w", err)
}

// describe describes the result of a lease or manager operation for the
// history.
func describe(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, lease.ErrInvalid):
		return "ErrInvalid"
	default:
		return "error: " + err.Error()
	}
}
