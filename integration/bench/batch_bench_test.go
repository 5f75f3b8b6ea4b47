package bench_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// BenchmarkClientBatch applies lease writes through lease.Batcher in
// batches of 1, 10 and 100 (one transaction each, with one write of the
// clock document), and reports lease writes a second (ops/s, one op
// being one lease's write), the store's transactions a second (txns/s)
// and the commands per lease write (cmds/op). Only ApplyLeases is timed
// and counted.
//
// FerretDB's SQLite backend scans a whole collection, decoding every
// document, for most of mgo/txn's queries, so its time per command grows
// with what its collections hold (MONGO-HARNESS.md). Every batch size
// therefore runs on servers that hold the same: a fresh server every
// batchWrites writes, which holds batchWrites leases besides, so that
// the lease collection and the transactions' ops (in fewer, larger
// transaction documents for larger batches) weigh the same on each. Run
// with -benchtime=Nx, N a multiple of batchWrites.
//
// The writes, each on a lease of its own:
//   - claim: the first claim of a lease, which inserts its document;
//   - reclaim: the claim of a released lease, which updates it;
//   - extend: the extension of a held lease;
//   - expire: the expiry of a lease that has run out.
//
// A batch of one is what ClaimLease, ExtendLease and ExpireLease run.
func BenchmarkClientBatch(b *testing.B) {
	for _, kind := range []string{"claim", "reclaim", "extend", "expire"} {
		for _, size := range []int{1, 10, 100} {
			b.Run(fmt.Sprintf("op=%s/batch=%d", kind, size), func(b *testing.B) {
				runBatches(b, kind, size)
			})
		}
	}
}

// batchWrites is how many lease writes a batchEnv's server takes
// before the next is started, and how many leases it holds.
const batchWrites = 200

// batchEnv is a client on a fresh server with batchWrites leases, for
// the next batchWrites writes: held (extend), run out (expire), released
// (reclaim), or with no document (claim: then the server holds
// batchWrites other leases, which no batch writes).
type batchEnv struct {
	kind  string
	size  int
	db    *db
	batch lease.Batcher
	// clock is the client's clock, moved on a second before each batch.
	clock interface{ Advance(time.Duration) }
	// next is the index of the next lease to write.
	next int
}

func (env *batchEnv) fresh(b *testing.B) {
	if env.db != nil {
		env.db.close(b)
	}
	env.db = startDB(b)
	var seeded []seedLease
	for i := 0; i < batchWrites; i++ {
		l := seedLease{name: fmt.Sprintf("lease%06d", i), holder: fmt.Sprintf("lease%06d/0", i), expiry: start.Add(time.Hour)}
		switch env.kind {
		case "claim":
			l.name = fmt.Sprintf("other%06d", i)
		case "reclaim":
			l.holder, l.expiry = "", start.Add(-time.Hour)
		case "expire":
			l.expiry = start.Add(-time.Hour)
		}
		seeded = append(seeded, l)
	}
	env.db.seed(b, start, seeded)
	clock := newFakeClock()
	env.clock = clock
	client := env.db.newClient(b, clock)
	// The seeded clock document has no mgo/txn fields yet: the first
	// transaction on it costs a few commands less than the others.
	check(b, client.ClaimLease("warm-up", lease.Request{Holder: "warm-up/0", Duration: time.Minute}))
	env.batch = client.(lease.Batcher)
	env.next = 0
}

// ops returns the next batch's n writes.
func (env *batchEnv) ops(n int) []lease.Op {
	ops := make([]lease.Op, n)
	for i := range ops {
		name := fmt.Sprintf("lease%06d", env.next)
		env.next++
		ops[i] = lease.Op{Lease: name}
		switch env.kind {
		case "claim", "reclaim":
			ops[i].Kind, ops[i].Request = lease.OpClaim, lease.Request{Holder: name + "/1", Duration: time.Minute}
		case "extend":
			ops[i].Kind, ops[i].Request = lease.OpExtend, lease.Request{Holder: name + "/0", Duration: time.Hour}
		case "expire":
			ops[i].Kind = lease.OpExpire
		}
	}
	return ops
}

// runBatches applies b.N writes in batches of env.size.
func runBatches(b *testing.B, kind string, size int) {
	env := &batchEnv{kind: kind, size: size}
	env.fresh(b)
	b.Cleanup(func() { env.db.close(b) })
	var count counter
	b.ResetTimer()
	b.StopTimer()
	for done := 0; done < b.N; done += size {
		if env.next+size > batchWrites {
			env.fresh(b)
		}
		ops := env.ops(min(size, b.N-done))
		env.clock.Advance(time.Second)
		b.StartTimer()
		count.start(env.db.server)
		errs := env.batch.ApplyLeases(ops)
		count.stop()
		b.StopTimer()
		for i, err := range errs {
			if err != nil {
				b.Fatalf("%v %s: %v", ops[i].Kind, ops[i].Lease, err)
			}
		}
	}
	count.report(b)
	txns := (b.N + size - 1) / size
	b.ReportMetric(float64(txns)/b.Elapsed().Seconds(), "txns/s")
}
