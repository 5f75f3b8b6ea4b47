package bench_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

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
// (BlockUntilLeadershipReleased, then ClaimLeadership). Reported: the time
// from the last expiry until every lease is re-granted (all-regranted-s),
// the delay from each lease's expiry to its re-grant (regrant-p50/p99-ms),
// and the store commands per re-grant (cmds-per-regrant: the manager's
// reads, its expiry and the claim). Each op is one storm on a fresh server:
// run with -benchtime=1x. Issue 13 asks for 1,000 leases; on a loaded
// machine that takes over ten minutes on FerretDB, so 200 is the one that
// was recorded.
func BenchmarkExpiryStorm(b *testing.B) {
	for _, n := range []int{200, 1000} {
		b.Run(fmt.Sprintf("leases=%d", n), func(b *testing.B) { expiryStorm(b, n) })
	}
}

// expiryStorm runs b.N storms of n leases (see BenchmarkExpiryStorm).
func expiryStorm(b *testing.B, stormLeases int) {
	var regrants []time.Duration
	var last time.Duration
	var commands int64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		d := startDB(b)
		clock := lease.SystemClock{}
		now := clock.Now()
		first := now.Add(5 * time.Second) // time to start and block
		leases := make([]seedLease, stormLeases)
		for j := range leases {
			name := fmt.Sprintf("storm%04d", j)
			leases[j] = seedLease{name: name, holder: name + "/0",
				expiry: first.Add(time.Duration(j) * stormSpread / time.Duration(stormLeases))}
		}
		d.seed(b, now, leases)
		manager, err := leadership.NewManager(leadership.ManagerConfig{
			Client: d.newClientAs(b, liveId, clock),
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
		commands += d.server.Commands() - before
		var lastLed time.Time
		for j, l := range leases {
			if led[j].Before(l.expiry) {
				b.Errorf("%s re-granted %v before its expiry", l.name, l.expiry.Sub(led[j]))
			}
			regrants = append(regrants, led[j].Sub(l.expiry))
			if led[j].After(lastLed) {
				lastLed = led[j]
			}
		}
		last += lastLed.Sub(leases[len(leases)-1].expiry)
		manager.Kill()
		check(b, manager.Wait())
		d.close(b)
		b.StartTimer()
	}
	reportQuantiles(b, "regrant", regrants)
	b.ReportMetric(last.Seconds()/float64(b.N), "all-regranted-s")
	b.ReportMetric(float64(commands)/float64(b.N*stormLeases), "cmds-per-regrant")
}
