package prune_test

import (
	"strings"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/lease"
)

// minAge is the MinAge of every prune here.
const minAge = time.Hour

// userCollection holds the users' own documents, written by their own
// transactions in the lease clients' transaction collection.
const userCollection = "accounts"

// pruneSuite gives each test a fresh server, and a fake clock for its
// lease clients.
type pruneSuite struct {
	mongofixture.Suite
	clock *clocktest.Clock
}

func (s *pruneSuite) SetUpTest(c *gc.C) {
	s.Suite.SetUpTest(c)
	s.clock = mongofixture.NewClock()
	s.AddCleanup(func(*gc.C) { txn.SetChaos(txn.Chaos{}) })
}

// runner returns a user's transaction runner on the lease clients'
// transaction collection.
func (s *pruneSuite) runner() *txn.Runner {
	return txn.NewRunner(s.DB.C(mongofixture.TxnCollection))
}

// pruneConfig is the configuration of a prune at now.
func (s *pruneSuite) pruneConfig(now time.Time) lease.PruneConfig {
	return lease.PruneConfig{
		Mongo:         s.Mongo(),
		TxnCollection: mongofixture.TxnCollection,
		Clock:         clocktest.NewClock(now),
		MinAge:        minAge,
		BatchSize:     7, // several batches, and a last one that is partly full
	}
}

// pruneAt prunes as at now, and checks that no document names a missing
// transaction afterwards.
func (s *pruneSuite) pruneAt(c *gc.C, now time.Time) lease.PruneStats {
	stats, err := lease.PruneTransactions(s.pruneConfig(now))
	c.Assert(err, jc.ErrorIsNil)
	c.Check(stats.Removed+stats.Referenced, gc.Equals, stats.Examined)
	s.checkNamedExist(c)
	return stats
}

// pruneAll prunes with every transaction so far older than MinAge.
func (s *pruneSuite) pruneAll(c *gc.C) lease.PruneStats {
	txns := s.txns(c)
	c.Assert(txns, gc.Not(gc.HasLen), 0)
	return s.pruneAt(c, txns[len(txns)-1].Id.Time().Add(minAge+time.Second))
}

// txnDoc is what the tests read of a transaction.
type txnDoc struct {
	Id    bson.ObjectId `bson:"_id"`
	State int           `bson:"s"`
}

// mgo/txn's states.
const (
	statePreparing = 1
	statePrepared  = 2
	stateApplying  = 4
	stateAborted   = 5
	stateApplied   = 6
)

// txns returns every transaction, in the order of their ids.
func (s *pruneSuite) txns(c *gc.C) []txnDoc {
	var txns []txnDoc
	c.Assert(s.DB.C(mongofixture.TxnCollection).Find(nil).Sort("_id").All(&txns), jc.ErrorIsNil)
	return txns
}

// state returns the state of transaction id, or 0 if there is none.
func (s *pruneSuite) state(c *gc.C, id bson.ObjectId) int {
	for _, t := range s.txns(c) {
		if t.Id == id {
			return t.State
		}
	}
	return 0
}

// named returns the ids of the transactions that a document of the lease
// collection, of the users' collection or of the stash names.
func (s *pruneSuite) named(c *gc.C) map[bson.ObjectId]bool {
	named := map[bson.ObjectId]bool{}
	for _, coll := range []string{mongofixture.Collection, userCollection, mongofixture.TxnCollection + ".stash"} {
		var docs []struct {
			Queue  []string      `bson:"txn-queue"`
			Insert bson.ObjectId `bson:"txn-insert"`
			Remove bson.ObjectId `bson:"txn-remove"`
		}
		c.Assert(s.DB.C(coll).Find(nil).All(&docs), jc.ErrorIsNil)
		for _, doc := range docs {
			for _, token := range doc.Queue {
				id, _, _ := strings.Cut(token, "_")
				named[bson.ObjectIdHex(id)] = true
			}
			for _, id := range []bson.ObjectId{doc.Insert, doc.Remove} {
				if id != "" {
					named[id] = true
				}
			}
		}
	}
	return named
}

// checkNamedExist checks that every transaction a document names exists.
func (s *pruneSuite) checkNamedExist(c *gc.C) {
	exist := map[bson.ObjectId]bool{}
	for _, t := range s.txns(c) {
		exist[t.Id] = true
	}
	for id := range s.named(c) {
		c.Check(exist[id], jc.IsTrue, gc.Commentf("transaction %s is named but missing", id.Hex()))
	}
}

// checkPruned checks that every transaction left is named or not
// complete: a prune of every transaction left nothing it could remove.
func (s *pruneSuite) checkPruned(c *gc.C) {
	named := s.named(c)
	for _, t := range s.txns(c) {
		if t.State == stateApplied || t.State == stateAborted {
			c.Check(named[t.Id], jc.IsTrue, gc.Commentf("complete transaction %s, named by no document, was kept", t.Id.Hex()))
		}
	}
}

// newClient returns a lease client on the suite's clock.
func (s *pruneSuite) newClient(c *gc.C, id string) lease.Client {
	client, err := s.NewClient(id, s.clock)
	c.Assert(err, jc.ErrorIsNil)
	return client
}

// request is a claim or an extension for holder of d.
func request(holder string, d time.Duration) lease.Request {
	return lease.Request{Holder: holder, Duration: d}
}

// newTxns returns the ids of the transactions that are not in before.
func (s *pruneSuite) newTxns(c *gc.C, before []txnDoc) []txnDoc {
	old := map[bson.ObjectId]bool{}
	for _, t := range before {
		old[t.Id] = true
	}
	var added []txnDoc
	for _, t := range s.txns(c) {
		if !old[t.Id] {
			added = append(added, t)
		}
	}
	return added
}

// queueNames says whether the txn-queue of document id of coll names
// transaction txnId.
func (s *pruneSuite) queueNames(c *gc.C, coll string, id interface{}, txnId bson.ObjectId) bool {
	var doc struct {
		Queue []string `bson:"txn-queue"`
	}
	c.Assert(s.DB.C(coll).FindId(id).One(&doc), jc.ErrorIsNil)
	for _, token := range doc.Queue {
		if strings.HasPrefix(token, txnId.Hex()+"_") {
			return true
		}
	}
	return false
}
