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
// server, how long a full refresh (lease.Client.Refresh, which a manager
// calls on its loop at its start and at least every MaxSleep) holds a
// manager's loop with n leases held, and how long a call that needs no
// store read waits behind it. The manager (controller-0, MaxSleep 1s,
// the rest default) holds n leases seeded as its own, far from expiry;
// one goroutine asks it CheckLeadership of one of them over and over,
// which the manager answers from its view between two store calls. One
// op is one full refresh, as the manager's Observer reports it (its
// EventRefresh of CallRefresh). Reported:
//   - hold-p50-ms and hold-max-ms: the refreshes' durations, each the
//     time the loop did nothing else;
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
	var holds []time.Duration
	enough := make(chan struct{})
	m, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   d.newClient(b, clock),
		Clock:    clock,
		MaxSleep: refreshHoldMaxSleep,
		Observer: leadership.ObserverFunc(func(e leadership.Event) {
			if e.Kind != leadership.EventRefresh || e.Call != leadership.CallRefresh {
				return
			}
			mu.Lock()
			defer mu.Unlock()
			// The first is the manager's start, before the checks.
			holds = append(holds, e.Duration)
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
	mu.Unlock()
	reportHolds(b, timed)
	longest := time.Duration(0)
	for _, c := range checks {
		longest = max(longest, c)
	}
	b.ReportMetric(float64(longest)/float64(time.Millisecond), "check-max-ms")
	b.ReportMetric(float64(len(checks))/b.Elapsed().Seconds(), "checks-per-s")
}

// reportHolds reports the p50 and the longest of the refreshes' holds.
func reportHolds(b *testing.B, holds []time.Duration) {
	sorted := append([]time.Duration(nil), holds...)
	slices.Sort(sorted)
	b.ReportMetric(float64(sorted[(len(sorted)-1)/2])/float64(time.Millisecond), "hold-p50-ms")
	b.ReportMetric(float64(sorted[len(sorted)-1])/float64(time.Millisecond), "hold-max-ms")
}
