package mgowire

import (
	"encoding/binary"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/internal/wire"
)

// conn is the translating connection that mgo gets from DialServer. mgo
// writes legacy messages to it and reads legacy replies; conn sends OP_MSG
// commands to the server over up and reads its OP_MSG replies.
//
// Write translates each whole message and sends the command at once;
// Read delivers the replies in request order, reading the server's reply
// to an exchange only when that exchange is the next to answer. So there
// is no goroutine of its own, and the deadlines that mgo sets apply
// directly to the server's connection.
type conn struct {
	up net.Conn
	t  translator

	wmu     sync.Mutex // serialises Write
	partial []byte     // the start of a message that mgo has not finished writing
	lastID  int32      // the request id of the last message sent upstream

	rmu sync.Mutex // serialises Read
	out []byte     // translated bytes that mgo has not read yet

	mu      sync.Mutex
	ready   sync.Cond  // signalled when pending grows or err is set
	pending []exchange // in request order, waiting to be answered
	err     error      // once set, the connection is dead
}

var _ net.Conn = (*conn)(nil)

// newConn returns a translating connection over up, to the server whose
// address mgo knows as addr.
func newConn(up net.Conn, s *shared, addr string) *conn {
	c := &conn{up: up, t: translator{s: s, addr: addr}}
	c.ready.L = &c.mu
	return c
}

// Write is part of the [net.Conn] interface. It takes whole messages in
// any number of calls. Each message is translated and its command sent to
// the server before Write returns; a reply that the translator makes
// itself (getnonce, logout, refusals) waits for Read in request order. An
// error from translating, whose cause is [ErrMalformed] or
// [ErrUnsupported], or from the server's connection, closes the
// connection.
func (c *conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.failed(); err != nil {
		return 0, err
	}
	buf := p
	if len(c.partial) > 0 {
		buf = append(c.partial, p...)
		c.partial = nil
	}
	for len(buf) >= 4 {
		n := int64(int32(binary.LittleEndian.Uint32(buf)))
		if n < wire.HeaderSize || n > wire.MaxMessageSize {
			return 0, c.fail(fmt.Errorf("%w: message length %d outside [%d, %d]", ErrMalformed, n, wire.HeaderSize, wire.MaxMessageSize))
		}
		if int64(len(buf)) < n {
			break
		}
		if err := c.handle(buf[:n]); err != nil {
			return 0, c.fail(err)
		}
		buf = buf[n:]
	}
	if len(buf) > 0 {
		c.partial = append([]byte(nil), buf...)
	}
	return len(p), nil
}

// handle translates one whole message from mgo and sends its commands.
func (c *conn) handle(msg []byte) error {
	h, err := wire.ParseHeader(msg)
	if err != nil {
		return err
	}
	exs, err := c.t.translateRequest(h, msg[wire.HeaderSize:])
	if err != nil {
		return err
	}
	for _, ex := range exs {
		if ex.reply == nil {
			c.lastID++
			ex.cmd = wire.BuildMsg(c.lastID, 0, 0, ex.cmd)
		}
		if !c.push(ex) {
			return c.failed()
		}
		if ex.reply == nil {
			if _, err := c.up.Write(ex.cmd); err != nil {
				return err
			}
		}
	}
	return nil
}

// push queues ex for Read, unless it is a local reply that mgo does not
// expect. It returns false if the connection has failed.
func (c *conn) push(ex exchange) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return false
	}
	if ex.reply != nil && ex.silent {
		return true
	}
	c.pending = append(c.pending, ex)
	c.ready.Signal()
	return true
}

// Read is part of the [net.Conn] interface. It returns the replies to
// mgo's requests as OP_REPLY messages, in request order. After a reply of
// the not-primary class it returns that reply, then an error whose cause
// is [ErrNotPrimary]. While no request is pending, Read waits for one or
// for Close, without regard to the read deadline (mgo clears its
// deadline when nothing is pending).
func (c *conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for len(c.out) == 0 {
		ex, err := c.next()
		if err != nil {
			return 0, err
		}
		if ex.reply != nil {
			c.out = ex.reply
			continue
		}
		h, body, err := wire.ReadMessage(c.up)
		if err != nil {
			return 0, c.fail(err)
		}
		if h.ResponseTo != ex.lastID() {
			return 0, c.fail(fmt.Errorf("%w: server answered request %d, want %d", ErrMalformed, h.ResponseTo, ex.lastID()))
		}
		reply, notPrimary, err := c.t.translateReply(ex, h, body)
		if err != nil {
			return 0, c.fail(err)
		}
		if notPrimary {
			c.fail(ErrNotPrimary)
		}
		if !ex.silent {
			c.out = reply
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// lastID returns the request id of the OP_MSG that carries ex.
func (ex exchange) lastID() int32 {
	return int32(binary.LittleEndian.Uint32(ex.cmd[4:]))
}

// next removes and returns the oldest pending exchange, waiting for one;
// it fails once the connection has.
func (c *conn) next() (exchange, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.pending) == 0 && c.err == nil {
		c.ready.Wait()
	}
	if c.err != nil {
		return exchange{}, c.err
	}
	ex := c.pending[0]
	c.pending[0] = exchange{}
	c.pending = c.pending[1:]
	return ex, nil
}

// fail makes err the connection's error, unless it already has one,
// closes the server's connection (which ends a Read in progress), and
// returns the connection's error.
func (c *conn) fail(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err == nil {
		c.err = err
		c.up.Close()
		c.ready.Broadcast()
	}
	return c.err
}

// failed returns the connection's error, nil while it works.
func (c *conn) failed() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Close is part of the [net.Conn] interface. It closes the server's
// connection and ends any Read or Write in progress.
func (c *conn) Close() error {
	c.fail(net.ErrClosed)
	return nil
}

// LocalAddr is part of the [net.Conn] interface: the local address of the
// server's connection.
func (c *conn) LocalAddr() net.Addr { return c.up.LocalAddr() }

// RemoteAddr is part of the [net.Conn] interface: the server's address.
func (c *conn) RemoteAddr() net.Addr { return c.up.RemoteAddr() }

// SetDeadline is part of the [net.Conn] interface; it sets the deadlines
// of the server's connection.
func (c *conn) SetDeadline(t time.Time) error { return c.up.SetDeadline(t) }

// SetReadDeadline is part of the [net.Conn] interface; it sets the read
// deadline of the server's connection, which bounds Read while it waits
// for the server.
func (c *conn) SetReadDeadline(t time.Time) error { return c.up.SetReadDeadline(t) }

// SetWriteDeadline is part of the [net.Conn] interface; it sets the write
// deadline of the server's connection.
func (c *conn) SetWriteDeadline(t time.Time) error { return c.up.SetWriteDeadline(t) }
