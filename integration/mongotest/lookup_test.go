package mongotest_test

import (
	"fmt"
	"sort"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// lookupSuite checks that the commands the embedded server runs through
// a lookup by _id (the default) answer as FerretDB does when it gets
// them as they are (Options.ScanFilters).
type lookupSuite struct{}

var _ = gc.Suite(&lookupSuite{})

// lookupDocs are the documents both servers hold.
var lookupDocs = []bson.M{
	{"_id": "a", "holder": "u/0", "expiry": int64(1) << 60, "n": 5, "f": 2.5, "ok": true,
		"queue": []interface{}{"t1", "t2"}, "writers": bson.M{"c-1": int64(1000), "c-2": int64(3000)}, "nothing": nil},
	{"_id": "b", "holder": "", "expiry": int64(7), "n": int64(5), "f": 5.0, "ok": false,
		"queue": []interface{}{}, "writers": bson.M{}, "docs": []interface{}{bson.M{"x": 1}}},
	{"_id": bson.ObjectIdHex("5f1d7a3b9c1e4a0001a2b3c4"), "s": 2, "n": 5.0, "holder": "u/1"},
	{"_id": "c", "holder": 3, "n": "5", "queue": "t1", "writers": "none"},
}

// lookupFilters are the conditions tried beside each document's _id:
// those mgo/txn and the lease client send, MongoDB's equality and range
// rules across types, and some the lookup leaves to FerretDB.
var lookupFilters = []bson.D{
	{{Name: "holder", Value: "u/0"}},
	{{Name: "holder", Value: "u/9"}},
	{{Name: "holder", Value: ""}},
	{{Name: "n", Value: 5}},
	{{Name: "n", Value: 5.0}},
	{{Name: "n", Value: int64(5)}},
	{{Name: "n", Value: "5"}},
	{{Name: "f", Value: 5}},
	{{Name: "expiry", Value: int64(1) << 60}},
	{{Name: "expiry", Value: bson.M{"$lte": int64(7)}}},
	{{Name: "expiry", Value: bson.M{"$gt": 6.5}}},
	{{Name: "expiry", Value: bson.M{"$lt": "z"}}},
	{{Name: "holder", Value: bson.M{"$gte": "u/0", "$lt": "u/1"}}},
	{{Name: "ok", Value: true}},
	{{Name: "ok", Value: bson.M{"$ne": true}}},
	{{Name: "nothing", Value: nil}},
	{{Name: "missing", Value: nil}},
	{{Name: "missing", Value: bson.M{"$exists": false}}},
	{{Name: "nothing", Value: bson.M{"$exists": true}}},
	{{Name: "queue", Value: "t1"}},
	{{Name: "queue", Value: "t3"}},
	{{Name: "queue", Value: bson.M{"$in": []interface{}{"t3", "t2"}}}},
	{{Name: "queue", Value: bson.M{"$nin": []interface{}{"t1"}}}},
	{{Name: "s", Value: bson.M{"$in": []interface{}{1, 2}}}},
	{{Name: "writers.c-1", Value: bson.M{"$lte": int64(2000)}}},
	{{Name: "$or", Value: []bson.D{
		{{Name: "writers.c-2", Value: bson.M{"$lte": int64(2000)}}},
		{{Name: "writers.c-2", Value: bson.M{"$exists": false}}},
	}}},
	{{Name: "txn-revno", Value: bson.M{"$exists": false}}, {Name: "$or", Value: []interface{}{
		bson.D{{Name: "holder", Value: "u/0"}}, bson.D{{Name: "queue", Value: "t9"}},
	}}},
	{{Name: "$and", Value: []bson.D{{{Name: "n", Value: 5}}, {{Name: "holder", Value: bson.M{"$ne": "u/1"}}}}}},
	// Left to FerretDB: a path through an array, a literal document, a
	// regular expression, an operator the lookup does not implement.
	{{Name: "docs.x", Value: 1}},
	{{Name: "writers", Value: bson.M{}}},
	{{Name: "holder", Value: bson.RegEx{Pattern: "^u/"}}},
	{{Name: "queue", Value: bson.M{"$size": 2}}},
}

func (s *lookupSuite) TestSameAsScan(c *gc.C) {
	embeddedOnly(c)
	var colls [2]*mgo.Collection
	for i, scan := range []bool{false, true} {
		_, session, closeBoth := startDialed(c, mongotest.Options{ScanFilters: scan})
		defer closeBoth()
		colls[i] = session.DB("").C("docs")
	}
	for _, doc := range lookupDocs {
		for _, f := range lookupFilters {
			q := append(bson.D{{Name: "_id", Value: doc["_id"]}}, f...)
			comment := gc.Commentf("filter %v", q)
			var results [2]string
			for i, coll := range colls {
				// A fresh copy of the document, then each command.
				_, err := coll.RemoveAll(nil)
				c.Assert(err, jc.ErrorIsNil)
				c.Assert(coll.Insert(doc), jc.ErrorIsNil)
				var found []bson.M
				findErr := coll.Find(q).All(&found)
				var applied bson.M
				_, applyErr := coll.Find(q).Apply(mgo.Change{Update: bson.M{"$inc": bson.M{"hits": 1}}, ReturnNew: true}, &applied)
				updateErr := coll.Update(q, bson.M{"$inc": bson.M{"hits": 1}})
				removeErr := coll.Remove(q)
				var left []bson.M
				c.Assert(coll.Find(nil).All(&left), jc.ErrorIsNil)
				results[i] = fmt.Sprintf("find %v %v; apply %v %v; update %v; remove %v; left %v",
					found, findErr, applied, applyErr, updateErr, removeErr, left)
			}
			c.Check(results[0], gc.Equals, results[1], comment)
		}
	}
}

// finding is a find that sameFinds runs: a filter, and a limit (0: none).
type finding struct {
	filter interface{}
	limit  int
}

// sameFinds runs each of finds on a collection holding docs, on a fresh
// server for each of opts, and checks that every server answers each
// find as the first does. An answer is one line: the filter, the limit if
// any, the documents found (each as show formats it, sorted) and the
// error. It returns the first server's answers, in the order of finds.
func sameFinds(c *gc.C, opts []mongotest.Options, docs []interface{}, finds []finding, show func(bson.M) string) []string {
	var first []string
	for i, o := range opts {
		_, session, closeBoth := startDialed(c, o)
		defer closeBoth()
		coll := session.DB("").C("docs")
		c.Assert(coll.Insert(docs...), jc.ErrorIsNil)
		var answers []string
		for _, f := range finds {
			var found []bson.M
			err := coll.Find(f.filter).Limit(f.limit).All(&found)
			got := make([]string, len(found))
			for j, doc := range found {
				got[j] = show(doc)
			}
			sort.Strings(got)
			what := fmt.Sprint(f.filter)
			if f.limit != 0 {
				what += fmt.Sprintf(" limit %d", f.limit)
			}
			answers = append(answers, fmt.Sprintf("%s: %v %v", what, got, err))
		}
		if i == 0 {
			first = answers
		} else {
			c.Check(answers, jc.DeepEquals, first, gc.Commentf("options %+v", o))
		}
	}
	return first
}
