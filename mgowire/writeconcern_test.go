package mgowire_test

import (
	"errors"
	"net"
	"reflect"
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// writeAll runs one of each write command that carries a write concern.
func writeAll(t *testing.T, c *mgo.Collection) {
	t.Helper()
	if err := c.Insert(bson.M{"_id": 1, "n": 1}); err != nil {
		t.Fatalf("Insert: %v", err)
	}
	if err := c.UpdateId(1, bson.M{"$set": bson.M{"n": 2}}); err != nil {
		t.Fatalf("Update: %v", err)
	}
	if _, err := c.FindId(1).Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 3}}}, nil); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if err := c.RemoveId(1); err != nil {
		t.Fatalf("Remove: %v", err)
	}
}

func TestWriteConcernInjected(t *testing.T) {
	for name, tc := range map[string]struct {
		opts mgowire.Options
		safe *mgo.Safe // the session's, which must make no difference
		want bson.M
	}{
		"default majority":       {want: bson.M{"w": "majority"}},
		"mgo's Safe is replaced": {safe: &mgo.Safe{W: 1, J: true, WTimeout: 5}, want: bson.M{"w": "majority"}},
		"unacknowledged mgo":     {safe: nil, want: bson.M{"w": "majority"}},
		"configured": {
			opts: mgowire.Options{WriteConcern: &mgo.Safe{WMode: "majority", WTimeout: 2500, J: true}},
			want: bson.M{"w": "majority", "wtimeout": 2500, "j": true},
		},
		"numeric": {opts: mgowire.Options{WriteConcern: &mgo.Safe{W: 2}}, want: bson.M{"w": 2}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t, wiretest.Config{})
			session := dial(t, srv, mgo.DialInfo{}, tc.opts)
			if name != "default majority" {
				session.SetSafe(tc.safe)
			}
			writeAll(t, session.DB("test").C("c"))
			seen := 0
			for _, cmd := range srv.Commands() {
				switch cmd.Name {
				case "insert", "update", "delete", "findAndModify":
					seen++
					got, _ := cmd.Doc["writeConcern"].(bson.M)
					if !reflect.DeepEqual(got, tc.want) {
						t.Errorf("%s carried writeConcern %v, want %v", cmd.Name, cmd.Doc["writeConcern"], tc.want)
					}
				}
			}
			if seen != 4 {
				t.Fatalf("server saw %d write commands, want 4", seen)
			}
		})
	}
}

func TestInvalidOptions(t *testing.T) {
	for name, opts := range map[string]mgowire.Options{
		"w 0":              {WriteConcern: &mgo.Safe{}},
		"negative w":       {WriteConcern: &mgo.Safe{W: -1}},
		"negative timeout": {WriteConcern: &mgo.Safe{WMode: "majority", WTimeout: -1}},
		"fsync":            {WriteConcern: &mgo.Safe{WMode: "majority", FSync: true}},
		"connect timeout":  {ConnectTimeout: -1},
	} {
		if _, err := mgowire.DialWithInfo(&mgo.DialInfo{Addrs: []string{"127.0.0.1:1"}}, opts); !errors.Is(err, mgowire.ErrInvalid) {
			t.Errorf("%s: DialWithInfo error %v, want ErrInvalid", name, err)
		}
	}
	for name, info := range map[string]*mgo.DialInfo{
		"nil":         nil,
		"dial server": {DialServer: func(*mgo.ServerAddr) (net.Conn, error) { return nil, nil }},
		"mechanism":   {Username: "u", Mechanism: "MONGODB-CR"},
		"password":    {Password: "p"},
	} {
		if _, err := mgowire.DialWithInfo(info, mgowire.Options{}); !errors.Is(err, mgowire.ErrInvalid) {
			t.Errorf("%s: DialWithInfo error %v, want ErrInvalid", name, err)
		}
	}
}

// addWriteConcernError makes the server report a failed write concern on
// every reply to the named commands, after carrying them out, as MongoDB
// does when the majority does not acknowledge in time.
func addWriteConcernError(names ...string) wiretest.Hook {
	return func(cmd wiretest.Command, reply bson.D) bson.D {
		for _, n := range names {
			if cmd.Name == n {
				return append(reply, bson.DocElem{Name: "writeConcernError", Value: bson.D{
					{Name: "code", Value: 64},
					{Name: "codeName", Value: "WriteConcernFailed"},
					{Name: "errmsg", Value: "waiting for replication timed out"},
					{Name: "errInfo", Value: bson.M{"wtimeout": true}},
				}})
			}
		}
		return reply
	}
}

func TestWriteConcernErrorReachesMgo(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
	c := session.DB("test").C("c")
	if err := c.Insert(bson.M{"_id": 1, "n": 1}); err != nil {
		t.Fatal(err)
	}
	srv.SetHook(addWriteConcernError("insert", "update", "delete", "findAndModify"))

	err := c.Insert(bson.M{"_id": 2})
	var lerr *mgo.LastError
	if !errors.As(err, &lerr) || lerr.Code != 64 {
		t.Errorf("Insert: %#v, want *mgo.LastError with code 64", err)
	}
	err = c.UpdateId(1, bson.M{"$set": bson.M{"n": 2}})
	if !errors.As(err, &lerr) || lerr.Code != 64 {
		t.Errorf("Update: %#v, want *mgo.LastError with code 64", err)
	}
	// mgo ignores writeConcernError in findAndModify replies: mgowire
	// turns the reply into a failed command.
	var doc bson.M
	_, err = c.FindId(1).Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 3}}}, &doc)
	var qerr *mgo.QueryError
	if !errors.As(err, &qerr) || qerr.Code != 64 {
		t.Errorf("Apply: %#v, want *mgo.QueryError with code 64", err)
	}
	err = c.RemoveId(1)
	if !errors.As(err, &lerr) || lerr.Code != 64 {
		t.Errorf("Remove: %#v, want *mgo.LastError with code 64", err)
	}
	// The connection stays usable: a write concern error is no reason to
	// look for another primary.
	srv.SetHook(nil)
	if err := c.Insert(bson.M{"_id": 3}); err != nil {
		t.Fatalf("Insert after the errors: %v", err)
	}
	if n := srv.Connections(); n != 1 {
		t.Errorf("server accepted %d connections, want 1", n)
	}
}
