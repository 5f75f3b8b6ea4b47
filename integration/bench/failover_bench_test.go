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

// BenchmarkCrashFailover measures issue 13's crash failover on the real
// clock (lease.SystemClock), on mongotest: two controllers, X and Y, each
// a manager over its own lease.NewClient with the default configuration
// but for ClockPoll (polls=on: the default, 200ms; polls=off: -1, so that
// Y reads X's clock only when it reads a lease, as before issue 13). X's
// units claim `services` services for the lease length, Y's units wait on
// them (BlockUntilLeadershipReleased, then ClaimLeadership), X's units
// extend every lease half a lease later, and X dies at once. Reported:
// the delay from the end of each dead leader's guaranteed term (the start
// of its last extension plus the lease length) to the moment Y's unit
// leads, p50, p99 and max over every service of every sample (failover-*);
// and how many claims a second X made (claims-per-s), the store's
// transaction rate that the 100-service case queues behind. Each op is one
// failover on a fresh server: run with -benchtime=Nx. ns/op is
// meaningless.
func BenchmarkCrashFailover(b *testing.B) {
	for _, bc := range []struct {
		length   time.Duration
		services int
	}{
		{2 * time.Second, 1},
		{4 * time.Second, 1},
		{10 * time.Second, 1},
		{30 * time.Second, 100},
		{time.Minute, 1},
	} {
		for _, polls := range []bool{true, false} {
			poll := time.Duration(0)
			state := "on"
			if !polls {
				poll, state = -1, "off"
			}
			name := fmt.Sprintf("lease=%v/services=%d/polls=%s", bc.length, bc.services, state)
			b.Run(name, func(b *testing.B) {
				var delays []time.Duration
				var claims int
				var claiming time.Duration
				for i := 0; i < b.N; i++ {
					f := failoverOnce(b, bc.length, bc.services, poll)
					delays = append(delays, f.delays...)
					claims += bc.services
					claiming += f.claiming
				}
				reportQuantiles(b, "failover", delays)
				b.ReportMetric(float64(claims)/claiming.Seconds(), "claims-per-s")
			})
		}
	}
}

// failover is what one failover measured.
type failover struct {
	// delays holds, for each service, how long after the end of the dead
	// leader's term the waiting unit led.
	delays []time.Duration
	// claiming is how long X's first claims of every service took.
	claiming time.Duration
}

// failoverOnce runs one failover (see BenchmarkCrashFailover).
func failoverOnce(b *testing.B, length time.Duration, services int, poll time.Duration) failover {
	b.StopTimer()
	d := startDB(b)
	defer d.close(b)
	clock := lease.SystemClock{}
	start := func(id string) leadership.ManagerWorker {
		m, err := leadership.NewManager(leadership.ManagerConfig{
			Client:    d.newClientAs(b, id, clock),
			Clock:     clock,
			ClockPoll: poll,
		})
		check(b, err)
		return m
	}
	x, y := start("controller-x"), start("controller-y")
	defer func() {
		y.Kill()
		check(b, y.Wait())
	}()
	names := make([]string, services)
	for i := range names {
		names[i] = fmt.Sprintf("svc%d", i)
	}
	b.StartTimer()

	var f failover
	began := time.Now()
	for _, name := range names {
		check(b, x.ClaimLeadership(name, name+"/0", length))
	}
	f.claiming = time.Since(began)

	led := make([]time.Time, services)
	var wg sync.WaitGroup
	wg.Add(services)
	for i, name := range names {
		go func(i int, name string) {
			defer wg.Done()
			for {
				if err := y.BlockUntilLeadershipReleased(name); err != nil {
					b.Error(err)
					return
				}
				err := y.ClaimLeadership(name, name+"/1", length)
				if errors.Is(err, leadership.ErrClaimDenied) {
					continue // X's unit was first again
				}
				if err != nil {
					b.Errorf("claiming %s: %v", name, err)
					return
				}
				led[i] = time.Now()
				return
			}
		}(i, name)
	}

	time.Sleep(time.Until(began.Add(length / 2)))
	termEnds := make([]time.Time, services)
	for i, name := range names {
		termEnds[i] = time.Now().Add(length)
		check(b, x.ClaimLeadership(name, name+"/0", length))
	}
	x.Kill()
	check(b, x.Wait())
	wg.Wait()

	for i := range names {
		delay := led[i].Sub(termEnds[i])
		if delay < 0 {
			b.Errorf("%s: Y's unit led %v before X's unit's term ended", names[i], -delay)
		}
		f.delays = append(f.delays, delay)
	}
	return f
}
