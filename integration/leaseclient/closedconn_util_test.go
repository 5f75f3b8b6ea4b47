package leaseclient_test

import (
	"errors"
	"io"
	"net"
	"syscall"

	gc "gopkg.in/check.v1"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

// closedConnRetries is how many times afterClosedConns calls again a call
// that met a closed connection. Each such failure uses one closed socket
// up (mgo drops it as the call fails), and a fault closes no more than the
// sockets mgo has open: in these tests, where one client calls at a time,
// the call's and mgo's cluster monitor's.
const closedConnRetries = 3

// afterClosedConns calls call and, while it fails because mgo handed it a
// connection that a fault had closed, calls it again, at most
// closedConnRetries more times; it returns call's last error, and logs
// each failure it retried as what.
//
// A "not primary" reply closes its connection (mgowire), and
// Server.DropConnections closes every connection; mgo drops a closed
// socket only when its reader goroutine next reads, which can be after
// the call that met the fault has put the socket back in the pool. A call
// in that instant takes the socket and fails too (docs/mongodb.md, "Not
// primary": "a retry gets a new one"). Tests that check that the client
// works again after such a fault make the call through afterClosedConns,
// so that they check what the docs promise rather than which goroutine
// ran first.
func afterClosedConns(c *gc.C, what string, call func() error) error {
	err := call()
	for i := 0; i < closedConnRetries && closedConn(err); i++ {
		c.Logf("%s met a closed connection, calling again: %v", what, err)
		err = call()
	}
	return err
}

// closedConn reports whether err is a store failure (lease.ErrUnavailable)
// caused by a connection closed under the call: by mgowire after a "not
// primary" reply, or by the server.
func closedConn(err error) bool {
	if !errors.Is(err, lease.ErrUnavailable) {
		return false
	}
	for _, cause := range []error{mgowire.ErrNotPrimary, io.EOF, io.ErrUnexpectedEOF, syscall.ECONNRESET, syscall.EPIPE, net.ErrClosed} {
		if errors.Is(err, cause) {
			return true
		}
	}
	return false
}

// applyAfterClosedConns is afterClosedConns for a batch: it applies ops
// again while every op failed because the batch's transaction met a
// closed connection, and returns the last errors.
func applyAfterClosedConns(c *gc.C, fix *Fixture, ops []lease.Op) []error {
	var errs []error
	_ = afterClosedConns(c, "a batch", func() error {
		errs = clientAs[lease.Batcher](c, fix).ApplyLeases(ops)
		for _, err := range errs {
			if !closedConn(err) {
				return nil
			}
		}
		if len(errs) == 0 {
			return nil
		}
		return errs[0]
	})
	return errs
}
