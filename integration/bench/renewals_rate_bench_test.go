package bench_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// BenchmarkRenewalsAtRate measures, on the real clock, how long lease
// extensions take when they come at a steady rate, as agents renewing on a
// timer make them, rather than all at once: the set-up is
// BenchmarkRenewals's (n services seeded on mongotest, held through three
// controllers' managers), but renewal j is due at j/rate seconds after
// the start, for service j mod n, whether or not the earlier ones have
// been answered (an open loop). A rate of n/P renews each service every P
// seconds: 16,000 services renewed every 30 s, as Juju's agents renew
// one-minute leadership leases, come at 533 a second.
//
// One op is one renewal, so -benchtime=Nx runs for N/rate seconds.
// Reported: renewal-p50/p99/max-ms, each renewal's time from when it was
// due to its answer (a renewal that waits for the load generator counts
// from when it was due); renewals-per-s, the renewals asked a second over
// the time until the last was answered (below the rate when the store
// cannot keep up); and BenchmarkRenewals's other figures.
func BenchmarkRenewalsAtRate(b *testing.B) {
	for _, n := range []int{16000} {
		for _, rate := range []int{25, 50, 100, 533} {
			b.Run(fmt.Sprintf("services=%d/rate=%d", n, rate), func(b *testing.B) {
				renewalsAtRate(b, n, rate, mongotest.Options{})
			})
		}
	}
}

// renewalsAtRate runs b.N renewals of n services, due rate a second, on a
// server started with opts (see BenchmarkRenewalsAtRate).
func renewalsAtRate(b *testing.B, n, rate int, opts mongotest.Options) {
	w := startRenewals(b, n, opts)
	defer w.close(b)

	every := time.Second / time.Duration(rate)
	var wg sync.WaitGroup
	w.start(b)
	began := time.Now()
	for j := 0; j < b.N; j++ {
		due := began.Add(time.Duration(j) * every)
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			w.renew(b, i, due)
		}(j % n)
	}
	wg.Wait()
	w.stop(b)
}
