package compare_test

import (
	"strconv"
	"testing"

	"go.etcd.io/etcd/client/v3/concurrency"
)

// The benchmarks run each operation three ways, as sub-benchmarks named
// impl=etcd, impl=mongo and impl=memory, so that
//
//	benchstat -col /impl
//
// prints them side by side with etcd as the base:
//
//   - etcd: a concurrency.Election on the embedded etcd server, over gRPC
//     on loopback, in one session;
//   - mongo: a leadership manager over lease.NewClient on mongotest
//     (FerretDB/SQLite behind the bridge, or LEADERSHIP_MONGO_URL), with a
//     fake clock;
//   - memory: the same manager over the in-memory leasetest store: the
//     library's own cost, with no database.
//
// Only the named operation is timed; setting up the next one is not.

// BenchmarkClaim times becoming leader of a service that has none: etcd's
// Campaign (a transaction, then a read to wait for earlier keys), and our
// ClaimLeadership (one mgo/txn transaction on mongo).
func BenchmarkClaim(b *testing.B) {
	runImpls(b, func(b *testing.B, env *etcdEnv, e *concurrency.Election) {
		for i := 0; i < b.N; i++ {
			env.claim(b, e)
			b.StopTimer()
			env.release(b, e)
			b.StartTimer()
		}
	}, func(b *testing.B, env *oursEnv) {
		for i := 0; i < b.N; i++ {
			env.claim(b)
			b.StopTimer()
			env.release(b)
			env.tick(b)
			b.StartTimer()
		}
	})
}

// BenchmarkRelease times giving leadership up: etcd's Resign (one
// transaction); ours, which has no early release, moves the fake clock
// past the expiry and waits until the manager has refreshed its client,
// expired the lease (one mgo/txn transaction on mongo) and released the
// waiter.
func BenchmarkRelease(b *testing.B) {
	runImpls(b, func(b *testing.B, env *etcdEnv, e *concurrency.Election) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env.claim(b, e)
			b.StartTimer()
			env.release(b, e)
		}
	}, func(b *testing.B, env *oursEnv) {
		for i := 0; i < b.N; i++ {
			b.StopTimer()
			env.tick(b)
			env.claim(b)
			b.StartTimer()
			env.release(b)
		}
	})
}

// BenchmarkGuardedWrite times a write that must happen only while the
// unit leads. etcd: one transaction If(IsOwner cmp).Then(Put). mongo:
// CheckLeadership (answered from the client's cache) and one mgo/txn
// transaction with the token's AssertOps and a $set. memory:
// CheckLeadership and AssertOps only, there being no database to write to.
func BenchmarkGuardedWrite(b *testing.B) {
	runImpls(b, func(b *testing.B, env *etcdEnv, e *concurrency.Election) {
		b.StopTimer()
		env.claim(b, e)
		b.StartTimer()
		for i := 0; i < b.N; i++ {
			env.guardedWrite(b, e, strconv.Itoa(i))
		}
	}, func(b *testing.B, env *oursEnv) {
		b.StopTimer()
		env.claim(b)
		b.StartTimer()
		for i := 0; i < b.N; i++ {
			env.guardedWrite(b, i)
			if env.mongo {
				b.StopTimer()
				if env.tick(b); env.ops == 0 {
					env.claim(b)
				}
				b.StartTimer()
			}
		}
	})
}

// runImpls runs the etcd, mongo and memory sub-benchmarks, each on an
// environment of its own, started untimed.
func runImpls(b *testing.B,
	etcd func(b *testing.B, env *etcdEnv, e *concurrency.Election),
	ours func(b *testing.B, env *oursEnv),
) {
	b.Run("impl=etcd", func(b *testing.B) {
		env := newEtcdEnv(b)
		e := concurrency.NewElection(env.session, electionPrefix)
		b.ReportAllocs()
		b.ResetTimer()
		etcd(b, env, e)
		b.StopTimer()
	})
	forOurImpls(b, func(b *testing.B, mongo bool) {
		env := newOursEnv(b, mongo)
		b.ReportAllocs()
		b.ResetTimer()
		ours(b, env)
		b.StopTimer()
	})
}

// forOurImpls runs f as the sub-benchmarks impl=mongo (on mongotest) and
// impl=memory (on the in-memory store), telling it which.
func forOurImpls(b *testing.B, f func(b *testing.B, mongo bool)) {
	for _, impl := range []struct {
		name  string
		mongo bool
	}{{"mongo", true}, {"memory", false}} {
		b.Run("impl="+impl.name, func(b *testing.B) { f(b, impl.mongo) })
	}
}
