package mongotest_test

import (
	"fmt"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

type crudSuite struct {
	fixture
}

var _ = gc.Suite(&crudSuite{})

func (s *crudSuite) TestInsertAndFind(c *gc.C) {
	coll := s.db.C("things")
	err := coll.Insert(bson.M{"_id": "a", "n": 1}, bson.M{"_id": "b", "n": 2})
	c.Assert(err, jc.ErrorIsNil)

	var doc struct {
		ID string `bson:"_id"`
		N  int    `bson:"n"`
	}
	c.Assert(coll.FindId("b").One(&doc), jc.ErrorIsNil)
	c.Check(doc.N, gc.Equals, 2)
	c.Check(coll.FindId("missing").One(&doc), gc.Equals, mgo.ErrNotFound)
	checkCount(c, coll, 2)
}

func (s *crudSuite) TestFindWithGetMore(c *gc.C) {
	coll := s.db.C("many")
	docs := make([]interface{}, 250)
	for i := range docs {
		docs[i] = bson.M{"_id": i, "sq": i * i}
	}
	c.Assert(coll.Insert(docs...), jc.ErrorIsNil)

	before := s.server.Commands()
	iter := coll.Find(nil).Sort("_id").Batch(20).Iter()
	var doc struct {
		ID int `bson:"_id"`
		Sq int `bson:"sq"`
	}
	n := 0
	for iter.Next(&doc) {
		c.Assert(doc.ID, gc.Equals, n)
		c.Assert(doc.Sq, gc.Equals, n*n)
		n++
	}
	c.Assert(iter.Close(), jc.ErrorIsNil)
	c.Check(n, gc.Equals, 250)
	if before >= 0 {
		// One find and twelve getMores, at least (mgo may prefetch one more).
		c.Check(s.server.Commands()-before >= 13, jc.IsTrue, gc.Commentf("commands: %d", s.server.Commands()-before))
	}

	// The default batch (101 documents) needs getMore too.
	var all []bson.M
	c.Assert(coll.Find(nil).All(&all), jc.ErrorIsNil)
	c.Check(all, gc.HasLen, 250)
}

func (s *crudSuite) TestUpdateOperators(c *gc.C) {
	coll := s.db.C("things")
	c.Assert(coll.Insert(bson.M{"_id": "x", "n": 1, "gone": true, "tags": []string{"a"}}), jc.ErrorIsNil)
	err := coll.UpdateId("x", bson.M{
		"$set":      bson.M{"s": "str", "sub.field": 5},
		"$inc":      bson.M{"n": 41},
		"$unset":    bson.M{"gone": 1},
		"$addToSet": bson.M{"tags": bson.M{"$each": []string{"a", "b"}}},
		"$push":     bson.M{"log": "one"},
	})
	c.Assert(err, jc.ErrorIsNil)

	var got bson.M
	c.Assert(coll.FindId("x").One(&got), jc.ErrorIsNil)
	c.Check(got, jc.DeepEquals, bson.M{
		"_id": "x", "n": 42, "s": "str", "sub": bson.M{"field": 5},
		"tags": []interface{}{"a", "b"}, "log": []interface{}{"one"},
	})

	c.Check(coll.UpdateId("missing", bson.M{"$set": bson.M{"n": 1}}), gc.Equals, mgo.ErrNotFound)
	info, err := coll.UpdateAll(nil, bson.M{"$inc": bson.M{"n": 1}})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(info.Matched, gc.Equals, 1)
	info, err = coll.UpsertId("y", bson.M{"$set": bson.M{"n": 7}})
	c.Assert(err, jc.ErrorIsNil)
	c.Check(info.UpsertedId, gc.Equals, "y")
	c.Assert(coll.UpdateId("y", bson.M{"replaced": true}), jc.ErrorIsNil)
	c.Assert(coll.FindId("y").One(&got), jc.ErrorIsNil)
	c.Check(got, jc.DeepEquals, bson.M{"_id": "y", "replaced": true})

	c.Assert(coll.RemoveId("y"), jc.ErrorIsNil)
	c.Check(coll.RemoveId("y"), gc.Equals, mgo.ErrNotFound)
}

// TestEscapedKeys stores keys that FerretDB refuses ('$' first, '.' inside)
// through every path that escapes them, and reads them back unchanged.
// MongoDB itself refuses some of them.
func (s *crudSuite) TestEscapedKeys(c *gc.C) {
	embeddedOnly(c)
	coll := s.db.C("things")
	odd := bson.M{"$gte": 3, "a.b": bson.M{"$set": bson.M{"c.d": 1}}}
	c.Assert(coll.Insert(bson.M{"_id": "ins", "odd": odd, "list": []interface{}{odd}}), jc.ErrorIsNil)
	c.Assert(coll.Insert(bson.M{"_id": "upd"}), jc.ErrorIsNil)
	err := coll.UpdateId("upd", bson.M{
		"$set":      bson.M{"odd": odd, "path.to": odd},
		"$push":     bson.M{"pushed": bson.M{"$each": []interface{}{odd}}},
		"$addToSet": bson.M{"added": odd},
	})
	c.Assert(err, jc.ErrorIsNil)
	c.Assert(coll.Insert(bson.M{"_id": "rep"}), jc.ErrorIsNil)
	c.Assert(coll.UpdateId("rep", bson.M{"odd": odd}), jc.ErrorIsNil)
	var applied bson.M
	_, err = coll.FindId("fam").Apply(mgo.Change{
		Update: bson.M{"$set": bson.M{"odd": odd}}, Upsert: true, ReturnNew: true,
	}, &applied)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(applied["odd"], jc.DeepEquals, odd)

	want := map[string]bson.M{
		"ins": {"_id": "ins", "odd": odd, "list": []interface{}{odd}},
		"upd": {"_id": "upd", "odd": odd, "path": bson.M{"to": odd}, "pushed": []interface{}{odd}, "added": []interface{}{odd}},
		"rep": {"_id": "rep", "odd": odd},
		"fam": {"_id": "fam", "odd": odd},
	}
	for id, doc := range want {
		var got bson.M
		c.Assert(coll.FindId(id).One(&got), jc.ErrorIsNil)
		c.Check(got, jc.DeepEquals, doc, gc.Commentf("document %s", id))
	}
}

func (s *crudSuite) TestFindAndModify(c *gc.C) {
	coll := s.db.C("counters")
	c.Assert(coll.Insert(bson.M{"_id": "c", "n": 1, "other": "x"}), jc.ErrorIsNil)

	var doc struct {
		N int `bson:"n"`
	}
	info, err := coll.FindId("c").Apply(mgo.Change{Update: bson.M{"$inc": bson.M{"n": 1}}, ReturnNew: true}, &doc)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(info.Updated, gc.Equals, 1)
	c.Check(doc.N, gc.Equals, 2)

	// The projection is dropped by the proxy (a FerretDB workaround); decoding into a struct
	// does not notice.
	_, err = coll.FindId("c").Select(bson.M{"n": 1}).Apply(mgo.Change{Update: bson.M{"$inc": bson.M{"n": 1}}}, &doc)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(doc.N, gc.Equals, 2)

	info, err = coll.FindId("new").Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 10}}, Upsert: true, ReturnNew: true}, &doc)
	c.Assert(err, jc.ErrorIsNil)
	c.Check(info.UpsertedId, gc.Equals, "new")
	c.Check(doc.N, gc.Equals, 10)

	_, err = coll.FindId("new").Apply(mgo.Change{Remove: true}, &doc)
	c.Assert(err, jc.ErrorIsNil)
	_, err = coll.FindId("new").Apply(mgo.Change{Remove: true}, &doc)
	c.Check(err, gc.Equals, mgo.ErrNotFound)
}

func (s *crudSuite) TestUniqueIndex(c *gc.C) {
	coll := s.db.C("people")
	c.Assert(coll.EnsureIndex(mgo.Index{Key: []string{"name"}, Unique: true, DropDups: true}), jc.ErrorIsNil)
	c.Assert(coll.Insert(bson.M{"_id": 1, "name": "ann"}), jc.ErrorIsNil)

	err := coll.Insert(bson.M{"_id": 2, "name": "ann"})
	c.Check(mgo.IsDup(err), jc.IsTrue, gc.Commentf("error: %v", err))
	err = coll.Insert(bson.M{"_id": 1, "name": "bob"})
	c.Check(mgo.IsDup(err), jc.IsTrue, gc.Commentf("error: %v", err))
	checkCount(c, coll, 1)
}

// TestAbandonedCursors closes hundreds of iterators early: each leaves a
// cursor open on the server, which mgowire must kill with killCursors commands.
func (s *crudSuite) TestAbandonedCursors(c *gc.C) {
	coll := s.db.C("many")
	docs := make([]interface{}, 10)
	for i := range docs {
		docs[i] = bson.M{"_id": i}
	}
	c.Assert(coll.Insert(docs...), jc.ErrorIsNil)

	for i := 0; i < 320; i++ {
		iter := coll.Find(nil).Batch(2).Iter()
		var doc bson.M
		c.Assert(iter.Next(&doc), jc.IsTrue, gc.Commentf("iterator %d: %v", i, iter.Err()))
		c.Assert(iter.Close(), jc.ErrorIsNil, gc.Commentf("iterator %d", i))
	}
	checkCount(c, coll.Find(nil), 10)
}

func (s *crudSuite) TestCommandsCountsRoundTrips(c *gc.C) {
	embeddedOnly(c)
	coll := s.db.C("things")
	c.Assert(coll.Insert(bson.M{"_id": 1}), jc.ErrorIsNil)
	for i := 1; i <= 3; i++ {
		before := s.server.Commands()
		var doc bson.M
		c.Assert(coll.FindId(1).One(&doc), jc.ErrorIsNil)
		c.Check(s.server.Commands()-before, gc.Equals, int64(1), gc.Commentf("lookup %d", i))
	}
}

func (s *crudSuite) TestUnknownCommand(c *gc.C) {
	var result bson.M
	err := s.db.Run(bson.D{{Name: "noSuchCommand", Value: 1}}, &result)
	c.Check(err, gc.ErrorMatches, `.*no such command.*`)
	c.Assert(s.session.Ping(), jc.ErrorIsNil)
	c.Assert(s.db.C("things").Insert(bson.M{"ok": true}), jc.ErrorIsNil)
}

func (s *crudSuite) TestSessionsShareTheServer(c *gc.C) {
	other, err := s.server.Dial()
	c.Assert(err, jc.ErrorIsNil)
	defer other.Close()
	c.Assert(s.db.C("things").Insert(bson.M{"_id": "shared"}), jc.ErrorIsNil)
	checkCount(c, other.DB("").C("things").FindId("shared"), 1)
	c.Check(other.DB("").Name, gc.Equals, s.db.Name)
	c.Check(fmt.Sprint(s.server.Addr() != ""), gc.Equals, "true")
}
