package mongotest

import (
	"testing"

	"gopkg.in/mgo.v2/bson"
)

// rawElements returns the elements of v marshalled as a BSON document.
func rawElements(t *testing.T, v interface{}) []element {
	t.Helper()
	raw, err := bson.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	elems, err := splitDoc(raw)
	if err != nil {
		t.Fatal(err)
	}
	return elems
}

// TestLookupDecidesTxnFilters checks that the filters of mgo/txn's
// commands on a lease document, on the clock document and on a
// transaction, and the lease client's assertions, go through the lookup
// by _id: lookupCommand takes the command, and matchFilter decides it (its
// answer is checked against FerretDB's by lookupSuite.TestSameAsScan).
func TestLookupDecidesTxnFilters(t *testing.T) {
	txnID := bson.ObjectIdHex("5f1d7a3b9c1e4a0001a2b3c4")
	lease := bson.D{
		{Name: "_id", Value: "lease#ns#svc#"}, {Name: "holder", Value: "svc/0"}, {Name: "expiry", Value: int64(1) << 60},
		{Name: "writer", Value: "c-0"}, {Name: "txn-revno", Value: int64(3)},
		{Name: "txn-queue", Value: []string{"5f1d7a3b9c1e4a0001a2b3c4_12345678"}},
	}
	clock := bson.D{
		{Name: "_id", Value: "clock#ns#"}, {Name: "writers", Value: bson.D{{Name: "c-0", Value: int64(100)}}},
		{Name: "txn-revno", Value: int64(9)}, {Name: "txn-queue", Value: []string{}},
	}
	txnDoc := bson.D{{Name: "_id", Value: txnID}, {Name: "s", Value: 2}, {Name: "n", Value: "12345678"}}
	for _, c := range []struct {
		name  string
		cmd   bson.D
		doc   bson.D
		match bool
	}{{
		name: "an assertion's check",
		cmd: bson.D{{Name: "find", Value: "leases"}, {Name: "filter", Value: bson.D{
			{Name: "_id", Value: "lease#ns#svc#"}, {Name: "txn-revno", Value: int64(3)},
			{Name: "$or", Value: []interface{}{
				bson.D{{Name: "holder", Value: "svc/0"}, {Name: "expiry", Value: int64(1) << 60}, {Name: "writer", Value: "c-0"}, {Name: "term", Value: nil}},
				bson.D{{Name: "txn-queue", Value: "5f1d7a3b9c1e4a0001a2b3c4_12345678"}},
			}},
		}}, {Name: "projection", Value: bson.D{{Name: "_id", Value: 1}}}, {Name: "limit", Value: 1}},
		doc:   lease,
		match: true,
	}, {
		name: "a new document's check",
		cmd: bson.D{{Name: "find", Value: "leases"}, {Name: "filter", Value: bson.D{
			{Name: "_id", Value: "lease#ns#svc#"}, {Name: "txn-revno", Value: bson.D{{Name: "$exists", Value: false}}},
			{Name: "$or", Value: []interface{}{bson.D{{Name: "txn-queue", Value: "x_1"}}}},
		}}},
		doc: lease,
	}, {
		name: "an update that applies an op",
		cmd: bson.D{{Name: "update", Value: "leases"}, {Name: "updates", Value: []interface{}{bson.D{
			{Name: "q", Value: bson.D{{Name: "_id", Value: "lease#ns#svc#"}, {Name: "txn-queue", Value: "5f1d7a3b9c1e4a0001a2b3c4_12345678"}, {Name: "txn-revno", Value: int64(3)}}},
			{Name: "u", Value: bson.D{{Name: "$set", Value: bson.D{{Name: "holder", Value: ""}}}}},
			{Name: "upsert", Value: false}, {Name: "multi", Value: false},
		}}}},
		doc:   lease,
		match: true,
	}, {
		name: "the clock document's assertion",
		cmd: bson.D{{Name: "find", Value: "leases"}, {Name: "filter", Value: bson.D{
			{Name: "_id", Value: "clock#ns#"},
			{Name: "$or", Value: []bson.D{
				{{Name: "writers.c-0", Value: bson.D{{Name: "$lte", Value: int64(200)}}}},
				{{Name: "writers.c-0", Value: bson.D{{Name: "$exists", Value: false}}}},
			}},
		}}},
		doc:   clock,
		match: true,
	}, {
		name: "a transaction's state change",
		cmd: bson.D{{Name: "findAndModify", Value: "txns"}, {Name: "query", Value: bson.D{
			{Name: "_id", Value: txnID}, {Name: "s", Value: bson.D{{Name: "$in", Value: []int{1, 2}}}},
		}}, {Name: "update", Value: bson.D{{Name: "$set", Value: bson.D{{Name: "s", Value: 3}}}}}},
		doc:   txnDoc,
		match: true,
	}, {
		name: "a transaction's state that moved on",
		cmd: bson.D{{Name: "update", Value: "txns"}, {Name: "updates", Value: []interface{}{bson.D{
			{Name: "q", Value: bson.D{{Name: "_id", Value: txnID}, {Name: "s", Value: 1}}},
			{Name: "u", Value: bson.D{{Name: "$set", Value: bson.D{{Name: "s", Value: 2}}}}},
		}}}},
		doc: txnDoc,
	}} {
		t.Run(c.name, func(t *testing.T) {
			cmd := rawElements(t, c.cmd)
			l, ok := lookupCommand(cmd[0].key, "db", cmd)
			if !ok {
				t.Fatal("the command goes to FerretDB as it is")
			}
			match, ok := matchFilter(rawElements(t, c.doc), l.filter)
			if !ok {
				t.Fatal("the filter is not decided by the lookup")
			}
			if match != c.match {
				t.Errorf("matched %v, want %v", match, c.match)
			}
		})
	}
}

// TestLookupRefuses checks the commands that go to FerretDB as they are:
// a filter on _id alone (which FerretDB finds by its key), an _id of
// another type, an upsert, several statements.
func TestLookupRefuses(t *testing.T) {
	for _, cmd := range []bson.D{
		{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.D{{Name: "_id", Value: "a"}}}},
		{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.D{{Name: "_id", Value: 7}, {Name: "x", Value: 1}}}},
		{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.D{{Name: "_id", Value: "a"}, {Name: "x", Value: 1}}}, {Name: "sort", Value: bson.D{{Name: "x", Value: 1}}}},
		{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.D{{Name: "_id", Value: "a"}, {Name: "_id", Value: "b"}}}},
		{{Name: "findAndModify", Value: "c"}, {Name: "query", Value: bson.D{{Name: "_id", Value: "a"}, {Name: "x", Value: 1}}}, {Name: "upsert", Value: true}},
		{{Name: "update", Value: "c"}, {Name: "updates", Value: []interface{}{
			bson.D{{Name: "q", Value: bson.D{{Name: "_id", Value: "a"}, {Name: "x", Value: 1}}}, {Name: "upsert", Value: true}},
		}}},
		{{Name: "delete", Value: "c"}, {Name: "deletes", Value: []interface{}{
			bson.D{{Name: "q", Value: bson.D{{Name: "_id", Value: "a"}, {Name: "x", Value: 1}}}},
			bson.D{{Name: "q", Value: bson.D{{Name: "_id", Value: "b"}, {Name: "x", Value: 1}}}},
		}}},
		{{Name: "count", Value: "c"}, {Name: "query", Value: bson.D{{Name: "_id", Value: "a"}, {Name: "x", Value: 1}}}},
	} {
		elems := rawElements(t, cmd)
		if _, ok := lookupCommand(elems[0].key, "db", elems); ok {
			t.Errorf("%v goes through a lookup", cmd)
		}
	}
}
