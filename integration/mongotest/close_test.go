package mongotest_test

import (
	"os"
	"testing"

	"go.uber.org/goleak"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// TestCloseLeavesNoGoroutines uses every part of a server, including the
// fault hooks, and closes it while a client is still connected: no
// goroutine of the server's may be left behind.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		t.Skip("needs the embedded server")
	}
	defer goleak.VerifyNone(t, append(mgoGoroutines, goleak.IgnoreCurrent())...)

	server, err := mongotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	session, err := server.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	coll := session.DB("").C("things")
	for i := 0; i < 5; i++ {
		if err := coll.Insert(bson.M{"_id": i}); err != nil {
			t.Fatal(err)
		}
	}
	// Leave a cursor open on the server.
	iter := coll.Find(nil).Batch(2).Iter()
	var doc bson.M
	if !iter.Next(&doc) {
		t.Fatal(iter.Err())
	}
	if err := server.Restart(); err != nil {
		t.Fatal(err)
	}
	session.Refresh()
	if err := coll.Insert(bson.M{"_id": "after restart"}); err != nil {
		t.Fatal(err)
	}
	server.DropConnections()
	session.Refresh()
	if err := coll.Insert(bson.M{"_id": "after drop"}); err != nil {
		t.Fatal(err)
	}

	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	if err := coll.Insert(bson.M{"_id": "after close"}); err == nil {
		t.Error("insert after Close succeeded")
	}
}

// TestCloseRemovesData checks that Close removes the data directory.
func TestCloseRemovesData(t *testing.T) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		t.Skip("needs the embedded server")
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	server, err := mongotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	if entries := dirEntries(t, tmp); len(entries) != 1 {
		t.Fatalf("Start made %d entries in TMPDIR, want 1", len(entries))
	}
	if err := server.Close(); err != nil {
		t.Fatal(err)
	}
	if entries := dirEntries(t, tmp); len(entries) != 0 {
		t.Errorf("Close left %d entries in TMPDIR: %v", len(entries), entries)
	}
}

func dirEntries(t *testing.T, dir string) []os.DirEntry {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return entries
}
