package mgowire_test

import (
	"errors"
	"net"
	"reflect"
	"strings"
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

// replaceReply makes every later reply to the command named name be
// reply; the server has carried the command out (as a real server may
// have before failing it), which these tests do not depend on.
func replaceReply(name string, reply bson.D) wiretest.Hook {
	return func(cmd wiretest.Command, r bson.D) bson.D {
		if cmd.Name != name {
			return r
		}
		return reply
	}
}

// TestFailedReplyWithoutErrmsgReachesMgo: mgo decides that a command
// failed only by finding a non-empty string "errmsg" (or "$err") in the
// reply (session.go, checkQueryError); it never reads "ok". A reply whose
// ok is not 1 without such an errmsg would reach mgo as a success (Insert
// nil, Update and Apply ErrNotFound, which mgo/txn reads as "missing"), so
// the translator gives it one, keeping the code.
func TestFailedReplyWithoutErrmsgReachesMgo(t *testing.T) {
	for name, reply := range map[string]bson.D{
		"no errmsg, NotWritablePrimary": {{Name: "ok", Value: 0.0}, {Name: "code", Value: 10107}, {Name: "codeName", Value: "NotWritablePrimary"}},
		"empty errmsg, WriteConflict":   {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: ""}, {Name: "code", Value: 112}},
		"errmsg not a string":           {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: 7}, {Name: "code", Value: 11602}},
		"ok false, no errmsg":           {{Name: "ok", Value: false}, {Name: "code", Value: 91}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t, wiretest.Config{SetName: "rs"})
			session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
			c := session.DB("test").C("c")
			if err := c.Insert(bson.M{"_id": 1, "n": 1}); err != nil {
				t.Fatal(err)
			}
			for _, w := range []struct {
				cmd string
				op  func() error
			}{
				{"insert", func() error { return c.Insert(bson.M{"_id": 2}) }},
				{"update", func() error { _, err := c.UpsertId(3, bson.M{"$set": bson.M{"n": 3}}); return err }},
				{"update", func() error { return c.UpdateId(1, bson.M{"$set": bson.M{"n": 2}}) }},
				{"findAndModify", func() error {
					_, err := c.FindId(1).Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 4}}}, nil)
					return err
				}},
			} {
				srv.SetHook(replaceReply(w.cmd, reply))
				session.Refresh()
				err := w.op()
				srv.SetHook(nil)
				if err == nil {
					t.Errorf("%s answered %v: mgo reports success", w.cmd, reply)
				} else if err == mgo.ErrNotFound {
					t.Errorf("%s answered %v: mgo reports ErrNotFound, not the server's error", w.cmd, reply)
				} else if want := codeOf(reply); errorCode(err) != want || !strings.Contains(err.Error(), "mgowire: command failed") {
					t.Errorf("%s answered %v: %v (code %d), want mgowire's message and code %d", w.cmd, reply, err, errorCode(err), want)
				}
			}
		})
	}
}

// TestMalformedWriteConcernErrorFailsWrite: a writeConcernError that is
// not a document (a string, an array), or writeErrors that is not an
// array, would be dropped by both the translator's decoding and mgo's, and
// the write reported as successful. The reply fails instead, naming the
// field and its type.
func TestMalformedWriteConcernErrorFailsWrite(t *testing.T) {
	for name, tc := range map[string]struct {
		cmd   string
		reply bson.D
	}{
		"insert, string": {"insert", bson.D{{Name: "n", Value: 1}, {Name: "writeConcernError", Value: "waiting for replication timed out"}, {Name: "ok", Value: 1.0}}},
		"insert, array": {"insert", bson.D{{Name: "n", Value: 1}, {Name: "writeConcernError", Value: []bson.M{{"code": 64, "errmsg": "timed out"}}},
			{Name: "ok", Value: 1.0}}},
		"findAndModify, string": {"findAndModify", bson.D{{Name: "lastErrorObject", Value: bson.M{"n": 1, "updatedExisting": true}},
			{Name: "value", Value: bson.M{"_id": 1}}, {Name: "writeConcernError", Value: "timed out"}, {Name: "ok", Value: 1.0}}},
		"insert, writeErrors a document": {"insert", bson.D{{Name: "n", Value: 0},
			{Name: "writeErrors", Value: bson.M{"index": 0, "code": 10107, "errmsg": "not primary"}}, {Name: "ok", Value: 1.0}}},
	} {
		t.Run(name, func(t *testing.T) {
			srv := startServer(t, wiretest.Config{SetName: "rs"})
			session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
			c := session.DB("test").C("c")
			if err := c.Insert(bson.M{"_id": 1, "n": 1}); err != nil {
				t.Fatal(err)
			}
			srv.SetHook(replaceReply(tc.cmd, tc.reply))
			var err error
			if tc.cmd == "insert" {
				err = c.Insert(bson.M{"_id": 2})
			} else {
				_, err = c.FindId(1).Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 2}}}, nil)
			}
			if err == nil {
				t.Errorf("%s answered %v: mgo reports success", tc.cmd, tc.reply)
			} else if !strings.Contains(err.Error(), "BSON type") {
				t.Errorf("%s answered %v: %v, want a message naming the field's type", tc.cmd, tc.reply, err)
			}
		})
	}
}
