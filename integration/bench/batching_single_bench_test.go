package bench_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/leadership"
)

// BenchmarkBatchingSingleMongo times one lone call of a manager over
// lease.NewClient on mongotest, with batches (batch=on: MaxBatch 0, up to
// 100 writes in one transaction) and without (batch=off: MaxBatch 1),
// nothing queued behind it: a write that finds no other must go at once,
// at the cost it has without batches. It is the embedded server's
// counterpart of leadership's BenchmarkBatchingSingle. The calls, on a
// manager with a fake clock, whose server holds singleLeases other leases
// and "target", held by "target/0":
//   - claim: a claim of a lease nobody holds, which inserts its document;
//   - extend: target/0's claim of target, the clock a nanosecond later
//     each time;
//   - checkhit: target/0's check of target, answered from the cache;
//   - checkmiss: target/1's check of target, which reads the lease.
//
// It reports the time of a call, the commands it cost (cmds/op) and calls
// a second (ops/s). Only the calls are timed and counted. Compare the
// modes with
//
//	go test -run '^$' -bench '^BenchmarkBatchingSingleMongo$' -count 6 ./bench/ | tee out.txt
//	benchstat -col /batch out.txt
//
// Each call's two modes run one after the other, so that load that comes
// and goes on the machine falls on both alike; bench/run.sh's single group
// runs the whole -count 1 in turn with leadership's BenchmarkBatchingSingle.
//
// FerretDB's SQLite backend slows down as its collections grow
// (MONGO-HARNESS.md). The writes therefore run on a fresh server every
// freshEvery calls (untimed: the manager stopped, the server replaced, a
// new client and manager started on it, target claimed again), so that
// every call of either mode finds at most freshEvery more leases and
// transactions than the seeded ones; the checks write nothing, and run on
// one server.
func BenchmarkBatchingSingleMongo(b *testing.B) {
	ops := []struct {
		name string
		run  func(b *testing.B, env *managedEnv)
	}{
		{"claim", func(b *testing.B, env *managedEnv) {
			for i := 0; i < b.N; i++ {
				name := fmt.Sprintf("claimed%09d", i)
				env.timed(b, func() { check(b, env.manager.ClaimLeadership(name, name+"/0", time.Minute)) })
			}
		}},
		{"extend", func(b *testing.B, env *managedEnv) {
			for i := 0; i < b.N; i++ {
				env.clock.Advance(time.Nanosecond)
				env.timed(b, func() { check(b, env.manager.ClaimLeadership("target", "target/0", time.Minute)) })
			}
		}},
		{"checkhit", func(b *testing.B, env *managedEnv) {
			env.timedLoop(b, func() {
				_, err := env.manager.CheckLeadership("target", "target/0")
				check(b, err)
			})
		}},
		{"checkmiss", func(b *testing.B, env *managedEnv) {
			env.timedLoop(b, func() {
				if _, err := env.manager.CheckLeadership("target", "target/1"); err == nil {
					b.Fatal("target/1 is leader")
				}
			})
		}},
	}
	for _, op := range ops {
		for _, mode := range singleModes {
			b.Run(fmt.Sprintf("op=%s/%s", op.name, mode.name), func(b *testing.B) {
				env := newManagedEnv(b, singleLeases, mode.maxBatch)
				b.ResetTimer()
				b.StopTimer()
				op.run(b, env)
				env.count.report(b)
			})
		}
	}
}

// singleModes are the modes of BenchmarkBatchingSingleMongo, by the name
// of their sub-benchmarks: the manager's MaxBatch in each.
var singleModes = []struct {
	name     string
	maxBatch int
}{{"batch=on", 0}, {"batch=off", 1}}

// singleLeases is how many other leases BenchmarkBatchingSingleMongo's
// servers hold.
const singleLeases = 10

// managedEnv is a clientEnv with a manager over its client (fake clock,
// MaxSleep a day, the given MaxBatch), started on each fresh server once
// the client is, with "target" claimed for target/0, and stopped before
// the server is closed.
type managedEnv struct {
	*clientEnv
	manager leadership.ManagerWorker
}

func newManagedEnv(b *testing.B, n, maxBatch int) *managedEnv {
	menv := &managedEnv{}
	start := func(b *testing.B, env *clientEnv) {
		m, err := leadership.NewManager(leadership.ManagerConfig{
			Client:   env.client,
			Clock:    env.clock,
			MaxSleep: 24 * time.Hour,
			MaxBatch: maxBatch,
		})
		check(b, err)
		menv.manager = m
		check(b, m.ClaimLeadership("target", "target/0", time.Minute))
	}
	stop := func(b *testing.B, _ *clientEnv) {
		stopAll(b, []leadership.ManagerWorker{menv.manager})
	}
	menv.clientEnv = newClientEnvWith(b, n, start, stop)
	return menv
}

// timedLoop runs call b.N times on env's server, timed and counted as one
// stretch: for calls that write nothing, so that the server does not grow.
func (env *managedEnv) timedLoop(b *testing.B, call func()) {
	b.StartTimer()
	env.count.start(env.db.server)
	for i := 0; i < b.N; i++ {
		call()
	}
	env.count.stop()
	b.StopTimer()
}
