package bench_test

import (
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// refreshHoldMaxSleep is the MaxSleep of BenchmarkRefreshHold's manager:
// each wake that follows one at least this long after the last full
// refresh reads every lease again.
const refreshHoldMaxSleep = time.Second

// BenchmarkRefreshHold measures, on the real clock and the embedded
// server, how long a full refresh (which a manager runs on its loop at its
// start and at least every MaxSleep: lease.Client.Refresh, or the steps of
// a lease.StepRefresher, one per turn of the loop) holds a manager's loop
// with n leases held, and how long a call that needs no store read waits
// behind it. The manager (controller-0, MaxSleep 1s,
// the rest default) holds n leases seeded as its own, far from expiry;
// one goroutine asks it CheckLeadership of one of them over and over,
// which the manager answers from its view between two store calls. One
// op is one full refresh, as the manager's Observer reports it (its
// EventRefresh of CallRefresh). Reported:
//   - hold-p50-ms and hold-max-ms: of each refresh, its longest single
//     hold of the loop (a Refresh, or one step), timed around the client's
//     call (timedClient);
//   - refresh-p50-ms and refresh-max-ms: the refreshes' whole durations
//     (the EventRefresh's), steps and what the loop served between them;
//   - steps-per-op: the client calls (steps, or 1 for a Refresh) per
//     refresh;
//   - check-max-ms: the longest one check waited (the hold, plus the
//     check's own round on the loop);
//   - checks-per-s: the checks answered a second over the run.
//
// Run with -benchtime Nx: each op takes about MaxSleep plus the refresh.
func BenchmarkRefreshHold(b *testing.B) {
	for _, n := range []int{1000, 16000} {
		// One server for each size, seeded once: go test calls the
		// function of b.Run more than once (b.N 1, then the -benchtime).
		var d *db
		var leases []seedLease
		b.Run(fmt.Sprintf("leases=%d", n), func(b *testing.B) {
			if d == nil {
				d = startDB(b)
				now := lease.SystemClock{}.Now()
				leases = heldLeases(n, now)
				d.seed(b, now, leases)
			}
			refreshHold(b, d, leases)
		})
		if d != nil {
			d.close(b)
		}
	}
}

// refreshHold runs BenchmarkRefreshHold on d, which holds leases.
func refreshHold(b *testing.B, d *db, leases []seedLease) {
	b.StopTimer()
	clock := lease.SystemClock{}

	var mu sync.Mutex
	var holds, refreshes []time.Duration
	var calls []int
	enough := make(chan struct{})
	client := newTimedClient(d.newClient(b, clock))
	m, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   client,
		Clock:    clock,
		MaxSleep: refreshHoldMaxSleep,
		Observer: leadership.ObserverFunc(func(e leadership.Event) {
			if e.Kind != leadership.EventRefresh || e.Call != leadership.CallRefresh {
				return
			}
			hold, n := client.take()
			mu.Lock()
			defer mu.Unlock()
			// The first is the manager's start, before the checks.
			holds = append(holds, hold)
			refreshes = append(refreshes, e.Duration)
			calls = append(calls, n)
			if len(holds) == b.N+1 {
				close(enough)
			}
		}),
	})
	check(b, err)
	defer func() {
		m.Kill()
		check(b, m.Wait())
	}()
	// The first check waits for the start's refresh.
	_, err = m.CheckLeadership(leases[0].name, leases[0].holder)
	check(b, err)

	stop := make(chan struct{})
	var checks []time.Duration
	var wg sync.WaitGroup
	wg.Add(1)
	b.StartTimer()
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			began := time.Now()
			if _, err := m.CheckLeadership(leases[0].name, leases[0].holder); err != nil {
				b.Errorf("check: %v", err)
				return
			}
			checks = append(checks, time.Since(began))
		}
	}()
	<-enough
	close(stop)
	wg.Wait()
	b.StopTimer()

	mu.Lock()
	timed := append([]time.Duration(nil), holds[1:b.N+1]...)
	whole := append([]time.Duration(nil), refreshes[1:b.N+1]...)
	steps := 0
	for _, n := range calls[1 : b.N+1] {
		steps += n
	}
	mu.Unlock()
	reportHolds(b, timed, "hold")
	reportHolds(b, whole, "refresh")
	b.ReportMetric(float64(steps)/float64(b.N), "steps-per-op")
	longest := time.Duration(0)
	for _, c := range checks {
		longest = max(longest, c)
	}
	b.ReportMetric(float64(longest)/float64(time.Millisecond), "check-max-ms")
	b.ReportMetric(float64(len(checks))/b.Elapsed().Seconds(), "checks-per-s")
}

// reportHolds reports the p50 and the longest of durations, as
// what-p50-ms and what-max-ms.
func reportHolds(b *testing.B, durations []time.Duration, what string) {
	sorted := append([]time.Duration(nil), durations...)
	slices.Sort(sorted)
	b.ReportMetric(float64(sorted[(len(sorted)-1)/2])/float64(time.Millisecond), what+"-p50-ms")
	b.ReportMetric(float64(sorted[len(sorted)-1])/float64(time.Millisecond), what+"-max-ms")
}

// mongoClient is every interface the MongoDB lease client implements but
// lease.StepRefresher, which timedClient wraps itself.
type mongoClient interface {
	lease.Client
	lease.Reader
	lease.Revoker
	lease.SingleRefresher
	lease.ClockRefresher
	lease.ReleaseWatcher
	lease.Batcher
	lease.StepRefresher
}

// timedClient is a MongoDB lease client that times its full refreshes'
// calls (Refresh, and each step of a stepped one): how long each held
// the manager's loop. The manager sees every interface of the client.
type timedClient struct {
	mongoClient
	mu      sync.Mutex
	longest time.Duration // the longest call since take
	calls   int           // calls since take
}

// newTimedClient wraps c, a MongoDB lease client.
func newTimedClient(c lease.Client) *timedClient {
	return &timedClient{mongoClient: c.(mongoClient)}
}

// timed records how long do, one call of a full refresh, took.
func (c *timedClient) timed(do func()) {
	began := time.Now()
	do()
	took := time.Since(began)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.longest = max(c.longest, took)
	c.calls++
}

// take returns the longest call and the number of calls since the last
// take.
func (c *timedClient) take() (time.Duration, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	longest, calls := c.longest, c.calls
	c.longest, c.calls = 0, 0
	return longest, calls
}

// Refresh is part of the lease.Client interface.
func (c *timedClient) Refresh() (err error) {
	c.timed(func() { err = c.mongoClient.Refresh() })
	return err
}

// BeginRefresh is part of the lease.StepRefresher interface.
func (c *timedClient) BeginRefresh(batch int) lease.RefreshSteps {
	return timedSteps{c.mongoClient.BeginRefresh(batch), c}
}

// timedSteps is a stepped refresh whose steps a timedClient times.
type timedSteps struct {
	lease.RefreshSteps
	c *timedClient
}

// Step is part of the lease.RefreshSteps interface.
func (s timedSteps) Step() (done bool, err error) {
	s.c.timed(func() { done, err = s.RefreshSteps.Step() })
	return done, err
}
