package mongotest_test

import (
	"fmt"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// TestRangeSameAsScan: a find whose filter is a range of string _ids,
// which the embedded server runs through its index on _id, finds what
// FerretDB finds when it gets it as it is (Options.ScanFilters), and what
// it finds without that index (Options.NoIDIndex): for each pair of
// bounds and each inclusion, with _ids that a JSON encoder escapes after
// the bounds' common prefix, _ids of other types (an ObjectId and a
// binary among them, whose JSON text in FerretDB's table is a string in
// the range: hex and base64), bounds in either order
// in the filter, bounds the wrong way round, and ranges whose common
// prefix is empty or has such characters (which FerretDB answers).
func (s *lookupSuite) TestRangeSameAsScan(c *gc.C) {
	embeddedOnly(c)
	ids := []interface{}{
		"clock#ns#", "clock#ns#a#", "clock#ns#b#", "clock#ns$", "clock#ns",
		"clock#ns# x", "clock#ns#!", "clock#ns#\"q\"", "clock#ns#<a>&", "clock#ns#\\",
		"clock#ns#\u2028", "clock#ns#é", "clock#ns#\x01", "clock#ns#~", "clock#ns#\x7f",
		"clock#nt#", "clock#nr#", "lease#ns#x#", "a b", "a!", "a\"", "a",
		bson.ObjectIdHex("5f1e3c2b9a8d7e6f5a4b3c2d"), 7,
		bson.Binary{Data: []byte("clock")},
	}
	docs := make([]interface{}, len(ids))
	for i, id := range ids {
		docs[i] = bson.M{"_id": id, "n": i}
	}
	bounds := [][2]string{
		{"clock#ns#", "clock#ns$"},
		{"clock#ns#a#", "clock#ns#b#"},
		{"clock#ns", "clock#nt#"},
		{"clock#ns#b#", "clock#ns#a#"},
		{"clock#ns#", "clock#ns#"},
		{"clock#", "lease#ns#y#"},
		{"a", "a\x7f"},
		{"a ", "a!"},
		{"clock#ns#<", "clock#ns#>"},
		{"5f", "5g"},
		{"Y2", "Y3"},
	}
	var finds []finding
	for _, b := range bounds {
		for _, lower := range []string{"$gte", "$gt"} {
			for _, upper := range []string{"$lt", "$lte"} {
				finds = append(finds,
					finding{filter: bson.D{{Name: "_id", Value: bson.D{{Name: lower, Value: b[0]}, {Name: upper, Value: b[1]}}}}},
					finding{filter: bson.D{{Name: "_id", Value: bson.D{{Name: upper, Value: b[1]}, {Name: lower, Value: b[0]}}}}})
			}
		}
	}
	answers := sameFinds(c, []mongotest.Options{{}, {ScanFilters: true}, {NoIDIndex: true}}, docs, finds,
		func(doc bson.M) string { return fmt.Sprintf("%q", doc["_id"]) })
	c.Check(answers[0], gc.Equals, `[{_id [{$gte clock#ns#} {$lt clock#ns$}]}]: `+
		`["clock#ns# x" "clock#ns#!" "clock#ns#" "clock#ns#<a>&" "clock#ns#\"q\"" "clock#ns#\\" "clock#ns#\u2028" "clock#ns#\x01" "clock#ns#\x7f" "clock#ns#a#" "clock#ns#b#" "clock#ns#~" "clock#ns#é"] <nil>`)
}

// TestRangeInOrder: the clock documents' range, as the lease client reads
// it, is one command, and finds its documents in ascending _id order, as
// MongoDB's index scan does, whatever order they were inserted in.
func (s *lookupSuite) TestRangeInOrder(c *gc.C) {
	embeddedOnly(c)
	server, session, closeBoth := startDialed(c, mongotest.Options{})
	defer closeBoth()
	coll := session.DB("").C("docs")
	for _, id := range []string{"clock#ns#c#", "lease#ns#x#", "clock#ns#", "clock#ns#a#", "clock#nt#"} {
		c.Assert(coll.Insert(bson.M{"_id": id}), jc.ErrorIsNil)
	}
	before := server.Commands()
	var found []bson.M
	c.Assert(coll.Find(bson.M{"_id": bson.M{"$gte": "clock#ns#", "$lt": "clock#ns$"}}).All(&found), jc.ErrorIsNil)
	var got []interface{}
	for _, doc := range found {
		got = append(got, doc["_id"])
	}
	c.Check(got, jc.DeepEquals, []interface{}{"clock#ns#", "clock#ns#a#", "clock#ns#c#"})
	if before >= 0 {
		c.Check(server.Commands()-before, gc.Equals, int64(1))
	}
}
