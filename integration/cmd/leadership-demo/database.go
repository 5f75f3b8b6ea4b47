package main

import (
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/connstr"
	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/mgoread"
	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

// The names the demo uses in the database. The lease clients and the
// guarded writes share txnCollection: a token only fences transactions
// that go through the same transaction collection as the leases.
const (
	namespace          = "service-leadership"
	leaseCollection    = "leases"
	txnCollection      = "txns"
	settingsCollection = "settings"
)

// replicaSet is the name of the embedded server's one-member replica set.
const replicaSet = "demo"

// database is where the demo keeps its leases and settings.
type database struct {
	db    *mgo.Database
	desc  string       // for the header line
	url   string       // for leasectl -url: the server and database, no password
	close func() error // releases the session and the server or database
	// down takes the database down as a failover does, until up; both
	// are nil for a database the demo did not start.
	down, up func() error
}

// openDatabase starts an embedded server if url is "", or dials url
// through mgowire (MongoDB 6.0 and later speak only OP_MSG) and uses a new
// database, under a random name, that close drops. observer, if not nil,
// is told what the mgowire connections do.
//
// The embedded server is a one-member replica set, so that its down is an
// election as a client sees one: the primary steps down (hello reports
// no primary; writes and primary reads are refused with "not primary"),
// and its up ends the election, the member primary again in a new term,
// on the same data. Stopping the server instead would look like a crash
// of a standalone server: connections refused, not a set without a
// primary for a while.
func openDatabase(url string, observer mgowire.Observer) (*database, error) {
	if url == "" {
		server, err := mongotest.StartWith(mongotest.Options{ReplicaSet: replicaSet})
		if err != nil {
			return nil, err
		}
		session, err := server.DialWith(mgowire.Options{Observer: observer})
		if err != nil {
			server.Close()
			return nil, err
		}
		return &database{
			db:   session.DB(""),
			desc: "embedded FerretDB at " + server.Addr(),
			url:  server.URL(),
			close: func() error {
				session.Close()
				return server.Close()
			},
			down: func() error { return server.StepDown(0) },
			up:   server.StepUp,
		}, nil
	}
	// mgowire's warnings about the URL (options it ignores) go to stderr.
	warnings := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	info, opts, err := mgowire.ParseURLWith(url, mgowire.Options{Logger: warnings})
	if err != nil {
		return nil, fmt.Errorf("-mongo: %w", err)
	}
	// Keep authenticating against the URL's database, if any.
	if err := connstr.UseNewDatabase(info, "leadership_demo_"); err != nil {
		return nil, err
	}
	info.Timeout = 15 * time.Second
	opts.Observer = observer
	opts.Logger = nil // the URL's warnings only, not the connections' log
	session, err := mgowire.DialWithInfo(info, opts)
	if err != nil {
		return nil, fmt.Errorf("dialing %s: %w", url, err)
	}
	return &database{
		db:   session.DB(""),
		desc: fmt.Sprintf("database %s on %s", info.Database, info.Addrs[0]),
		url:  connstr.HidePasswords(connstr.WithDatabase(url, info.Database, info.Source)),
		close: func() error {
			defer session.Close()
			return session.DB("").DropDatabase()
		},
	}, nil
}

// settingsDoc is a service's settings document. Each guarded write bumps
// Version, records its writer and term, and appends them, with its
// number, to Log, so that the document keeps the order in which the
// writes committed.
type settingsDoc struct {
	Service string     `bson:"_id"`
	Leader  string     `bson:"leader"`
	Term    int        `bson:"term"`
	Version int        `bson:"version"`
	Log     []logEntry `bson:"log"`
}

// logEntry records one guarded write in a settingsDoc: its writer, the
// term it was made in, and its number (see recorder.newWrite), by which
// the audit tells which writes of unknown outcome were applied.
type logEntry struct {
	Unit  string `bson:"unit"`
	Term  int    `bson:"term"`
	Write int    `bson:"write"`
}

// createSettings inserts an empty settings document for each service.
func createSettings(mongo lease.Mongo, services []string) error {
	var ops []txn.Op
	for _, service := range services {
		ops = append(ops, txn.Op{
			C:      settingsCollection,
			Id:     service,
			Assert: txn.DocMissing,
			Insert: bson.D{{Name: "version", Value: 0}, {Name: "log", Value: []logEntry{}}},
		})
	}
	return mongo.RunTransaction(ops)
}

// guardedWrite updates the service's settings as unit, leader in the given
// term (the demo's count), if and only if token still holds: the token's
// assertions and the update run as one transaction, which aborts
// (txn.ErrAborted) if the unit has lost leadership, or has lost it and
// won it back since (a term token asserts the lease's term too). This is
// the pattern to copy: check leadership with CheckLeadershipTerm, then
// put the token's AssertOps in the transaction that needs them, and the
// token's Term beside the data (as lease_term: it only rises). The log
// entry carries write, the write's number.
//
// Any other error leaves the outcome unknown: if it says the store could
// not answer (see storeUnavailable), mgo/txn may have applied the write,
// or may apply it when the next transaction on the same documents finds
// it half done, still fenced by the token's assertions.
func guardedWrite(mongo lease.Mongo, token leadership.TermToken, service, unit string, term, write int) error {
	ops := append(token.AssertOps(), txn.Op{
		C:      settingsCollection,
		Id:     service,
		Assert: txn.DocExists,
		Update: bson.D{
			{Name: "$set", Value: bson.D{{Name: "leader", Value: unit}, {Name: "term", Value: term}, {Name: "lease_term", Value: token.Term()}}},
			{Name: "$inc", Value: bson.D{{Name: "version", Value: 1}}},
			{Name: "$push", Value: bson.D{{Name: "log", Value: logEntry{Unit: unit, Term: term, Write: write}}}},
		},
	})
	return mongo.RunTransaction(ops)
}

// storeUnavailable reports whether err, from a guarded write, says that
// the store could not be reached or could not answer (a dropped
// connection, "no reachable servers", "not primary", a write concern
// error): what the lease client reports as lease.ErrUnavailable.
func storeUnavailable(err error) bool {
	return lease.IsUnavailable(err)
}

// storeCause returns err's message from the lease client's
// "lease store unavailable: " on, without the annotations of the
// manager and the tracker around it (which name the service and unit that
// the timeline names already); the whole message if there is none.
func storeCause(err error) string {
	msg := err.Error()
	if i := strings.Index(msg, lease.ErrUnavailable.Error()+": "); i >= 0 {
		return msg[i:]
	}
	return msg
}

// resumePending finishes every transaction left half done on the
// transaction collection (a write whose reply was lost in an outage), as
// the next transaction on the same documents would, so that the settings
// documents hold the final outcome of every guarded write. It does what
// txn.Runner.ResumeAll does, one transaction at a time with Resume, but
// reads the pending ones with internal/mgoread: ResumeAll reads them with
// mgo's iterator (MGO-156) and returns nil when that read fails.
func resumePending(mongo lease.Mongo) error {
	coll, closer := mongo.GetCollection(txnCollection)
	defer closer()
	// mgo/txn's states preparing, prepared and applying: those ResumeAll
	// resumes.
	pending, err := mgoread.All[struct {
		Id bson.ObjectId `bson:"_id"`
	}](coll, mgoread.Query{Filter: bson.M{"s": bson.M{"$in": []int{1, 2, 4}}}, Projection: bson.M{"_id": 1}})
	if err != nil {
		return fmt.Errorf("reading pending transactions: %w", err)
	}
	runner := txn.NewRunner(coll)
	for _, t := range pending {
		// An aborted transaction is finished too (ResumeAll ignores
		// ErrAborted as well).
		if err := runner.Resume(t.Id); err != nil && err != txn.ErrAborted {
			return fmt.Errorf("resuming pending transactions: %w", err)
		}
	}
	return nil
}

// readSettings returns the settings document of each service.
func readSettings(mongo lease.Mongo, services []string) (map[string]settingsDoc, error) {
	coll, closer := mongo.GetCollection(settingsCollection)
	defer closer()
	docs := make(map[string]settingsDoc, len(services))
	for _, service := range services {
		var doc settingsDoc
		if err := coll.FindId(service).One(&doc); err != nil {
			return nil, fmt.Errorf("reading the settings of %s: %w", service, err)
		}
		docs[service] = doc
	}
	return docs, nil
}
