package mongotest

import (
	"testing"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"
)

// startDialed starts an embedded server and dials it, closing both when
// the test ends.
func startDialed(t *testing.T) (*Server, *mgo.Session) {
	t.Helper()
	s, err := Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	session, err := s.Dial()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(session.Close)
	return s, session
}

// TestInLookupTakesMgosFind: a find by _id $in as mgo sends it (with a
// skip and a limit of zero) runs as lookups by _id, not through
// FerretDB's scan, and finds what is there.
func TestInLookupTakesMgosFind(t *testing.T) {
	s, session := startDialed(t)
	coll := session.DB("").C("docs")
	if err := coll.Insert(bson.M{"_id": "a"}, bson.M{"_id": "c"}); err != nil {
		t.Fatal(err)
	}
	before := s.lookups.decided.Load()
	var found []bson.M
	if err := coll.Find(bson.M{"_id": bson.M{"$in": []string{"a", "b", "c"}}}).All(&found); err != nil {
		t.Fatal(err)
	}
	if len(found) != 2 {
		t.Errorf("found %v, want a and c", found)
	}
	if n := s.lookups.decided.Load() - before; n != 1 {
		t.Errorf("%d finds went through lookups by _id, want 1", n)
	}
}
