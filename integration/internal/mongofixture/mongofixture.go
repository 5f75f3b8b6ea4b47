// Package mongofixture is the integration tests' one MongoDB set-up: a
// server from [mongotest.StartWith] (embedded, or the one
// LEADERSHIP_MONGO_URL names), a session and its database, lease clients
// on the caller's clock over the transaction collection that fenced
// transactions share, and a teardown that closes all of it, sessions
// first. [New] ties a Fixture to a testing.TB; [Suite] to a gocheck suite;
// [Fixture.Store] presents it to the suites that run on every lease store.
// Tests only: nothing in the library imports it.
package mongofixture

import (
	"errors"
	"testing"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// The names a Fixture's clients use: the demo's and leasectl's defaults.
const (
	// Namespace is the lease namespace of [Fixture.ClientConfig].
	Namespace = "service-leadership"
	// Collection is the lease collection of [Fixture.ClientConfig].
	Collection = "leases"
	// TxnCollection is the mgo/txn collection of [Fixture.Mongo] and
	// [Fixture.RunTxn]: a token's assertions fence only transactions in
	// the collection its lease client writes with.
	TxnCollection = "txns"
)

// Fixture is a server, a session on it and the session's database.
type Fixture struct {
	// Server is the server that Start started.
	Server *mongotest.Server
	// Session is a session on Server, from [mongotest.Server.Dial].
	Session *mgo.Session
	// DB is Session's default database.
	DB *mgo.Database

	// dialed are the sessions from Dial, which Close closes.
	dialed []*mgo.Session
}

// Start starts a server configured by opts, as [mongotest.StartWith]
// does, and dials a session on it. On error nothing is left running.
func Start(opts mongotest.Options) (*Fixture, error) {
	server, err := mongotest.StartWith(opts)
	if err != nil {
		return nil, err
	}
	session, err := server.Dial()
	if err != nil {
		return nil, errors.Join(err, server.Close())
	}
	return &Fixture{Server: server, Session: session, DB: session.DB("")}, nil
}

// New is [NewWith] with the default options.
func New(t testing.TB) *Fixture {
	t.Helper()
	return NewWith(t, mongotest.Options{})
}

// NewWith is [Start], failing t on error, with a cleanup of t's that
// closes the Fixture.
func NewWith(t testing.TB, opts mongotest.Options) *Fixture {
	t.Helper()
	f, err := Start(opts)
	if err != nil {
		t.Fatalf("cannot start the server: %v", err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// Dial returns a new session on the server, which Close closes.
func (f *Fixture) Dial() (*mgo.Session, error) {
	session, err := f.Server.Dial()
	if err != nil {
		return nil, err
	}
	f.dialed = append(f.dialed, session)
	return session, nil
}

// Close closes the sessions from Dial, Session and the server, and
// returns the server's [mongotest.Server.Close] error. A second call does
// nothing and returns nil.
func (f *Fixture) Close() error {
	if f.Server == nil {
		return nil
	}
	for _, session := range f.dialed {
		session.Close()
	}
	f.Session.Close()
	err := f.Server.Close()
	f.Server, f.Session, f.DB, f.dialed = nil, nil, nil, nil
	return err
}

// Mongo returns the [lease.Mongo] of the Fixture's clients: DB, with
// transactions in TxnCollection.
func (f *Fixture) Mongo() lease.Mongo {
	return lease.NewMongo(f.DB, TxnCollection)
}

// ClientConfig returns the configuration of a lease client with the given
// Id and clock, in Namespace and Collection, through Mongo.
func (f *Fixture) ClientConfig(id string, clock lease.Clock) lease.ClientConfig {
	return ClientConfigOn(f.DB, id, clock)
}

// ClientConfigOn returns the configuration of a lease client with the
// given Id and clock, in Namespace and Collection, on db with transactions
// in TxnCollection: for a client on a session of its own, as each
// controller has.
func ClientConfigOn(db *mgo.Database, id string, clock lease.Clock) lease.ClientConfig {
	return lease.ClientConfig{
		Id:         id,
		Namespace:  Namespace,
		Collection: Collection,
		Mongo:      lease.NewMongo(db, TxnCollection),
		Clock:      clock,
	}
}

// NewClient returns lease.NewClient(f.ClientConfig(id, clock)).
func (f *Fixture) NewClient(id string, clock lease.Clock) (lease.Client, error) {
	return lease.NewClient(f.ClientConfig(id, clock))
}

// RunTxn runs ops as one mgo/txn transaction in TxnCollection on DB: put
// a token's AssertOps first and the transaction is fenced by the lease.
func (f *Fixture) RunTxn(ops []txn.Op) error {
	return txn.NewRunner(f.DB.C(TxnCollection)).Run(ops, "", nil)
}

// NewClock returns a fake clock at [clocktest.Start], a hostile instant.
func NewClock() *clocktest.Clock {
	return clocktest.NewClock(clocktest.Start)
}
