package mgoread_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"sync"
	"testing"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/mgoread"
	"github.com/seed07a61904/leadership/mgowire"
)

// TestEachLimitAndBatch reads 10 things sorted by _id with limits below,
// at and above the batch size and the count, and batches that divide the
// count exactly or not: every document up to the limit once, in order,
// in one find and as many getMore commands as the batches need (one more
// at most, empty, for the server to say the cursor is done).
func TestEachLimitAndBatch(t *testing.T) {
	f, coll := withThings(t, 10)
	for _, tc := range []struct {
		filter       interface{}
		limit, batch int
		want         []int
	}{
		{limit: 0, batch: 0, want: seq(0, 10, 1)},
		{limit: 3, batch: 5, want: seq(0, 3, 1)},   // limit below the batch
		{limit: 5, batch: 3, want: seq(0, 5, 1)},   // limit above, not a multiple
		{limit: 6, batch: 3, want: seq(0, 6, 1)},   // limit a multiple of the batch
		{limit: 12, batch: 5, want: seq(0, 10, 1)}, // limit above the count
		{limit: 10, batch: 10, want: seq(0, 10, 1)},
		{limit: 1, batch: 0, want: []int{0}},
		{limit: 1, batch: 1, want: []int{0}},
		{batch: 5, want: seq(0, 10, 1)}, // the batch divides the count
		{batch: 4, want: seq(0, 10, 1)},
		{batch: 10, want: seq(0, 10, 1)},
		{batch: 11, want: seq(0, 10, 1)},
		{filter: bson.M{"n": 7}, batch: 2},           // nothing
		{filter: bson.M{"n": 7}, limit: 3, batch: 2}, // nothing
	} {
		var got []thing
		var err error
		sent := mongofixture.CommandsSent(f.Server, func() {
			got, err = mgoread.All[thing](coll, mgoread.Query{Filter: tc.filter, Sort: bson.D{{Name: "_id", Value: 1}}, Limit: tc.limit, Batch: tc.batch})
		})
		if err != nil {
			t.Errorf("filter %v, limit %d, batch %d: %v", tc.filter, tc.limit, tc.batch, err)
			continue
		}
		wantIds(t, got, tc.want)
		if sent["find things"] != 1 {
			t.Errorf("filter %v, limit %d, batch %d: %d find commands, want 1 (all: %v)", tc.filter, tc.limit, tc.batch, sent["find things"], sent)
		}
		if tc.batch == 0 {
			continue
		}
		// The replies the documents need, the first from find.
		replies := int64((len(tc.want) + tc.batch - 1) / tc.batch)
		min, max := replies-1, replies
		if min < 0 {
			min = 0
		}
		if n := sent["getMore"]; n < min || n > max {
			t.Errorf("filter %v, limit %d, batch %d: %d getMore commands, want %d to %d (all: %v)", tc.filter, tc.limit, tc.batch, n, min, max, sent)
		}
	}
}

// TestEachRejectsNegative: a negative Limit or Batch, which the find
// command refuses and which mgo's Query.Limit took for one reply, is an
// error before any command is sent, not a read of every document.
func TestEachRejectsNegative(t *testing.T) {
	f, coll := withThings(t, 5)
	for _, q := range []mgoread.Query{{Limit: -2}, {Batch: -2}, {Limit: 3, Batch: -1}} {
		calls := 0
		var err error
		sent := mongofixture.CommandsSent(f.Server, func() {
			err = mgoread.Each(coll, q, func(bson.Raw) error {
				calls++
				return nil
			})
		})
		if err == nil {
			t.Errorf("limit %d, batch %d: no error", q.Limit, q.Batch)
		}
		if calls != 0 || len(sent) != 0 {
			t.Errorf("limit %d, batch %d: fn called %d times, commands %v; want none", q.Limit, q.Batch, calls, sent)
		}
	}
}

// recorder is an mgowire DialConn that keeps every byte the client sends.
type recorder struct {
	mu   sync.Mutex
	sent bytes.Buffer
}

func (r *recorder) dial(addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &recordConn{Conn: conn, r: r}, nil
}

type recordConn struct {
	net.Conn
	r *recorder
}

func (c *recordConn) Write(p []byte) (int, error) {
	c.r.mu.Lock()
	c.r.sent.Write(p)
	c.r.mu.Unlock()
	return c.Conn.Write(p)
}

// killed returns the cursor ids of every killCursors command sent: each
// is a BSON document whose first element is the string "killCursors".
func (r *recorder) killed(t *testing.T) []int64 {
	t.Helper()
	r.mu.Lock()
	data := append([]byte(nil), r.sent.Bytes()...)
	r.mu.Unlock()
	var ids []int64
	key := []byte("\x02killCursors\x00")
	for i := bytes.Index(data, key); i >= 0; {
		start := i - 4
		if start < 0 {
			t.Fatalf("killCursors at %d, no document length before it", i)
		}
		size := int(binary.LittleEndian.Uint32(data[start:]))
		if start+size > len(data) {
			t.Fatalf("killCursors document of %d bytes at %d, past the %d sent", size, start, len(data))
		}
		var cmd struct {
			Cursors []int64 `bson:"cursors"`
		}
		if err := bson.Unmarshal(data[start:start+size], &cmd); err != nil {
			t.Fatalf("killCursors document: %v", err)
		}
		ids = append(ids, cmd.Cursors...)
		next := bytes.Index(data[start+size:], key)
		if next < 0 {
			break
		}
		i = start + size + next
	}
	return ids
}

// TestEachKillsCursorAfterCallbackError: fn's error with documents left
// on the server kills the cursor (a getMore of it then finds none); with
// none left, the cursor is done and nothing is killed.
func TestEachKillsCursorAfterCallbackError(t *testing.T) {
	f, _ := withThings(t, 10)
	stop := errors.New("enough")
	for _, tc := range []struct {
		batch, stopAt int
		kills         bool
	}{
		{batch: 2, stopAt: 3, kills: true},   // in the second reply of five
		{batch: 4, stopAt: 4, kills: true},   // at the end of the first reply
		{batch: 0, stopAt: 10, kills: false}, // at the last document, in the one reply
	} {
		rec := &recorder{}
		session, err := f.Server.DialWith(mgowire.Options{DialConn: rec.dial})
		if err != nil {
			t.Fatal(err)
		}
		coll := session.DB("").C("things")
		calls := 0
		err = mgoread.Each(coll, mgoread.Query{Batch: tc.batch}, func(bson.Raw) error {
			calls++
			if calls == tc.stopAt {
				return stop
			}
			return nil
		})
		if err != stop || calls != tc.stopAt {
			t.Errorf("batch %d: Each returned %v after %d calls, want fn's error after %d", tc.batch, err, calls, tc.stopAt)
		}
		killed := rec.killed(t)
		if !tc.kills {
			if len(killed) != 0 {
				t.Errorf("batch %d: killed cursors %v of an exhausted read", tc.batch, killed)
			}
			session.Close()
			continue
		}
		if len(killed) != 1 || killed[0] == 0 {
			t.Errorf("batch %d: killed cursors %v, want the read's one", tc.batch, killed)
			session.Close()
			continue
		}
		var reply bson.M
		err = coll.Database.Run(bson.D{{Name: "getMore", Value: killed[0]}, {Name: "collection", Value: "things"}}, &reply)
		var qerr *mgo.QueryError
		if !errors.As(err, &qerr) || qerr.Code != 43 {
			t.Errorf("batch %d: getMore of the killed cursor: %v, %v; want CursorNotFound (43)", tc.batch, reply, err)
		}
		session.Close()
	}
}

// TestEachGetMoreRefused: the server refuses a getMore (a member that
// stepped down: "not primary"). Each returns the refusal after the first
// reply's documents, and a new read, once the session is refreshed (the
// refusal closed the connection), reads everything.
func TestEachGetMoreRefused(t *testing.T) {
	f, coll := withThings(t, 10)
	if err := f.Server.FailNotPrimary("getMore", 1); err != nil {
		t.Fatal(err)
	}
	calls := 0
	err := mgoread.Each(coll, mgoread.Query{Batch: 4}, func(bson.Raw) error {
		calls++
		return nil
	})
	var refused *mgo.QueryError
	if !errors.As(err, &refused) || refused.Code != 13435 {
		t.Errorf("Each returned %#v, want the getMore's refusal (NotPrimaryNoSecondaryOk, 13435)", err)
	}
	if calls != 4 {
		t.Errorf("fn called %d times, want 4 (the first reply)", calls)
	}
	if n := f.Server.PendingFaults(); n != 0 {
		t.Errorf("%d faults left: the getMore was not sent", n)
	}
	f.Session.Refresh()
	got, err := mgoread.All[thing](coll, mgoread.Query{Sort: bson.D{{Name: "_id", Value: 1}}, Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	wantIds(t, got, seq(0, 10, 1))
}
