package wire

import (
	"encoding/binary"
	"fmt"
)

// BuildMsg returns an OP_MSG message with the given flags and the single
// document doc as its body section (kind 0).
func BuildMsg(requestID, responseTo int32, flags uint32, doc []byte) []byte {
	msg := make([]byte, HeaderSize+4+1+len(doc))
	PutHeader(msg, requestID, responseTo, OpMsg)
	binary.LittleEndian.PutUint32(msg[HeaderSize:], flags)
	msg[HeaderSize+4] = 0 // section kind 0: the body
	copy(msg[HeaderSize+5:], doc)
	return msg
}

// Msg is a parsed OP_MSG body.
type Msg struct {
	Flags uint32
	Body  []byte // the body document (section kind 0)
	// Sequences are the document sequences (section kind 1), by
	// identifier, in order.
	Sequences []Sequence
}

// Sequence is a document sequence section of an OP_MSG.
type Sequence struct {
	ID   string
	Docs [][]byte
}

// ParseMsg parses an OP_MSG body: its flags, exactly one body section and
// any number of document sequences. A checksum, if flagged, is dropped
// unchecked (TCP and TLS already check the bytes).
func ParseMsg(body []byte) (Msg, error) {
	if len(body) < 4+1+MinDocSize {
		return Msg{}, fmt.Errorf("%w: OP_MSG of %d bytes", ErrMalformed, len(body))
	}
	m := Msg{Flags: binary.LittleEndian.Uint32(body)}
	rest := body[4:]
	if m.Flags&MsgChecksumPresent != 0 {
		rest = rest[:len(rest)-4]
	}
	for len(rest) > 0 {
		kind := rest[0]
		rest = rest[1:]
		switch kind {
		case 0:
			if m.Body != nil {
				return Msg{}, fmt.Errorf("%w: OP_MSG with two body sections", ErrMalformed)
			}
			doc, err := SliceDoc(rest)
			if err != nil {
				return Msg{}, fmt.Errorf("OP_MSG body: %w", err)
			}
			m.Body, rest = doc, rest[len(doc):]
		case 1:
			seq, n, err := parseSequence(rest)
			if err != nil {
				return Msg{}, err
			}
			m.Sequences, rest = append(m.Sequences, seq), rest[n:]
		default:
			return Msg{}, fmt.Errorf("%w: OP_MSG section of kind %d", ErrMalformed, kind)
		}
	}
	if m.Body == nil {
		return Msg{}, fmt.Errorf("%w: OP_MSG without a body section", ErrMalformed)
	}
	return m, nil
}

// parseSequence parses a document sequence section (after its kind byte)
// at the start of b and returns it with its size.
func parseSequence(b []byte) (Sequence, int, error) {
	if len(b) < 4 {
		return Sequence{}, 0, fmt.Errorf("%w: OP_MSG sequence of %d bytes", ErrMalformed, len(b))
	}
	n := int64(int32(binary.LittleEndian.Uint32(b)))
	if n < 5 || n > int64(len(b)) {
		return Sequence{}, 0, fmt.Errorf("%w: OP_MSG sequence length %d outside [5, %d]", ErrMalformed, n, len(b))
	}
	rest := b[4:n]
	end := -1
	for i, c := range rest {
		if c == 0 {
			end = i
			break
		}
	}
	if end < 0 {
		return Sequence{}, 0, fmt.Errorf("%w: OP_MSG sequence identifier not terminated", ErrMalformed)
	}
	seq := Sequence{ID: string(rest[:end])}
	rest = rest[end+1:]
	for len(rest) > 0 {
		doc, err := SliceDoc(rest)
		if err != nil {
			return Sequence{}, 0, fmt.Errorf("OP_MSG sequence %q: %w", seq.ID, err)
		}
		seq.Docs, rest = append(seq.Docs, doc), rest[len(doc):]
	}
	return seq, int(n), nil
}
