package mongofixture

import (
	"os"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/mgoread"
	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest/storetest"
)

// Store is the MongoDB lease client as the store-generic suites see it
// (package storetest's conformance suite, and the suite of releases
// across controllers): one namespace, Namespace, on a Fixture's database.
// It is a [storetest.ClockStore], [storetest.TxnStore] and
// [storetest.DumpStore]; [Fixture.Store] makes one.
type Store struct {
	f     *Fixture
	clock lease.Clock
}

// stoppableStore is a Store on the embedded server, which a suite can
// stop and restart.
type stoppableStore struct {
	*Store
}

var (
	_ storetest.ClockStore = (*Store)(nil)
	_ storetest.TxnStore   = (*Store)(nil)
	_ storetest.DumpStore  = (*Store)(nil)
	_ storetest.StopStore  = stoppableStore{}
)

// outageWait is how long a call waits for a server while the store is
// stopped, before it fails; dialWait, how long it waits otherwise (as
// [mongotest.Server.Dial]'s session does).
const (
	outageWait = 300 * time.Millisecond
	dialWait   = 15 * time.Second
)

// Store returns the store of the Fixture's clients on clock: a
// [storetest.StopStore] too on the embedded server, not on an external
// one (LEADERSHIP_MONGO_URL), which the tests cannot stop.
func (f *Fixture) Store(clock lease.Clock) storetest.Store {
	s := &Store{f: f, clock: clock}
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		return s
	}
	return stoppableStore{s}
}

// NewStore is [New] and [Fixture.Store], with the signature of the
// function that [storetest.TestClient] takes: a server for t, closed when
// t ends.
func NewStore(t *testing.T, clock lease.Clock) storetest.Store {
	t.Helper()
	return New(t).Store(clock)
}

// NewClient is part of the [storetest.Store] interface.
func (s *Store) NewClient(id string) (lease.Client, error) {
	return s.f.NewClient(id, s.clock)
}

// NewClientWithClock is part of the [storetest.ClockStore] interface.
func (s *Store) NewClientWithClock(id string, clock lease.Clock) (lease.Client, error) {
	return s.f.NewClient(id, clock)
}

// RunTransaction is part of the [storetest.TxnStore] interface: it is
// [Fixture.RunTxn].
func (s *Store) RunTransaction(ops []txn.Op) error {
	return s.f.RunTxn(ops)
}

// Dump is part of the [storetest.DumpStore] interface: every document of
// Collection and TxnCollection.
func (s *Store) Dump() (any, error) {
	dump := map[string][]bson.M{}
	for _, coll := range []string{Collection, TxnCollection} {
		docs, err := mgoread.All[bson.M](s.f.DB.C(coll), mgoread.Query{Sort: bson.D{{Name: "_id", Value: 1}}})
		if err != nil {
			return nil, err
		}
		dump[coll] = docs
	}
	return dump, nil
}

// Stop is part of the [storetest.StopStore] interface. Calls on the
// Fixture's session fail after outageWait while the server is down.
func (s stoppableStore) Stop() error {
	s.f.Session.SetSyncTimeout(outageWait)
	return s.f.Server.Stop()
}

// Restart is part of the [storetest.StopStore] interface. The Fixture's
// session, which the clients copy for every call, drops its dead socket.
func (s stoppableStore) Restart() error {
	err := s.f.Server.Restart()
	s.f.Session.SetSyncTimeout(dialWait)
	s.f.Session.Refresh()
	return err
}
