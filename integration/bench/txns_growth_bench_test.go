package bench_test

import (
	"errors"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/worker"
)

// The environment of BenchmarkTxnsGrowth: it runs only with
// LEADERSHIP_BENCH_LONG set; the others are numbers, with the defaults
// given.
const (
	growthServicesEnv = "LEADERSHIP_TXNS_SERVICES"  // services (1000)
	growthMinutesEnv  = "LEADERSHIP_TXNS_MINUTES"   // minutes of load in each run (60)
	growthMinAgeEnv   = "LEADERSHIP_TXNS_MIN_AGE_S" // the prune's MinAge, seconds (60)
	growthEveryEnv    = "LEADERSHIP_TXNS_PRUNE_S"   // the Pruner's Interval, seconds (60)
	growthSampleEnv   = "LEADERSHIP_TXNS_SAMPLE_S"  // between two counts of the collection, seconds (60)
	growthManagersNum = 3                           // managers sharing the services
	growthTerm        = time.Minute                 // each claim's duration
	growthRenew       = 30 * time.Second            // a unit renews every growthRenew
)

// BenchmarkTxnsGrowth measures, on the real clock and the embedded
// server, the size of the transaction collection over time under a load of
// many services renewing, with pruning off and then on (prune=off,
// prune=on, one fresh server each). Three managers (default
// configuration, each over its own lease.NewClient and session) share the
// services; each service's unit claims leadership for a minute and renews
// it every 30s, as Juju's units did, the services' first claims spread
// evenly over the first 30s. With prune=on a lease.Pruner runs beside them
// (SystemClock, Interval and MinAge from the environment: a minute each
// by default, where a deployment would keep MinAge at its default of an
// hour, so that a run of minutes reaches the steady state that an hour's
// MinAge reaches after an hour).
//
// The collection is counted every sample period; the series is logged
// (-v), and reported: txns-end and txns-max (documents in the
// collection), renewals-per-s and failed-renewals (claims and renewals
// that failed), renew-p50/p99/max-ms (the claims' latency), and with
// prune=on the Pruner's removed and prune-ms-per-1000-txns (its rounds'
// time per 1,000 transactions removed). Each op is one whole run: use
// -benchtime 1x; ns/op is meaningless. Runs only with
// LEADERSHIP_BENCH_LONG set; LEADERSHIP_TXNS_SERVICES (1000) and
// LEADERSHIP_TXNS_MINUTES (60) choose the load and the length of each
// run.
func BenchmarkTxnsGrowth(b *testing.B) {
	if os.Getenv(recoveryLongEnv) == "" {
		b.Skip(recoveryLongEnv + " not set: each run takes LEADERSHIP_TXNS_MINUTES (default 60)")
	}
	services := envInt(b, growthServicesEnv, 1000)
	length := time.Duration(envInt(b, growthMinutesEnv, 60)) * time.Minute
	for _, prune := range []bool{false, true} {
		name := fmt.Sprintf("services=%d/minutes=%d/prune=%s", services, int(length.Minutes()), map[bool]string{false: "off", true: "on"}[prune])
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				growthOnce(b, services, length, prune)
			}
		})
	}
}

// envInt returns the positive integer in the environment variable name,
// or def if it is not set.
func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return n
}

// growthOnce runs one load (see BenchmarkTxnsGrowth).
func growthOnce(b *testing.B, services int, length time.Duration, prune bool) {
	b.StopTimer()
	d := startDB(b)
	defer d.close(b)
	clock := lease.SystemClock{}
	managers := make([]leadership.ManagerWorker, growthManagersNum)
	var stopOnce sync.Once
	stopManagers := func() {
		stopOnce.Do(func() {
			for _, m := range managers {
				if m != nil {
					check(b, worker.Stop(m))
				}
			}
		})
	}
	defer stopManagers()
	for i := range managers {
		session, err := d.fix.Dial()
		check(b, err)
		config := d.fix.ClientConfig(fmt.Sprintf("controller-%d", i), clock)
		config.Mongo = lease.NewMongo(session.DB(""), txnCollection)
		client, err := lease.NewClient(config)
		check(b, err)
		m, err := leadership.NewManager(leadership.ManagerConfig{Client: client, Clock: clock})
		check(b, err)
		managers[i] = m
	}

	var (
		mu        sync.Mutex
		pruned    lease.PruneStats
		pruneTime time.Duration
		rounds    int
		roundErrs int
	)
	if prune {
		var began time.Time
		pruner, err := lease.NewPruner(lease.PrunerConfig{
			Prune: lease.PruneConfig{
				Mongo:         d.mongo(),
				TxnCollection: txnCollection,
				Clock: timingClock{Clock: clock, began: func(t time.Time) {
					mu.Lock()
					began = t
					mu.Unlock()
				}},
				MinAge: time.Duration(envInt(b, growthMinAgeEnv, 60)) * time.Second,
			},
			Interval: time.Duration(envInt(b, growthEveryEnv, 60)) * time.Second,
			Report: func(stats lease.PruneStats, err error) {
				mu.Lock()
				defer mu.Unlock()
				rounds++
				pruneTime += time.Since(began)
				pruned.Examined += stats.Examined
				pruned.Referenced += stats.Referenced
				pruned.Removed += stats.Removed
				if err != nil {
					roundErrs++
					b.Logf("prune round failed: %v", err)
				}
			},
		})
		check(b, err)
		defer func() { check(b, worker.Stop(pruner)) }()
	}

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var latencies []time.Duration
	var failed int
	t0 := time.Now()
	b.StartTimer()
	for i := 0; i < services; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			m := managers[i%len(managers)]
			service := fmt.Sprintf("svc%d", i)
			next := t0.Add(growthRenew * time.Duration(i) / time.Duration(services))
			var mine []time.Duration
			var myFailed int
			defer func() {
				mu.Lock()
				latencies = append(latencies, mine...)
				failed += myFailed
				mu.Unlock()
			}()
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Until(next)):
				}
				began := time.Now()
				err := m.ClaimLeadership(service, service+"/0", growthTerm)
				mine = append(mine, time.Since(began))
				if errors.Is(err, leadership.ErrStopped) {
					return
				}
				if err != nil {
					myFailed++
					if !errors.Is(err, leadership.ErrClaimDenied) {
						b.Logf("%s: %v", service, err)
					}
				}
				next = next.Add(growthRenew)
			}
		}(i)
	}

	sample := time.Duration(envInt(b, growthSampleEnv, 60)) * time.Second
	var series []int
	// count counts the collection on a session of its own, with a minute
	// to answer: without pruning the collection grows past what the
	// store, busy with the load, counts within the fixture's socket
	// timeout, and a timed-out session keeps failing. A count that fails
	// anyway is logged and leaves the sample out, as a lost sample says
	// nothing of the managers.
	count := func() (int, bool) {
		session := d.session.Copy()
		defer session.Close()
		session.SetSocketTimeout(time.Minute)
		n, err := d.db.With(session).C(txnCollection).Count()
		if err != nil {
			b.Logf("prune=%v: cannot count the transactions: %v", prune, err)
			return 0, false
		}
		return n, true
	}
	for elapsed := sample; elapsed <= length; elapsed += sample {
		time.Sleep(time.Until(t0.Add(elapsed)))
		n, ok := count()
		if !ok {
			continue
		}
		series = append(series, n)
		mu.Lock()
		b.Logf("prune=%v t=%v txns=%d renewals=%d pruned=%d", prune, elapsed, n, len(latencies), pruned.Removed)
		mu.Unlock()
	}
	// Claims still queued when the time is up fail with ErrStopped.
	close(stop)
	stopManagers()
	wg.Wait()
	b.StopTimer()
	elapsed := time.Since(t0)

	max := 0
	for _, n := range series {
		if n > max {
			max = n
		}
	}
	end, ok := count()
	for tries := 1; !ok && tries < 3; tries++ {
		end, ok = count()
	}
	if !ok {
		b.Fatalf("prune=%v: cannot count the transactions at the end", prune)
	}
	b.Logf("prune=%v series (every %v): %v; at the end %d", prune, sample, series, end)
	b.ReportMetric(float64(end), "txns-end")
	b.ReportMetric(float64(max), "txns-max")
	mu.Lock()
	defer mu.Unlock()
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "renewals-per-s")
	b.ReportMetric(float64(failed), "failed-renewals")
	reportQuantiles(b, "renew", latencies)
	if prune {
		b.ReportMetric(float64(pruned.Removed), "removed")
		b.ReportMetric(float64(rounds), "prune-rounds")
		b.ReportMetric(float64(roundErrs), "prune-round-errors")
		if pruned.Removed > 0 {
			b.ReportMetric(1000*float64(pruneTime.Milliseconds())/float64(pruned.Removed), "prune-ms-per-1000-txns")
		}
	}
}

// timingClock is a lease.Clock that tells began each reading: the
// Pruner reads its clock once at the start of each round (to count
// MinAge back from), and the benchmark times the round from there.
type timingClock struct {
	lease.Clock
	began func(time.Time)
}

func (c timingClock) Now() time.Time {
	t := c.Clock.Now()
	c.began(t)
	return t
}
