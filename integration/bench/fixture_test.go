// Package bench_test measures lease.NewClient and a leadership manager on
// it against mongotest: database commands and rate per operation, and the
// end-to-end delay from a lease's expiry to the next leader's claim.
// BENCHMARKS.md at the repository root says how to run them.
package bench_test

import (
	"fmt"
	"testing"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

const (
	namespace     = mongofixture.Namespace
	collection    = mongofixture.Collection
	txnCollection = mongofixture.TxnCollection
	clientId      = "controller-0"
	// freshEvery is how many timed transactions run on one embedded server
	// before a benchmark (untimed) replaces it: FerretDB's SQLite backend
	// slows down as the txns collection grows (MONGO-HARNESS.md).
	freshEvery = 20
)

// start is clocktest.Start, a hostile instant.
var start = clocktest.Start

// db is a fresh server and a session on it: a mongofixture.Fixture, its
// parts under the names the benchmarks use.
type db struct {
	fix     *mongofixture.Fixture
	server  *mongotest.Server
	session *mgo.Session
	db      *mgo.Database
}

func startDB(b testing.TB) *db {
	b.Helper()
	return startDBWith(b, mongotest.Options{})
}

// startDBWith is startDB with a server started with opts.
func startDBWith(b testing.TB, opts mongotest.Options) *db {
	b.Helper()
	fix, err := mongofixture.Start(opts)
	if err != nil {
		b.Fatal(err)
	}
	return &db{fix: fix, server: fix.Server, session: fix.Session, db: fix.DB}
}

func (d *db) close(b testing.TB) {
	if err := d.fix.Close(); err != nil {
		b.Fatal(err)
	}
}

// newClient returns a lease client on d with the given clock, with Id
// clientId.
func (d *db) newClient(b testing.TB, clock lease.Clock) lease.Client {
	b.Helper()
	return d.newClientAs(b, clientId, clock)
}

// newClientAs returns a lease client on d with the given Id and clock.
func (d *db) newClientAs(b testing.TB, id string, clock lease.Clock) lease.Client {
	b.Helper()
	return d.newClientOn(b, id, clock, d.mongo())
}

// mongo returns the lease.Mongo of d's clients.
func (d *db) mongo() lease.Mongo {
	return d.fix.Mongo()
}

// newClientOn returns a lease client with the given Id and clock that
// reaches d through mongo.
func (d *db) newClientOn(b testing.TB, id string, clock lease.Clock, mongo lease.Mongo) lease.Client {
	b.Helper()
	config := d.fix.ClientConfig(id, clock)
	config.Mongo = mongo
	client, err := lease.NewClient(config)
	if err != nil {
		b.Fatal(err)
	}
	return client
}

// seedLease is one lease document that seed writes.
type seedLease struct {
	name, holder string
	expiry       time.Time
	// writer is the Id of the client that wrote it; "" means clientId.
	writer string
}

// writerId returns the Id of the client that wrote l.
func (l seedLease) writerId() string {
	if l.writer == "" {
		return clientId
	}
	return l.writer
}

// seed writes the namespace's clock document, saying that clientId and
// each lease's writer last wrote at now, and one document per lease,
// written by its writer (clientId if it names none), with plain inserts: a
// thousand of them take about a second, against most of a minute through
// mgo/txn on FerretDB. The documents are the ones the client would write
// (see lease/mongo_codec.go); mgo/txn accepts documents created outside it. A
// client with a writer's Id, created afterwards, reads that writer's
// leases as its own, so their expiries are exact on its clock.
func (d *db) seed(b testing.TB, now time.Time, leases []seedLease) {
	b.Helper()
	c := d.db.C(collection)
	writers := bson.D{{Name: clientId, Value: now.UnixNano()}}
	seen := map[string]bool{clientId: true}
	for _, l := range leases {
		if id := l.writerId(); !seen[id] {
			seen[id] = true
			writers = append(writers, bson.DocElem{Name: id, Value: now.UnixNano()})
		}
	}
	err := c.Insert(bson.D{
		{Name: "_id", Value: fmt.Sprintf("clock#%s#", namespace)},
		{Name: "type", Value: "clock"},
		{Name: "namespace", Value: namespace},
		{Name: "writers", Value: writers},
	})
	if err != nil {
		b.Fatal(err)
	}
	const batch = 500
	for len(leases) > 0 {
		n := len(leases)
		if n > batch {
			n = batch
		}
		docs := make([]interface{}, n)
		for i, l := range leases[:n] {
			docs[i] = bson.D{
				{Name: "_id", Value: fmt.Sprintf("lease#%s#%s#", namespace, l.name)},
				{Name: "type", Value: "lease"},
				{Name: "namespace", Value: namespace},
				{Name: "name", Value: l.name},
				{Name: "holder", Value: l.holder},
				{Name: "expiry", Value: l.expiry.UnixNano()},
				{Name: "writer", Value: l.writerId()},
			}
		}
		if err := c.Insert(docs...); err != nil {
			b.Fatal(err)
		}
		leases = leases[n:]
	}
}

// heldLeases returns n leases named base000000..., held until far after
// now.
func heldLeases(n int, now time.Time) []seedLease {
	leases := make([]seedLease, n)
	for i := range leases {
		name := fmt.Sprintf("base%06d", i)
		leases[i] = seedLease{name: name, holder: name + "/0", expiry: now.Add(100 * 365 * 24 * time.Hour)}
	}
	return leases
}

// spreadLeases returns n leases named prefix0000..., each held by its
// unit 0, whose expiries are spread evenly over spread from first.
func spreadLeases(prefix string, n int, first time.Time, spread time.Duration) []seedLease {
	leases := make([]seedLease, n)
	for i := range leases {
		name := fmt.Sprintf("%s%04d", prefix, i)
		leases[i] = seedLease{name: name, holder: name + "/0",
			expiry: first.Add(time.Duration(i) * spread / time.Duration(n))}
	}
	return leases
}

// delaysAfterExpiry returns, for each lease, how long after its expiry it
// was led again (led[i] is when leases[i] was), and when the last was; a
// lease led before its expiry fails b, with what says it was led.
func delaysAfterExpiry(b testing.TB, leases []seedLease, led []time.Time, what string) ([]time.Duration, time.Time) {
	b.Helper()
	delays := make([]time.Duration, 0, len(leases))
	var lastLed time.Time
	for i, l := range leases {
		if led[i].Before(l.expiry) {
			b.Errorf("%s %s %v before its expiry", l.name, what, l.expiry.Sub(led[i]))
		}
		delays = append(delays, led[i].Sub(l.expiry))
		if led[i].After(lastLed) {
			lastLed = led[i]
		}
	}
	return delays, lastLed
}

// seedDeadLeases inserts on d, as the dead controller's, n leases named
// prefix0000... that run out evenly over spread, the first one after
// from now on the system clock, and returns them.
func (d *db) seedDeadLeases(b testing.TB, prefix string, n int, after, spread time.Duration) []seedLease {
	b.Helper()
	now := lease.SystemClock{}.Now()
	leases := spreadLeases(prefix, n, now.Add(after), spread)
	d.seed(b, now, leases)
	return leases
}

// takeoverTimes adds up, over the samples of a storm or a takeover, how
// soon the dead controller's leases were led again.
type takeoverTimes struct {
	// delays holds, for each lease of every sample, how long after its
	// expiry it was led again.
	delays []time.Duration
	// fromFirst and fromLast add up the time from each sample's first
	// and last expiry until its last lease was led again.
	fromFirst, fromLast time.Duration
	// commands adds up the samples' store commands.
	commands int64
}

// add adds a sample: led[i] is when leases[i] was led again (what says
// how), and commands the store commands that took.
func (a *takeoverTimes) add(b testing.TB, leases []seedLease, led []time.Time, what string, commands int64) {
	b.Helper()
	delays, lastLed := delaysAfterExpiry(b, leases, led, what)
	a.delays = append(a.delays, delays...)
	a.fromFirst += lastLed.Sub(leases[0].expiry)
	a.fromLast += lastLed.Sub(leases[len(leases)-1].expiry)
	a.commands += commands
}

// report reports the delays' quantiles, as what's (see reportQuantiles),
// and the mean of fromFirst and of fromLast over the samples, in seconds,
// as the metrics first and last.
func (a *takeoverTimes) report(b *testing.B, what, first, last string) {
	reportQuantiles(b, what, a.delays)
	b.ReportMetric(a.fromFirst.Seconds()/float64(b.N), first)
	b.ReportMetric(a.fromLast.Seconds()/float64(b.N), last)
}

// runPerServer runs bench(b, n, opts) for each n of sizes and each way of
// running the embedded server that the takeover and renewals benchmarks
// compare, as "<size>=<n>/filters=F/index=I": F is filtersName's; I is
// "on" by default, "off" with mongotest.Options.NoIDIndex.
func runPerServer(b *testing.B, size string, sizes []int, bench func(b *testing.B, n int, opts mongotest.Options)) {
	for _, n := range sizes {
		for _, scan := range []bool{false, true} {
			for _, noIndex := range []bool{false, true} {
				opts := mongotest.Options{ScanFilters: scan, NoIDIndex: noIndex}
				name := fmt.Sprintf("%s=%d/filters=%s/index=%s", size, n, filtersName(scan), map[bool]string{false: "on", true: "off"}[noIndex])
				b.Run(name, func(b *testing.B) { bench(b, n, opts) })
			}
		}
	}
}

// filtersName names the embedded server's way of finding documents in a
// benchmark's name: "scan" with mongotest.Options.ScanFilters, else
// "lookup".
func filtersName(scan bool) string {
	if scan {
		return "scan"
	}
	return "lookup"
}

// counter counts the commands the server serves between calls of start
// and stop, and reports them per op; against a server that does not count
// (LEADERSHIP_MONGO_URL), it reports nothing.
type counter struct {
	server  *mongotest.Server
	started int64
	total   int64
}

func (c *counter) start(server *mongotest.Server) {
	c.server, c.started = server, server.Commands()
}

func (c *counter) stop() {
	if c.server != nil && c.started >= 0 {
		c.total += c.server.Commands() - c.started
	}
	c.server = nil
}

// report reports cmds/op and ops/s.
func (c *counter) report(b *testing.B) {
	if c.started >= 0 {
		b.ReportMetric(float64(c.total)/float64(b.N), "cmds/op")
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
}

// newFakeClock returns a fake clock at the hostile start instant.
func newFakeClock() *clocktest.Clock {
	return clocktest.NewClock(start)
}
