package leaseclient_test

import (
	"os"
	"testing"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// mongoStore is one namespace of the MongoDB client's, on a server of its
// own, as the conformance suite sees it.
type mongoStore struct {
	server *mongotest.Server
	db     *mgo.Database
	clock  lease.Clock
}

// stoppableStore is a mongoStore on the embedded server, which the suite
// can stop and restart.
type stoppableStore struct {
	*mongoStore
}

var (
	_ storetest.ClockStore = (*mongoStore)(nil)
	_ storetest.TxnStore   = (*mongoStore)(nil)
	_ storetest.DumpStore  = (*mongoStore)(nil)
	_ storetest.StopStore  = stoppableStore{}
)

// newMongoStore starts a server, and closes it when t ends. An external
// server (LEADERSHIP_MONGO_URL) cannot be stopped.
func newMongoStore(t *testing.T, clock lease.Clock) storetest.Store {
	server, err := mongotest.Start()
	if err != nil {
		t.Fatalf("cannot start the server: %v", err)
	}
	t.Cleanup(func() { server.Close() })
	session, err := server.Dial()
	if err != nil {
		t.Fatalf("cannot dial: %v", err)
	}
	t.Cleanup(session.Close)
	s := &mongoStore{server: server, db: session.DB(""), clock: clock}
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		return s
	}
	return stoppableStore{s}
}

// NewClient is part of the storetest.Store interface.
func (s *mongoStore) NewClient(id string) (lease.Client, error) {
	return s.NewClientWithClock(id, s.clock)
}

// NewClientWithClock is part of the storetest.ClockStore interface.
func (s *mongoStore) NewClientWithClock(id string, clock lease.Clock) (lease.Client, error) {
	return lease.NewClient(lease.ClientConfig{
		Id:         id,
		Namespace:  "default-namespace",
		Collection: "default-collection",
		Mongo:      lease.NewMongo(s.db, txnCollection),
		Clock:      clock,
	})
}

// outageWait is how long a call waits for a server while the store is
// stopped, before it fails; dialWait, how long it waits otherwise (as
// mongotest.Server.Dial's session does).
const (
	outageWait = 300 * time.Millisecond
	dialWait   = 15 * time.Second
)

// Stop is part of the storetest.StopStore interface.
func (s stoppableStore) Stop() error {
	s.db.Session.SetSyncTimeout(outageWait)
	return s.server.Stop()
}

// Restart is part of the storetest.StopStore interface. The store's own
// session, which the clients copy for every call, drops its dead socket.
func (s stoppableStore) Restart() error {
	err := s.server.Restart()
	s.db.Session.SetSyncTimeout(dialWait)
	s.db.Session.Refresh()
	return err
}

// RunTransaction is part of the storetest.TxnStore interface: it runs ops
// on the clients' transaction collection.
func (s *mongoStore) RunTransaction(ops []txn.Op) error {
	return txn.NewRunner(s.db.C(txnCollection)).Run(ops, "", nil)
}

// Dump is part of the storetest.DumpStore interface: every document of
// the lease and the transaction collections.
func (s *mongoStore) Dump() (any, error) {
	dump := map[string][]bson.M{}
	for _, coll := range []string{"default-collection", txnCollection} {
		var docs []bson.M
		if err := s.db.C(coll).Find(nil).Sort("_id").All(&docs); err != nil {
			return nil, err
		}
		dump[coll] = docs
	}
	return dump, nil
}

// TestConformance runs the lease.Client conformance suite on the MongoDB
// client, a server for each case.
func TestConformance(t *testing.T) {
	storetest.TestClient(t, newMongoStore)
}
