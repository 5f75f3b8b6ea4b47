package bench_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
)

// The benchmarks below time one operation of lease.NewClient (or of a
// manager on it) on mongotest, with a fake clock, and report the database
// commands it cost (cmds/op, as mongotest's Commands counts them: mgo's own
// isMaster/ping/getnonce left out) and ops/s. Only the operation is timed
// and counted; setting up the next one is not.

// clientEnv is a client on a fresh server with n other leases held,
// replaced every freshEvery ops.
type clientEnv struct {
	n       int
	db      *db
	clock   *clocktest.Clock
	client  lease.Client
	count   counter
	ops     int
	prepare func(b *testing.B, env *clientEnv) // run, untimed, on each fresh start
	closing func(b *testing.B, env *clientEnv) // if not nil, run, untimed, before each server is closed
}

func newClientEnv(b *testing.B, n int, prepare func(b *testing.B, env *clientEnv)) *clientEnv {
	return newClientEnvWith(b, n, prepare, nil)
}

// newClientEnvWith is newClientEnv with closing run before each of the
// env's servers is closed: what prepare started on it stops there.
func newClientEnvWith(b *testing.B, n int, prepare, closing func(b *testing.B, env *clientEnv)) *clientEnv {
	env := &clientEnv{n: n, prepare: prepare, closing: closing}
	env.fresh(b)
	b.Cleanup(func() { env.close(b) })
	return env
}

// close runs closing, then closes the server.
func (env *clientEnv) close(b *testing.B) {
	if env.closing != nil {
		env.closing(b, env)
	}
	env.db.close(b)
}

func (env *clientEnv) fresh(b *testing.B) {
	if env.db != nil {
		env.close(b)
	}
	env.db = startDB(b)
	env.db.seed(b, start, heldLeases(env.n, start))
	env.clock = newFakeClock()
	env.client = env.db.newClient(b, env.clock)
	env.ops = 0
	if env.prepare != nil {
		env.prepare(b, env)
	}
}

// timed runs f timed and counted; around it, the timer is stopped. Every
// freshEvery calls, it starts afresh.
func (env *clientEnv) timed(b *testing.B, f func()) {
	b.StartTimer()
	env.count.start(env.db.server)
	f()
	env.count.stop()
	b.StopTimer()
	env.wrote(b)
}

// wrote counts one op; every freshEvery ops, it starts afresh. The timer
// must be stopped.
func (env *clientEnv) wrote(b *testing.B) {
	if env.ops++; env.ops >= freshEvery {
		env.fresh(b)
	}
}

// clientSizes are the numbers of other leases held. On real MongoDB they
// should make no difference to a transaction; FerretDB's SQLite backend
// scans the whole collection for most of mgo/txn's queries.
var clientSizes = []int{10, 1000}

// runClient runs the benchmark body once for each of clientSizes, with
// the timer stopped outside timed calls.
func runClient(b *testing.B, prepare func(b *testing.B, env *clientEnv), body func(b *testing.B, env *clientEnv, i int)) {
	for _, n := range clientSizes {
		b.Run(fmt.Sprintf("leases=%d", n), func(b *testing.B) {
			env := newClientEnv(b, n, prepare)
			b.ResetTimer()
			b.StopTimer()
			for i := 0; i < b.N; i++ {
				body(b, env, i)
			}
			env.count.report(b)
		})
	}
}

func check(b testing.TB, err error) {
	if err != nil {
		b.Fatal(err)
	}
}

// stopAll kills every worker first, so that they stop together, and then
// waits for each, failing b on an error.
func stopAll[W interface {
	Kill()
	Wait() error
}](b testing.TB, workers []W) {
	for _, w := range workers {
		w.Kill()
	}
	for _, w := range workers {
		check(b, w.Wait())
	}
}

var request = lease.Request{Holder: "unit/0", Duration: time.Minute}

// BenchmarkClientClaim claims a lease nobody holds: one transaction.
func BenchmarkClientClaim(b *testing.B) {
	runClient(b, nil, func(b *testing.B, env *clientEnv, i int) {
		name := fmt.Sprintf("claimed%09d", i)
		env.timed(b, func() { check(b, env.client.ClaimLease(name, request)) })
	})
}

// BenchmarkClientExtend extends a held lease a second later each time:
// one transaction.
func BenchmarkClientExtend(b *testing.B) {
	prepare := func(b *testing.B, env *clientEnv) { check(b, env.client.ClaimLease("target", request)) }
	runClient(b, prepare, func(b *testing.B, env *clientEnv, i int) {
		env.clock.Advance(time.Second)
		env.timed(b, func() { check(b, env.client.ExtendLease("target", request)) })
	})
}

// BenchmarkClientExpire expires a lease that has run out: one transaction.
func BenchmarkClientExpire(b *testing.B) {
	runClient(b, nil, func(b *testing.B, env *clientEnv, i int) {
		name := fmt.Sprintf("expired%09d", i)
		check(b, env.client.ClaimLease(name, request))
		env.clock.Advance(request.Duration + time.Nanosecond)
		env.timed(b, func() { check(b, env.client.ExpireLease(name)) })
	})
}

// BenchmarkClientRefresh reloads the cache with n leases held: a find, the
// getMores that the documents need, and a read of the clock document.
func BenchmarkClientRefresh(b *testing.B) {
	for _, n := range []int{10, 1000, 10000} {
		b.Run(fmt.Sprintf("leases=%d", n), func(b *testing.B) {
			d := startDB(b)
			defer d.close(b)
			d.seed(b, start, heldLeases(n, start))
			client := d.newClient(b, newFakeClock())
			if got := len(client.Leases()); got != n {
				b.Fatalf("client has %d leases, want %d", got, n)
			}
			var count counter
			b.ResetTimer()
			count.start(d.server)
			for i := 0; i < b.N; i++ {
				check(b, client.Refresh())
			}
			count.stop()
			b.StopTimer()
			count.report(b)
		})
	}
}

// managerEnv is a manager on a client on a fresh server, with "target"
// held by "target/0".
type managerEnv struct {
	db      *db
	manager leadership.ManagerWorker
}

func newManagerEnv(b *testing.B) *managerEnv {
	d := startDB(b)
	clock := newFakeClock()
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   d.newClient(b, clock),
		Clock:    clock,
		MaxSleep: 24 * time.Hour,
	})
	check(b, err)
	env := &managerEnv{db: d, manager: manager}
	b.Cleanup(func() {
		manager.Kill()
		check(b, manager.Wait())
		d.close(b)
	})
	check(b, manager.ClaimLeadership("target", "target/0", time.Hour))
	return env
}

// BenchmarkManagerCheckHit checks the holder of a lease that the client's
// cache has: it must cost no command.
func BenchmarkManagerCheckHit(b *testing.B) {
	timeManagerCalls(b, func(env *managerEnv) {
		_, err := env.manager.CheckLeadership("target", "target/0")
		check(b, err)
	})
}

// BenchmarkManagerCheckMiss checks a unit that does not hold the lease:
// the manager refreshes its client (one lease held) before it answers.
func BenchmarkManagerCheckMiss(b *testing.B) {
	timeManagerCalls(b, func(env *managerEnv) {
		if _, err := env.manager.CheckLeadership("target", "target/1"); err == nil {
			b.Fatal("target/1 is leader")
		}
	})
}

// timeManagerCalls makes call b.N times on a new managerEnv, timing them
// and reporting the commands they cost the server.
func timeManagerCalls(b *testing.B, call func(env *managerEnv)) {
	env := newManagerEnv(b)
	var count counter
	b.ResetTimer()
	count.start(env.db.server)
	for i := 0; i < b.N; i++ {
		call(env)
	}
	count.stop()
	b.StopTimer()
	count.report(b)
}
