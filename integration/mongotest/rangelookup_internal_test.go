package mongotest

import (
	"database/sql"
	"strings"
	"testing"

	"gopkg.in/mgo.v2/bson"
)

// TestRangeLookupTakesTheClockRead: the lease client's read of its
// namespace's clock documents, a range of _id between two strings, runs
// through the index on _id; without that index (Options.NoIDIndex) it
// goes to FerretDB as it is.
func TestRangeLookupTakesTheClockRead(t *testing.T) {
	s, session := startDialed(t)
	coll := session.DB("").C("docs")
	if err := coll.Insert(bson.M{"_id": "clock#ns#"}, bson.M{"_id": "clock#ns#a#"}, bson.M{"_id": "lease#ns#x#"}); err != nil {
		t.Fatal(err)
	}
	before := s.lookups.decided.Load()
	var found []bson.M
	if err := coll.Find(bson.M{"_id": bson.M{"$gte": "clock#ns#", "$lt": "clock#ns$"}}).All(&found); err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 {
		t.Errorf("found %v, want clock#ns# and clock#ns#a#", found)
	}
	if n := s.lookups.decided.Load() - before; n != 1 {
		t.Errorf("%d finds went through the index, want 1", n)
	}
	if s.ids.failures != 0 {
		t.Errorf("%d reads of the index failed", s.ids.failures)
	}
}

// TestRangeLookupShapes: rangeLookup takes a find whose filter is exactly
// a range of _id between two strings with a common prefix that JSON
// keeps as it is, and nothing else.
func TestRangeLookupShapes(t *testing.T) {
	for _, tc := range []struct {
		cmd  bson.D
		want *idRange
	}{
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.D{{Name: "$gte", Value: "k#a#"}, {Name: "$lt", Value: "k#a$"}}}}},
			&idRange{lo: "k#a#", hi: "k#a$", loIncl: true}},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.D{{Name: "$lte", Value: "k#b"}, {Name: "$gt", Value: "k#a"}}}}, {Name: "skip", Value: 0}, {Name: "limit", Value: 0}, {Name: "batchSize", Value: 10}},
			&idRange{lo: "k#a", hi: "k#b", hiIncl: true}},
		// No common prefix, or one JSON may escape.
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "a", "$lt": "b"}}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k<a", "$lt": "k<b"}}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k a", "$lt": "k b"}}}}, nil},
		// One bound, two of a side, a bound not a string, another operator.
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k#a"}}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.D{{Name: "$gte", Value: "k#a"}, {Name: "$gt", Value: "k#b"}}}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k#a", "$lt": 7}}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k#a", "$ne": "k#b"}}}}, nil},
		// Another field in the filter or the command, a limit.
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k#a", "$lt": "k#b"}, "n": 1}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k#a", "$lt": "k#b"}}}, {Name: "sort", Value: bson.M{"_id": -1}}}, nil},
		{bson.D{{Name: "find", Value: "c"}, {Name: "filter", Value: bson.M{"_id": bson.M{"$gte": "k#a", "$lt": "k#b"}}}, {Name: "limit", Value: 1}}, nil},
		{bson.D{{Name: "count", Value: "c"}, {Name: "query", Value: bson.M{"_id": bson.M{"$gte": "k#a", "$lt": "k#b"}}}}, nil},
	} {
		raw, err := bson.Marshal(tc.cmd)
		if err != nil {
			t.Fatal(err)
		}
		elems, err := splitDoc(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := rangeLookup(elems[0].key, elems)
		switch {
		case tc.want == nil && ok:
			t.Errorf("%v: took it as %+v, want it sent as it is", tc.cmd, got)
		case tc.want != nil && !ok:
			t.Errorf("%v: sent as it is, want %+v", tc.cmd, *tc.want)
		case tc.want != nil && got != *tc.want:
			t.Errorf("%v: got %+v, want %+v", tc.cmd, got, *tc.want)
		}
	}
}

// TestIDRangeContains: a range of string _ids holds what lies between its
// bounds, byte by byte, each bound as its flag says.
func TestIDRangeContains(t *testing.T) {
	r := idRange{lo: "b", hi: "d"}
	for id, want := range map[string]bool{"a": false, "b": false, "b\x00": true, "c": true, "czz": true, "d": false, "d\x00": false} {
		if got := r.contains(id); got != want {
			t.Errorf("(b, d) contains %q: %v, want %v", id, got, want)
		}
	}
	r = idRange{lo: "b", hi: "d", loIncl: true, hiIncl: true}
	for id, want := range map[string]bool{"b": true, "d": true, "d\x00": false} {
		if got := r.contains(id); got != want {
			t.Errorf("[b, d] contains %q: %v, want %v", id, got, want)
		}
	}
}

// TestRangeQueryUsesTheIndex: SQLite's plan for the range read searches
// the index that the server added on _id, for a collection made by an
// insert and for one made again after its database was dropped, instead
// of scanning the table.
func TestRangeQueryUsesTheIndex(t *testing.T) {
	s, session := startDialed(t)
	coll := session.DB("").C("docs")
	for round := 0; round < 2; round++ {
		if err := coll.Insert(bson.M{"_id": "clock#ns#"}, bson.M{"_id": "lease#ns#x#"}); err != nil {
			t.Fatal(err)
		}
		plan := rangePlan(t, s, coll.Database.Name, coll.Name)
		if !strings.Contains(plan, "SEARCH") || !strings.Contains(plan, idIndexPrefix) {
			t.Errorf("round %d: plan %q, want a SEARCH of the index %s...", round, plan, idIndexPrefix)
		}
		if err := coll.Database.DropDatabase(); err != nil {
			t.Fatal(err)
		}
	}
}

// rangePlan returns the details of SQLite's query plan for rangeQuery on
// the table of collection coll of database db of s, one line a step.
func rangePlan(t *testing.T, s *Server, db, coll string) string {
	t.Helper()
	s.ids.mu.Lock()
	defer s.ids.mu.Unlock()
	var plan []string
	err := s.ids.withTable(collName{db, coll}, "ro", func(conn *sql.DB, table string) error {
		rows, err := conn.Query("EXPLAIN QUERY PLAN "+rangeQuery(table), `"clock#`, `"clock$`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				return err
			}
			plan = append(plan, detail)
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(plan, "\n")
}

// TestRangeLookupAfterRename: after a collection is renamed, a range of
// _ids finds its documents under the new name, through the index once a
// write has indexed it, and none under the old name, and no read of the
// index fails.
func TestRangeLookupAfterRename(t *testing.T) {
	s, session := startDialed(t)
	db := session.DB("")
	if err := db.C("a").Insert(bson.M{"_id": "clock#ns#"}, bson.M{"_id": "clock#ns#x#"}); err != nil {
		t.Fatal(err)
	}
	rename := bson.D{{Name: "renameCollection", Value: db.Name + ".a"}, {Name: "to", Value: db.Name + ".b"}}
	if err := session.DB("admin").Run(rename, nil); err != nil {
		t.Fatal(err)
	}
	count := func(coll string) int {
		t.Helper()
		var found []bson.M
		if err := db.C(coll).Find(bson.M{"_id": bson.M{"$gte": "clock#ns#", "$lt": "clock#ns$"}}).All(&found); err != nil {
			t.Fatal(err)
		}
		return len(found)
	}
	if n := count("a"); n != 0 {
		t.Errorf("found %d under the old name, want 0", n)
	}
	if n := count("b"); n != 2 {
		t.Errorf("found %d under the new name, want 2", n)
	}
	if err := db.C("b").Insert(bson.M{"_id": "clock#ns#y#"}); err != nil {
		t.Fatal(err)
	}
	before := s.lookups.decided.Load()
	if n := count("b"); n != 3 {
		t.Errorf("found %d under the new name after an insert, want 3", n)
	}
	if n := s.lookups.decided.Load() - before; n != 1 {
		t.Errorf("%d finds went through the index after the insert, want 1", n)
	}
	if s.ids.failures != 0 {
		t.Errorf("%d reads of the index failed", s.ids.failures)
	}
}
