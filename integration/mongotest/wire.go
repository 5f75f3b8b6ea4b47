package mongotest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// This file frames the MongoDB wire protocol messages that the server
// reads and writes: OP_MSG in both directions, and, for the handshake
// alone, OP_QUERY requests answered with OP_REPLY.

// Wire protocol operation codes.
const (
	opReply = 1
	opQuery = 2004
	opMsg   = 2013
)

// Sizes of the protocol.
const (
	headerSize     = 16
	maxMessageSize = 48000000 // MongoDB's maxMessageSizeBytes
)

// flagQueryFailure marks an OP_REPLY whose document is a query error.
const flagQueryFailure = 2

// OP_MSG flag bits. The low 16 bits are "required": a receiver that does
// not know one of them must fail the message.
const (
	msgChecksumPresent = 1 << 0
	msgMoreToCome      = 1 << 1
	msgExhaustAllowed  = 1 << 16
	msgRequiredBits    = 0xffff
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
// query document and an optional field selector, which is ignored.
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

// msg is a parsed OP_MSG request.
type msg struct {
	flags uint32
	body  []element // the body section, with each document sequence appended as an array
}

// parseMsg parses an OP_MSG body: flag bits, exactly one body section
// (kind 0), any number of document sequences (kind 1), and an optional
// checksum, which is not verified. Each document sequence becomes an array
// field of the body, named by its identifier, as the OP_MSG specification
// says a server must treat it.
func parseMsg(body []byte) (msg, error) {
	if len(body) < 4 {
		return msg{}, errors.New("OP_MSG too short")
	}
	m := msg{flags: binary.LittleEndian.Uint32(body)}
	if unknown := m.flags & msgRequiredBits &^ (msgChecksumPresent | msgMoreToCome); unknown != 0 {
		return msg{}, fmt.Errorf("OP_MSG has unknown required flag bits 0x%x", unknown)
	}
	rest := body[4:]
	if m.flags&msgChecksumPresent != 0 {
		if len(rest) < 4 {
			return msg{}, errors.New("OP_MSG too short for its checksum")
		}
		rest = rest[:len(rest)-4]
	}
	var bodyDoc []byte
	var seqs []element
	for len(rest) > 0 {
		kind := rest[0]
		rest = rest[1:]
		if len(rest) < 4 {
			return msg{}, errors.New("OP_MSG section truncated")
		}
		n := int(binary.LittleEndian.Uint32(rest))
		if n < 5 || n > len(rest) {
			return msg{}, errors.New("OP_MSG section length out of range")
		}
		section := rest[:n]
		rest = rest[n:]
		switch kind {
		case 0:
			if bodyDoc != nil {
				return msg{}, errors.New("OP_MSG has more than one body section")
			}
			bodyDoc = section
		case 1:
			seq, err := parseSequence(section[4:])
			if err != nil {
				return msg{}, err
			}
			seqs = append(seqs, seq)
		default:
			return msg{}, fmt.Errorf("OP_MSG section of unknown kind %d", kind)
		}
	}
	if bodyDoc == nil {
		return msg{}, errors.New("OP_MSG has no body section")
	}
	var err error
	if m.body, err = splitDoc(bodyDoc); err != nil {
		return msg{}, fmt.Errorf("OP_MSG body: %w", err)
	}
	for _, seq := range seqs {
		if _, dup := lookup(m.body, seq.key); dup {
			return msg{}, fmt.Errorf("OP_MSG document sequence %q duplicates a body field", seq.key)
		}
	}
	m.body = append(m.body, seqs...)
	return m, nil
}

// parseSequence returns the content of a document sequence section (after
// its size) as an array element named by its identifier.
func parseSequence(b []byte) (element, error) {
	end := bytes.IndexByte(b, 0)
	if end < 0 {
		return element{}, errors.New("OP_MSG document sequence identifier not terminated")
	}
	e := element{kind: bsonArray, key: string(b[:end])}
	rest := b[end+1:]
	var docs []element
	for len(rest) > 0 {
		if len(rest) < 5 {
			return element{}, errors.New("OP_MSG document sequence truncated")
		}
		n := int(binary.LittleEndian.Uint32(rest))
		if n < 5 || n > len(rest) {
			return element{}, errors.New("OP_MSG document sequence length out of range")
		}
		if _, err := splitDoc(rest[:n]); err != nil {
			return element{}, fmt.Errorf("OP_MSG document sequence %q: %w", e.key, err)
		}
		docs = append(docs, element{kind: bsonDocument, key: fmt.Sprint(len(docs)), value: rest[:n]})
		rest = rest[n:]
	}
	e.value = buildDoc(docs)
	return e, nil
}

// buildMsg returns an OP_MSG message with no flags and the single
// document doc as its body section.
func buildMsg(requestID, responseTo int32, doc []byte) []byte {
	b := appendHeader(make([]byte, 0, headerSize+5+len(doc)), 5+len(doc), requestID, responseTo, opMsg)
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

// int64Element returns a BSON int64 element.
func int64Element(key string, n int64) element {
	return element{kind: bsonInt64, key: key, value: binary.LittleEndian.AppendUint64(nil, uint64(n))}
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
