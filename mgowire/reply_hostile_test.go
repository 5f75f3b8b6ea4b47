package mgowire

// Replies and kills that a hostile or broken server or client could send.

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
	"github.com/seed07a61904/leadership/internal/wiretest"
)

// TestHostileReplies: replies that break the protocol close the
// connection with ErrMalformed or ErrUnsupported (an unknown required
// OP_MSG flag bit among them, as the OP_MSG spec requires); a reply that
// never completes ends at the read deadline. None panics, none hangs.
func TestHostileReplies(t *testing.T) {
	okDoc := marshalDoc(bson.D{{Name: "ok", Value: 1.0}})
	withSeq := func(id int32) []byte {
		m := wire.BuildMsg(0, id, 0, okDoc)
		seq := []byte{1, 0, 0, 0, 0, 'd', 0}
		seq[1] = byte(4 + 2 + len(okDoc))
		m = append(m, append(seq, okDoc...)...)
		wire.PutHeader(m, 0, id, wire.OpMsg)
		return m
	}
	for name, tc := range map[string]struct {
		reply func(id int32) []byte
		want  []error
	}{
		"document sequence": {withSeq, []error{ErrUnsupported}},
		"unknown required flag bit 5": {func(id int32) []byte {
			return wire.BuildMsg(0, id, 1<<5, okDoc)
		}, []error{ErrMalformed}},
		"checksum flag, no checksum": {func(id int32) []byte {
			return wire.BuildMsg(0, id, wire.MsgChecksumPresent, okDoc)
		}, []error{ErrMalformed}},
		"unknown element type": {func(id int32) []byte {
			return wire.BuildMsg(0, id, 0, []byte{8, 0, 0, 0, 0x99, 'a', 0, 0})
		}, []error{ErrMalformed}},
		"inner document past the end": {func(id int32) []byte {
			return wire.BuildMsg(0, id, 0, []byte{16, 0, 0, 0, 0x03, 'a', 0, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0})
		}, []error{ErrMalformed}},
		"string length negative": {func(id int32) []byte {
			return wire.BuildMsg(0, id, 0, []byte{14, 0, 0, 0, 0x02, 'a', 0, 0xff, 0xff, 0xff, 0xff, 'x', 0, 0})
		}, []error{ErrMalformed}},
		"answers an older request": {func(id int32) []byte { return wire.BuildMsg(0, id-1, 0, okDoc) }, []error{ErrMalformed}},
		"opcode OP_COMPRESSED": {func(id int32) []byte {
			m := wire.BuildMsg(0, id, 0, okDoc)
			wire.PutHeader(m, 0, id, wire.OpCompressed)
			return m
		}, []error{ErrUnsupported}},
		"negative length": {func(id int32) []byte {
			m := wire.BuildMsg(0, id, 0, okDoc)
			m[3] = 0xff
			return m
		}, []error{ErrMalformed}},
		"length past the bytes, then hang up": {func(id int32) []byte {
			m := wire.BuildMsg(0, id, 0, okDoc)
			wire.PutHeader(m, 0, id, wire.OpMsg)
			m[0] += 40
			return m
		}, nil},
		"huge length, then silence": {func(id int32) []byte {
			m := wire.BuildMsg(0, id, 0, okDoc)
			m[0], m[1], m[2], m[3] = 0, 0x60, 0xdc, 0x02 // 47 MB
			return m
		}, []error{os.ErrDeadlineExceeded}},
	} {
		name, tc := name, tc
		hangUp := strings.Contains(name, "hang up")
		t.Run(name, func(t *testing.T) {
			c, server := pipeConn(t)
			go c.Write(wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}})))
			id := expectMsg(t, server)
			if err := c.SetReadDeadline(time.Now().Add(200 * time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			go func() {
				server.Write(tc.reply(id))
				if hangUp {
					server.Close()
				}
			}()
			select {
			case err := <-readErr(c):
				if err == nil {
					t.Fatal("Read succeeded")
				}
				ok := tc.want == nil
				for _, w := range tc.want {
					ok = ok || errors.Is(err, w)
				}
				if !ok {
					t.Errorf("Read: %v, want one of %v", err, tc.want)
				}
			case <-timeout():
				t.Fatal("Read hung")
			}
		})
	}
}

// TestReplyChecksumAccepted: a reply with a checksum (flag and
// four trailing bytes) is read, the checksum dropped unchecked.
func TestReplyChecksumAccepted(t *testing.T) {
	c, server := pipeConn(t)
	go c.Write(wire.BuildQuery(1, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}})))
	id := expectMsg(t, server)
	m := wire.BuildMsg(0, id, wire.MsgChecksumPresent, marshalDoc(bson.D{{Name: "ok", Value: 1.0}}))
	m = append(m, 1, 2, 3, 4)
	wire.PutHeader(m, 0, id, wire.OpMsg)
	go server.Write(m)
	if to, reply := receive(t, c); to != 1 || reply["ok"] != 1.0 {
		t.Fatalf("reply to %d: %v", to, reply)
	}
}

// TestKillUnknownCursors: OP_KILL_CURSORS for cursors that no
// reply named sends nothing and leaves the connection working; a cursor
// id that two connections' replies both used (only a hostile server does
// that: ids are unique per server) is killed once, on the namespace
// recorded last, and nothing breaks.
func TestKillUnknownCursors(t *testing.T) {
	c, srv := rawConn(t, wiretest.Config{})
	if _, err := c.Write(wire.BuildKillCursors(0, []int64{999, -1, 0})); err != nil {
		t.Fatal(err)
	}
	send(t, c, 1, "admin", bson.D{{Name: "ping", Value: 1}})
	if to, reply := receive(t, c); to != 1 || reply["ok"] != 1.0 {
		t.Fatalf("ping after killing unknown cursors: reply to %d = %v", to, reply)
	}
	for _, cmd := range srv.Commands() {
		if cmd.Name == "killCursors" {
			t.Errorf("killCursors sent for unknown cursors: %v", cmd.Doc)
		}
	}

	tr := translator{s: &shared{writeConcern: writeConcernDoc(nil)}, addr: "x:1"}
	reply := func(ns string) []byte {
		return wire.BuildMsg(0, 1, 0, marshalDoc(bson.D{{Name: "cursor", Value: bson.D{
			{Name: "firstBatch", Value: []bson.M{}}, {Name: "id", Value: int64(42)}, {Name: "ns", Value: ns}}}, {Name: "ok", Value: 1.0}}))
	}
	for _, ns := range []string{"db.a", "db.b"} {
		m := reply(ns)
		h, _ := wire.ParseHeader(m)
		if _, _, err := tr.translateReply(exchange{mgoID: 1, name: "find"}, h, m[wire.HeaderSize:]); err != nil {
			t.Fatal(err)
		}
	}
	if exs := tr.killCursors([]int64{42}); len(exs) != 1 {
		t.Fatalf("first kill of colliding id 42: %d commands", len(exs))
	}
	if exs := tr.killCursors([]int64{42}); len(exs) != 0 {
		t.Fatalf("second kill of colliding id 42: %d commands", len(exs))
	}
}
