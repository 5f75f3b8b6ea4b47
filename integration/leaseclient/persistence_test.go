package leaseclient_test

import (
	"regexp"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// ClientPersistenceSuite: SPEC §7.4, what the MongoDB client stores, and
// what a new client makes of it. (The conformance suite checks that a
// new client sees the leases claimed, extended and expired before it.)
type ClientPersistenceSuite struct {
	mongoSuite
}

var _ = gc.Suite(&ClientPersistenceSuite{})

func (s *ClientPersistenceSuite) newClient(c *gc.C) (lease.Client, error) {
	return lease.NewClient(lease.ClientConfig{
		Id:         "client",
		Namespace:  "namespace",
		Collection: "collection",
		Mongo:      NewMongo(s.db),
		Clock:      lease.SystemClock{},
	})
}

// dump returns every document in the collection, without mgo/txn's fields.
func (s *ClientPersistenceSuite) dump(c *gc.C, collection string) []bson.M {
	var docs []bson.M
	err := s.db.C(collection).Find(nil).Select(bson.M{"txn-queue": 0, "txn-revno": 0}).Sort("_id").All(&docs)
	c.Assert(err, jc.ErrorIsNil)
	return docs
}

func (s *ClientPersistenceSuite) TestNewClientInvalidClockDoc(c *gc.C) {
	err := s.db.C("collection").Insert(bson.M{"_id": "clock#namespace#"})
	c.Assert(err, jc.ErrorIsNil)
	before := s.dump(c, "collection")

	client, err := s.newClient(c)
	c.Check(client, gc.IsNil)
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(`corrupt clock document: invalid type ""`))
	c.Check(s.dump(c, "collection"), jc.DeepEquals, before)
}

func (s *ClientPersistenceSuite) TestNewClientInvalidLeaseDoc(c *gc.C) {
	err := s.db.C("collection").Insert(bson.M{
		"_id":       "snagglepuss",
		"type":      "lease",
		"namespace": "namespace",
	})
	c.Assert(err, jc.ErrorIsNil)

	client, err := s.newClient(c)
	c.Check(client, gc.IsNil)
	c.Check(err, gc.ErrorMatches, regexp.QuoteMeta(`corrupt lease document "snagglepuss": inconsistent _id`))
}

func (s *ClientPersistenceSuite) TestNewClientMissingClockDoc(c *gc.C) {
	fix := EasyFixture(c, s.db)
	c.Check(fix.Client.Leases(), gc.HasLen, 0)
	c.Check(s.dump(c, "default-collection"), jc.DeepEquals, []bson.M{{
		"_id":       "clock#default-namespace#",
		"type":      "clock",
		"namespace": "default-namespace",
		"writers":   bson.M{},
	}})
}

func (s *ClientPersistenceSuite) TestStoredDocuments(c *gc.C) {
	fix := ClaimedFixture(c, s.db)

	// Times are int64 nanoseconds: nothing lost after 2038, 5ns kept.
	// The shared clock document counts the client's own, which holds
	// its time, its count of transactions and its term floor, the
	// highest term it claimed; the claim took its term from the floor,
	// and raised the shared document's floor too. The lease document has
	// a write id (a new one at every write).
	docs := s.dump(c, "default-collection")
	c.Assert(docs, gc.HasLen, 3)
	takeWriteId(c, docs[2])
	c.Check(docs, jc.DeepEquals, []bson.M{{
		"_id":       "clock#default-namespace#",
		"type":      "clock",
		"namespace": "default-namespace",
		"writers":   bson.M{},
		"clocks":    int64(1),
		"terms":     int64(1),
	}, {
		"_id":       "clock#default-namespace#default-client#",
		"type":      "clock",
		"namespace": "default-namespace",
		"writer":    "default-client",
		"writers":   bson.M{"default-client": fix.Zero.UnixNano()},
		"writes":    bson.M{"default-client": int64(1)},
		"terms":     int64(1),
	}, {
		"_id":       "lease#default-namespace#name#",
		"type":      "lease",
		"namespace": "default-namespace",
		"name":      "name",
		"holder":    "holder",
		"expiry":    fix.Zero.Add(time.Minute).UnixNano(),
		"writer":    "default-client",
		"term":      int64(1),
	}})
	c.Check(fix.Zero.UnixNano()%int64(time.Second), gc.Equals, int64(5))
}

func (s *ClientPersistenceSuite) TestNamespaceIsolation(c *gc.C) {
	ClaimedFixture(c, s.db)

	fix2 := NewFixture(c, s.db, FixtureParams{Namespace: "different-namespace"})
	c.Check("name", fix2.Holder(), "")
	c.Check(fix2.Client.Leases(), gc.HasLen, 0)
}
