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
	w := startRenewals(b, n, opts)
	defer w.close(b)

	var asked atomic.Int64
	w.start(b)
	var wg sync.WaitGroup
	wg.Add(n)
	for i := range w.leases {
		go func(i int) {
			defer wg.Done()
			for asked.Add(1) <= int64(b.N) {
				if !w.renew(b, i, time.Now()) {
					return
				}
			}
		}(i)
	}
	wg.Wait()
	w.stop(b)
}

// renewalWorld is the set-up BenchmarkRenewals and BenchmarkRenewalsAtRate
// share: n services seeded on a fresh server, held through
// renewalManagers managers, with what is measured of their renewals.
type renewalWorld struct {
	d        *db
	leases   []seedLease
	managers []leadership.ManagerWorker
	txns     *countingMongo
	refresh  time.Duration // one full refresh of a fresh client
	baseHeap int64         // the live heap before the managers started
	before   int64         // the server's commands when the timer started

	failed atomic.Int64
	mu     sync.Mutex
	times  []time.Duration // of the renewals that succeeded
}

// startRenewals seeds n services on a server started with opts, times a
// full refresh, and starts the managers; the timer is stopped.
func startRenewals(b *testing.B, n int, opts mongotest.Options) *renewalWorld {
	b.StopTimer()
	w := &renewalWorld{d: startDBWith(b, opts), txns: &countingMongo{}}
	clock := lease.SystemClock{}
	now := clock.Now()
	w.leases = make([]seedLease, n)
	for i := range w.leases {
		name := fmt.Sprintf("svc%05d", i)
		w.leases[i] = seedLease{name: name, holder: name + "/0", expiry: now.Add(renewalSeedHold),
			writer: fmt.Sprintf("controller-%d", i%renewalManagers)}
	}
	w.d.seed(b, now, w.leases)

	fresh := w.d.newClientAs(b, "reader", clock)
	began := time.Now()
	check(b, fresh.Refresh())
	w.refresh = time.Since(began)
	if got := len(fresh.Leases()); got != n {
		b.Fatalf("refresh read %d leases, want %d", got, n)
	}

	w.baseHeap = liveHeap()
	w.txns.Mongo = w.d.mongo()
	w.managers = make([]leadership.ManagerWorker, renewalManagers)
	for i := range w.managers {
		m, err := leadership.NewManager(leadership.ManagerConfig{
			Client: w.d.newClientOn(b, fmt.Sprintf("controller-%d", i), clock, w.txns),
			Clock:  clock,
		})
		check(b, err)
		w.managers[i] = m
	}
	return w
}

// start starts the timer.
func (w *renewalWorld) start(b *testing.B) {
	w.before = w.d.server.Commands()
	b.StartTimer()
}

// renew renews service i through its controller's manager, and records
// the time from since (when the renewal was due) to its answer. It
// returns false, having failed b, if the claim was denied or the
// manager stopped.
func (w *renewalWorld) renew(b *testing.B, i int, since time.Time) bool {
	l := w.leases[i]
	err := w.managers[i%renewalManagers].ClaimLeadership(l.name, l.holder, time.Minute)
	took := time.Since(since)
	if errors.Is(err, leadership.ErrClaimDenied) || errors.Is(err, leadership.ErrStopped) {
		b.Errorf("renewing %s: %v", l.name, err)
		return false
	}
	if err != nil {
		// A store call failed (the server is slow); the next
		// renewal tries again, as an agent would.
		w.failed.Add(1)
		return true
	}
	w.mu.Lock()
	w.times = append(w.times, took)
	w.mu.Unlock()
	return true
}

// stop stops the timer and reports what BenchmarkRenewals documents.
func (w *renewalWorld) stop(b *testing.B) {
	b.StopTimer()
	commands := w.d.server.Commands() - w.before
	elapsed := b.Elapsed()
	heap := liveHeap() - w.baseHeap

	reportQuantiles(b, "renewal", w.times)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "renewals-per-s")
	if w.d.server.Commands() >= 0 {
		b.ReportMetric(float64(commands)/float64(b.N), "cmds/op")
	}
	count := w.txns.count.Load()
	b.ReportMetric(float64(count)/elapsed.Seconds(), "txns-per-s")
	if count > 0 {
		b.ReportMetric(float64(b.N)/float64(count), "renewals-per-txn")
	}
	b.ReportMetric(float64(w.failed.Load()), "failed-renewals")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(w.refresh)/float64(time.Millisecond), "refresh-ms")
}

// close stops the managers and the server.
func (w *renewalWorld) close(b *testing.B) {
	stopAll(b, w.managers)
	w.d.close(b)
}

// liveHeap returns the bytes of live heap objects after a collection.
func liveHeap() int64 {
	runtime.GC()
	var stats runtime.MemStats
	runtime.ReadMemStats(&stats)
	return int64(stats.HeapAlloc)
}
