// Package mgoread_test checks internal/mgoread against the embedded
// server: what it reads, in how many replies, and that it fails, rather
// than hangs as mgo's iterator does, when its connection dies between two
// replies.
package mgoread_test

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/mgoread"
	"github.com/seed07a61904/leadership/mgowire"
)

// hangDeadline is how long a read may take before the test calls it hung:
// a failure deadline only.
const hangDeadline = time.Minute

// thing is a test document: _id from 0, and n = _id % 3.
type thing struct {
	Id int `bson:"_id"`
	N  int `bson:"n"`
}

// withThings returns a fixture whose collection "things" holds count
// things.
func withThings(t *testing.T, count int) (*mongofixture.Fixture, *mgo.Collection) {
	t.Helper()
	f := mongofixture.New(t)
	coll := f.DB.C("things")
	docs := make([]interface{}, count)
	for i := range docs {
		docs[i] = thing{Id: i, N: i % 3}
	}
	if err := coll.Insert(docs...); err != nil {
		t.Fatal(err)
	}
	return f, coll
}

func ids(things []thing) []int {
	out := make([]int, len(things))
	for i, th := range things {
		out[i] = th.Id
	}
	return out
}

func wantIds(t *testing.T, got []thing, want []int) {
	t.Helper()
	if fmt.Sprint(ids(got)) != fmt.Sprint(want) {
		t.Errorf("read ids %v, want %v", ids(got), want)
	}
}

func seq(from, to, step int) []int {
	var out []int
	for i := from; (step > 0 && i < to) || (step < 0 && i > to); i += step {
		out = append(out, i)
	}
	return out
}

// TestAllReadsEveryReply reads 250 documents, more than the server's
// first reply holds (101), and then in replies of 40: every document
// once, in order, with getMore commands for the rest.
func TestAllReadsEveryReply(t *testing.T) {
	f, coll := withThings(t, 250)
	for _, batch := range []int{0, 40} {
		var got []thing
		var err error
		sent := mongofixture.CommandsSent(f.Server, func() {
			got, err = mgoread.All[thing](coll, mgoread.Query{Sort: bson.D{{Name: "_id", Value: 1}}, Batch: batch})
		})
		if err != nil {
			t.Fatalf("batch %d: %v", batch, err)
		}
		wantIds(t, got, seq(0, 250, 1))
		// 250 in replies of 40 is 7 replies, the first from find; the
		// server may need one more, empty, to learn the cursor is done.
		min, max := int64(1), int64(2)
		if batch == 40 {
			min, max = 6, 7
		}
		if n := sent["getMore"]; n < min || n > max {
			t.Errorf("batch %d: %d getMore commands, want %d to %d (all: %v)", batch, n, min, max, sent)
		}
		if sent["find things"] != 1 {
			t.Errorf("batch %d: %d find commands, want 1 (all: %v)", batch, sent["find things"], sent)
		}
	}
}

// TestAllQuery: the filter, projection, sort and limit reach the server.
func TestAllQuery(t *testing.T) {
	_, coll := withThings(t, 60)
	got, err := mgoread.All[bson.M](coll, mgoread.Query{
		Filter:     bson.M{"n": 1},
		Projection: bson.M{"n": 0},
		Sort:       bson.D{{Name: "_id", Value: -1}},
		Limit:      5,
		Batch:      2,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []bson.M{{"_id": 58}, {"_id": 55}, {"_id": 52}, {"_id": 49}, {"_id": 46}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("read %v, want %v", got, want)
	}
	none, err := mgoread.All[thing](coll, mgoread.Query{Filter: bson.M{"n": 7}})
	if err != nil || len(none) != 0 {
		t.Errorf("read %v, %v; want nothing, nil", none, err)
	}
}

// TestAllRaw: a bson.Raw keeps each document as stored.
func TestAllRaw(t *testing.T) {
	_, coll := withThings(t, 3)
	raws, err := mgoread.All[bson.Raw](coll, mgoread.Query{Sort: bson.D{{Name: "_id", Value: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	for i, raw := range raws {
		var th thing
		if err := raw.Unmarshal(&th); err != nil || th != (thing{Id: i, N: i % 3}) {
			t.Errorf("document %d: %+v, %v", i, th, err)
		}
	}
	if len(raws) != 3 {
		t.Errorf("read %d documents, want 3", len(raws))
	}
}

// TestEachStopsAtCallbackError: fn's error ends the read at once, and is
// returned as it is. (Each then kills the cursor: the embedded server
// does not count killCursors, TestEachKillsCursorAfterCallbackError
// checks it.)
func TestEachStopsAtCallbackError(t *testing.T) {
	f, coll := withThings(t, 20)
	stop := errors.New("enough")
	calls := 0
	var err error
	sent := mongofixture.CommandsSent(f.Server, func() {
		err = mgoread.Each(coll, mgoread.Query{Batch: 2}, func(bson.Raw) error {
			calls++
			if calls == 5 {
				return stop
			}
			return nil
		})
	})
	if err != stop {
		t.Errorf("Each returned %v, want fn's error", err)
	}
	if calls != 5 {
		t.Errorf("fn called %d times, want 5", calls)
	}
	if sent["getMore"] != 2 {
		t.Errorf("commands %v, want 2 getMore", sent)
	}
}

// closeSignal is an mgowire DialConn whose connections, as they are
// closed, are counted.
type closeSignal struct {
	mu     sync.Mutex
	dialed int
	closed chan struct{} // one value per connection closed
}

func newCloseSignal() *closeSignal {
	return &closeSignal{closed: make(chan struct{}, 100)}
}

func (d *closeSignal) dial(addr string) (net.Conn, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	d.dialed++
	d.mu.Unlock()
	return &signalConn{Conn: conn, d: d}, nil
}

// waitAllClosed waits until every connection dialed so far was closed.
func (d *closeSignal) waitAllClosed(t *testing.T) {
	d.mu.Lock()
	n := d.dialed
	d.mu.Unlock()
	for i := 0; i < n; i++ {
		select {
		case <-d.closed:
		case <-time.After(hangDeadline):
			t.Errorf("%d of %d connections closed", i, n)
			return
		}
	}
}

type signalConn struct {
	net.Conn
	d    *closeSignal
	once sync.Once
}

func (c *signalConn) Close() error {
	c.once.Do(func() { c.d.closed <- struct{}{} })
	return c.Conn.Close()
}

// TestEachAfterConnectionDied: the connection dies between two replies.
// In the first rounds the test waits, before the next reply is asked for,
// until every connection is closed on the client's side (mgowire closes
// it as mgo's reader meets its end, just before mgo marks the socket
// dead): Each then fails on the dead socket. In the racing rounds it asks
// at once, so that mgo may mark the socket dead while the request is on
// its way: mgo's iterator, asked there, deadlocks once the socket it took
// is marked dead before it sends (MGO-156; 1 round in 236 of this loop
// with Query.Iter, measured), and Each, whose commands go through
// Database.Run, cannot. Each must fail, never hang, and the session work
// again once refreshed.
func TestEachAfterConnectionDied(t *testing.T) {
	f, _ := withThings(t, 10)
	const waited, racing = 5, 300
	for round := 0; round < waited+racing; round++ {
		signal := newCloseSignal()
		session, err := f.Server.DialWith(mgowire.Options{DialConn: signal.dial})
		if err != nil {
			t.Fatal(err)
		}
		coll := session.DB("").C("things")
		calls := 0
		done := make(chan error, 1)
		go func() {
			done <- mgoread.Each(coll, mgoread.Query{Batch: 2}, func(bson.Raw) error {
				calls++
				if calls == 2 {
					f.Server.DropConnections()
					if round < waited {
						signal.waitAllClosed(t)
					}
				}
				return nil
			})
		}()
		select {
		case err = <-done:
		case <-time.After(hangDeadline):
			t.Fatalf("round %d: Each hung after its connection died", round)
		}
		if err == nil {
			t.Errorf("round %d: Each read on over a dead connection", round)
		}
		if calls != 2 {
			t.Errorf("round %d: fn called %d times, want 2 (the first reply)", round, calls)
		}
		session.Refresh()
		got, err := mgoread.All[thing](coll, mgoread.Query{Batch: 2})
		if err != nil || len(got) != 10 {
			t.Errorf("round %d: after Refresh, read %d documents, %v; want 10, nil", round, len(got), err)
		}
		session.Close()
	}
}
