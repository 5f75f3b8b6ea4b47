package bench_test

import (
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// renewalManagers is how many controllers BenchmarkRenewals runs.
const renewalManagers = 3

// renewalSeedHold is how long BenchmarkRenewals's seeded leases are held
// from their seeding: longer than any run, so that none runs out during
// one (see BenchmarkRenewals).
const renewalSeedHold = 24 * time.Hour

// BenchmarkRenewals measures, on the real clock, lease extensions on
// mongotest with many services held through three controllers' managers
// (controller-0 to -2, each over its own lease.NewClient, default
// configuration): service i is led by a unit of controller i%3 (its lease
// written with plain inserts before the managers start, held for
// renewalSeedHold, a day), and one
// goroutine per service renews it (ClaimLeadership by its leader, for a
// minute) as soon as its last renewal returned, until b.N renewals have
// been asked for: the store saturated, each manager batching what queues.
// One op is one renewal. Reported:
//   - renewals-per-s: renewals a second;
//   - renewal-p50/p99/max-ms: the time of one ClaimLeadership that
//     succeeded;
//   - failed-renewals: those that failed with an error other than
//     ErrClaimDenied (a store call failed; the service renews again);
//   - cmds/op: the store commands per renewal (every manager's);
//   - txns-per-s and renewals-per-txn: the mgo/txn transactions the
//     three clients ran, a second and per renewal's share;
//   - heap-MiB: the live heap once the renewals are done, less the heap
//     before the managers started;
//   - refresh-ms: one full refresh (lease.Client.Refresh) of a fresh
//     client over every lease, timed before the renewals.
//
// Only the renewals are timed. Run with -benchtime=Nx: with N a multiple
// of the services, each service is renewed about N/services times; with
// fewer, some once and the rest never. filters=lookup and filters=scan,
// index=on and index=off are as in BenchmarkTakeover.
//
// A renewal asks for a minute, but an extension never shortens a lease,
// so a renewed lease keeps its seeded expiry: no lease, renewed or not,
// runs out, and no manager expires one, during a run shorter than
// renewalSeedHold, however few times each service is renewed and however
// slow the store.
func BenchmarkRenewals(b *testing.B) {
	runPerServer(b, "services", []int{1000, 16000}, renewals)
}

// renewals runs b.N renewals of n services on a server started with opts
// (see BenchmarkRenewals).
func renewals(b *testing.B, n int, opts mongotest.Options) {
	b.StopTimer()
	d := startDBWith(b, opts)
	defer d.close(b)
	clock := lease.SystemClock{}
	now := clock.Now()
	leases := make([]seedLease, n)
	for i := range leases {
		name := fmt.Sprintf("svc%05d", i)
		leases[i] = seedLease{name: name, holder: name + "/0", expiry: now.Add(renewalSeedHold),
			writer: fmt.Sprintf("controller-%d", i%renewalManagers)}
	}
	d.seed(b, now, leases)

	fresh := d.newClientAs(b, "reader", clock)
	began := time.Now()
	check(b, fresh.Refresh())
	refresh := time.Since(began)
	if got := len(fresh.Leases()); got != n {
		b.Fatalf("refresh read %d leases, want %d", got, n)
	}

	baseHeap := liveHeap()
	var txns countingMongo
	txns.Mongo = d.mongo()
	managers := make([]leadership.ManagerWorker, renewalManagers)
	for i := range managers {
		m, err := leadership.NewManager(leadership.ManagerConfig{
			Client: d.newClientOn(b, fmt.Sprintf("controller-%d", i), clock, &txns),
			Clock:  clock,
		})
		check(b, err)
		managers[i] = m
	}
	defer stopAll(b, managers)

	var asked, failed atomic.Int64
	times := make([][]time.Duration, n)
	before := d.server.Commands()
	b.StartTimer()
	var wg sync.WaitGroup
	wg.Add(n)
	for i, l := range leases {
		go func(i int, l seedLease) {
			defer wg.Done()
			m := managers[i%renewalManagers]
			for asked.Add(1) <= int64(b.N) {
				began := time.Now()
				err := m.ClaimLeadership(l.name, l.holder, time.Minute)
				if errors.Is(err, leadership.ErrClaimDenied) || errors.Is(err, leadership.ErrStopped) {
					b.Errorf("renewing %s: %v", l.name, err)
					return
				}
				if err != nil {
					// A store call failed (the server is slow); the
					// next renewal tries again, as an agent would.
					failed.Add(1)
					continue
				}
				times[i] = append(times[i], time.Since(began))
			}
		}(i, l)
	}
	wg.Wait()
	b.StopTimer()
	commands := d.server.Commands() - before
	elapsed := b.Elapsed()
	heap := liveHeap() - baseHeap

	var all []time.Duration
	for _, ts := range times {
		all = append(all, ts...)
	}
	reportQuantiles(b, "renewal", all)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "renewals-per-s")
	if d.server.Commands() >= 0 {
		b.ReportMetric(float64(commands)/float64(b.N), "cmds/op")
	}
	count := txns.count.Load()
	b.ReportMetric(float64(count)/elapsed.Seconds(), "txns-per-s")
	if count > 0 {
		b.ReportMetric(float64(b.N)/float64(count), "renewals-per-txn")
	}
	b.ReportMetric(float64(failed.Load()), "failed-renewals")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(refresh)/float64(time.Millisecond), "refresh-ms")
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() int64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return int64(stats.HeapAlloc)
}
