package mgowire

import (
	"errors"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
	"github.com/seed07a61904/leadership/internal/wiretest"
)

// pipeConn returns a translating connection whose server is the other end
// of a pipe, played by the test.
func pipeConn(t *testing.T) (client net.Conn, server net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	d, _, err := newDialer(&mgo.DialInfo{}, Options{DialConn: func(string) (net.Conn, error) { return a, nil }})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.dialAddr("pipe:1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(); b.Close() })
	return c, b
}

// expectMsg reads the OP_MSG that the translator sent and returns its
// request id.
func expectMsg(t *testing.T, server net.Conn) int32 {
	t.Helper()
	h, body, err := wire.ReadMessage(server)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wire.ParseMsg(body); err != nil || h.OpCode != wire.OpMsg {
		t.Fatalf("translator sent opcode %d (%v), want OP_MSG", h.OpCode, err)
	}
	return h.RequestID
}

func TestMalformedReplies(t *testing.T) {
	okDoc := marshalDoc(bson.D{{Name: "ok", Value: 1.0}})
	for name, reply := range map[string]func(id int32) []byte{
		"wrong responseTo": func(id int32) []byte { return wire.BuildMsg(0, id+1, 0, okDoc) },
		"OP_REPLY":         func(id int32) []byte { return wire.BuildReply(id, 0, okDoc) },
		"moreToCome":       func(id int32) []byte { return wire.BuildMsg(0, id, wire.MsgMoreToCome, okDoc) },
		"truncated body": func(id int32) []byte {
			m := wire.BuildMsg(0, id, 0, okDoc)
			m = m[:len(m)-3]
			wire.PutHeader(m, 0, id, wire.OpMsg)
			return m
		},
		"bad document": func(id int32) []byte {
			return wire.BuildMsg(0, id, 0, []byte{12, 0, 0, 0, 0x02, 'a', 0, 50, 0, 0, 0, 0})
		},
		"oversized": func(id int32) []byte {
			m := wire.BuildMsg(0, id, 0, okDoc)
			m[3] = 0x7f
			return m
		},
	} {
		t.Run(name, func(t *testing.T) {
			c, server := pipeConn(t)
			go c.Write(wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}})))
			id := expectMsg(t, server)
			go server.Write(reply(id))
			_, err := c.Read(make([]byte, 100))
			if !errors.Is(err, ErrMalformed) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("Read: %v, want ErrMalformed or ErrUnsupported", err)
			}
		})
	}
}

func TestWrongPassword(t *testing.T) {
	srv, err := wiretest.Start(wiretest.Config{Users: map[string]string{"alice": "pw"}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, mech := range []string{"", MechanismSCRAMSHA1, MechanismSCRAMSHA256} {
		d, _, err := newDialer(&mgo.DialInfo{Username: "alice", Password: "wrong", Mechanism: mech}, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.dialAddr(srv.Addr()); !errors.Is(err, ErrAuth) {
			t.Errorf("mechanism %q: dial with a wrong password: %v, want ErrAuth", mech, err)
		}
	}
	d, _, _ := newDialer(&mgo.DialInfo{Username: "bob", Password: "pw"}, Options{})
	if _, err := d.dialAddr(srv.Addr()); !errors.Is(err, ErrAuth) {
		t.Errorf("unknown user: %v, want ErrAuth", err)
	}
}

func TestConnectTimeout(t *testing.T) {
	// A server that accepts the connection and never reads: the
	// authentication's first write blocks until the setup deadline.
	a, b := net.Pipe()
	defer b.Close()
	d, _, err := newDialer(&mgo.DialInfo{Username: "alice", Password: "pw"},
		Options{ConnectTimeout: time.Millisecond, DialConn: func(string) (net.Conn, error) { return a, nil }})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := d.dialAddr("silent:1")
		done <- err
	}()
	wantErr(t, done, os.ErrDeadlineExceeded, "dial to a silent server")
}

// deadlineConn records the deadlines set on it.
type deadlineConn struct {
	net.Conn
	deadlines chan time.Time
}

func (c deadlineConn) SetDeadline(t time.Time) error {
	c.deadlines <- t
	return c.Conn.SetDeadline(t)
}

// TestConnectTimeoutCoversTheDial: one deadline, set before the dial,
// bounds the dial and the setup together; the setup does not get a fresh
// ConnectTimeout after a slow dial.
func TestConnectTimeoutCoversTheDial(t *testing.T) {
	const connectTimeout = time.Hour
	a, b := net.Pipe()
	defer b.Close()
	up := deadlineConn{Conn: a, deadlines: make(chan time.Time, 2)}
	var dialed time.Time
	d, _, err := newDialer(&mgo.DialInfo{}, Options{ConnectTimeout: connectTimeout, DialConn: func(string) (net.Conn, error) {
		// A dial that takes time: the clock moves on (by a microsecond,
		// spinning, not sleeping) before the connection is returned.
		dialed = time.Now()
		for time.Since(dialed) < time.Microsecond {
		}
		return up, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.dialAddr("slow:1")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if deadline := <-up.deadlines; deadline.After(dialed.Add(connectTimeout)) {
		t.Errorf("setup deadline %v after the dial began at %v, more than ConnectTimeout %v", deadline.Sub(dialed), dialed, connectTimeout)
	}
}

// readErr reads from c in a goroutine and returns a channel with the
// error it ends with.
func readErr(c net.Conn) <-chan error {
	done := make(chan error, 1)
	go func() {
		_, err := c.Read(make([]byte, 1))
		done <- err
	}()
	return done
}

// wantErr waits for the error that done gives, and fails the test unless
// it matches want, or if none comes within longWait; what names the call
// that ends with the error.
func wantErr(t *testing.T, done <-chan error, want error, what string) {
	t.Helper()
	select {
	case err := <-done:
		if !errors.Is(err, want) {
			t.Fatalf("%s: %v, want %v", what, err, want)
		}
	case <-timeout():
		t.Fatalf("%s: no error within %v", what, longWait)
	}
}

func TestServerClosingIdleConnectionIsSeen(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	send(t, c, 1, "admin", bson.D{{Name: "ping", Value: 1}})
	receive(t, c)
	// Nothing pending: a plain socket would see the server's close at
	// once, and so must mgo's reader here.
	done := readErr(c)
	srv.DropConnections()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Read returned no error after the server closed the connection")
		}
	case <-timeout():
		t.Fatal("Read did not notice that the server closed the idle connection")
	}
	// Write leaves the failure to Read until Close
	// (TestWriteLeavesServerCloseToRead).
	c.Close()
	if _, err := c.Write(wire.BuildQuery(2, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}}))); err == nil {
		t.Fatal("Write worked on a closed connection")
	}
}

func TestUnsolicitedServerMessage(t *testing.T) {
	c, server := pipeConn(t)
	done := readErr(c)
	go server.Write(wire.BuildMsg(0, 0, 0, marshalDoc(bson.D{{Name: "ok", Value: 1.0}})))
	wantErr(t, done, ErrMalformed, "Read after an unsolicited message")
}

func TestReadDeadlineWhileAwaitingReply(t *testing.T) {
	c, server := pipeConn(t)
	go c.Write(wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}})))
	expectMsg(t, server) // and never answer
	if err := c.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, readErr(c), os.ErrDeadlineExceeded, "Read past the deadline")
}

func TestPastDeadlineWhileIdleIsHarmless(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	// A deadline that has passed while nothing is pending (mgo clears its
	// deadline once all replies are in; this is the moment before).
	if err := c.SetReadDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	waitIdle(t, c.(*conn))
	if err := c.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	send(t, c, 1, "admin", bson.D{{Name: "ping", Value: 1}})
	if to, reply := receive(t, c); to != 1 || reply["ok"] != 1.0 {
		t.Fatalf("ping after a passed idle deadline: reply to %d = %v", to, reply)
	}
	if n := srv.Connections(); n != 1 {
		t.Fatalf("%d connections, want 1", n)
	}
}

// waitIdle waits until c's receiving goroutine has timed out while idle
// and waits for the deadline to change.
func waitIdle(t *testing.T, c *conn) {
	t.Helper()
	waitConn(t, c, "the receiving goroutine never timed out on a deadline in the past",
		func() bool { return c.idles > 0 })
}

// waitConn waits until done, called with c.mu held, returns true; it is
// checked whenever c.ready is broadcast. It fails the test with failure
// after longWait.
func waitConn(t *testing.T, c *conn, failure string, done func() bool) {
	t.Helper()
	stop, expired := make(chan struct{}), make(chan struct{})
	defer close(stop)
	go func() { // ends the wait below at the failure deadline
		select {
		case <-timeout():
			c.mu.Lock()
			close(expired)
			c.ready.Broadcast()
			c.mu.Unlock()
		case <-stop:
		}
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	for !done() {
		select {
		case <-expired:
			t.Fatal(failure)
		default:
		}
		c.ready.Wait()
	}
}

// TestReplyFieldShape: writeConcernError and writeErrors that are absent,
// null or of their protocol type pass; any other type is named.
func TestReplyFieldShape(t *testing.T) {
	for _, tc := range []struct {
		doc  bson.D
		want string
	}{
		{bson.D{{Name: "ok", Value: 1.0}}, ""},
		{bson.D{{Name: "writeConcernError", Value: nil}, {Name: "writeErrors", Value: nil}}, ""},
		{bson.D{{Name: "writeConcernError", Value: bson.M{"code": 64}}, {Name: "writeErrors", Value: []bson.M{{"code": 11000}}}}, ""},
		{bson.D{{Name: "writeConcernError", Value: "timed out"}}, "writeConcernError is of BSON type string"},
		{bson.D{{Name: "writeConcernError", Value: []int{1}}}, "writeConcernError is of BSON type array"},
		{bson.D{{Name: "writeErrors", Value: bson.M{"code": 1}}}, "writeErrors is of BSON type document"},
		{bson.D{{Name: "writeErrors", Value: []interface{}{bson.M{"code": 1}, "x"}}}, "writeErrors[1] is of BSON type string"},
	} {
		var f replyFields
		if err := f.decode(marshalDoc(tc.doc)); err != nil {
			t.Fatalf("%v: %v", tc.doc, err)
		}
		got := f.shape()
		if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
			t.Errorf("%v: shape %q, want %q", tc.doc, got, tc.want)
		}
	}
}
