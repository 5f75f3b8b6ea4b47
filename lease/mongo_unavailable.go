package lease

import (
	"errors"

	"github.com/seed07a61904/leadership/internal/mongoerr"
)

// IsUnavailable reports whether err says that the store could not be
// reached or could not confirm what was asked, so that the operation's
// outcome is unknown: an error matching [ErrUnavailable], or an error of
// the caller's own mgo.v2 or mgo/txn operation on the store (such as a
// transaction fenced with a token's AssertOps) that the MongoDB client
// would report as ErrUnavailable: a dropped or refused connection, "no
// reachable servers", a "not primary" or "node is recovering" reply, a
// write concern error (wtimeout included), including the ones mgo/txn
// flattens into text. An operation that met such an error may or may not
// have been applied: read the store to find out (for an mgo/txn
// transaction, run it again with the same id, or resume it with
// txn.Runner.Resume). txn.Runner.ResumeAll is a poor fit after an outage:
// it reads the pending transactions with mgo's iterator, which can hang
// if the connection dies (internal/mgoread's package doc), and returns
// nil when that read fails.
func IsUnavailable(err error) bool {
	return errors.Is(err, ErrUnavailable) || mongoerr.Unavailable(err)
}
