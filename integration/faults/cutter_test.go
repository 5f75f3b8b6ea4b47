package faults_test

import (
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/integration/mongotest"
)

// cutMode says how a cutter breaks the connection at the message it is
// armed for.
type cutMode int

const (
	// dropBefore drops every connection to the server (DropConnections)
	// just before the message is sent: the server never sees it.
	dropBefore cutMode = iota
	// loseReply closes the connection as the reply to the message
	// arrives: the server has done what it asked, the client never knows.
	loseReply
	// stopBefore stops the server just before the message is sent; the
	// test restarts it later, on the same data.
	stopBefore
)

func (m cutMode) String() string {
	return [...]string{"drop-before", "lose-reply", "stop-before"}[m]
}

// errCut is what a cut connection's Read and Write return: a closed
// connection, as the network stack reports one.
var errCut = fmt.Errorf("connection cut by the test: %w", net.ErrClosed)

// cutter breaks mgo's connections at the n-th message sent after it is
// armed. It sits under mgowire's translator: every command that mgowire
// sends to the server (one per mgo.v2 request, the killCursors of an
// OP_KILL_CURSORS included) is one Write on a connection.
type cutter struct {
	server *mongotest.Server

	mu      sync.Mutex
	armed   bool
	mode    cutMode
	left    int      // messages to let through before the cut
	fired   bool     // the cut happened since the last arm
	pending *cutConn // loseReply: the connection whose reply to drop
	sent    int      // messages sent since the last arm
	stopErr error    // from Stop, in stopBefore mode
}

// arm makes the cutter break the n-th message from now (n >= 1).
func (c *cutter) arm(mode cutMode, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed, c.mode, c.left, c.fired, c.pending, c.sent = true, mode, n-1, false, nil, 0
}

// disarm stops the cutter, and reports whether it cut, and how many
// messages were sent since it was armed.
func (c *cutter) disarm() (fired bool, sent int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.armed = false
	return c.fired, c.sent
}

// dial is an mgowire Options.DialConn: the cutter works under the
// translator, on the OP_MSG traffic.
func (c *cutter) dial(addr string) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return nil, err
	}
	return &cutConn{Conn: conn, c: c}, nil
}

type cutConn struct {
	net.Conn
	c *cutter
}

func (cc *cutConn) Write(b []byte) (int, error) {
	c := cc.c
	c.mu.Lock()
	c.sent++
	cut := c.armed && c.left == 0
	if c.armed && c.left > 0 {
		c.left--
	}
	if cut {
		c.armed, c.fired = false, true
		switch c.mode {
		case loseReply:
			c.pending = cc
		case dropBefore:
			c.mu.Unlock()
			c.server.DropConnections()
			cc.Conn.Close()
			return 0, errCut
		case stopBefore:
			c.stopErr = c.server.Stop()
			c.mu.Unlock()
			cc.Conn.Close()
			return 0, errCut
		}
	}
	c.mu.Unlock()
	return cc.Conn.Write(b)
}

func (cc *cutConn) Read(b []byte) (int, error) {
	n, err := cc.Conn.Read(b)
	c := cc.c
	c.mu.Lock()
	lose := n > 0 && c.pending == cc
	if lose {
		c.pending = nil
	}
	c.mu.Unlock()
	if lose {
		cc.Conn.Close()
		return 0, errCut
	}
	return n, err
}

const (
	// dialTimeout bounds dialing, and each operation of the tests'
	// sessions.
	dialTimeout = 10 * time.Second
	// syncTimeout bounds how long an operation waits for a reachable
	// server.
	syncTimeout = 3 * time.Second
)
