package mongotest

import (
	"testing"

	"gopkg.in/mgo.v2/bson"
)

// TestIDIndexesTracked checks the embedded server's record of the
// collections it indexed: each collection once a command created it,
// without a failure, and forgotten when dropped, with its database or by
// a rename (idIndexSuite checks FerretDB's plans).
func TestIDIndexesTracked(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server")
	}
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ext != nil {
		t.Skip("needs the embedded server")
	}
	session, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	db := session.DB("")
	check := func(step string, want ...string) {
		t.Helper()
		s.ids.mu.Lock()
		defer s.ids.mu.Unlock()
		got := map[collName]bool{}
		for _, coll := range want {
			got[collName{db.Name, coll}] = true
		}
		if len(s.ids.indexed) != len(got) || s.ids.failures != 0 {
			t.Fatalf("%s: indexed %v, %d failures; want %v", step, s.ids.indexed, s.ids.failures, want)
		}
		for k := range got {
			if !s.ids.indexed[k] {
				t.Fatalf("%s: indexed %v; want %v", step, s.ids.indexed, want)
			}
		}
	}
	if err := db.C("a").Insert(bson.M{"_id": 1}); err != nil {
		t.Fatal(err)
	}
	if err := db.C("b").Insert(bson.M{"_id": 1}); err != nil {
		t.Fatal(err)
	}
	// FerretDB creates the collection of an update that matches nothing
	// (MongoDB does not); a find creates none.
	if n, err := db.C("updated").UpdateAll(bson.M{"x": 1}, bson.M{"$set": bson.M{"x": 2}}); err != nil || n.Matched != 0 {
		t.Fatal(n, err)
	}
	if n, err := db.C("none").Find(nil).Count(); err != nil || n != 0 {
		t.Fatal(n, err)
	}
	check("inserted", "a", "b", "updated")
	if err := db.C("b").DropCollection(); err != nil {
		t.Fatal(err)
	}
	check("dropped", "a", "updated")
	if err := session.Run(bson.D{{Name: "renameCollection", Value: db.Name + ".a"}, {Name: "to", Value: db.Name + ".c"}}, nil); err != nil {
		t.Fatal(err)
	}
	check("renamed", "updated")
	if err := db.C("c").Insert(bson.M{"_id": 2}); err != nil {
		t.Fatal(err)
	}
	check("inserted again", "c", "updated")
	if err := db.DropDatabase(); err != nil {
		t.Fatal(err)
	}
	check("database dropped")
}
