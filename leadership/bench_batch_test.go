package leadership_test

import (
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"
)

// These benchmarks compare a manager with batches (MaxBatch 0: up to 100
// writes in one transaction) and without (MaxBatch 1) on the in-memory
// store, which is a lease.Batcher. Compare the halves with
//
//	go test -run '^$' -bench 'Batching' -count 6 ./leadership/ | tee out.txt
//	benchstat -col /batch out.txt
//
// On a loaded machine, run the modes in turn (-bench 'Batching/batch=on',
// then 'Batching/batch=off', six times), so that load that comes and goes
// falls on both.

// batchModes are the sub-benchmarks of each: the MaxBatch of each mode.
var batchModes = []struct {
	name     string
	maxBatch int
}{{"batch=on", 0}, {"batch=off", 1}}

// batchingLeases is how many other leases the single-call benchmarks hold.
const batchingLeases = 1000

// runBatchModes runs bench once per mode.
func runBatchModes(b *testing.B, bench func(b *testing.B, maxBatch int)) {
	for _, mode := range batchModes {
		mode := mode
		b.Run(mode.name, func(b *testing.B) {
			b.ReportAllocs()
			bench(b, mode.maxBatch)
		})
	}
}

// BenchmarkBatchingSingle times a lone claim, extension and check hit (see
// BenchmarkClaim, BenchmarkExtend and BenchmarkCheckHit), with nothing
// queued behind it: a write that finds no other must go at once, at the
// cost it has without batches.
func BenchmarkBatchingSingle(b *testing.B) {
	runBatchModes(b, func(b *testing.B, maxBatch int) {
		b.Run("op=claim", func(b *testing.B) {
			b.ReportAllocs()
			benchClaims(b, newBatchEnv(b, batchingLeases, maxBatch), batchingLeases)
		})
		b.Run("op=extend", func(b *testing.B) {
			b.ReportAllocs()
			benchExtends(b, newBatchEnv(b, batchingLeases, maxBatch))
		})
		b.Run("op=check", func(b *testing.B) {
			b.ReportAllocs()
			benchCheckHits(b, newBatchEnv(b, batchingLeases, maxBatch))
		})
	})
}

// concurrentClaimers is how many goroutines claim at once in
// BenchmarkBatchingConcurrent.
const concurrentClaimers = 64

// BenchmarkBatchingConcurrent has concurrentClaimers goroutines each claim
// its own service over and over (every claim after its first extends its
// lease), through one manager: b.N claims in all. It reports the store's
// transactions per claim (txns/op): with batches, the claims that queue
// while one transaction runs share the next.
func BenchmarkBatchingConcurrent(b *testing.B) {
	runBatchModes(b, func(b *testing.B, maxBatch int) {
		env := newBatchEnv(b, batchingLeases, maxBatch)
		defer env.stop(b)
		services := make([]string, concurrentClaimers)
		for i := range services {
			services[i] = fmt.Sprintf("svc%d", i)
			if err := env.manager.ClaimLeadership(services[i], services[i]+"/0", time.Minute); err != nil {
				b.Fatal(err)
			}
		}
		before := env.store.Transactions()
		b.ResetTimer()
		var wg sync.WaitGroup
		errs := make(chan error, concurrentClaimers)
		for g := 0; g < concurrentClaimers; g++ {
			count := b.N / concurrentClaimers
			if g < b.N%concurrentClaimers {
				count++
			}
			service, unit := services[g], services[g]+"/0"
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < count; i++ {
					if err := env.manager.ClaimLeadership(service, unit, time.Minute); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		b.StopTimer()
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
		b.ReportMetric(float64(env.store.Transactions()-before)/float64(b.N), "txns/op")
	})
}

// pairedStep is one mode's part of BenchmarkBatchingPaired: before runs
// untimed before the i'th op, op is the op.
type pairedStep struct {
	before func(i int)
	op     func(i int)
}

// BenchmarkBatchingPaired times the ops of BenchmarkBatchingSingle on two
// managers at once, one with batches and one without, taking turns op by
// op (each first every other time), so that load from elsewhere on the
// machine falls on both alike. It reports the median time of one op on
// each (on-ns/op and off-ns/op: a median, so that the rare op during which
// the machine ran something else counts no more than any other) and their
// ratio (on/off); its own ns/op is that of a pair, with the untimed work
// between claims (see benchClaims).
func BenchmarkBatchingPaired(b *testing.B) {
	for _, op := range []string{"claim", "extend", "check"} {
		op := op
		b.Run("op="+op, func(b *testing.B) {
			var steps [2]pairedStep
			for k, mode := range batchModes {
				env := newBatchEnv(b, batchingLeases, mode.maxBatch)
				defer env.stop(b)
				steps[k] = newPairedStep(b, op, env)
			}
			spent := [2][]time.Duration{make([]time.Duration, b.N), make([]time.Duration, b.N)}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := 0; k < 2; k++ {
					mode := (i + k) % 2
					steps[mode].before(i)
					start := time.Now()
					steps[mode].op(i)
					spent[mode][i] = time.Since(start)
				}
			}
			b.StopTimer()
			on, off := median(spent[0]), median(spent[1])
			b.ReportMetric(on, "on-ns/op")
			b.ReportMetric(off, "off-ns/op")
			b.ReportMetric(on/off, "on/off")
		})
	}
}

// newPairedStep returns the step of op on env: as benchClaims,
// benchExtends and benchCheckHits do.
func newPairedStep(b *testing.B, op string, env *benchEnv) pairedStep {
	fail := func(err error) {
		if err != nil {
			b.Fatal(err)
		}
	}
	switch op {
	case "extend":
		return pairedStep{
			before: func(int) { env.clock.Advance(time.Nanosecond) },
			op: func(int) {
				fail(env.manager.ClaimLeadership("target", "target/0", targetDuration))
			},
		}
	case "check":
		return pairedStep{
			before: func(int) {},
			op: func(int) {
				_, err := env.manager.CheckLeadership("target", "target/0")
				fail(err)
			},
		}
	}
	// Claims of new leases, batchingLeases at a time; before each round,
	// the manager expires the last.
	names := make([]string, batchingLeases)
	units := make([]string, batchingLeases)
	return pairedStep{
		before: func(i int) {
			j := i % batchingLeases
			if j != 0 {
				return
			}
			if i > 0 {
				env.clock.Advance(2 * time.Minute)
				fail(env.manager.BlockUntilLeadershipReleased(names[batchingLeases-1]))
			}
			for j := range names {
				names[j] = fmt.Sprintf("new%09d", i+j)
				units[j] = names[j] + "/0"
			}
		},
		op: func(i int) {
			j := i % batchingLeases
			fail(env.manager.ClaimLeadership(names[j], units[j], time.Minute))
		},
	}
}

// median returns the median of d in nanoseconds, sorting d.
func median(d []time.Duration) float64 {
	sort.Slice(d, func(i, j int) bool { return d[i] < d[j] })
	n := len(d)
	if n%2 == 1 {
		return float64(d[n/2])
	}
	return float64(d[n/2-1]+d[n/2]) / 2
}
