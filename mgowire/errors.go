package mgowire

import (
	"errors"

	"github.com/seed07a61904/leadership/internal/mongoerr"
	"github.com/seed07a61904/leadership/internal/wire"
)

// ErrMalformed is the cause of the error a translating connection fails
// with when a message, from mgo or from the server, breaks the wire
// protocol: a length out of bounds or past the end of its message, a
// document that does not parse, an OP_MSG with an unknown required flag
// bit (bits 0-15 other than checksumPresent and moreToCome). The connection is closed; mgo sees the
// error from Write or Read and discards the socket. Match it with
// [errors.Is].
var ErrMalformed = wire.ErrMalformed

// ErrUnsupported is the cause of the error a translating connection fails
// with when mgo sends an operation that mgowire does not translate
// (OP_INSERT, OP_UPDATE, OP_DELETE, OP_GET_MORE, OP_COMPRESSED or an
// unknown opcode: mgo.v2 sends none of them to a server of wire version 4
// or later), or the server replies in a form mgowire does not read
// (moreToCome, document sequences). The connection is closed. Match it with
// [errors.Is].
var ErrUnsupported = wire.ErrUnsupported

// ErrNotPrimary is the cause of the error that Read and Write return on a
// translating connection after it passed mgo a reply saying that the
// server is not (or no longer) the primary, or is shutting down or
// recovering. The connection closes itself so that mgo discards the socket
// and looks for the primary again; see docs/mongodb.md#replies-on-a-replica-set. Match it
// with [errors.Is].
var ErrNotPrimary = mongoerr.ErrNotPrimary

// ErrAuth is the cause of the error a connection fails with when the
// server refuses the credentials, or the SCRAM conversation goes wrong.
// mgo sees it as a failure to reach the server, and retries until its
// Timeout; the error of [DialWithInfo] or [Dial] then wraps it. Match it
// with [errors.Is].
var ErrAuth = errors.New("mgowire: authentication failed")

// ErrInvalid is the cause of the errors that [DialWithInfo] and [Dial]
// return for an unusable configuration or URL; the message names the field
// or option and its value. Match it with [errors.Is].
var ErrInvalid = errors.New("mgowire: invalid configuration")
