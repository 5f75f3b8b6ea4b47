package mgowire

import (
	"errors"
	"net"
	"os"
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
	select {
	case err := <-done:
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("dial to a silent server: %v, want a deadline error", err)
		}
	case <-timeout():
		t.Fatal("dial to a silent server did not time out")
	}
}
