package mgowire_test

import (
	"net"
	"strings"
	"sync"
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// failOnce makes the next command named name fail with reply, without
// carrying it out... as far as the caller can tell (the server has
// already run it, which tests do not depend on).
func failOnce(name string, reply bson.D) wiretest.Hook {
	var mu sync.Mutex
	done := false
	return func(cmd wiretest.Command, r bson.D) bson.D {
		mu.Lock()
		defer mu.Unlock()
		if cmd.Name != name || done {
			return r
		}
		done = true
		return reply
	}
}

func TestNotPrimaryClosesConnection(t *testing.T) {
	for name, reply := range map[string]bson.D{
		"NotWritablePrimary": {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "not primary"}, {Name: "code", Value: 10107}},
		"PrimarySteppedDown": {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "stepped down"}, {Name: "code", Value: 189}},
		"legacy message":     {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "not master"}},
		"in writeConcernError": {{Name: "n", Value: 1}, {Name: "writeConcernError", Value: bson.D{
			{Name: "code", Value: 11602}, {Name: "errmsg", Value: "operation was interrupted"}}}, {Name: "ok", Value: 1.0}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t, wiretest.Config{SetName: "rs"})
			session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
			c := session.DB("test").C("c")
			if err := c.Insert(bson.M{"_id": 1}); err != nil {
				t.Fatal(err)
			}
			before := srv.Connections()
			srv.SetHook(failOnce("insert", reply))
			err := c.Insert(bson.M{"_id": 2})
			if err == nil {
				t.Fatal("Insert succeeded through a not-primary reply")
			}
			if code := wiretest.ErrorCode(err); code != codeOf(reply) {
				t.Errorf("Insert error %#v has code %d, want %d", err, code, codeOf(reply))
			}
			insertUntilNewSocket(t, session, c, 3)
			if srv.Connections() == before {
				t.Fatal("no new connection after a not-primary error")
			}
		})
	}
}

// insertUntilNewSocket inserts documents with _id first, first+1, ...,
// refreshing session before each, until one insert succeeds. After a
// not-primary reply, mgo drops the socket when its reader next reads from
// the closed connection, just after handing over the reply: an operation
// that starts in between may still meet it, and fail the same way. A retry
// after Refresh gets a new socket.
func insertUntilNewSocket(t *testing.T, session *mgo.Session, c *mgo.Collection, first int) {
	t.Helper()
	deadline := timeout()
	for attempt := 0; ; attempt++ {
		session.Refresh()
		err := c.Insert(bson.M{"_id": first + attempt})
		if err == nil {
			return
		}
		if !strings.Contains(err.Error(), "not primary") {
			t.Fatalf("Insert after refresh: %v, want success or the closing connection's error", err)
		}
		select {
		case <-deadline:
			t.Fatalf("Insert after refresh still fails after %d attempts: %v", attempt+1, err)
		default:
		}
	}
}

// codeOf returns the code a reply carries, at the top level or in its
// writeConcernError.
func codeOf(reply bson.D) int {
	m := reply.Map()
	if code, ok := m["code"].(int); ok {
		return code
	}
	if wce, ok := m["writeConcernError"].(bson.D); ok {
		return wce.Map()["code"].(int)
	}
	return 0
}

func TestReplicaSetDiscoveryGoesThroughMgowire(t *testing.T) {
	primary := startServer(t, wiretest.Config{SetName: "rs"})
	secondary := startServer(t, wiretest.Config{SetName: "rs", Secondary: true})
	primary.SetHosts(primary.Addr(), secondary.Addr())
	secondary.SetHosts(primary.Addr(), secondary.Addr())
	asked := make(chan struct{})
	var once sync.Once
	secondary.SetHook(func(cmd wiretest.Command, reply bson.D) bson.D {
		if cmd.Name == "ismaster" || cmd.Name == "isMaster" {
			once.Do(func() { close(asked) })
		}
		return reply
	})
	var mu sync.Mutex
	dialed := map[string]bool{}
	opts := mgowire.Options{DialConn: func(addr string) (net.Conn, error) {
		mu.Lock()
		dialed[addr] = true
		mu.Unlock()
		return net.Dial("tcp", addr)
	}}
	// Seed with the primary only: mgo learns of the secondary from
	// isMaster's hosts, and must reach it through mgowire too.
	session := dial(t, primary, mgo.DialInfo{ReplicaSetName: "rs"}, opts)
	if err := session.DB("test").C("c").Insert(bson.M{"_id": 1}); err != nil {
		t.Fatal(err)
	}
	// mgo syncs with the hosts it learns in the background; the
	// secondary's hook sees its isMaster arrive as OP_MSG, through mgowire.
	select {
	case <-asked:
	case <-timeout():
		t.Fatalf("the secondary was never asked isMaster; LiveServers = %v", session.LiveServers())
	}
	if n := len(commandsNamed(primary, "insert")); n != 1 {
		t.Errorf("primary got %d inserts, want 1", n)
	}
	if n := len(commandsNamed(secondary, "insert")); n != 0 {
		t.Errorf("secondary got %d inserts, want 0", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if !dialed[secondary.Addr()] || secondary.Connections() == 0 {
		t.Errorf("dialed %v; the discovered secondary %s was not dialed through mgowire", dialed, secondary.Addr())
	}
}

func TestSlaveOkBecomesReadPreferenceOnReplicaSetOnly(t *testing.T) {
	for setName, want := range map[string]interface{}{"rs": bson.M{"mode": "primaryPreferred"}, "": nil} {
		srv := startServer(t, wiretest.Config{SetName: setName})
		session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
		session.SetMode(mgo.Monotonic, true)
		var doc bson.M
		if err := session.DB("test").C("c").Find(nil).One(&doc); err != mgo.ErrNotFound {
			t.Fatalf("setName %q: Find: %v", setName, err)
		}
		finds := commandsNamed(srv, "find")
		if len(finds) != 1 {
			t.Fatalf("setName %q: %d finds", setName, len(finds))
		}
		if got := finds[0].Doc["$readPreference"]; !equalDocs(got, want) {
			t.Errorf("setName %q: find carried $readPreference %v, want %v", setName, got, want)
		}
	}
}

// equalDocs compares two decoded documents, nil with nil.
func equalDocs(a, b interface{}) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	am, _ := a.(bson.M)
	bm, _ := b.(bson.M)
	if len(am) != len(bm) {
		return false
	}
	for k, v := range am {
		if bm[k] != v {
			return false
		}
	}
	return true
}
