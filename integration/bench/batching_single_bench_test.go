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
// counterpart of leadership's BenchmarkBatchingSingle. The calls (see
// singleOps) are on a manager with a fake clock, whose server holds
// singleLeases other leases and "target", held by "target/0".
//
// It reports the time of a call, the commands it cost (cmds/op) and calls
// a second (ops/s). Only the calls are timed and counted. Compare the
// modes with
//
//	go test -run '^$' -bench '^BenchmarkBatchingSingleMongo$' -count 6 ./bench/ | tee out.txt
//	benchstat -col /batch out.txt
//
// Each call's two modes run one after the other; bench/run.sh's single
// group runs the whole -count 1 in turn with leadership's
// BenchmarkBatchingSingle, six times. On a loaded machine the spread of
// either mode is still wide: BenchmarkBatchingPairedMongo alternates them
// call by call.
//
// FerretDB's SQLite backend slows down as its collections grow
// (MONGO-HARNESS.md). The writes therefore run on a fresh server every
// freshEvery calls (untimed: the manager stopped, the server replaced, a
// new client and manager started on it, target claimed again), so that
// every call of either mode finds at most freshEvery more leases and
// transactions than the seeded ones; the checks write nothing, and run on
// one server.
func BenchmarkBatchingSingleMongo(b *testing.B) {
	for _, op := range singleOps {
		for _, mode := range singleModes {
			b.Run(fmt.Sprintf("op=%s/%s", op.name, mode.name), func(b *testing.B) {
				env := newManagedEnv(b, singleLeases, mode.maxBatch)
				b.ResetTimer()
				b.StopTimer()
				if op.writes {
					for i := 0; i < b.N; i++ {
						op.before(env)
						env.timed(b, func() { op.call(b, env, i) })
					}
				} else {
					// One stretch: the calls take microseconds, and
					// starting and stopping the timer reads the memory
					// statistics.
					b.StartTimer()
					env.count.start(env.db.server)
					for i := 0; i < b.N; i++ {
						op.call(b, env, i)
					}
					env.count.stop()
					b.StopTimer()
				}
				env.count.report(b)
			})
		}
	}
}

// BenchmarkBatchingPairedMongo times the calls of
// BenchmarkBatchingSingleMongo on two managers, each on its own server
// (replaced as there), one with batches and one without, taking turns
// call by call (each first every other time), so that load from
// elsewhere on the machine falls on both alike. It reports the median
// time of one call on each (on-ns/op and off-ns/op: a median, so that the
// rare call during which the machine ran something else counts no more
// than any other) and their ratio (on/off); its own ns/op is that of a
// pair, with the work between the calls (moving the clock, and, stopped,
// replacing a server).
func BenchmarkBatchingPairedMongo(b *testing.B) {
	for _, op := range singleOps {
		b.Run("op="+op.name, func(b *testing.B) {
			var envs [2]*managedEnv
			for k, mode := range singleModes {
				envs[k] = newManagedEnv(b, singleLeases, mode.maxBatch)
			}
			spent := [2][]time.Duration{make([]time.Duration, b.N), make([]time.Duration, b.N)}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				for k := 0; k < 2; k++ {
					mode := (i + k) % 2
					env := envs[mode]
					op.before(env)
					began := time.Now()
					op.call(b, env, i)
					spent[mode][i] = time.Since(began)
					if op.writes {
						b.StopTimer()
						env.wrote(b)
						b.StartTimer()
					}
				}
			}
			b.StopTimer()
			on, off := quantilesMs(spent[0])(0.5), quantilesMs(spent[1])(0.5)
			b.ReportMetric(on*1e6, "on-ns/op")
			b.ReportMetric(off*1e6, "off-ns/op")
			b.ReportMetric(on/off, "on/off")
		})
	}
}

// singleOp is one call of BenchmarkBatchingSingleMongo.
type singleOp struct {
	name string
	// writes says whether the call writes: then a server takes
	// freshEvery of them before it is replaced.
	writes bool
	// before runs, untimed, before each call.
	before func(env *managedEnv)
	// call makes the i'th call on env, failing b if it does not answer as
	// it should.
	call func(b *testing.B, env *managedEnv, i int)
}

// singleOps are the calls of BenchmarkBatchingSingleMongo:
//   - claim: a claim of a lease nobody holds, which inserts its document;
//   - extend: target/0's claim of target, the clock a nanosecond later
//     each time;
//   - checkhit: target/0's check of target, answered from the cache;
//   - checkmiss: target/1's check of target, which reads the lease.
var singleOps = []singleOp{
	{name: "claim", writes: true, before: func(*managedEnv) {},
		call: func(b *testing.B, env *managedEnv, i int) {
			name := fmt.Sprintf("claimed%09d", i)
			check(b, env.manager.ClaimLeadership(name, name+"/0", time.Minute))
		}},
	{name: "extend", writes: true, before: func(env *managedEnv) { env.clock.Advance(time.Nanosecond) },
		call: func(b *testing.B, env *managedEnv, _ int) {
			check(b, env.manager.ClaimLeadership("target", "target/0", time.Minute))
		}},
	{name: "checkhit", before: func(*managedEnv) {},
		call: func(b *testing.B, env *managedEnv, _ int) {
			_, err := env.manager.CheckLeadership("target", "target/0")
			check(b, err)
		}},
	{name: "checkmiss", before: func(*managedEnv) {},
		call: func(b *testing.B, env *managedEnv, _ int) {
			if _, err := env.manager.CheckLeadership("target", "target/1"); err == nil {
				b.Fatal("target/1 is leader")
			}
		}},
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
