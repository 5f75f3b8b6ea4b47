package mongotest_test

import (
	"fmt"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// TestInSameAsScan: a find whose filter is {_id: {$in: [...]}}, which the
// embedded server runs as one lookup by _id per value, finds what
// FerretDB finds when it gets it as it is (Options.ScanFilters): present
// and missing _ids, strings and ObjectIds, duplicates, none; and a find
// with anything more (a limit, another field, a value of another type)
// goes to FerretDB as it is, with the same answer.
func (s *lookupSuite) TestInSameAsScan(c *gc.C) {
	embeddedOnly(c)
	oid := bson.NewObjectId()
	docs := []interface{}{
		bson.M{"_id": "clock#ns#", "n": 1},
		bson.M{"_id": "clock#ns#a#", "n": 2},
		bson.M{"_id": "lease#ns#x#", "n": 3},
		bson.M{"_id": oid, "n": 4},
		bson.M{"_id": 7, "n": 5},
	}
	queries := []bson.M{
		{"_id": bson.M{"$in": []interface{}{"clock#ns#", "clock#ns#a#", "clock#ns#b#"}}},
		{"_id": bson.M{"$in": []interface{}{oid, "lease#ns#x#", "lease#ns#x#"}}},
		{"_id": bson.M{"$in": []interface{}{}}},
		{"_id": bson.M{"$in": []interface{}{"missing"}}},
		{"_id": bson.M{"$in": []interface{}{7, "clock#ns#"}}},
		{"_id": bson.M{"$in": []interface{}{"clock#ns#"}}, "n": 2},
	}
	var finds []finding
	for _, q := range queries {
		for _, limit := range []int{0, 1} {
			finds = append(finds, finding{q, limit})
		}
	}
	answers := sameFinds(c, []mongotest.Options{{}, {ScanFilters: true}}, docs, finds, func(doc bson.M) string { return fmt.Sprint(doc) })
	c.Check(answers[0], gc.Matches, `.*\[map\[_id:clock#ns# n:1\] map\[_id:clock#ns#a# n:2\]\] <nil>`)
}

// TestInCountsOneCommand: the lookups a find by $in runs are the
// server's own: the client's find is one command.
func (s *lookupSuite) TestInCountsOneCommand(c *gc.C) {
	embeddedOnly(c)
	server, session, closeBoth := startDialed(c, mongotest.Options{})
	defer closeBoth()
	coll := session.DB("").C("docs")
	c.Assert(coll.Insert(bson.M{"_id": "a"}, bson.M{"_id": "b"}), jc.ErrorIsNil)
	before := server.Commands()
	if before < 0 {
		c.Skip("the server does not count commands")
	}
	var found []bson.M
	c.Assert(coll.Find(bson.M{"_id": bson.M{"$in": []string{"a", "b", "c"}}}).All(&found), jc.ErrorIsNil)
	c.Check(found, gc.HasLen, 2)
	c.Check(server.Commands()-before, gc.Equals, int64(1))
}
