package mongotest_test

import (
	"strings"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// idIndexSuite checks the plan by which FerretDB's SQLite backend looks
// a document up by _id, as FerretDB's explain reports it (the plan of
// the very query it runs for a find by _id alone, which the proxy's
// lookups send): a search by the index that the embedded server adds
// (see Options.NoIDIndex), in every collection however it came to be,
// and a scan of the whole table without it.
type idIndexSuite struct {
	opts    mongotest.Options
	server  *mongotest.Server
	session *mgo.Session
	db      *mgo.Database
}

var _ = gc.Suite(&idIndexSuite{})

func (s *idIndexSuite) SetUpTest(c *gc.C) {
	embeddedOnly(c)
	s.opts = mongotest.Options{}
}

func (s *idIndexSuite) TearDownTest(c *gc.C) {
	if s.session != nil {
		s.session.Close()
	}
	if s.server != nil {
		c.Check(s.server.Close(), jc.ErrorIsNil)
	}
}

// start starts the server with s.opts and dials it.
func (s *idIndexSuite) start(c *gc.C) {
	var err error
	s.server, err = mongotest.StartWith(s.opts)
	c.Assert(err, jc.ErrorIsNil)
	s.dial(c)
}

// dial (re)dials the server.
func (s *idIndexSuite) dial(c *gc.C) {
	if s.session != nil {
		s.session.Close()
	}
	var err error
	s.session, err = s.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	s.db = s.session.DB("")
}

// plan returns FerretDB's plan for a find of one _id in the collection
// coll: the lines of SQLite's EXPLAIN QUERY PLAN. A count by that _id
// runs first: SQLite plans an EXPLAIN on the schema its connection last
// read, without checking it as a query does (which then reads the new
// schema and plans again), and FerretDB runs the next command on the
// connection the count used last.
func (s *idIndexSuite) plan(c *gc.C, coll string) []string {
	n, err := s.db.C(coll).FindId("some-id").Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(n, gc.Equals, 0)
	var res struct {
		QueryPlanner struct {
			Plan []string `bson:"Plan"`
		} `bson:"queryPlanner"`
	}
	err = s.db.Run(bson.D{{Name: "explain", Value: bson.D{
		{Name: "find", Value: coll}, {Name: "filter", Value: bson.M{"_id": "some-id"}},
	}}}, &res)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(res.QueryPlanner.Plan, gc.Not(gc.HasLen), 0)
	return res.QueryPlanner.Plan
}

// checkSearched checks that FerretDB finds a document of coll by _id
// through the server's index.
func (s *idIndexSuite) checkSearched(c *gc.C, coll string) {
	plan := strings.Join(s.plan(c, coll), "; ")
	c.Check(plan, gc.Matches, `.*detail=SEARCH \S+ USING INDEX _ferretdb_mongotest_id_\S+ \(<expr>=\?\).*`, gc.Commentf("collection %q", coll))
}

// checkScanned checks that FerretDB reads all of coll to find a
// document by _id.
func (s *idIndexSuite) checkScanned(c *gc.C, coll string) {
	plan := strings.Join(s.plan(c, coll), "; ")
	c.Check(plan, gc.Matches, `.*detail=SCAN \S+$`, gc.Commentf("collection %q", coll))
}

// runTxn runs an mgo/txn transaction that inserts a lease-like document
// into leases: it creates leases, txns and txns.stash.
func (s *idIndexSuite) runTxn(c *gc.C, id string) {
	runner := txn.NewRunner(s.db.C("txns"))
	ops := []txn.Op{{C: "leases", Id: id, Assert: txn.DocMissing, Insert: bson.M{"holder": "svc/0"}}}
	c.Assert(runner.Run(ops, "", nil), jc.ErrorIsNil)
}

var txnCollections = []string{"leases", "txns", "txns.stash"}

func (s *idIndexSuite) TestTxnCollections(c *gc.C) {
	s.start(c)
	s.runTxn(c, "lease#ns#a#")
	for _, coll := range txnCollections {
		s.checkSearched(c, coll)
	}
}

func (s *idIndexSuite) TestImplicitAndExplicitCollections(c *gc.C) {
	s.start(c)
	c.Assert(s.db.C("inserted").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	_, err := s.db.C("upserted").UpsertId("a", bson.M{"$set": bson.M{"n": 1}})
	c.Assert(err, jc.ErrorIsNil)
	_, err = s.db.C("modified").FindId("a").Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 1}}, Upsert: true}, nil)
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(s.db.C("indexed").EnsureIndexKey("n"), jc.ErrorIsNil)
	c.Assert(s.db.C("created").Create(&mgo.CollectionInfo{}), jc.ErrorIsNil)
	c.Assert(s.db.C("capped").Create(&mgo.CollectionInfo{Capped: true, MaxBytes: 1 << 20}), jc.ErrorIsNil)
	c.Assert(s.session.DB("other").C("inserted").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	for _, coll := range []string{"inserted", "upserted", "modified", "indexed", "created", "capped"} {
		s.checkSearched(c, coll)
	}
	s.db = s.session.DB("other")
	s.checkSearched(c, "inserted")
}

func (s *idIndexSuite) TestAfterRestart(c *gc.C) {
	s.start(c)
	s.runTxn(c, "lease#ns#a#")
	c.Assert(s.server.Restart(), jc.ErrorIsNil)
	s.dial(c)
	// Before any write: the indexes are in the files.
	for _, coll := range txnCollections {
		s.checkSearched(c, coll)
	}
	c.Assert(s.db.C("later").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	s.checkSearched(c, "later")
}

func (s *idIndexSuite) TestDroppedAndCreatedAgain(c *gc.C) {
	s.start(c)
	c.Assert(s.db.C("things").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	c.Assert(s.db.C("things").DropCollection(), jc.ErrorIsNil)
	c.Assert(s.db.C("things").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	s.checkSearched(c, "things")

	c.Assert(s.db.DropDatabase(), jc.ErrorIsNil)
	c.Assert(s.db.C("things").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	s.checkSearched(c, "things")

	var res bson.M
	ns := s.db.Name + "."
	c.Assert(s.session.Run(bson.D{{Name: "renameCollection", Value: ns + "things"}, {Name: "to", Value: ns + "renamed"}}, &res), jc.ErrorIsNil)
	s.checkSearched(c, "renamed")
	c.Assert(s.db.C("things").Insert(bson.M{"_id": "b"}), jc.ErrorIsNil)
	s.checkSearched(c, "things")
}

func (s *idIndexSuite) TestOff(c *gc.C) {
	s.opts.NoIDIndex = true
	s.start(c)
	s.runTxn(c, "lease#ns#a#")
	c.Assert(s.db.C("inserted").Insert(bson.M{"_id": "a"}), jc.ErrorIsNil)
	for _, coll := range append(txnCollections, "inserted") {
		s.checkScanned(c, coll)
	}
}
