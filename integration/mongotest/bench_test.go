package mongotest_test

import (
	"fmt"
	"testing"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// BenchmarkStart measures Start alone: FerretDB and the proxy listening.
func BenchmarkStart(b *testing.B) {
	for i := 0; i < b.N; i++ {
		server, err := mongotest.Start()
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := server.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkStartDialPing measures how long a test waits for a usable
// session: Start, Dial and a first round trip.
func BenchmarkStartDialPing(b *testing.B) {
	for i := 0; i < b.N; i++ {
		server, err := mongotest.Start()
		if err != nil {
			b.Fatal(err)
		}
		session, err := server.Dial()
		if err != nil {
			b.Fatal(err)
		}
		if err := session.Ping(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		session.Close()
		if err := server.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkTxn runs b.N one-document transactions ($inc, asserting that the
// document exists) on a fresh server, and reports them per second. The
// rate falls as the txns collection grows, so compare runs of the same N
// (e.g. -benchtime=100x). filters=scan starts the server with
// Options.ScanFilters: the proxy's lookups by _id off.
func BenchmarkTxn(b *testing.B) {
	for _, scan := range []bool{false, true} {
		name := map[bool]string{false: "filters=lookup", true: "filters=scan"}[scan]
		b.Run(name, func(b *testing.B) { benchTxn(b, mongotest.Options{ScanFilters: scan}) })
	}
}

// benchDB starts a server with opts and dials it, for one benchmark run;
// both close when the run ends.
func benchDB(b *testing.B, opts mongotest.Options) *mgo.Database {
	server, err := mongotest.StartWith(opts)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { server.Close() })
	session, err := server.Dial()
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(session.Close)
	return session.DB("")
}

// benchTxn runs BenchmarkTxn on a server started with opts.
func benchTxn(b *testing.B, opts mongotest.Options) {
	db := benchDB(b, opts)
	if err := db.C("counters").Insert(bson.M{"_id": "c", "n": 0}); err != nil {
		b.Fatal(err)
	}
	runner := txn.NewRunner(db.C("txns"))
	op := []txn.Op{{C: "counters", Id: "c", Assert: txn.DocExists, Update: bson.M{"$inc": bson.M{"n": 1}}}}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := runner.Run(op, "", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "txn/s")
}

// BenchmarkTxnDocs runs b.N one-document mgo/txn transactions ($inc,
// asserting that the document exists) on a collection of docs
// documents, each on the next document, on a fresh server, and reports
// them per second. index=off starts the server with
// Options.NoIDIndex, so that FerretDB reads every document of a
// collection for each lookup by _id; index=on is the default.
func BenchmarkTxnDocs(b *testing.B) {
	for _, docs := range []int{1000, 10000} {
		for _, off := range []bool{false, true} {
			name := fmt.Sprintf("docs=%d/index=%s", docs, map[bool]string{false: "on", true: "off"}[off])
			b.Run(name, func(b *testing.B) { benchTxnDocs(b, docs, mongotest.Options{NoIDIndex: off}) })
		}
	}
}

// benchTxnDocs runs BenchmarkTxnDocs on docs documents on a server
// started with opts.
func benchTxnDocs(b *testing.B, docs int, opts mongotest.Options) {
	db := benchDB(b, opts)
	const batch = 1000
	for i := 0; i < docs; i += batch {
		bulk := db.C("counters").Bulk()
		for j := i; j < i+batch && j < docs; j++ {
			bulk.Insert(bson.M{"_id": fmt.Sprintf("c%d", j), "n": 0})
		}
		if _, err := bulk.Run(); err != nil {
			b.Fatal(err)
		}
	}
	runner := txn.NewRunner(db.C("txns"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		op := []txn.Op{{C: "counters", Id: fmt.Sprintf("c%d", i%docs), Assert: txn.DocExists, Update: bson.M{"$inc": bson.M{"n": 1}}}}
		if err := runner.Run(op, "", nil); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "txn/s")
}
