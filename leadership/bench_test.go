package leadership_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

// The benchmarks measure one manager on the in-memory store, with 10, 1,000
// and 100,000 other leases held. Claims, extensions and check hits should
// cost about the same at every size, and so should a check miss, which reads only its lease (leasetest is a lease.SingleRefresher).

var benchSizes = []int{10, 1000, 100000}

const (
	// baseDuration keeps the other leases far beyond any time the
	// benchmarks reach: about a century.
	baseDuration = 100 * 365 * 24 * time.Hour
	// targetDuration puts the target lease's expiry among the others'.
	targetDuration = baseDuration + 12*time.Hour
)

// benchEnv is a manager with n leases held by others, and the lease
// "target" held by "target/0".
type benchEnv struct {
	clock   *clocktest.Clock
	store   *leasetest.Store
	manager leadership.ManagerWorker
}

func newBenchEnv(b *testing.B, n int) *benchEnv {
	return newBatchEnv(b, n, 0)
}

// newBatchEnv is newBenchEnv with the manager's MaxBatch set to maxBatch.
func newBatchEnv(b *testing.B, n, maxBatch int) *benchEnv {
	clock, store, manager := startTargetManager(b, n, targetDuration, leadership.ManagerConfig{MaxBatch: maxBatch})
	// A round trip: the loop has built its view before timing starts.
	if _, err := manager.CheckLeadership("target", "target/0"); err != nil {
		b.Fatal(err)
	}
	return &benchEnv{clock: clock, store: store, manager: manager}
}

// startTargetManager starts a manager, "controller-0" with a MaxSleep of
// a day and the rest of its configuration from config, over seededStore(b,
// n) once target/0 holds the lease "target" for d.
func startTargetManager(b *testing.B, n int, d time.Duration, config leadership.ManagerConfig) (*clocktest.Clock, *leasetest.Store, leadership.ManagerWorker) {
	clock, store, seed := seededStore(b, n)
	if err := seed.ClaimLease("target", lease.Request{Holder: "target/0", Duration: d}); err != nil {
		b.Fatal(err)
	}
	config.Client, config.Clock, config.MaxSleep = store.MustNewClient("controller-0"), clock, 24*time.Hour
	manager, err := leadership.NewManager(config)
	if err != nil {
		b.Fatal(err)
	}
	return clock, store, manager
}

// seededStore returns a fake clock and an in-memory store on it with n
// leases, base000000 and on, held by others until about a century from
// now, each a second after the last, and the client that claimed them.
func seededStore(b *testing.B, n int) (*clocktest.Clock, *leasetest.Store, *leasetest.Client) {
	clock := clocktest.NewClock(defaultClockStart)
	store := leasetest.NewStore(clock)
	seed := store.MustNewClient("seed")
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("base%06d", i)
		duration := baseDuration + time.Duration(i)*time.Second
		if err := seed.ClaimLease(name, lease.Request{Holder: name + "/0", Duration: duration}); err != nil {
			b.Fatal(err)
		}
	}
	return clock, store, seed
}

func (env *benchEnv) stop(b *testing.B) {
	stopBenchManager(b, env.manager)
}

// stopBenchManager stops the timer, then kills manager and fails b if it
// did not stop cleanly.
func stopBenchManager(b *testing.B, manager leadership.ManagerWorker) {
	b.StopTimer()
	manager.Kill()
	if err := manager.Wait(); err != nil {
		b.Fatal(err)
	}
}

func runSizes(b *testing.B, bench func(b *testing.B, n int)) {
	for _, n := range benchSizes {
		n := n
		b.Run(fmt.Sprintf("leases=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			bench(b, n)
		})
	}
}

// BenchmarkClaim claims new leases. To keep the number of leases between n
// and 2n, it claims in batches of n, and between batches (untimed) moves
// the clock on so that the manager expires the batch. One batch runs
// before the timer starts, so that what is timed is a manager's steady
// state: the first growth of its maps (and of the store's) from n to 2n
// leases happens once in a manager's life, and is left out.
func BenchmarkClaim(b *testing.B) {
	runSizes(b, func(b *testing.B, n int) {
		benchClaims(b, newBenchEnv(b, n), n)
	})
}

// benchClaims is BenchmarkClaim's body, on env, whose manager has n other
// leases.
func benchClaims(b *testing.B, env *benchEnv, n int) {
	defer env.stop(b)
	names := make([]string, n)
	units := make([]string, n)
	next := 0
	for j := range names {
		names[j] = fmt.Sprintf("warm%09d", j)
		if err := env.manager.ClaimLeadership(names[j], names[j]+"/0", time.Minute); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; {
		b.StopTimer()
		env.clock.Advance(2 * time.Minute)
		// The last batch is expired in name order, the last name last.
		if err := env.manager.BlockUntilLeadershipReleased(names[n-1]); err != nil {
			b.Fatal(err)
		}
		for j := range names {
			names[j] = fmt.Sprintf("new%09d", next)
			units[j] = names[j] + "/0"
			next++
		}
		k := n
		if b.N-i < k {
			k = b.N - i
		}
		b.StartTimer()
		for j := 0; j < k; j++ {
			if err := env.manager.ClaimLeadership(names[j], units[j], time.Minute); err != nil {
				b.Fatal(err)
			}
		}
		i += k
	}
}

// BenchmarkExtend extends the target lease, a nanosecond later each time.
func BenchmarkExtend(b *testing.B) {
	runSizes(b, func(b *testing.B, n int) {
		benchExtends(b, newBenchEnv(b, n))
	})
}

// benchExtends is BenchmarkExtend's body, on env.
func benchExtends(b *testing.B, env *benchEnv) {
	timeEach(b, env, func() {
		env.clock.Advance(time.Nanosecond)
		if err := env.manager.ClaimLeadership("target", "target/0", targetDuration); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCheckHit checks the target lease's holder.
func BenchmarkCheckHit(b *testing.B) {
	runSizes(b, func(b *testing.B, n int) {
		benchCheckHits(b, newBenchEnv(b, n))
	})
}

// benchCheckHits is BenchmarkCheckHit's body, on env.
func benchCheckHits(b *testing.B, env *benchEnv) {
	timeEach(b, env, func() {
		if _, err := env.manager.CheckLeadership("target", "target/0"); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkCheckMiss checks a unit that does not hold the target lease:
// every check reads the target lease again.
func BenchmarkCheckMiss(b *testing.B) {
	runSizes(b, func(b *testing.B, n int) {
		env := newBenchEnv(b, n)
		timeEach(b, env, func() {
			if _, err := env.manager.CheckLeadership("target", "target/1"); err == nil {
				b.Fatal("target/1 is leader")
			}
		})
	})
}

// timeEach times b.N calls of op on env, and then stops env.
func timeEach(b *testing.B, env *benchEnv, op func()) {
	defer env.stop(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op()
	}
}

// BenchmarkObserve times an extension and a check hit on a manager
// without an Observer or a Logger ("none"), with an Observer that counts
// events ("observer"), and with a Logger whose handler drops every line
// below info ("logger"): what observation costs on the hot paths.
func BenchmarkObserve(b *testing.B) {
	var count atomic.Int64
	discard := slog.New(levelOnly{slog.LevelInfo})
	variants := []struct {
		name     string
		observer leadership.Observer
		logger   *slog.Logger
	}{
		{"none", nil, nil},
		{"observer", leadership.ObserverFunc(func(leadership.Event) { count.Add(1) }), nil},
		{"logger", nil, discard},
	}
	ops := []struct {
		name string
		run  func(leadership.ManagerWorker) error
	}{
		{"extend", func(m leadership.ManagerWorker) error {
			return m.ClaimLeadership("target", "target/0", time.Minute)
		}},
		{"check", func(m leadership.ManagerWorker) error {
			_, err := m.CheckLeadership("target", "target/0")
			return err
		}},
	}
	for _, op := range ops {
		op := op
		b.Run("op="+op.name, func(b *testing.B) {
			for _, v := range variants {
				v := v
				b.Run("obs="+v.name, func(b *testing.B) {
					manager := newObserveBench(b, v.observer, v.logger)
					b.ReportAllocs()
					b.ResetTimer()
					for i := 0; i < b.N; i++ {
						if err := op.run(manager); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// newObserveBench returns a manager, stopped at the end of the benchmark,
// on an in-memory store where target/0 holds target.
func newObserveBench(b *testing.B, observer leadership.Observer, logger *slog.Logger) leadership.ManagerWorker {
	_, _, manager := startTargetManager(b, 0, time.Minute, leadership.ManagerConfig{Observer: observer, Logger: logger})
	b.Cleanup(func() {
		manager.Kill()
		if err := manager.Wait(); err != nil {
			b.Error(err)
		}
	})
	return manager
}

// levelOnly is a slog.Handler that is enabled only at its level and above,
// and drops what it is given.
type levelOnly struct{ level slog.Level }

func (h levelOnly) Enabled(_ context.Context, l slog.Level) bool { return l >= h.level }
func (h levelOnly) Handle(context.Context, slog.Record) error    { return nil }
func (h levelOnly) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h levelOnly) WithGroup(string) slog.Handler                { return h }
