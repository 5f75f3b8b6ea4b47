package mongotest_test

import (
	"os"
	"strings"
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// TestExternalServer points LEADERSHIP_MONGO_URL at an embedded server, to
// check what Start does with an external one: a database of its own per
// Server, dropped on Close, and fault hooks that say they are unsupported.
func TestExternalServer(t *testing.T) {
	if os.Getenv("LEADERSHIP_MONGO_URL") != "" {
		t.Skip("needs the embedded server")
	}
	backing, err := mongotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer backing.Close()
	admin, err := backing.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()

	t.Setenv("LEADERSHIP_MONGO_URL", "mongodb://"+backing.Addr()+"/admin")
	var names []string
	for i := 0; i < 2; i++ {
		names = append(names, useExternal(t, backing.Addr(), admin))
	}
	if names[0] == names[1] || !strings.HasPrefix(names[0], "mongotest_") {
		t.Errorf("database names: %q", names)
	}
	dbs, err := admin.DatabaseNames()
	if err != nil {
		t.Fatal(err)
	}
	for _, db := range dbs {
		if db == names[0] || db == names[1] {
			t.Errorf("Close left database %s behind", db)
		}
	}
}

// useExternal starts a Server, which must use the external server at
// addr, checks it, closes it and returns the name of its database.
func useExternal(t *testing.T, addr string, admin *mgo.Session) string {
	server, err := mongotest.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := server.Close(); err != nil {
			t.Error(err)
		}
	}()
	if server.Addr() != addr {
		t.Errorf("Addr: got %q, want %q", server.Addr(), addr)
	}
	session, err := server.Dial()
	if err != nil {
		t.Fatal(err)
	}
	defer session.Close()
	db := session.DB("")
	if err := db.C("things").Insert(bson.M{"_id": 1}); err != nil {
		t.Fatal(err)
	}
	if n, err := admin.DB(db.Name).C("things").Count(); err != nil || n != 1 {
		t.Errorf("the external server has %d documents in %s (%v), want 1", n, db.Name, err)
	}
	if n := server.Commands(); n != -1 {
		t.Errorf("Commands: got %d, want -1", n)
	}
	for what, err := range map[string]error{"Stop": server.Stop(), "Restart": server.Restart()} {
		if err == nil || !strings.Contains(err.Error(), "not supported against an external server") {
			t.Errorf("%s: got error %v", what, err)
		}
	}
	server.DropConnections()
	if err := session.Ping(); err != nil {
		t.Errorf("DropConnections dropped a connection to an external server: %v", err)
	}
	return db.Name
}
