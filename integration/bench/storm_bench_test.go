package bench_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// stormSpread is the time over which the dead controller's leases run
// out in BenchmarkExpiryStorm.
const stormSpread = 10 * time.Second

// BenchmarkExpiryStorm measures, on the real clock, a manager over
// lease.NewClient (Id controller-1, default configuration) on mongotest
// taking over the leases of a dead controller (controller-0, which
// wrote them with plain inserts just before the manager started), which
// run out evenly within 10s, each with a unit waiting on it
// (BlockUntilLeadershipReleased, then ClaimLeadership). Reported, per
// storm:
//   - storm-s: from the first expiry until every lease is re-granted;
//   - all-regranted-s: from the last expiry until every lease is
//     re-granted;
//   - regrants-per-s: leases re-granted a second over storm-s;
//   - regrant-p50/p99/max-ms: the delay from each lease's expiry to its
//     re-grant;
//   - cmds-per-regrant: the store commands per re-grant (the manager's
//     reads, its expiry and the claim);
//   - txns-per-regrant, txns-per-s and txn-ms: the mgo/txn transactions
//     the manager's client ran (expiries and claims, including any that
//     aborted), per re-grant, a second over storm-s, and their mean
//     duration: the store's transaction rate in the same run.
//
// Only the storm is timed; the server's start and the plain inserts of
// the leases (a second or two for 1,000) are not. Each op is one storm on
// a fresh server: run with -benchtime=1x.
func BenchmarkExpiryStorm(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("leases=%d", n), func(b *testing.B) { expiryStorm(b, n) })
	}
}

// expiryStorm runs b.N storms of n leases (see BenchmarkExpiryStorm).
func expiryStorm(b *testing.B, stormLeases int) {
	var times takeoverTimes
	var txns countingMongo
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := startDB(b)
		txns.Mongo = d.mongo()
		// The first expiry in 5s: time to start and block.
		leases := d.seedDeadLeases(b, "storm", stormLeases, 5*time.Second, stormSpread)
		clock := lease.SystemClock{}
		manager, err := leadership.NewManager(leadership.ManagerConfig{
			Client: d.newClientOn(b, liveId, clock, &txns),
			Clock:  clock,
		})
		check(b, err)
		b.StartTimer()

		before := d.server.Commands()
		led := make([]time.Time, len(leases))
		var wg sync.WaitGroup
		wg.Add(len(leases))
		for j, l := range leases {
			go func(j int, l seedLease) {
				defer wg.Done()
				for {
					if err := manager.BlockUntilLeadershipReleased(l.name); err != nil {
						b.Error(err)
						return
					}
					err := manager.ClaimLeadership(l.name, l.name+"/1", time.Hour)
					if errors.Is(err, leadership.ErrClaimDenied) {
						continue
					}
					if err != nil {
						b.Errorf("claiming %s: %v", l.name, err)
						return
					}
					led[j] = time.Now()
					return
				}
			}(j, l)
		}
		wg.Wait()
		b.StopTimer()
		times.add(b, leases, led, "re-granted", d.server.Commands()-before)
		manager.Kill()
		check(b, manager.Wait())
		d.close(b)
		b.StartTimer()
	}
	regranted := float64(b.N * stormLeases)
	times.report(b, "regrant", "storm-s", "all-regranted-s")
	b.ReportMetric(regranted/times.fromFirst.Seconds(), "regrants-per-s")
	b.ReportMetric(float64(times.commands)/regranted, "cmds-per-regrant")
	txns.report(b, regranted, "regrant", times.fromFirst)
}

// countingMongo is a lease.Mongo that counts the transactions it runs,
// the time they take, their ops, and those that aborted.
type countingMongo struct {
	lease.Mongo
	count   atomic.Int64
	busy    atomic.Int64 // nanoseconds
	ops     atomic.Int64
	aborted atomic.Int64
}

// report reports the transactions m ran: per one of what (each counted
// in per), as txns-per-<what>; a second over the time over, as
// txns-per-s; and their mean duration, as txn-ms, if there were any. It
// returns how many there were.
func (m *countingMongo) report(b *testing.B, per float64, what string, over time.Duration) int64 {
	n := m.count.Load()
	b.ReportMetric(float64(n)/per, "txns-per-"+what)
	b.ReportMetric(float64(n)/over.Seconds(), "txns-per-s")
	if n > 0 {
		b.ReportMetric(float64(m.busy.Load())/float64(n)/float64(time.Millisecond), "txn-ms")
	}
	return n
}

// RunTransaction is part of the lease.Mongo interface.
func (m *countingMongo) RunTransaction(ops []txn.Op) error {
	began := time.Now()
	err := m.Mongo.RunTransaction(ops)
	m.busy.Add(int64(time.Since(began)))
	m.count.Add(1)
	m.ops.Add(int64(len(ops)))
	if errors.Is(err, txn.ErrAborted) {
		m.aborted.Add(1)
	}
	return err
}
