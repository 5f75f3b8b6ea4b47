package bench_test

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// A check that misses, a claim that is denied, a block and the
// expiry of one lease read only that lease's document and the clock
// document, so they cost the same commands at 10,000 leases as at 10.

// liveId is the Id of the client of the manager under test.
const liveId = "controller-1"

// perCallEnv is a manager over lease.NewClient (Id liveId, fake clock,
// no clock polls, MaxSleep far away) on a fresh server that holds n
// leases written by clientId, a controller that has stopped: held for a century, but for `due` of them
// that run out one second apart, the first one second after the start.
type perCallEnv struct {
	d       *db
	clock   *clocktest.Clock
	client  *signallingClient
	manager leadership.ManagerWorker
	held    []seedLease
	due     []seedLease
}

func newPerCallEnv(tb testing.TB, n, due int) *perCallEnv {
	tb.Helper()
	env := &perCallEnv{d: startDB(tb), clock: newFakeClock()}
	leases := heldLeases(n, start)
	for i := 0; i < due; i++ {
		l := &leases[i*n/due]
		l.expiry = start.Add(time.Duration(i+1) * time.Second)
		env.due = append(env.due, *l)
	}
	env.held = leases
	env.d.seed(tb, start, leases)
	env.client = newSignallingClient(env.d.newClientAs(tb, liveId, env.clock), env.d.server)
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:    env.client,
		Clock:     env.clock,
		MaxSleep:  1000 * time.Hour,
		ClockPoll: -1,
	})
	if err != nil {
		env.d.close(tb)
		tb.Fatal(err)
	}
	env.manager = manager
	return env
}

func (env *perCallEnv) close(tb testing.TB) {
	env.manager.Kill()
	err := env.manager.Wait()
	env.d.close(tb)
	check(tb, err)
}

// commands returns how many commands f cost.
func (env *perCallEnv) commands(f func()) int64 {
	before := env.d.server.Commands()
	f()
	return env.d.server.Commands() - before
}

// checkMiss checks a unit that does not lead the lease.
func (env *perCallEnv) checkMiss(tb testing.TB, l seedLease) {
	if _, err := env.manager.CheckLeadership(l.name, l.name+"/1"); err == nil {
		tb.Fatalf("%s/1 leads %s", l.name, l.name)
	}
}

// deniedClaim claims the lease for a unit that does not lead it.
func (env *perCallEnv) deniedClaim(tb testing.TB, l seedLease) {
	if err := env.manager.ClaimLeadership(l.name, l.name+"/1", time.Minute); !errors.Is(err, leadership.ErrClaimDenied) {
		tb.Fatalf("claim of %s: got %v, want ErrClaimDenied", l.name, err)
	}
}

// blockFree blocks on a service nobody leads: it returns at once.
func (env *perCallEnv) blockFree(tb testing.TB, i int) {
	check(tb, env.manager.BlockUntilLeadershipReleased(fmt.Sprintf("free%06d", i)))
}

// blockHeld blocks on a held lease, and returns once the manager has read
// it (the block stays).
func (env *perCallEnv) blockHeld(tb testing.TB, l seedLease) {
	env.client.drain()
	go func() { _ = env.manager.BlockUntilLeadershipReleased(l.name) }()
	env.client.waitFor(tb, "RefreshLease "+l.name)
}

// expire moves the clock past the due lease's expiry, and returns once the
// manager has expired it.
func (env *perCallEnv) expire(tb testing.TB, l seedLease) {
	env.client.drain()
	env.clock.Set(l.expiry.Add(time.Millisecond))
	env.client.waitFor(tb, "ExpireLease "+l.name)
}

// TestCommandsPerCall is the guard of that: the same commands at 1,000
// leases as at 10, and exactly two reads (the lease's document and the
// clock document) for a check that misses, a denied claim and a block.
func TestCommandsPerCall(t *testing.T) {
	counts := map[int]map[string]int64{}
	for _, n := range []int{10, 1000} {
		env := newPerCallEnv(t, n, 1)
		if env.d.server.Commands() < 0 {
			env.close(t)
			t.Skip("the server does not count commands")
		}
		l := env.held[n-1]
		counts[n] = map[string]int64{
			"check miss":   env.commands(func() { env.checkMiss(t, l) }),
			"denied claim": env.commands(func() { env.deniedClaim(t, l) }),
			"block, free":  env.commands(func() { env.blockFree(t, 0) }),
			"block, held":  env.commands(func() { env.blockHeld(t, l) }),
			"expiry":       env.commands(func() { env.expire(t, env.due[0]) }),
		}
		// The expiry's transaction costs what it costs (mgo/txn's
		// commands vary by one or two); its reads are counted alone.
		counts[n]["expiry reads"] = counts[n]["expiry"] - env.client.expiries.Load()
		delete(counts[n], "expiry")
		env.close(t)
		t.Logf("%d leases: %v", n, counts[n])
	}
	for what, n := range counts[10] {
		if n != 2 {
			t.Errorf("%s at 10 leases: %d commands, want 2", what, n)
		}
		if got := counts[1000][what]; got != n {
			t.Errorf("%s: %d commands at 1,000 leases, %d at 10", what, got, n)
		}
	}
}

// BenchmarkPerCall measures the commands (cmds/op) and time of each
// per-call operation at 10, 1,000 and 10,000 leases; for an expiry,
// txn-cmds/op is the commands of its transaction alone, so that the rest
// is the manager's reads. Run with -benchtime=Nx, N at most the number of
// leases (10 at 10 leases): each expiry op expires a lease of its own.
func BenchmarkPerCall(b *testing.B) {
	ops := []struct {
		name string
		op   func(b *testing.B, env *perCallEnv, i int)
	}{
		{"checkmiss", func(b *testing.B, env *perCallEnv, i int) { env.checkMiss(b, env.held[i%len(env.held)]) }},
		{"denied", func(b *testing.B, env *perCallEnv, i int) { env.deniedClaim(b, env.held[i%len(env.held)]) }},
		{"block", func(b *testing.B, env *perCallEnv, i int) { env.blockHeld(b, env.held[i%len(env.held)]) }},
		{"expiry", func(b *testing.B, env *perCallEnv, i int) { env.expire(b, env.due[i]) }},
	}
	for _, n := range []int{10, 1000, 10000} {
		for _, o := range ops {
			b.Run(fmt.Sprintf("op=%s/leases=%d", o.name, n), func(b *testing.B) {
				due := 1
				if o.name == "expiry" {
					if due = b.N; due > n {
						b.Skipf("at most %d expiries at %d leases", n, n)
					}
				}
				env := newPerCallEnv(b, n, due)
				defer env.close(b)
				var c counter
				b.ResetTimer()
				c.start(env.d.server)
				for i := 0; i < b.N; i++ {
					o.op(b, env, i)
				}
				c.stop()
				b.StopTimer()
				c.report(b)
				if o.name == "expiry" && c.started >= 0 {
					// The expiry's transaction, counted alone: the
					// rest of cmds/op is the manager's reads.
					b.ReportMetric(float64(env.client.expiries.Load())/float64(b.N), "txn-cmds/op")
				}
			})
		}
	}
}

// signallingClient is a lease client that tells the test, on calls, each
// call it has made to its client: "Method name".
type signallingClient struct {
	lease.Client
	calls chan string
	// server, if not nil, counts commands: expiries counts those of the
	// client's ExpireLease calls.
	server   *mongotest.Server
	expiries atomic.Int64
}

func newSignallingClient(inner lease.Client, server *mongotest.Server) *signallingClient {
	return &signallingClient{Client: inner, calls: make(chan string, 100000), server: server}
}

func (c *signallingClient) signal(call string) {
	select {
	case c.calls <- call:
	default:
	}
}

// drain forgets the calls made so far.
func (c *signallingClient) drain() {
	for {
		select {
		case <-c.calls:
		default:
			return
		}
	}
}

// waitFor waits until the client has made the given call.
func (c *signallingClient) waitFor(tb testing.TB, call string) {
	tb.Helper()
	deadline := time.After(longWait)
	for {
		select {
		case got := <-c.calls:
			if got == call {
				return
			}
		case <-deadline:
			tb.Fatalf("no %s within %v", call, longWait)
		}
	}
}

// Lease is part of the lease.Reader interface.
func (c *signallingClient) Lease(name string) (lease.Info, bool) {
	return c.Client.(lease.Reader).Lease(name)
}

// RefreshLease is part of the lease.SingleRefresher interface.
func (c *signallingClient) RefreshLease(name string) error {
	err := c.Client.(lease.SingleRefresher).RefreshLease(name)
	c.signal("RefreshLease " + name)
	return err
}

// ExpireLease is part of the lease.Client interface.
func (c *signallingClient) ExpireLease(name string) error {
	before := c.server.Commands()
	err := c.Client.ExpireLease(name)
	c.expiries.Add(c.server.Commands() - before)
	c.signal("ExpireLease " + name)
	return err
}

// longWait is how long a test or benchmark waits for something that must
// happen.
const longWait = 30 * time.Second
