package mongofixture

import (
	"errors"
	"io"
	"net"
	"syscall"

	"github.com/seed07a61904/leadership/mgowire"
)

// ClosedConnRetries is how many times [AfterClosedConns] calls again a
// call that met a closed connection. Each such failure uses one closed
// socket up (mgo drops it as the call fails). A "not primary" reply
// closes one connection; dropped connections close every one mgo has
// pooled, which in tests where one client calls at a time are the last
// call's and the cluster monitor's: at most 2 failures, and 1 spare for a
// socket mgo dialed while the fault was under way. A client that never
// recovers still fails every attempt.
const ClosedConnRetries = 3

// Logger is what [AfterClosedConns] logs to: a *gc.C or a testing.TB.
type Logger interface {
	Logf(format string, args ...any)
}

// AfterClosedConns calls call and, while it fails because mgo handed it a
// connection that a fault had closed ([ClosedConn]), calls it again, at
// most [ClosedConnRetries] more times; it returns call's last error, and
// logs each failure it retried, as what, to log.
//
// A "not primary" reply closes its connection (mgowire), and the
// embedded server's DropConnections, Stop and StepDown close connections;
// mgo drops a closed socket only when its reader goroutine next reads,
// which can be after the call that met the fault has put the socket back
// in the pool. A call in that instant takes the socket and fails too
// (docs/mongodb.md, "Not primary": "a retry gets a new one"). A test that
// checks that a client works again after such a fault makes the call
// through AfterClosedConns, so that it checks what the docs promise rather
// than which goroutine ran first.
func AfterClosedConns(log Logger, what string, call func() error) error {
	err := call()
	for i := 0; i < ClosedConnRetries && ClosedConn(err); i++ {
		log.Logf("%s met a closed connection, calling again: %v", what, err)
		err = call()
	}
	return err
}

// ClosedConn reports whether err (from mgo, or a lease client's error
// matching lease.ErrUnavailable) was caused by a connection closed under
// the call: by mgowire after a "not primary" reply ([mgowire.ErrNotPrimary]),
// or by the server (EOF, a reset, a broken pipe, a closed connection).
func ClosedConn(err error) bool {
	for _, cause := range []error{mgowire.ErrNotPrimary, io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.EPIPE, net.ErrClosed} {
		if errors.Is(err, cause) {
			return true
		}
	}
	return false
}
