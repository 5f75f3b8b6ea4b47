package wire

import (
	"bytes"
	"encoding/binary"
	"fmt"
)

// Query is a parsed OP_QUERY body.
type Query struct {
	Flags     int32
	Namespace string // "db.collection"; commands go to "db.$cmd"
	Doc       []byte // the query document, its length checked
}

// ParseQuery parses an OP_QUERY body: flags, namespace, skip, limit, the
// query document, and an optional field selector, which commands do not
// use and which is not returned.
func ParseQuery(body []byte) (Query, error) {
	if len(body) < 4 {
		return Query{}, fmt.Errorf("%w: OP_QUERY of %d bytes", ErrMalformed, len(body))
	}
	q := Query{Flags: int32(binary.LittleEndian.Uint32(body))}
	rest := body[4:]
	end := bytes.IndexByte(rest, 0)
	if end < 0 {
		return Query{}, fmt.Errorf("%w: OP_QUERY namespace not terminated", ErrMalformed)
	}
	q.Namespace = string(rest[:end])
	rest = rest[end+1:]
	if len(rest) < 8+MinDocSize {
		return Query{}, fmt.Errorf("%w: OP_QUERY on %q too short for a document", ErrMalformed, q.Namespace)
	}
	doc, err := SliceDoc(rest[8:]) // after numberToSkip, numberToReturn
	if err != nil {
		return Query{}, fmt.Errorf("OP_QUERY on %q: %w", q.Namespace, err)
	}
	q.Doc = doc
	return q, nil
}

// BuildQuery returns an OP_QUERY message on namespace ns with the given
// flags and query document doc, asking for one document, as mgo.v2 sends
// a command.
func BuildQuery(requestID, flags int32, ns string, doc []byte) []byte {
	msg := make([]byte, HeaderSize+4+len(ns)+1+8+len(doc))
	PutHeader(msg, requestID, 0, OpQuery)
	b := msg[HeaderSize:]
	binary.LittleEndian.PutUint32(b, uint32(flags))
	copy(b[4:], ns)
	b = b[4+len(ns)+1:]
	binary.LittleEndian.PutUint32(b[4:], ^uint32(0)) // numberToReturn -1
	copy(b[8:], doc)
	return msg
}

// ParseKillCursors returns the cursor ids of an OP_KILL_CURSORS body.
func ParseKillCursors(body []byte) ([]int64, error) {
	if len(body) < 8 {
		return nil, fmt.Errorf("%w: OP_KILL_CURSORS of %d bytes", ErrMalformed, len(body))
	}
	n := int64(int32(binary.LittleEndian.Uint32(body[4:])))
	if n < 0 || int64(len(body)-8) != 8*n {
		return nil, fmt.Errorf("%w: OP_KILL_CURSORS says %d cursors in %d bytes", ErrMalformed, n, len(body)-8)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = int64(binary.LittleEndian.Uint64(body[8+8*i:]))
	}
	return ids, nil
}

// BuildKillCursors returns an OP_KILL_CURSORS message for ids.
func BuildKillCursors(requestID int32, ids []int64) []byte {
	msg := make([]byte, HeaderSize+8+8*len(ids))
	PutHeader(msg, requestID, 0, OpKillCursors)
	binary.LittleEndian.PutUint32(msg[HeaderSize+4:], uint32(len(ids)))
	for i, id := range ids {
		binary.LittleEndian.PutUint64(msg[HeaderSize+8+8*i:], uint64(id))
	}
	return msg
}

// BuildReply returns an OP_REPLY message answering the request requestTo
// with the single document doc, as a server answers a command.
func BuildReply(requestTo int32, flags int32, doc []byte) []byte {
	const fixed = 4 + 8 + 4 + 4
	msg := make([]byte, HeaderSize+fixed+len(doc))
	PutHeader(msg, 0, requestTo, OpReply)
	binary.LittleEndian.PutUint32(msg[HeaderSize:], uint32(flags))
	// The cursor id (8 bytes) and startingFrom (4) stay zero: a command
	// reply is one document.
	binary.LittleEndian.PutUint32(msg[HeaderSize+16:], 1) // numberReturned
	copy(msg[HeaderSize+fixed:], doc)
	return msg
}

// ParseReply returns the flags and the first document of an OP_REPLY
// body.
func ParseReply(body []byte) (flags int32, doc []byte, err error) {
	const fixed = 4 + 8 + 4 + 4
	if len(body) < fixed+MinDocSize {
		return 0, nil, fmt.Errorf("%w: OP_REPLY of %d bytes", ErrMalformed, len(body))
	}
	flags = int32(binary.LittleEndian.Uint32(body))
	if n := binary.LittleEndian.Uint32(body[16:]); n != 1 {
		return 0, nil, fmt.Errorf("%w: OP_REPLY with %d documents", ErrUnsupported, n)
	}
	doc, err = SliceDoc(body[fixed:])
	if err != nil {
		return 0, nil, fmt.Errorf("OP_REPLY: %w", err)
	}
	return flags, doc, nil
}
