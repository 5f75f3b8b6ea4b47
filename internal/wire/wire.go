package wire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ErrMalformed is the cause of the errors returned for a message that
// breaks the protocol: a length out of bounds or past the end of the
// bytes given. Match it with [errors.Is].
var ErrMalformed = errors.New("malformed wire protocol message")

// ErrUnsupported is the cause of the errors returned for a well-formed
// message in a form that this package does not read.
var ErrUnsupported = errors.New("unsupported wire protocol message")

// Operation codes.
const (
	OpReply       = 1
	OpUpdate      = 2001
	OpInsert      = 2002
	OpQuery       = 2004
	OpGetMore     = 2005
	OpDelete      = 2006
	OpKillCursors = 2007
	OpCompressed  = 2012
	OpMsg         = 2013
)

// Sizes of the protocol, in bytes.
const (
	// HeaderSize is the size of the standard message header.
	HeaderSize = 16
	// MaxMessageSize is MongoDB's maxMessageSizeBytes, the largest message
	// that a server sends or accepts.
	MaxMessageSize = 48000000
	// MinDocSize is the size of the empty BSON document.
	MinDocSize = 5
)

// OP_QUERY and OP_REPLY flag bits.
const (
	// FlagSlaveOK marks an OP_QUERY that a secondary may answer.
	FlagSlaveOK = 1 << 2
	// FlagQueryFailure marks an OP_REPLY whose document is a query error
	// ({$err, code}).
	FlagQueryFailure = 1 << 1
)

// OP_MSG flag bits.
const (
	MsgChecksumPresent = 1 << 0
	MsgMoreToCome      = 1 << 1
	MsgExhaustAllowed  = 1 << 16
)

// Header is the standard message header.
type Header struct {
	Length     int32 // of the whole message, header included
	RequestID  int32
	ResponseTo int32
	OpCode     int32
}

// ParseHeader reads a header from the first HeaderSize bytes of b and
// checks its Length against [HeaderSize] and [MaxMessageSize]. b must hold
// at least HeaderSize bytes.
func ParseHeader(b []byte) (Header, error) {
	if len(b) < HeaderSize {
		return Header{}, fmt.Errorf("%w: %d bytes, too short for a header", ErrMalformed, len(b))
	}
	h := Header{
		Length:     int32(binary.LittleEndian.Uint32(b[0:])),
		RequestID:  int32(binary.LittleEndian.Uint32(b[4:])),
		ResponseTo: int32(binary.LittleEndian.Uint32(b[8:])),
		OpCode:     int32(binary.LittleEndian.Uint32(b[12:])),
	}
	if h.Length < HeaderSize || h.Length > MaxMessageSize {
		return h, fmt.Errorf("%w: message length %d outside [%d, %d]", ErrMalformed, h.Length, HeaderSize, MaxMessageSize)
	}
	return h, nil
}

// ReadMessage reads one whole message from r and returns its header and
// body (the bytes after the header). Errors are r's, or have the cause
// [ErrMalformed] for a length out of bounds.
func ReadMessage(r io.Reader) (Header, []byte, error) {
	var b [HeaderSize]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return Header{}, nil, err
	}
	h, err := ParseHeader(b[:])
	if err != nil {
		return h, nil, err
	}
	body := make([]byte, h.Length-HeaderSize)
	if _, err := io.ReadFull(r, body); err != nil {
		return h, nil, err
	}
	return h, body, nil
}

// PutHeader writes a header into the first HeaderSize bytes of msg, for a
// message that is len(msg) bytes long.
func PutHeader(msg []byte, requestID, responseTo, opCode int32) {
	binary.LittleEndian.PutUint32(msg[0:], uint32(len(msg)))
	binary.LittleEndian.PutUint32(msg[4:], uint32(requestID))
	binary.LittleEndian.PutUint32(msg[8:], uint32(responseTo))
	binary.LittleEndian.PutUint32(msg[12:], uint32(opCode))
}

// SliceDoc returns the BSON document at the start of b, after checking
// that its length prefix fits in b and that its last byte is the
// terminating NUL. It does not look inside the document.
func SliceDoc(b []byte) ([]byte, error) {
	if len(b) < MinDocSize {
		return nil, fmt.Errorf("%w: %d bytes, too short for a document", ErrMalformed, len(b))
	}
	n := int64(int32(binary.LittleEndian.Uint32(b)))
	if n < MinDocSize || n > int64(len(b)) {
		return nil, fmt.Errorf("%w: document length %d outside [%d, %d]", ErrMalformed, n, MinDocSize, len(b))
	}
	if b[n-1] != 0 {
		return nil, fmt.Errorf("%w: document of %d bytes not terminated", ErrMalformed, n)
	}
	return b[:n], nil
}
