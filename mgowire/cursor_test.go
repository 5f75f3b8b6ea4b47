package mgowire_test

import (
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// newThings starts a server, dials it, and inserts documents {_id: i}
// for i in [0, n) in collection test.things, which it returns with the
// server and the session.
func newThings(t *testing.T, n int) (*wiretest.Server, *mgo.Session, *mgo.Collection) {
	t.Helper()
	srv := startServer(t, wiretest.Config{})
	session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
	c := session.DB("test").C("things")
	for i := 0; i < n; i++ {
		if err := c.Insert(bson.M{"_id": i}); err != nil {
			t.Fatalf("Insert %d: %v", i, err)
		}
	}
	return srv, session, c
}

func TestIterateInSmallBatches(t *testing.T) {
	srv, _, c := newThings(t, 7)
	iter := c.Find(nil).Batch(2).Iter()
	var doc struct {
		ID int `bson:"_id"`
	}
	var got []int
	for iter.Next(&doc) {
		got = append(got, doc.ID)
	}
	if err := iter.Close(); err != nil {
		t.Fatalf("iter.Close: %v", err)
	}
	if len(got) != 7 {
		t.Fatalf("iterated %v, want 7 documents", got)
	}
	if n := len(commandsNamed(srv, "getMore")); n != 3 {
		t.Errorf("server got %d getMore commands, want 3", n)
	}
	if n := srv.OpenCursors(); n != 0 {
		t.Errorf("%d cursors left open after iterating to the end", n)
	}
	if n := len(commandsNamed(srv, "killCursors")); n != 0 {
		t.Errorf("server got %d killCursors for an exhausted cursor, want 0", n)
	}
}

func TestKillCursorThroughAnotherConnection(t *testing.T) {
	srv, session, c := newThings(t, 10)

	iter := c.Find(nil).Batch(2).Iter()
	var doc bson.M
	for i := 0; i < 3; i++ { // the first batch and one getMore
		if !iter.Next(&doc) {
			t.Fatalf("Next %d: %v", i, iter.Err())
		}
	}
	if n := srv.OpenCursors(); n != 1 {
		t.Fatalf("%d cursors open mid-iteration, want 1", n)
	}
	// Release the socket that opened the cursor and hand it to another
	// session, so that mgo kills the cursor through a new socket.
	session.Refresh()
	other := session.Copy()
	defer other.Close()
	if err := other.Ping(); err != nil {
		t.Fatalf("Ping: %v", err)
	}
	if err := iter.Close(); err != nil {
		t.Fatalf("iter.Close: %v", err)
	}
	// The kill is fire-and-forget for mgo; a command on the same socket
	// after it is answered only once the server has read the kill.
	if err := session.Ping(); err != nil {
		t.Fatalf("Ping after Close: %v", err)
	}

	finds, kills := commandsNamed(srv, "find"), commandsNamed(srv, "killCursors")
	if len(kills) != 1 {
		t.Fatalf("server got %d killCursors, want 1", len(kills))
	}
	if kills[0].Conn == finds[0].Conn {
		t.Fatalf("killCursors came on connection %d, the one that opened the cursor; the test needs another", kills[0].Conn)
	}
	if coll := kills[0].Doc["killCursors"]; coll != "things" {
		t.Errorf("killCursors names collection %v, want things", coll)
	}
	if n := srv.OpenCursors(); n != 0 {
		t.Errorf("%d cursors still open after iter.Close", n)
	}
}
