package bench_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// takeoverSpread is the time over which the dead controller's leases run
// out in BenchmarkTakeover: it renewed them all in a few batches just
// before it died.
const takeoverSpread = time.Second

// BenchmarkTakeover measures, on the real clock, two controllers taking
// over the leases of a third that died: controller-0 held every lease
// (written with plain inserts just before the others start, as
// BenchmarkExpiryStorm's are), and they run out within one second; the
// managers of controller-1 and controller-2 (each over its own
// lease.NewClient, default configuration) each have one unit per service
// waiting on it (BlockUntilLeadershipReleased, then ClaimLeadership,
// again if denied or failed). Both managers expire the leases, and both
// units of a service claim it: one wins, the other is denied and waits
// again. Reported, per takeover:
//   - takeover-s: from the first lease's expiry until every service has a
//     leader again;
//   - after-last-s: from the last lease's expiry until then;
//   - relead-p50/p99/max-ms: the delay from each lease's expiry to its
//     new leader's claim;
//   - cmds-per-service: the store commands per service taken over (both
//     managers' reads, expiries and claims, those that lost included);
//   - claim-errors: the claims that failed with an error other than
//     ErrClaimDenied (a store call failed; the unit tried again);
//   - txns-per-service, txns-per-s and txn-ms: the mgo/txn transactions
//     both clients ran (aborted ones included), per service, a second over
//     takeover-s, and their mean duration;
//   - ops-per-txn and aborted-fraction: their mean number of mgo/txn ops
//     (the clock document's included), and the fraction that aborted.
//
// Only the takeover is timed. Each op is one takeover on a fresh server:
// run with -benchtime=1x.
//
// filters=lookup runs the embedded server as it is; filters=scan with
// mongotest.Options.ScanFilters, as before the proxy looked documents up
// by _id. index=on runs it as it is; index=off with
// mongotest.Options.NoIDIndex, as before it indexed each collection by
// the expression FerretDB looks _id up by.
func BenchmarkTakeover(b *testing.B) {
	runPerServer(b, "leases", []int{100, 1000}, takeover)
}

// takeover runs b.N takeovers of n leases on servers started with opts
// (see BenchmarkTakeover).
func takeover(b *testing.B, n int, opts mongotest.Options) {
	var times takeoverTimes
	var txns countingMongo
	var claimErrors atomic.Int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := startDBWith(b, opts)
		txns.Mongo = d.mongo()
		// The first expiry in 3s: time to start and block.
		leases := d.seedDeadLeases(b, "svc", n, 3*time.Second, takeoverSpread)
		clock := lease.SystemClock{}
		var managers []leadership.ManagerWorker
		for _, id := range []string{"controller-1", "controller-2"} {
			m, err := leadership.NewManager(leadership.ManagerConfig{
				Client: d.newClientOn(b, id, clock, &txns),
				Clock:  clock,
			})
			check(b, err)
			managers = append(managers, m)
		}
		b.StartTimer()

		before := d.server.Commands()
		led := make([]time.Time, n)
		var left atomic.Int64
		left.Store(int64(n))
		allLed := make(chan struct{})
		var wg sync.WaitGroup
		for u, m := range managers {
			for j, l := range leases {
				wg.Add(1)
				go func(u, j int, m leadership.ManagerWorker, l seedLease) {
					defer wg.Done()
					unit := fmt.Sprintf("%s/%d", l.name, u+1)
					for {
						if err := m.BlockUntilLeadershipReleased(l.name); err != nil {
							if left.Load() > 0 {
								b.Error(err)
							}
							return
						}
						err := m.ClaimLeadership(l.name, unit, time.Hour)
						if errors.Is(err, leadership.ErrClaimDenied) {
							continue
						}
						if errors.Is(err, leadership.ErrStopped) {
							if left.Load() > 0 {
								b.Errorf("claiming %s for %s: %v", l.name, unit, err)
							}
							return
						}
						if err != nil {
							// A store call failed (the server is slow):
							// the unit tries again, as an agent would.
							if claimErrors.Add(1) <= 3 {
								b.Logf("claiming %s for %s: %v", l.name, unit, err)
							}
							continue
						}
						led[j] = time.Now()
						if left.Add(-1) == 0 {
							close(allLed)
						}
						return
					}
				}(u, j, m, l)
			}
		}
		<-allLed
		b.StopTimer()
		times.add(b, leases, led, "led again", d.server.Commands()-before)
		stopAll(b, managers)
		wg.Wait()
		d.close(b)
		b.StartTimer()
	}
	services := float64(b.N * n)
	times.report(b, "relead", "takeover-s", "after-last-s")
	b.ReportMetric(float64(times.commands)/services, "cmds-per-service")
	b.ReportMetric(float64(claimErrors.Load())/float64(b.N), "claim-errors")
	if count := txns.report(b, services, "service", times.fromFirst); count > 0 {
		b.ReportMetric(float64(txns.ops.Load())/float64(count), "ops-per-txn")
		b.ReportMetric(float64(txns.aborted.Load())/float64(count), "aborted-fraction")
	}
}
