package load_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

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
// renewal round the test prunes finished transactions, as Juju's
// controllers did.
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
		if err := pruneTxns(fix.DB); err != nil {
			t.Errorf("pruning transactions: %v", err)
		}
	}
	runChecked(t, clock, cfg, "the embedded server")
}

// pruneTxns removes the finished transactions (applied or aborted) that no
// document's txn-queue names any more, as Juju's transaction pruner did:
// mgo/txn looks a transaction up only through a queue that names it, and a
// finished transaction never enters a queue again. Documents are read
// after the transactions, so a transaction that finished after that read
// is kept.
func pruneTxns(db *mgo.Database) error {
	var finished []struct {
		Id bson.ObjectId `bson:"_id"`
	}
	// mgo/txn states: 5 aborted, 6 applied.
	if err := db.C(mongofixture.TxnCollection).Find(bson.M{"s": bson.M{"$in": []int{5, 6}}}).Select(bson.M{"_id": 1}).All(&finished); err != nil {
		return err
	}
	named := map[string]bool{}
	for _, coll := range []string{mongofixture.Collection, mongofixture.TxnCollection + ".stash"} {
		var docs []struct {
			Queue []string `bson:"txn-queue"`
		}
		if err := db.C(coll).Find(nil).Select(bson.M{"txn-queue": 1}).All(&docs); err != nil {
			return err
		}
		for _, doc := range docs {
			for _, token := range doc.Queue {
				named[strings.SplitN(token, "_", 2)[0]] = true
			}
		}
	}
	var prune []bson.ObjectId
	for _, tx := range finished {
		if !named[tx.Id.Hex()] {
			prune = append(prune, tx.Id)
		}
	}
	if len(prune) == 0 {
		return nil
	}
	_, err := db.C(mongofixture.TxnCollection).RemoveAll(bson.M{"_id": bson.M{"$in": prune}})
	return err
}
