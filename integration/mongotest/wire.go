package mongotest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/seed07a61904/leadership/internal/wire"
)

// This file reads and writes the MongoDB wire protocol messages of the
// server: OP_MSG in both directions, and, for the handshake alone, OP_QUERY
// requests answered with OP_REPLY.

// The framing itself is the library's internal/wire, which mgowire uses
// too; this file adds what a server needs on top of it.

// flagQueryFailure marks an OP_REPLY whose document is a query error.
const flagQueryFailure = wire.FlagQueryFailure

// msgRequiredBits are the OP_MSG flag bits that a receiver must know: a
// message with another of them set must be refused.
const msgRequiredBits = 0xffff

// msg is a parsed OP_MSG request.
type msg struct {
	flags uint32
	body  []element // the body section, with each document sequence appended as an array
}

// parseMsg parses an OP_MSG body with [wire.ParseMsg] and checks what a
// server must: no unknown required flag bits, a well-formed body, no
// document sequence named like a body field. Each document sequence
// becomes an array field of the body, named by its identifier, as the
// OP_MSG specification says a server must treat it.
func parseMsg(body []byte) (msg, error) {
	wm, err := wire.ParseMsg(body)
	if err != nil {
		return msg{}, err
	}
	m := msg{flags: wm.Flags}
	if unknown := m.flags & msgRequiredBits &^ (wire.MsgChecksumPresent | wire.MsgMoreToCome); unknown != 0 {
		return msg{}, fmt.Errorf("OP_MSG has unknown required flag bits 0x%x", unknown)
	}
	if m.body, err = splitDoc(wm.Body); err != nil {
		return msg{}, fmt.Errorf("OP_MSG body: %w", err)
	}
	for _, seq := range wm.Sequences {
		if _, dup := lookup(m.body, seq.ID); dup {
			return msg{}, fmt.Errorf("OP_MSG document sequence %q duplicates a body field", seq.ID)
		}
		docs := make([]element, len(seq.Docs))
		for i, doc := range seq.Docs {
			if _, err := splitDoc(doc); err != nil {
				return msg{}, fmt.Errorf("OP_MSG document sequence %q: %w", seq.ID, err)
			}
			docs[i] = element{kind: bsonDocument, key: strconv.Itoa(i), value: doc}
		}
		m.body = append(m.body, element{kind: bsonArray, key: seq.ID, value: buildDoc(docs)})
	}
	return m, nil
}

// parseMsgReply returns the body document of FerretDB's OP_MSG reply.
func parseMsgReply(h wire.Header, body []byte) ([]byte, error) {
	if h.OpCode != wire.OpMsg {
		return nil, fmt.Errorf("reply has opcode %d, want OP_MSG", h.OpCode)
	}
	m, err := wire.ParseMsg(body)
	if err != nil {
		return nil, err
	}
	if m.Flags&wire.MsgMoreToCome != 0 || len(m.Sequences) > 0 {
		return nil, errors.New("OP_MSG reply with moreToCome or document sequences is not supported")
	}
	return m.Body, nil
}

// okReply returns a successful command reply with the given fields.
func okReply(fields ...element) []byte {
	return buildDoc(append(fields, doubleElement("ok", 1)))
}

// errorReply returns a failed command reply, as MongoDB words them: ok,
// errmsg, code and codeName.
func errorReply(code int32, format string, args ...any) []byte {
	return buildDoc(errorFields(code, fmt.Sprintf(format, args...)))
}

// errorFields returns the fields of a failed command reply.
func errorFields(code int32, errmsg string) []element {
	return []element{
		doubleElement("ok", 0),
		stringElement("errmsg", errmsg),
		int32Element("code", code),
		stringElement("codeName", codeNames[code]),
	}
}

// doubleElement returns a BSON double element.
func doubleElement(key string, f float64) element {
	return element{kind: bsonDouble, key: key, value: binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))}
}

// int32Element returns a BSON int32 element.
func int32Element(key string, n int32) element {
	return element{kind: bsonInt32, key: key, value: binary.LittleEndian.AppendUint32(nil, uint32(n))}
}

// boolElement returns a BSON boolean element.
func boolElement(key string, v bool) element {
	b := byte(0)
	if v {
		b = 1
	}
	return element{kind: bsonBool, key: key, value: []byte{b}}
}

// binaryElement returns a BSON binary element of the generic subtype.
func binaryElement(key string, data []byte) element {
	v := binary.LittleEndian.AppendUint32(nil, uint32(len(data)))
	v = append(append(v, 0), data...)
	return element{kind: bsonBinary, key: key, value: v}
}

// docElement returns a BSON embedded document element.
func docElement(key string, fields ...element) element {
	return element{kind: bsonDocument, key: key, value: buildDoc(fields)}
}

// int64Element returns a BSON int64 element.
func int64Element(key string, n int64) element {
	return element{kind: bsonInt64, key: key, value: binary.LittleEndian.AppendUint64(nil, uint64(n))}
}

// objectIDElement returns a BSON ObjectId element with the 12 bytes id.
func objectIDElement(key string, id []byte) element {
	return element{kind: bsonObjectID, key: key, value: append([]byte(nil), id...)}
}

// stringArrayElement returns a BSON array element of strings.
func stringArrayElement(key string, values ...string) element {
	items := make([]element, len(values))
	for i, v := range values {
		items[i] = stringElement(strconv.Itoa(i), v)
	}
	return element{kind: bsonArray, key: key, value: buildDoc(items)}
}
