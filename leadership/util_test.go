package leadership_test

import (
	"fmt"
	"reflect"
	"sort"
	"sync"
	"time"

	"github.com/juju/errors"
	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
)

const (
	// LongWait is the real time a test waits for something that should
	// happen before it fails.
	LongWait = 10 * time.Second

	// ShortWait is the real time a test watches for something that should
	// not happen.
	ShortWait = 50 * time.Millisecond
)

// receive returns the first value sent on ch, or fails the test with
// failure (what did not happen) if none comes within LongWait.
func receive[T any](c *gc.C, ch <-chan T, failure string) T {
	select {
	case v := <-ch:
		return v
	case <-time.After(LongWait):
		c.Fatalf("%s (waited %v)", failure, LongWait)
	}
	panic("unreachable")
}

// call is one expected call to a Client.
type call struct {
	method string
	args   []interface{}
	err    error
	// errs is the answer of an ApplyLeases call (see BatchingClient), one
	// error per op; nil means that every op applied.
	errs []error
	// callback, if not nil, runs first, whether or not the call matches;
	// it plays another writer by changing the client's leases.
	callback func(leases map[string]lease.Info)
}

// Client is a scripted lease.Client. It starts with some leases and
// expects an ordered list of calls, each answered with its err after its
// callback has run. It implements lease.Revoker too; see
// fixture.noRevoker for a client that does not. It deliberately does not implement lease.Reader, so
// that the manager's fallback to Leases is what these tests exercise.
type Client struct {
	mu     sync.Mutex
	leases map[string]lease.Info
	expect []call
	failed string
	done   chan struct{}
}

var (
	_ lease.Client  = (*Client)(nil)
	_ lease.Revoker = (*Client)(nil)
)

// NewClient returns a Client with the given leases (nil means none) that
// expects the given calls.
func NewClient(leases map[string]lease.Info, expect []call) *Client {
	if leases == nil {
		leases = make(map[string]lease.Info)
	}
	c := &Client{leases: leases, expect: expect, done: make(chan struct{})}
	if len(expect) == 0 {
		close(c.done)
	}
	return c
}

// Wait fails the test unless every expected call has been made, and no
// unexpected call, within LongWait.
func (c *Client) Wait(t interface{ Fatalf(string, ...interface{}) }) {
	select {
	case <-c.done:
	case <-time.After(LongWait):
		c.mu.Lock()
		defer c.mu.Unlock()
		t.Fatalf("Client test took way too long; still expected:%s", formatCalls(c.expect))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.failed != "" {
		t.Fatalf("%s", c.failed)
	}
}

func formatCalls(calls []call) string {
	s := ""
	for _, call := range calls {
		s += fmt.Sprintf("\n  %s %v", call.method, call.args)
	}
	return s
}

// ClaimLease is part of the lease.Client interface.
func (c *Client) ClaimLease(name string, request lease.Request) error {
	return c.call("ClaimLease", []interface{}{name, request})
}

// ExtendLease is part of the lease.Client interface.
func (c *Client) ExtendLease(name string, request lease.Request) error {
	return c.call("ExtendLease", []interface{}{name, request})
}

// ExpireLease is part of the lease.Client interface.
func (c *Client) ExpireLease(name string) error {
	return c.call("ExpireLease", []interface{}{name})
}

// RevokeLease is part of the lease.Revoker interface.
func (c *Client) RevokeLease(name, holder string) error {
	return c.call("RevokeLease", []interface{}{name, holder})
}

// Refresh is part of the lease.Client interface.
func (c *Client) Refresh() error {
	return c.call("Refresh", nil)
}

// Leases is part of the lease.Client interface. It returns a copy.
func (c *Client) Leases() map[string]lease.Info {
	c.mu.Lock()
	defer c.mu.Unlock()
	leases := make(map[string]lease.Info, len(c.leases))
	for name, info := range c.leases {
		leases[name] = info
	}
	return leases
}

func (c *Client) call(method string, args []interface{}) error {
	return c.script(method, args).err
}

// script plays the next expected call, and returns it if the actual call
// matches it; otherwise it fails the test, and returns a call whose err
// says so.
func (c *Client) script(method string, args []interface{}) call {
	c.mu.Lock()
	defer c.mu.Unlock()
	select {
	case <-c.done:
		return call{err: errors.Errorf("Client method called after test complete: %s %v", method, args)}
	default:
	}
	defer func() {
		if len(c.expect) == 0 || c.failed != "" {
			close(c.done)
		}
	}()

	expect := c.expect[0]
	c.expect = c.expect[1:]
	if expect.callback != nil {
		expect.callback(c.leases)
	}
	if method == expect.method && reflect.DeepEqual(args, expect.args) {
		return expect
	}
	c.failed = fmt.Sprintf("unexpected Client call:\n  actual: %s %v\n  expect: %s %v",
		method, args, expect.method, expect.args)
	return call{err: errors.New(c.failed)}
}

// applyLeases plays an ApplyLeases call, whose args are the ops sorted
// by lease name (the ops of a batch, each of a different lease, have no
// order of their own: a manager takes queued claims and revocations from
// two channels): it answers with the expected call's errs, in the same
// order, or with its err for every op if errs is nil (a failed script's
// error, or nil: every op applied).
func (c *Client) applyLeases(ops []lease.Op) []error {
	sorted := append([]lease.Op(nil), ops...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Lease < sorted[j].Lease })
	expect := c.script("ApplyLeases", []interface{}{sorted})
	byLease := make(map[string]error, len(ops))
	for i, op := range sorted {
		byLease[op.Lease] = expect.err
		if expect.errs != nil && i < len(expect.errs) {
			byLease[op.Lease] = expect.errs[i]
		}
	}
	errs := make([]error, len(ops))
	for i, op := range ops {
		errs[i] = byLease[op.Lease]
	}
	return errs
}

// RefreshingClient is a Client that is also a lease.SingleRefresher and a
// lease.ClockRefresher: RefreshLease and RefreshClocks are scripted calls
// like the others. It is what the manager sees of the MongoDB client.
type RefreshingClient struct {
	*Client
}

var (
	_ lease.SingleRefresher = RefreshingClient{}
	_ lease.ClockRefresher  = RefreshingClient{}
)

// RefreshLease is part of the lease.SingleRefresher interface.
func (c RefreshingClient) RefreshLease(name string) error {
	return c.call("RefreshLease", []interface{}{name})
}

// RefreshClocks is part of the lease.ClockRefresher interface.
func (c RefreshingClient) RefreshClocks() error {
	return c.call("RefreshClocks", nil)
}

// BatchingClient is a Client that is also a lease.Batcher: ApplyLeases is
// a scripted call like the others (see Client.applyLeases).
type BatchingClient struct {
	*Client
}

var _ lease.Batcher = BatchingClient{}

// ApplyLeases is part of the lease.Batcher interface.
func (c BatchingClient) ApplyLeases(ops []lease.Op) []error {
	return c.applyLeases(ops)
}

// RefreshingBatchingClient is a RefreshingClient that is also a
// lease.Batcher, as BatchingClient is: what the manager sees of the
// MongoDB client once it batches.
type RefreshingBatchingClient struct {
	RefreshingClient
}

var _ lease.Batcher = RefreshingBatchingClient{}

// ApplyLeases is part of the lease.Batcher interface.
func (c RefreshingBatchingClient) ApplyLeases(ops []lease.Op) []error {
	return c.applyLeases(ops)
}

// StepClient is a RefreshingClient that is also a lease.StepRefresher,
// whose steps its stepScript plays: what the manager sees of the MongoDB
// client. Refresh and the other methods stay scripted calls.
type StepClient struct {
	RefreshingClient
	script *stepScript
}

var _ lease.StepRefresher = StepClient{}

// BeginRefresh is part of the lease.StepRefresher interface.
func (c StepClient) BeginRefresh(batch int) lease.RefreshSteps {
	s := c.script
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun = append(s.begun, batch)
	return &scriptedSteps{script: s, n: len(s.begun)}
}

// stepScript plays the stepped refreshes of a StepClient: every step is
// not the last until the test calls finish; then the next step of the
// refresh in flight runs the callback on the client's leases (playing what
// the steps read) and ends with the error given.
type stepScript struct {
	client    *Client
	stepped   chan struct{} // receives after every step, if it can
	mu        sync.Mutex
	begun     []int // the batch of each BeginRefresh
	steps     int
	closed    int
	ended     int // refreshes whose last step ran
	last      func(map[string]lease.Info)
	err       error
	finishing bool
}

// newStepScript returns a stepScript whose steps never end until finish.
func newStepScript() *stepScript {
	return &stepScript{stepped: make(chan struct{}, 1)}
}

// finish makes the next step the last: it runs callback (if not nil) on
// the client's leases and returns err.
func (s *stepScript) finish(callback func(map[string]lease.Info), err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.finishing, s.last, s.err = true, callback, err
}

// counts returns how many refreshes began, steps ran, refreshes were
// closed and refreshes ended.
func (s *stepScript) counts() (begun, steps, closed, ended int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.begun), s.steps, s.closed, s.ended
}

// scriptedSteps is the nth refresh a StepClient began.
type scriptedSteps struct {
	script *stepScript
	n      int
	over   bool
}

// Step is part of the lease.RefreshSteps interface.
func (r *scriptedSteps) Step() (bool, error) {
	s := r.script
	s.mu.Lock()
	defer s.mu.Unlock()
	if r.over || r.n != len(s.begun) {
		return true, lease.ErrRefreshAbandoned
	}
	s.steps++
	select {
	case s.stepped <- struct{}{}:
	default:
	}
	if !s.finishing {
		return false, nil
	}
	r.over, s.finishing = true, false
	s.ended++
	if s.last != nil {
		s.client.mu.Lock()
		s.last(s.client.leases)
		s.client.mu.Unlock()
	}
	return true, s.err
}

// Close is part of the lease.RefreshSteps interface.
func (r *scriptedSteps) Close() {
	s := r.script
	s.mu.Lock()
	defer s.mu.Unlock()
	if !r.over {
		r.over = true
		s.closed++
	}
}
