package bench_test

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

const (
	// e2eServices is how many services the manager leads.
	e2eServices = 1000
	// e2eGap separates the expiries of the sampled services, so that each
	// sample measures one expiry alone. On FerretDB with 1,000 leases, a
	// refresh, an expiry and a claim take about half a second; 500ms
	// apart, samples queued behind each other and the p99 reached seconds.
	e2eGap = 1500 * time.Millisecond
	// e2eLead is how long after the start of the run the first sampled
	// lease expires: time for the manager to start and every waiter to
	// block.
	e2eLead = 3 * time.Second
)

// BenchmarkExpiryToClaim measures, on the real clock (lease.SystemClock),
// one manager over lease.NewClient leading 1,000 services on mongotest:
// the delay from the expiry of a lease to the moment the unit waiting for
// it (BlockUntilLeadershipReleased, then ClaimLeadership) has claimed it.
//
// Each op is one sampled service, so run it with -benchtime=Nx for N
// samples (N <= 1,000). The other services' leases are held for a century.
// The sampled leases expire e2eGap apart, one at a time. The 1,000 lease
// documents are written by plain inserts before the manager starts, as if
// this manager's client had claimed them, so that their expiries are exact
// on its clock (no skew). Reported: the median, p99 and max of the delay
// (expiry-to-claim-ms), and of its first part, expiry to the waiter's
// release (expiry-to-release-ms); ns/op is meaningless (it is mostly
// e2eGap).
func BenchmarkExpiryToClaim(b *testing.B) {
	if b.N > e2eServices {
		b.Fatalf("at most %d samples; run with -benchtime=Nx", e2eServices)
	}
	d := startDB(b)
	defer d.close(b)

	clock := lease.SystemClock{}
	now := clock.Now()
	first := now.Add(e2eLead)
	leases := heldLeases(e2eServices, now)
	// Spread the samples over the services.
	step := e2eServices / b.N
	samples := make([]seedLease, b.N)
	for i := range samples {
		l := &leases[i*step]
		l.expiry = first.Add(time.Duration(i) * e2eGap)
		samples[i] = *l
	}
	d.seed(b, now, leases)

	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   d.newClient(b, clock),
		Clock:    clock,
		MaxSleep: time.Minute,
	})
	check(b, err)
	defer func() {
		manager.Kill()
		check(b, manager.Wait())
	}()

	released := make([]time.Duration, len(samples))
	claimed := make([]time.Duration, len(samples))
	var wg sync.WaitGroup
	wg.Add(len(samples))
	b.ResetTimer()
	for i, l := range samples {
		go func(i int, l seedLease) {
			defer wg.Done()
			if err := manager.BlockUntilLeadershipReleased(l.name); err != nil {
				b.Error(err)
				return
			}
			released[i] = time.Since(l.expiry)
			if err := manager.ClaimLeadership(l.name, l.name+"/1", time.Hour); err != nil {
				b.Errorf("claiming %s: %v", l.name, err)
				return
			}
			claimed[i] = time.Since(l.expiry)
		}(i, l)
	}
	wg.Wait()
	b.StopTimer()
	for i, r := range released {
		if r < 0 {
			b.Errorf("%s released %v before its expiry", samples[i].name, -r)
		}
	}
	reportQuantiles(b, "expiry-to-claim", claimed)
	reportQuantiles(b, "expiry-to-release", released)
}

// reportQuantiles reports the median, p99 and maximum of ds (nearest
// rank), in milliseconds, as metrics named after what, and logs every
// sample (see logSamples).
func reportQuantiles(b *testing.B, what string, ds []time.Duration) {
	logSamples(b, what, ds)
	at := quantilesMs(ds)
	b.ReportMetric(at(0.5), fmt.Sprintf("%s-p50-ms", what))
	b.ReportMetric(at(0.99), fmt.Sprintf("%s-p99-ms", what))
	b.ReportMetric(at(1), fmt.Sprintf("%s-max-ms", what))
}

// quantilesMs returns the quantile function of ds, by nearest rank, in
// milliseconds: q 0.5 is the median, 1 the maximum. ds must not be empty.
func quantilesMs(ds []time.Duration) func(q float64) float64 {
	sorted := append([]time.Duration(nil), ds...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	return func(q float64) float64 {
		i := int(math.Ceil(q*float64(len(sorted)))) - 1
		if i < 0 {
			i = 0
		}
		return float64(sorted[i]) / float64(time.Millisecond)
	}
}

// logSamples logs ds in milliseconds, in the order measured, on one line
// "samples <what>-ms N=<b.N>: <ms> <ms> ...", from which bench/report
// draws their distribution; go test prints a benchmark's log after its
// result line.
func logSamples(b *testing.B, what string, ds []time.Duration) {
	ms := make([]string, len(ds))
	for i, d := range ds {
		ms[i] = strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
	}
	b.Logf("samples %s-ms N=%d: %s", what, b.N, strings.Join(ms, " "))
}
