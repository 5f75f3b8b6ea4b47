package bench_test

import (
	"fmt"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// pruneLeases is how many lease documents the transactions of
// BenchmarkPrune write, besides the clock document (fewer for a b.N
// below 20 times that, as the benchmark's first run of one op).
const pruneLeases = 100

// BenchmarkPrune measures lease.PruneTransactions on the embedded server:
// one op is one complete transaction examined and removed. Each run
// seeds b.N applied transactions, shaped as the lease client's (an update
// of the namespace's clock document and of one of pruneLeases lease
// documents, round robin), with plain inserts; each document's txn-queue
// names the last transaction that wrote it, as mgo/txn leaves it. The
// prune (BatchSize default, 1,000) is timed; it keeps the pruneLeases
// transactions still named (the last of each lease's, of which the
// last is also the clock document's) and removes the others. Reported: ns/op and
// cmds/op (store commands), and the same per 1,000 transactions removed
// (ms-per-1000-txns, cmds-per-1000-txns). Run with -benchtime Nx: the
// seeding is untimed but not free.
func BenchmarkPrune(b *testing.B) {
	leases := min(pruneLeases, max(1, b.N/20))
	d := startDB(b)
	defer d.close(b)
	seedTxns(b, d, b.N, leases)
	config := lease.PruneConfig{
		Mongo:         d.mongo(),
		TxnCollection: txnCollection,
		// The transactions' ids were made on the real clock: an hour on,
		// every one is old enough.
		Clock: clocktest.NewClock(time.Now().Add(2 * time.Hour)),
	}
	var count counter
	b.ResetTimer()
	count.start(d.server)
	stats, err := lease.PruneTransactions(config)
	count.stop()
	b.StopTimer()
	check(b, err)
	// The last transaction of each lease is named, and the clock
	// document's is the last of all.
	named := min(b.N, leases)
	if stats.Examined != b.N || stats.Referenced != named || stats.Removed != b.N-named {
		b.Fatalf("pruned %+v of %d transactions", stats, b.N)
	}
	left, err := d.db.C(txnCollection).Count()
	check(b, err)
	if left != named {
		b.Fatalf("%d transactions left, want %d", left, named)
	}
	b.ReportMetric(float64(count.total)/float64(b.N), "cmds/op")
	if stats.Removed == 0 {
		return
	}
	b.ReportMetric(1000*float64(count.total)/float64(stats.Removed), "cmds-per-1000-txns")
	b.ReportMetric(1000*float64(b.Elapsed().Milliseconds())/float64(stats.Removed), "ms-per-1000-txns")
}

// seedTxns inserts n applied transactions of the lease client's shape,
// and the documents they wrote (see BenchmarkPrune).
func seedTxns(b *testing.B, d *db, n, leases int) {
	b.Helper()
	clockId := fmt.Sprintf("clock#%s#", namespace)
	leaseId := func(i int) string { return fmt.Sprintf("lease#%s#svc%d#", namespace, i%leases) }
	last := map[string]string{}
	txns := make([]interface{}, 0, 500)
	flush := func() {
		if len(txns) > 0 {
			check(b, d.db.C(txnCollection).Insert(txns...))
			txns = txns[:0]
		}
	}
	for i := 0; i < n; i++ {
		id := bson.NewObjectId()
		token := id.Hex() + "_0badf00d"
		last[clockId], last[leaseId(i)] = token, token
		txns = append(txns, bson.D{
			{Name: "_id", Value: id},
			{Name: "s", Value: 6},
			{Name: "o", Value: []bson.D{
				{{Name: "c", Value: collection}, {Name: "d", Value: clockId}, {Name: "u", Value: bson.M{"$set": bson.M{"writers.controller-0": i}}}},
				{{Name: "c", Value: collection}, {Name: "d", Value: leaseId(i)}, {Name: "u", Value: bson.M{"$set": bson.M{"expiry": i}}}},
			}},
			{Name: "n", Value: "0badf00d"},
		})
		if len(txns) == cap(txns) {
			flush()
		}
	}
	flush()
	docs := make([]interface{}, 0, len(last))
	for id, token := range last {
		docs = append(docs, bson.M{"_id": id, "txn-queue": []string{token}, "txn-revno": 2})
	}
	check(b, d.db.C(collection).Insert(docs...))
}
