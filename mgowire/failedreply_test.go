package mgowire_test

// Failed replies, in every shape a server might send, reach mgo as errors.

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

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
// primaryWithDoc starts a replica-set primary and returns it and its
// collection test.c, through mgowire, holding {_id: 1, n: 1}.
func primaryWithDoc(t *testing.T) (*wiretest.Server, *mgo.Collection) {
	t.Helper()
	srv := startServer(t, wiretest.Config{SetName: "rs"})
	c := dial(t, srv, mgo.DialInfo{}, mgowire.Options{}).DB("test").C("c")
	if err := c.Insert(bson.M{"_id": 1, "n": 1}); err != nil {
		t.Fatal(err)
	}
	return srv, c
}

func TestFailedReplyWithoutErrmsgReachesMgo(t *testing.T) {
	for name, reply := range map[string]bson.D{
		"no errmsg, NotWritablePrimary": {{Name: "ok", Value: 0.0}, {Name: "code", Value: 10107}, {Name: "codeName", Value: "NotWritablePrimary"}},
		"empty errmsg, WriteConflict":   {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: ""}, {Name: "code", Value: 112}},
		"errmsg not a string":           {{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: 7}, {Name: "code", Value: 11602}},
		"ok false, no errmsg":           {{Name: "ok", Value: false}, {Name: "code", Value: 91}},
	} {
		t.Run(name, func(t *testing.T) {
			srv, c := primaryWithDoc(t)
			session := c.Database.Session
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
				if errors.Is(err, mgowire.ErrNotPrimary) {
					// The previous operation's not-primary reply closed
					// its socket, and this one took it from the pool
					// before mgo dropped it (see the package doc): a
					// retry gets a new socket.
					session.Refresh()
					err = w.op()
				}
				srv.SetHook(nil)
				if err == nil {
					t.Errorf("%s answered %v: mgo reports success", w.cmd, reply)
				} else if err == mgo.ErrNotFound {
					t.Errorf("%s answered %v: mgo reports ErrNotFound, not the server's error", w.cmd, reply)
				} else if want := codeOf(reply); wiretest.ErrorCode(err) != want || !strings.Contains(err.Error(), "mgowire: command failed") {
					t.Errorf("%s answered %v: %v (code %d), want mgowire's message and code %d", w.cmd, reply, err, wiretest.ErrorCode(err), want)
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
			srv, c := primaryWithDoc(t)
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

// TestWriteConcernErrorShapes: a writeConcernError document with a code
// of any numeric type, a string code, no code, or empty, in the reply to
// insert, update or findAndModify, reaches mgo as an error.
func TestWriteConcernErrorShapes(t *testing.T) {
	for name, wce := range map[string]interface{}{
		"int64 code":      bson.M{"code": int64(64), "errmsg": "timed out"},
		"double code":     bson.M{"code": 64.0, "errmsg": "timed out"},
		"fractional code": bson.M{"code": 64.5, "errmsg": "timed out"},
		"string code":     bson.M{"code": "64", "errmsg": "timed out"},
		"no code":         bson.M{"errmsg": "timed out"},
		"empty":           bson.M{},
		"negative code":   bson.M{"code": -1},
	} {
		for _, cmd := range []string{"insert", "update", "findAndModify"} {
			t.Run(name+"/"+cmd, func(t *testing.T) {
				srv, c := primaryWithDoc(t)
				srv.SetHook(func(got wiretest.Command, r bson.D) bson.D {
					if got.Name != cmd {
						return r
					}
					return append(r, bson.DocElem{Name: "writeConcernError", Value: wce})
				})
				var err error
				switch cmd {
				case "insert":
					err = c.Insert(bson.M{"_id": 2})
				case "update":
					err = c.UpdateId(1, bson.M{"$set": bson.M{"n": 2}})
				default:
					_, err = c.FindId(1).Apply(mgo.Change{Update: bson.M{"$set": bson.M{"n": 3}}}, nil)
				}
				if err == nil || err == mgo.ErrNotFound {
					t.Errorf("%s with writeConcernError %v: %v", cmd, wce, err)
				}
			})
		}
	}
}

// TestConcurrentFailuresNeverSucceed: many goroutines write through
// copies of one session while the server fails half of the inserts (not
// primary, a write concern error, or ok:0 without errmsg); every insert
// whose reply was a failure returns an error, and none hangs.
func TestConcurrentFailuresNeverSucceed(t *testing.T) {
	srv := startServer(t, wiretest.Config{SetName: "rs"})
	session := dial(t, srv, mgo.DialInfo{}, mgowire.Options{})
	var mu sync.Mutex
	failed := map[int]bool{}
	srv.SetHook(func(cmd wiretest.Command, r bson.D) bson.D {
		if cmd.Name != "insert" {
			return r
		}
		docs, _ := cmd.Doc["documents"].([]interface{})
		if len(docs) != 1 {
			return r
		}
		id, _ := docs[0].(bson.M)["_id"].(int)
		var reply bson.D
		switch id % 6 {
		case 1:
			reply = bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "not primary"}, {Name: "code", Value: 10107}}
		case 3:
			reply = bson.D{{Name: "n", Value: 1}, {Name: "writeConcernError", Value: bson.M{"code": 64, "errmsg": "timed out"}}, {Name: "ok", Value: 1.0}}
		case 5:
			reply = bson.D{{Name: "ok", Value: 0.0}, {Name: "code", Value: 112}}
		default:
			return r
		}
		mu.Lock()
		failed[id] = true
		mu.Unlock()
		return reply
	})
	const workers, each = 8, 60
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		go func(w int) {
			s := session.Copy()
			defer s.Close()
			for i := 0; i < each; i++ {
				id := w*each + i
				err := s.DB("test").C("c").Insert(bson.M{"_id": id})
				mu.Lock()
				bad := failed[id]
				mu.Unlock()
				if bad && err == nil {
					errs <- fmt.Errorf("insert %d was failed by the server and reported done", id)
					return
				}
				if err != nil {
					s.Refresh()
				}
			}
			errs <- nil
		}(w)
	}
	for w := 0; w < workers; w++ {
		select {
		case err := <-errs:
			if err != nil {
				t.Error(err)
			}
		case <-timeout():
			t.Fatal("writers hung")
		}
	}
}
