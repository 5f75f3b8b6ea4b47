package mgowire

import (
	"errors"
	"net"
	"reflect"
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
	"github.com/seed07a61904/leadership/internal/wiretest"
)

// These tests speak mgo's legacy protocol by hand to one translating
// connection, to see exactly what it does with each message.

// rawConn returns a translating connection to a new wiretest server, and
// the server.
func rawConn(t *testing.T, cfg wiretest.Config) (net.Conn, *wiretest.Server) {
	t.Helper()
	srv, err := wiretest.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	d, _, err := newDialer(&mgo.DialInfo{Addrs: []string{srv.Addr()}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.dialAddr(srv.Addr())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, srv
}

// send writes an OP_QUERY command on db.$cmd with request id id.
func send(t *testing.T, c net.Conn, id int32, db string, cmd bson.D) {
	t.Helper()
	if _, err := c.Write(wire.BuildQuery(id, 0, db+".$cmd", marshalDoc(cmd))); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// receive reads one OP_REPLY and returns what it answers and its document.
func receive(t *testing.T, c net.Conn) (int32, bson.M) {
	t.Helper()
	h, body, err := wire.ReadMessage(c)
	if err != nil {
		t.Fatalf("reading a reply: %v", err)
	}
	if h.OpCode != wire.OpReply {
		t.Fatalf("reply has opcode %d, want OP_REPLY", h.OpCode)
	}
	_, doc, err := wire.ParseReply(body)
	if err != nil {
		t.Fatal(err)
	}
	var m bson.M
	if err := bson.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return h.ResponseTo, m
}

func TestGetnonceAndLogoutAnsweredLocally(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	send(t, c, 7, "admin", bson.D{{Name: "getnonce", Value: 1}})
	if to, reply := receive(t, c); to != 7 || reply["nonce"] == "" || reply["ok"] != 1.0 {
		t.Fatalf("getnonce: reply to %d = %v; want one to 7 with a nonce", to, reply)
	}
	// mgo's logout goes with request id 0 and expects no reply; one with
	// an id gets ok.
	send(t, c, 0, "admin", bson.D{{Name: "logout", Value: 1}})
	send(t, c, 8, "test", bson.D{{Name: "logout", Value: 1}})
	if to, reply := receive(t, c); to != 8 || reply["ok"] != 1.0 {
		t.Fatalf("logout: reply to %d = %v; want ok to 8", to, reply)
	}
	send(t, c, 9, "admin", bson.D{{Name: "ping", Value: 1}})
	if to, reply := receive(t, c); to != 9 || reply["ok"] != 1.0 {
		t.Fatalf("ping: reply to %d = %v; want ok to 9", to, reply)
	}
	cmds := srv.Commands()
	if len(cmds) != 1 || cmds[0].Name != "ping" || cmds[0].DB != "admin" {
		t.Fatalf("server got %v; want only the ping on admin", cmds)
	}
}

func TestRepliesInRequestOrder(t *testing.T) {
	c, _ := rawConn(t, wiretest.Config{})
	// One Write with three messages, the middle one answered locally.
	var buf []byte
	buf = append(buf, wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}}))...)
	buf = append(buf, wire.BuildQuery(2, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "getnonce", Value: 1}}))...)
	buf = append(buf, wire.BuildQuery(3, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "isMaster", Value: 1}}))...)
	// ...split across two Writes in the middle of a message.
	if _, err := c.Write(buf[:30]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write(buf[30:]); err != nil {
		t.Fatal(err)
	}
	for want := int32(1); want <= 3; want++ {
		to, reply := receive(t, c)
		if to != want {
			t.Fatalf("reply to %d, want %d", to, want)
		}
		if want == 3 && reply["ismaster"] != true {
			t.Fatalf("isMaster reply %v lacks ismaster: true", reply)
		}
	}
}

func TestLegacyQueryRefused(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	if _, err := c.Write(wire.BuildQuery(5, 0, "test.things", marshalDoc(bson.D{{Name: "a", Value: 1}}))); err != nil {
		t.Fatal(err)
	}
	h, body, err := wire.ReadMessage(c)
	if err != nil {
		t.Fatal(err)
	}
	flags, doc, err := wire.ParseReply(body)
	if err != nil || h.ResponseTo != 5 || flags&wire.FlagQueryFailure == 0 {
		t.Fatalf("reply to %d flags %#x (%v); want a query failure to 5", h.ResponseTo, flags, err)
	}
	var m bson.M
	bson.Unmarshal(doc, &m)
	if m["code"] != 352 || m["$err"] == nil {
		t.Fatalf("refusal %v; want $err and code 352", m)
	}
	if n := len(srv.Commands()); n != 0 {
		t.Fatalf("server got %d commands, want none", n)
	}
}

func TestUnsupportedOpcodeClosesConnection(t *testing.T) {
	for _, op := range []int32{wire.OpInsert, wire.OpGetMore, wire.OpCompressed, 4242} {
		c, _ := rawConn(t, wiretest.Config{})
		msg := make([]byte, wire.HeaderSize+8)
		wire.PutHeader(msg, 1, 0, op)
		if _, err := c.Write(msg); !errors.Is(err, ErrUnsupported) {
			t.Errorf("opcode %d: Write error %v, want ErrUnsupported", op, err)
		}
		if _, err := c.Read(make([]byte, 1)); !errors.Is(err, ErrUnsupported) {
			t.Errorf("opcode %d: Read after it: %v, want ErrUnsupported", op, err)
		}
	}
}

func TestMalformedRequests(t *testing.T) {
	header := func(length int32, op int32) []byte {
		b := make([]byte, wire.HeaderSize)
		wire.PutHeader(b, 1, 0, op)
		b[0], b[1], b[2], b[3] = byte(length), byte(length>>8), byte(length>>16), byte(length>>24)
		return b
	}
	ping := wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}}))
	badDocLen := append([]byte(nil), ping...)
	badDocLen[wire.HeaderSize+4+len("admin.$cmd")+1+8] = 0xff // the document says 255 bytes
	kill := wire.BuildKillCursors(0, []int64{1, 2})
	kill[wire.HeaderSize+4] = 3 // three cursors in the space of two
	for name, msg := range map[string][]byte{
		"length below a header":  header(3, wire.OpQuery),
		"negative length":        header(-20, wire.OpQuery),
		"oversized":              header(wire.MaxMessageSize+1, wire.OpQuery),
		"document past its end":  badDocLen,
		"namespace unterminated": append(header(wire.HeaderSize+6, wire.OpQuery), 0, 0, 0, 0, 'a', 'b'),
		"kill cursors count":     kill,
	} {
		c, _ := rawConn(t, wiretest.Config{})
		if _, err := c.Write(msg); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: Write error %v, want ErrMalformed", name, err)
		}
	}
}

func TestMalformedCommandDocumentGetsErrorReply(t *testing.T) {
	c, _ := rawConn(t, wiretest.Config{})
	// A well-framed document whose element claims a string longer than
	// the document.
	doc := []byte{17, 0, 0, 0, 0x02, 'a', 0, 100, 0, 0, 0, 'x', 'y', 'z', 0, 0, 0}
	if _, err := c.Write(wire.BuildQuery(4, 0, "admin.$cmd", doc)); err != nil {
		t.Fatal(err)
	}
	if to, reply := receive(t, c); to != 4 || reply["ok"] != 0.0 || reply["code"] != codeFailedToParse {
		t.Fatalf("reply to %d = %v; want a FailedToParse error to 4", to, reply)
	}
}

func TestTruncatedWriteWaitsForTheRest(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	ping := wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}}))
	for i := range ping {
		if _, err := c.Write(ping[i : i+1]); err != nil {
			t.Fatalf("Write byte %d: %v", i, err)
		}
	}
	if to, reply := receive(t, c); to != 1 || reply["ok"] != 1.0 {
		t.Fatalf("reply to %d = %v; want ok to 1", to, reply)
	}
	if n := len(srv.Commands()); n != 1 {
		t.Fatalf("server got %d commands, want 1", n)
	}
}

func TestCloseEndsPendingRead(t *testing.T) {
	c, _ := rawConn(t, wiretest.Config{})
	done := readErr(c)
	c.Close()
	wantErr(t, done, net.ErrClosed, "Read after Close")
}

func TestQueryWrapperUnwrapped(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	// As mgo sends a command to mongos with a read preference.
	send(t, c, 3, "test", bson.D{
		{Name: "$query", Value: bson.D{{Name: "count", Value: "things"}}},
		{Name: "$readPreference", Value: bson.D{{Name: "mode", Value: "secondaryPreferred"}}},
		{Name: "$orderby", Value: bson.D{{Name: "a", Value: 1}}},
	})
	if to, reply := receive(t, c); to != 3 || reply["ok"] != 1.0 {
		t.Fatalf("count: reply to %d = %v", to, reply)
	}
	cmds := srv.Commands()
	if len(cmds) != 1 || cmds[0].Name != "count" || cmds[0].DB != "test" {
		t.Fatalf("server got %v, want one count on test", cmds)
	}
	want := bson.M{"count": "things", "$readPreference": bson.M{"mode": "secondaryPreferred"}, "$db": "test"}
	if !reflect.DeepEqual(cmds[0].Doc, want) {
		t.Fatalf("server got %v, want %v", cmds[0].Doc, want)
	}
}
