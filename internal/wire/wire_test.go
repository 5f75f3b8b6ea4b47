package wire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"testing"
)

// doc returns a BSON document {a: "x"}, written out by hand so that this
// package's tests need no BSON library.
func doc() []byte {
	return []byte{14, 0, 0, 0, 0x02, 'a', 0, 2, 0, 0, 0, 'x', 0, 0}
}

// sequence returns an OP_MSG document sequence section (kind byte
// included) named id holding docs.
func sequence(id string, docs ...[]byte) []byte {
	body := append([]byte(id), 0)
	for _, d := range docs {
		body = append(body, d...)
	}
	out := []byte{1, 0, 0, 0, 0}
	binary.LittleEndian.PutUint32(out[1:], uint32(4+len(body)))
	return append(out, body...)
}

func TestParseMsg(t *testing.T) {
	msg := BuildMsg(7, 3, MsgChecksumPresent, doc())
	msg = append(msg, sequence("documents", doc(), doc())...)
	msg = append(msg, 1, 2, 3, 4) // the checksum
	PutHeader(msg, 7, 3, OpMsg)
	h, body, err := ReadMessage(bytes.NewReader(msg))
	if err != nil || h != (Header{Length: int32(len(msg)), RequestID: 7, ResponseTo: 3, OpCode: OpMsg}) {
		t.Fatalf("ReadMessage: %+v, %v", h, err)
	}
	m, err := ParseMsg(body)
	if err != nil {
		t.Fatal(err)
	}
	want := Msg{Flags: MsgChecksumPresent, Body: doc(), Sequences: []Sequence{{ID: "documents", Docs: [][]byte{doc(), doc()}}}}
	if !reflect.DeepEqual(m, want) {
		t.Fatalf("ParseMsg = %+v, want %+v", m, want)
	}
}

func TestParseMsgMalformed(t *testing.T) {
	flags := []byte{0, 0, 0, 0}
	join := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	longSeq := sequence("s", doc())
	longSeq[1] = 0x7f
	unterminated := []byte{1, 6, 0, 0, 0, 'a', 'b'}
	for name, body := range map[string][]byte{
		"too short":            {0, 0, 0, 0, 0},
		"no body section":      join(flags, sequence("s", doc())),
		"two body sections":    join(flags, []byte{0}, doc(), []byte{0}, doc()),
		"unknown kind":         join(flags, []byte{0}, doc(), []byte{2}, doc()),
		"body past the end":    join(flags, []byte{0}, doc()[:10]),
		"sequence past end":    join(flags, []byte{0}, doc(), longSeq),
		"sequence id":          join(flags, []byte{0}, doc(), unterminated),
		"document in sequence": join(flags, []byte{0}, doc(), sequence("s", doc()[:6])),
	} {
		if _, err := ParseMsg(body); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

func TestQueryRoundTrip(t *testing.T) {
	msg := BuildQuery(5, FlagSlaveOK, "db.$cmd", doc())
	h, err := ParseHeader(msg)
	if err != nil || h.OpCode != OpQuery || int(h.Length) != len(msg) || h.RequestID != 5 {
		t.Fatalf("header %+v, %v", h, err)
	}
	q, err := ParseQuery(msg[HeaderSize:])
	if err != nil || !reflect.DeepEqual(q, Query{Flags: FlagSlaveOK, Namespace: "db.$cmd", Doc: doc()}) {
		t.Fatalf("ParseQuery = %+v, %v", q, err)
	}
}

func TestKillCursorsRoundTrip(t *testing.T) {
	msg := BuildKillCursors(0, []int64{1, -2, 1 << 40})
	ids, err := ParseKillCursors(msg[HeaderSize:])
	if err != nil || !reflect.DeepEqual(ids, []int64{1, -2, 1 << 40}) {
		t.Fatalf("ParseKillCursors = %v, %v", ids, err)
	}
	if _, err := ParseKillCursors(msg[HeaderSize : len(msg)-1]); !errors.Is(err, ErrMalformed) {
		t.Fatalf("truncated: %v, want ErrMalformed", err)
	}
}

func TestReplyRoundTrip(t *testing.T) {
	msg := BuildReply(9, FlagQueryFailure, doc())
	h, body, err := ReadMessage(bytes.NewReader(msg))
	if err != nil || h.ResponseTo != 9 || h.OpCode != OpReply {
		t.Fatalf("ReadMessage: %+v, %v", h, err)
	}
	flags, d, err := ParseReply(body)
	if err != nil || flags != FlagQueryFailure || !bytes.Equal(d, doc()) {
		t.Fatalf("ParseReply = %d, %v, %v", flags, d, err)
	}
	binary.LittleEndian.PutUint32(body[16:], 2)
	if _, _, err := ParseReply(body); !errors.Is(err, ErrUnsupported) {
		t.Fatalf("two documents: %v, want ErrUnsupported", err)
	}
}

func TestReadMessageBounds(t *testing.T) {
	for name, length := range map[string]int32{"below a header": HeaderSize - 1, "negative": -1, "oversized": MaxMessageSize + 1} {
		b := make([]byte, HeaderSize)
		PutHeader(b, 1, 0, OpMsg)
		binary.LittleEndian.PutUint32(b, uint32(length))
		if _, _, err := ReadMessage(bytes.NewReader(b)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
	if _, err := ParseHeader(make([]byte, 3)); !errors.Is(err, ErrMalformed) {
		t.Errorf("short header: %v, want ErrMalformed", err)
	}
}

// FuzzParseMsg checks that ParseMsg never panics and that what it accepts
// lies within the bytes it was given.
func FuzzParseMsg(f *testing.F) {
	f.Add(BuildMsg(1, 0, 0, doc())[HeaderSize:])
	f.Add(append(BuildMsg(1, 0, 0, doc())[HeaderSize:], sequence("documents", doc())...))
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := ParseMsg(body)
		if err != nil {
			return
		}
		n := len(m.Body)
		for _, s := range m.Sequences {
			for _, d := range s.Docs {
				n += len(d)
			}
		}
		if n > len(body) {
			t.Fatalf("parsed %d bytes of documents out of %d", n, len(body))
		}
	})
}
