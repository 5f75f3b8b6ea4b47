package mongotest_test

import (
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
	n, err := coll.Count()
	c.Assert(err, jc.ErrorIsNil)
	c.Check(n, gc.Equals, 2)
}
