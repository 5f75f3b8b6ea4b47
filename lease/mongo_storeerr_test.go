package lease

import (
	"fmt"
	"io"
	"net"
	"syscall"

	"github.com/juju/errors"
	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
	"gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/txn"

	"github.com/seed07a61904/leadership/internal/mongoerr"
)

type StoreErrorSuite struct{}

var _ = gc.Suite(&StoreErrorSuite{})

// TestClassification lists what mgo.v2 and mgo/txn return, with whether
// the client reports it as ErrUnavailable.
func (s *StoreErrorSuite) TestClassification(c *gc.C) {
	for i, t := range []struct {
		err         error
		unavailable bool
	}{
		{io.EOF, true},
		{io.ErrUnexpectedEOF, true},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}, true},
		{fmt.Errorf("write: %w", syscall.EPIPE), true},
		{errors.New("no reachable servers"), true},
		{errors.New("Closed explicitly"), true},
		{errors.Annotate(errors.New("no reachable servers"), "cannot read"), true},
		{mongoerr.ErrNotPrimary, true},
		{txn.ErrChaos, true},
		{&mgo.QueryError{Code: 10107, Message: "not primary"}, true},
		{&mgo.QueryError{Code: 13435, Message: "not primary and secondaryOk=false"}, true},
		{&mgo.QueryError{Code: 11602, Message: "operation was interrupted"}, true},
		{&mgo.QueryError{Code: 91, Message: "shutdown in progress"}, true},
		{&mgo.QueryError{Code: 189, Message: "primary stepped down"}, true},
		{&mgo.QueryError{Code: 64, Message: "waiting for replication timed out"}, true},
		{&mgo.QueryError{Code: 89, Message: "network timeout"}, true},
		{&mgo.QueryError{Message: "node is recovering"}, true},
		{&mgo.QueryError{Message: "not master"}, true},
		{&mgo.LastError{Err: "timeout", WTimeout: true}, true},
		{&mgo.LastError{Code: 64, Err: "write concern"}, true},
		{&mgo.LastError{Code: 10107, Err: "not primary"}, true},
		{&mgo.QueryError{Code: 2, Message: "bad value"}, false},
		{&mgo.QueryError{Code: 11000, Message: "E11000 duplicate key"}, false},
		{&mgo.LastError{Code: 11000, Err: "E11000 duplicate key"}, false},
		{mgo.ErrNotFound, false},
		{txn.ErrAborted, false},
		{errors.New("boom"), false},
	} {
		err := storeError(t.err)
		c.Check(errors.Is(err, ErrUnavailable), gc.Equals, t.unavailable, gc.Commentf("%d: %#v", i, t.err))
		c.Check(errors.Is(err, t.err), jc.IsTrue, gc.Commentf("%d: the cause is kept", i))
	}
	c.Check(storeError(nil), jc.ErrorIsNil)
}

func (s *StoreErrorSuite) TestCorrupt(c *gc.C) {
	err := corrupt(errors.New(`corrupt lease document "x": bad`))
	c.Check(errors.Is(err, ErrCorrupt), jc.IsTrue)
	c.Check(errors.Is(err, ErrUnavailable), jc.IsFalse)
	c.Check(err, gc.ErrorMatches, `corrupt lease document "x": bad`)
}

// TestCursorError: cursorError, for the reads through a cursor (the
// stepped refresh's and internal/mgoread's), classifies as storeError
// does, and a cursor the server lost (CursorNotFound, 43) as
// ErrUnavailable too, also under an annotation, with one prefix.
func (s *StoreErrorSuite) TestCursorError(c *gc.C) {
	lost := &mgo.QueryError{Code: codeCursorNotFound, Message: "cursor id 7 not found"}
	for i, t := range []struct {
		err         error
		unavailable bool
		message     string
	}{
		{lost, true, "lease store unavailable: cursor id 7 not found"},
		{errors.Annotate(lost, "reading complete transactions"), true, "lease store unavailable: reading complete transactions: cursor id 7 not found"},
		{io.EOF, true, "lease store unavailable: EOF"},
		{&mgo.QueryError{Code: 10107, Message: "not primary"}, true, "lease store unavailable: not primary"},
		{&mgo.QueryError{Code: 2, Message: "bad value"}, false, "bad value"},
		{errors.New("boom"), false, "boom"},
	} {
		err := cursorError(t.err)
		c.Check(errors.Is(err, ErrUnavailable), gc.Equals, t.unavailable, gc.Commentf("%d: %#v", i, t.err))
		c.Check(errors.Is(err, t.err), jc.IsTrue, gc.Commentf("%d: the cause is kept", i))
		c.Check(err.Error(), gc.Equals, t.message, gc.Commentf("%d", i))
	}
	c.Check(cursorError(nil), jc.ErrorIsNil)
}
