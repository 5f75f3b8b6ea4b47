package load_test

import (
	"fmt"
	"os"
	"testing"
	"time"

	"gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// TestMongo runs three managers, each over its own lease.NewClient on its
// own session, on the embedded server, for LOAD_MONGO_SERVICES services
// of 3 units and LOAD_MONGO_MINUTES simulated minutes (default 3); it
// runs only if LOAD_MONGO_SERVICES is set (make soak: 300 services for ten
// minutes). Each claim is an
// mgo/txn transaction, and FerretDB's SQLite backend slows down as the
// transaction collection grows (each transaction scans it), so after each
// renewal round the test prunes finished transactions (see pruneTxns), as
// Juju's controllers did.
func TestMongo(t *testing.T) {
	if os.Getenv("LOAD_MONGO_SERVICES") == "" {
		t.Skip("LOAD_MONGO_SERVICES not set: too slow for make check (make soak runs it)")
	}
	fix := mongofixture.New(t)
	clock := clocktest.NewClock(start)
	// A killed manager stays down longer than a lease, so its units'
	// leases run out and pass to units of the other managers.
	cfg := jujuConfig(envInt(t, "LOAD_MONGO_SERVICES", 20), time.Duration(envInt(t, "LOAD_MONGO_MINUTES", 3))*time.Minute,
		2*time.Minute, 90*time.Second)
	cfg.newClient = func(i int) (lease.Client, error) {
		session, err := fix.Dial()
		if err != nil {
			return nil, err
		}
		return lease.NewClient(mongofixture.ClientConfigOn(session.DB(""), fmt.Sprintf("machine-%d", i), clock))
	}
	cfg.workers = 4
	cfg.progress = time.Minute
	cfg.afterRenewal = func() {
		if err := pruneTxns(fix.DB, clock); err != nil {
			t.Errorf("pruning transactions: %v", err)
		}
	}
	runChecked(t, clock, cfg, "the embedded server")
}

// pruneTxns runs lease.PruneTransactions on the fixture's transaction
// collection at the fake clock's time: the load's clock is decades after
// the real time in the transactions' ids, so every complete transaction
// that no document names is removed.
func pruneTxns(db *mgo.Database, clock lease.Clock) error {
	_, err := lease.PruneTransactions(lease.PruneConfig{
		Mongo:         lease.NewMongo(db, mongofixture.TxnCollection),
		TxnCollection: mongofixture.TxnCollection,
		Clock:         clock,
	})
	return err
}
