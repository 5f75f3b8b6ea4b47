package mongotest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// This file frames the MongoDB wire protocol messages that the bridge
// reads and writes: mgo.v2 speaks the legacy OP_QUERY, OP_REPLY and
// OP_KILL_CURSORS; FerretDB speaks only OP_MSG.

// Wire protocol operation codes.
const (
	opReply       = 1
	opQuery       = 2004
	opKillCursors = 2007
	opMsg         = 2013
)

// Sizes of the protocol.
const (
	headerSize     = 16
	maxMessageSize = 48000000 // MongoDB's maxMessageSizeBytes
)

// flagQueryFailure marks an OP_REPLY whose document is a query error.
const flagQueryFailure = 2

// OP_MSG flag bits the bridge has to know about.
const (
	msgChecksumPresent = 1 << 0
	msgMoreToCome      = 1 << 1
)

// header is the standard message header.
type header struct {
	length     int32
	requestID  int32
	responseTo int32
	opCode     int32
}

// readMessage reads one message from r and returns its header and body.
func readMessage(r io.Reader) (header, []byte, error) {
	var b [headerSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return header{}, nil, err
	}
	h := header{
		length:     int32(binary.LittleEndian.Uint32(b[0:])),
		requestID:  int32(binary.LittleEndian.Uint32(b[4:])),
		responseTo: int32(binary.LittleEndian.Uint32(b[8:])),
		opCode:     int32(binary.LittleEndian.Uint32(b[12:])),
	}
	if h.length < headerSize || h.length > maxMessageSize {
		return h, nil, fmt.Errorf("message length %d out of range", h.length)
	}
	body := make([]byte, h.length-headerSize)
	if _, err := io.ReadFull(r, body); err != nil {
		return h, nil, err
	}
	return h, body, nil
}

// appendHeader appends a message header to b for a body of bodyLen bytes.
func appendHeader(b []byte, bodyLen int, requestID, responseTo, opCode int32) []byte {
	b = binary.LittleEndian.AppendUint32(b, uint32(headerSize+bodyLen))
	b = binary.LittleEndian.AppendUint32(b, uint32(requestID))
	b = binary.LittleEndian.AppendUint32(b, uint32(responseTo))
	return binary.LittleEndian.AppendUint32(b, uint32(opCode))
}

// query is a parsed OP_QUERY body.
type query struct {
	namespace string
	doc       []byte
}

// parseQuery parses an OP_QUERY body: flags, namespace, skip, limit, the
// query document and an optional field selector, which the bridge ignores.
func parseQuery(body []byte) (query, error) {
	if len(body) < 4 {
		return query{}, errors.New("OP_QUERY too short")
	}
	rest := body[4:]
	end := bytes.IndexByte(rest, 0)
	if end < 0 {
		return query{}, errors.New("OP_QUERY namespace not terminated")
	}
	q := query{namespace: string(rest[:end])}
	rest = rest[end+1:]
	if len(rest) < 8+4 {
		return query{}, errors.New("OP_QUERY too short")
	}
	rest = rest[8:]
	n := int(binary.LittleEndian.Uint32(rest))
	if n < 5 || n > len(rest) {
		return query{}, errors.New("OP_QUERY document length out of range")
	}
	q.doc = rest[:n]
	return q, nil
}

// parseKillCursors returns the cursor ids of an OP_KILL_CURSORS body.
func parseKillCursors(body []byte) ([]int64, error) {
	if len(body) < 8 {
		return nil, errors.New("OP_KILL_CURSORS too short")
	}
	n := int64(int32(binary.LittleEndian.Uint32(body[4:])))
	if n < 0 || int64(len(body)-8) != 8*n {
		return nil, errors.New("OP_KILL_CURSORS cursor count does not match its length")
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(binary.LittleEndian.Uint64(body[8+8*i:]))
	}
	return ids, nil
}

// buildMsg returns an OP_MSG message with no flags and the single
// document doc as its body section.
func buildMsg(requestID int32, doc []byte) []byte {
	b := appendHeader(make([]byte, 0, headerSize+5+len(doc)), 5+len(doc), requestID, 0, opMsg)
	b = binary.LittleEndian.AppendUint32(b, 0)
	b = append(b, 0) // section kind 0: body
	return append(b, doc...)
}

// parseMsgReply returns the body document of an OP_MSG reply.
func parseMsgReply(h header, body []byte) ([]byte, error) {
	if h.opCode != opMsg {
		return nil, fmt.Errorf("reply has opcode %d, want OP_MSG", h.opCode)
	}
	if len(body) < 5 {
		return nil, errors.New("OP_MSG reply too short")
	}
	flags := binary.LittleEndian.Uint32(body)
	if flags&msgMoreToCome != 0 {
		return nil, errors.New("OP_MSG reply with moreToCome is not supported")
	}
	sections := body[4:]
	if flags&msgChecksumPresent != 0 {
		if len(sections) < 4 {
			return nil, errors.New("OP_MSG reply too short for its checksum")
		}
		sections = sections[:len(sections)-4]
	}
	if len(sections) < 5 || sections[0] != 0 {
		return nil, errors.New("OP_MSG reply does not consist of one body section")
	}
	doc := sections[1:]
	if int(binary.LittleEndian.Uint32(doc)) != len(doc) {
		return nil, errors.New("OP_MSG reply does not consist of one body section")
	}
	return doc, nil
}

// buildReply returns an OP_REPLY message to the request requestTo,
// carrying the single document doc.
func buildReply(requestTo int32, flags int32, doc []byte) []byte {
	const fixed = 4 + 8 + 4 + 4
	b := appendHeader(make([]byte, 0, headerSize+fixed+len(doc)), fixed+len(doc), 0, requestTo, opReply)
	b = binary.LittleEndian.AppendUint32(b, uint32(flags))
	b = binary.LittleEndian.AppendUint64(b, 0) // cursor id: commands reply in one document
	b = binary.LittleEndian.AppendUint32(b, 0) // starting from
	b = binary.LittleEndian.AppendUint32(b, 1) // number returned
	return append(b, doc...)
}

// okReply returns a successful command reply with the given fields.
func okReply(fields ...element) []byte {
	return buildDoc(append(fields, doubleElement("ok", 1)))
}

// errorReply returns a failed command reply, as MongoDB words them.
func errorReply(code int32, format string, args ...any) []byte {
	return buildDoc([]element{
		doubleElement("ok", 0),
		stringElement("errmsg", fmt.Sprintf(format, args...)),
		int32Element("code", code),
	})
}

// doubleElement returns a BSON double element.
func doubleElement(key string, f float64) element {
	return element{kind: bsonDouble, key: key, value: binary.LittleEndian.AppendUint64(nil, math.Float64bits(f))}
}

// int32Element returns a BSON int32 element.
func int32Element(key string, n int32) element {
	return element{kind: bsonInt32, key: key, value: binary.LittleEndian.AppendUint32(nil, uint32(n))}
}

// int64Element returns a BSON int64 element.
func int64Element(key string, n int64) element {
	return element{kind: bsonInt64, key: key, value: binary.LittleEndian.AppendUint64(nil, uint64(n))}
}
