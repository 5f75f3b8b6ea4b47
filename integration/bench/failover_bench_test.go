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

// BenchmarkCrashFailover measures the crash failover on the real
// clock (lease.SystemClock), on mongotest: two controllers, X and Y, each
// a manager over its own lease.NewClient with the default configuration
// but for ClockPoll (polls=on: the default, 200ms; polls=off: -1, so that
// Y reads X's clock only when it reads a lease, as Juju did). X's
// units claim `services` services for the lease length, Y's units wait on
// them (BlockUntilLeadershipReleased, then ClaimLeadership), X's units
// extend every lease half a lease later, and X dies at once. Reported:
// the delay from the end of each dead leader's guaranteed term (the start
// of its last extension plus the lease length) to the moment Y's unit
// leads, p50, p99 and max over every service of every sample (failover-*);
// how many claims a second X made (claims-per-s), and how many expiries
// and claims a second Y made from the end of the first term to its last
// unit's claim (takeover-txns-per-s): the store's transaction rate, which
// the 100-service case queues behind; and how many of X's extensions came
// too late because the store was too slow (extensions-too-late: X's
// claim was denied, or Y's unit led before it returned, so that it was
// not an extension but a new claim after Y's unit's own term; those
// services' terms end with X's first claim). Each op is one
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
				var claims, denied int
				var claiming, taking time.Duration
				for i := 0; i < b.N; i++ {
					f := failoverOnce(b, bc.length, bc.services, poll)
					delays = append(delays, f.delays...)
					claims += bc.services
					claiming += f.claiming
					taking += f.taking
					denied += f.denied
				}
				reportQuantiles(b, "failover", delays)
				b.ReportMetric(float64(claims)/claiming.Seconds(), "claims-per-s")
				// Y's expiries and claims, two transactions a service.
				b.ReportMetric(2*float64(claims)/taking.Seconds(), "takeover-txns-per-s")
				b.ReportMetric(float64(denied)/float64(b.N), "extensions-too-late")
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
	// denied counts X's extensions that came too late: the lease had run
	// out, and Y's unit had it, or had had it.
	denied int
	// taking is how long Y took from the end of the first of X's terms
	// to the moment its last unit led.
	taking time.Duration
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
	termEnds := make([]time.Time, services)
	for i, name := range names {
		termEnds[i] = time.Now().Add(length)
		check(b, x.ClaimLeadership(name, name+"/0", length))
	}
	firstEnds := append([]time.Time(nil), termEnds...)
	f.claiming = time.Since(began)

	led := make([]time.Time, services)
	claimed := make([]time.Time, services) // when Y's successful claim began
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
				claiming := time.Now()
				err := y.ClaimLeadership(name, name+"/1", length)
				if errors.Is(err, leadership.ErrClaimDenied) {
					continue // X's unit was first again
				}
				if err != nil {
					b.Errorf("claiming %s: %v", name, err)
					return
				}
				led[i], claimed[i] = time.Now(), claiming
				return
			}
		}(i, name)
	}

	time.Sleep(time.Until(began.Add(length / 2)))
	extended := make([]time.Time, services) // when X's extension returned
	for i, name := range names {
		end := time.Now().Add(length)
		err := x.ClaimLeadership(name, name+"/0", length)
		if errors.Is(err, leadership.ErrClaimDenied) {
			// The store is so slow that the lease ran out before X
			// could extend it, and Y took it: its term ended earlier.
			f.denied++
			continue
		}
		check(b, err)
		termEnds[i], extended[i] = end, time.Now()
	}
	x.Kill()
	check(b, x.Wait())
	wg.Wait()
	for i := range names {
		if !extended[i].IsZero() && led[i].Before(extended[i]) {
			// Y's unit led before X's claim returned: X's first term
			// had run out before X could extend it, and X's claim
			// succeeded only once Y's unit's term (which no one
			// extends) had run out too. That claim started a new term;
			// the failover measured is the one from X's first term.
			f.denied++
			termEnds[i] = firstEnds[i]
			if yEnd := claimed[i].Add(length); extended[i].Before(yEnd) {
				b.Errorf("%s: X's unit led again %v before Y's unit's term ended", names[i], yEnd.Sub(extended[i]))
			}
		}
	}

	first, last := termEnds[0], led[0]
	for i := range names {
		if termEnds[i].Before(first) {
			first = termEnds[i]
		}
		if led[i].After(last) {
			last = led[i]
		}
		delay := led[i].Sub(termEnds[i])
		if delay < 0 {
			b.Errorf("%s: Y's unit led %v before X's unit's term ended", names[i], -delay)
		}
		f.delays = append(f.delays, delay)
	}
	f.taking = last.Sub(first)
	return f
}
