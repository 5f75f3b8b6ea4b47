package leaseclient_test

import (
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/lease"
)

// MongoSuite checks lease.NewMongo's sessions.
type MongoSuite struct {
	mongoSuite
}

var _ = gc.Suite(&MongoSuite{})

// TestStrongWhateverTheMode: over a database whose session reads from
// secondaries (Eventual, Monotonic), the Mongo's collections and
// transactions still read and write on the primary, which the fencing
// argument needs; the caller's session keeps its mode.
func (s *MongoSuite) TestStrongWhateverTheMode(c *gc.C) {
	for _, mode := range []mgo.Mode{mgo.Eventual, mgo.Monotonic, mgo.Strong} {
		session := s.session.Copy()
		session.SetMode(mode, true)
		mongo := lease.NewMongo(session.DB(s.db.Name), txnCollection)
		coll, closer := mongo.GetCollection("things")
		c.Check(coll.Database.Session.Mode(), gc.Equals, mgo.Strong, gc.Commentf("mode %v", mode))
		c.Check(coll.Insert(bson.M{"mode": int(mode)}), jc.ErrorIsNil)
		closer()
		c.Check(session.Mode(), gc.Equals, mode)
		session.Close()
	}
}
