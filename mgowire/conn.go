package mgowire

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/internal/wire"
)

// conn is the translating connection that mgo gets from DialServer. mgo
// writes legacy messages to it and reads legacy replies; conn sends OP_MSG
// commands to the server over up and reads its OP_MSG replies.
//
// Write translates each whole message and sends the command at once. One
// goroutine (receive) reads the server's connection all the time, as mgo
// reads a plain socket, so that a server closing the connection while
// nothing is pending is seen at once; it only frames messages. Read
// answers mgo's requests in order: a reply made locally as soon as it is
// the next one, a server's reply once received, translated in Read. The
// deadlines that mgo sets go to the server's connection, so they bound the
// receiving goroutine's reads exactly as they would bound mgo's own.
type conn struct {
	up net.Conn
	t  translator
	em *emitter // nil if nobody observes

	wmu     sync.Mutex // serialises Write
	partial []byte     // the start of a message that mgo has not finished writing
	lastID  int32      // the request id of the last message sent upstream

	rmu sync.Mutex // serialises Read
	out []byte     // translated bytes that mgo has not read yet
	// lostSeen is set once Read has emitted the EventCommand of the
	// command whose reply the connection's failure lost.
	lostSeen bool

	mu       sync.Mutex
	ready    sync.Cond  // broadcast whenever a field below changes
	pending  []exchange // in request order, waiting to be answered
	awaiting int        // exchanges sent upstream whose reply has not arrived
	received []message  // replies from the server, in order, not yet answered
	deadline uint64     // counts read deadline changes
	idles    int        // counts receive's waits after an idle timeout (for tests)
	err      error      // once set, the connection is dead
	closed   bool       // Close was called
}

// message is one message from the server.
type message struct {
	h    wire.Header
	body []byte
}

var _ net.Conn = (*conn)(nil)

// newConn returns a translating connection over up, to the server whose
// address mgo knows as addr, emitting its commands' events through em (nil
// for none), and starts its receiving goroutine, which ends when the
// connection fails or closes.
func newConn(up net.Conn, s *shared, addr string, em *emitter) *conn {
	c := &conn{up: up, t: translator{s: s, addr: addr}, em: em}
	c.ready.L = &c.mu
	go c.receive()
	return c
}

// Write is part of the [net.Conn] interface. It takes whole messages in
// any number of calls. Each message is translated and its command sent to
// the server before Write returns; a reply that the translator makes
// itself (getnonce, logout, refusals) waits for Read in request order. An
// error from translating, whose cause is [ErrMalformed] or
// [ErrUnsupported], closes the connection and is returned.
//
// A failure of the connection (the server closed it, a write to it
// failed, a read deadline passed, a not-primary reply) is Read's to
// report, as a plain socket reports a peer that has gone: until Close,
// Write accepts and drops what it is given. mgo relies on this: it drops
// a socket when its Read fails, never when its Write does, so an error
// from Write would fail the operation at once and put the dead socket
// back in the pool, where a busy mgo could take it again and again before
// its reader ran (and mgo's reader may hold Read's error while the write
// happens). Accepted, the request instead waits for mgo's reader, which
// gets the error, drops the socket and fails the request. After Close,
// Write returns [net.ErrClosed].
func (c *conn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.failed() != nil {
		return c.lost(len(p))
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
			if errors.Is(err, errLost) {
				return c.lost(len(p))
			}
			return 0, c.fail(err)
		}
		buf = buf[n:]
	}
	if len(buf) > 0 {
		c.partial = append([]byte(nil), buf...)
	}
	return len(p), nil
}

// errLost is handle's error when the connection has failed, by the time
// of the call or by the server's connection refusing a write.
var errLost = errors.New("mgowire: connection lost")

// handle translates one whole message from mgo and sends its commands.
// An error other than errLost is the message's.
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
			ex.sent = c.em.now()
		}
		if !c.push(ex) {
			return errLost
		}
		if ex.reply == nil {
			if _, err := c.up.Write(ex.cmd); err != nil {
				c.fail(err)
				return errLost
			}
		}
	}
	return nil
}

// lost is Write's result for n bytes once the connection has failed: n
// and no error (Read reports the failure; see Write), or net.ErrClosed
// after Close.
func (c *conn) lost(n int) (int, error) {
	c.partial = nil
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return 0, net.ErrClosed
	}
	return n, nil
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
	if ex.reply == nil {
		c.awaiting++
	}
	c.ready.Broadcast()
	return true
}

// receive reads the server's messages until the connection fails, and
// hands them to Read. A read that times out while no reply is awaited
// (mgo clears its deadline when nothing is pending, so this is a deadline
// that mgo is about to clear) is not an error: receive waits for the
// deadline to change or a request to be sent, and reads on, keeping what
// it had read. Any other error, including the server closing the
// connection, fails the connection, as it fails mgo's plain socket.
func (c *conn) receive() {
	var buf []byte
	chunk := make([]byte, 16<<10)
	for {
		for len(buf) >= wire.HeaderSize {
			h, err := wire.ParseHeader(buf)
			if err != nil {
				c.fail(err)
				return
			}
			if len(buf) < int(h.Length) {
				break
			}
			m := message{h: h, body: append([]byte(nil), buf[wire.HeaderSize:h.Length]...)}
			buf = append(buf[:0], buf[h.Length:]...)
			if err := c.deliver(m); err != nil {
				c.fail(err)
				return
			}
		}
		gen := c.deadlineGen()
		n, err := c.up.Read(chunk)
		buf = append(buf, chunk[:n]...)
		if err != nil && !(errors.Is(err, os.ErrDeadlineExceeded) && c.idle(gen)) {
			c.fail(err)
			return
		}
	}
}

// deliver hands m to Read. A message that answers nothing is an error.
func (c *conn) deliver(m message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.awaiting == 0 {
		return fmt.Errorf("%w: the server sent a message (opcode %d, answering %d) when no reply was due", ErrMalformed, m.h.OpCode, m.h.ResponseTo)
	}
	c.awaiting--
	c.received = append(c.received, m)
	c.ready.Broadcast()
	return nil
}

// deadlineGen returns the count of read deadline changes.
func (c *conn) deadlineGen() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deadline
}

// idle says whether a read that timed out, begun after gen read deadline
// changes, leaves the connection working. It does if the deadline has
// changed since (the timeout was an old deadline's), or if no reply is
// awaited: then idle first waits until the deadline changes, a reply is
// awaited or the connection fails, so that receive does not spin on a
// deadline in the past. A timeout while a reply is awaited is the
// connection's failure, as on a plain socket.
func (c *conn) idle(gen uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.deadline == gen && c.awaiting > 0 {
		return false
	}
	c.idles++
	c.ready.Broadcast()
	for c.err == nil && c.awaiting == 0 && c.deadline == gen {
		c.ready.Wait()
	}
	return c.err == nil
}

// Read is part of the [net.Conn] interface. It returns the replies to
// mgo's requests as OP_REPLY messages, in request order. After a reply of
// the not-primary class it returns that reply, then an error whose cause
// is [ErrNotPrimary]. When the server closes the connection or the read
// deadline passes, Read returns the replies already received, then the
// error, as a plain socket would.
func (c *conn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for len(c.out) == 0 {
		ex, m, err := c.next()
		if err != nil {
			c.emitLost(err)
			return 0, err
		}
		if ex.reply != nil {
			c.out = ex.reply
			continue
		}
		if m.h.ResponseTo != ex.lastID() {
			return 0, c.fail(fmt.Errorf("%w: server answered request %d, want %d", ErrMalformed, m.h.ResponseTo, ex.lastID()))
		}
		reply, status, err := c.t.translateReply(ex, m.h, m.body)
		if err != nil {
			c.emitCommand(ex, ResultError, err)
			return 0, c.fail(err)
		}
		switch status {
		case replyNotPrimary:
			c.emitCommand(ex, ResultNotPrimary, ErrNotPrimary)
			c.fail(ErrNotPrimary)
		case replyFailed:
			c.emitCommand(ex, ResultError, errCommandFailed)
		default:
			c.emitCommand(ex, ResultOK, nil)
		}
		if !ex.silent {
			c.out = reply
		}
	}
	n := copy(p, c.out)
	c.out = c.out[n:]
	return n, nil
}

// errCommandFailed is the Err of the EventCommand of a command whose
// reply says it failed (the reply itself goes to mgo).
var errCommandFailed = errors.New("mgowire: command failed")

// emitCommand emits the EventCommand of ex, a command sent to the server.
func (c *conn) emitCommand(ex exchange, result Result, err error) {
	c.em.emit(Event{Kind: EventCommand, Result: result, Addr: c.t.addr, Command: ex.name, Err: err}, ex.sent)
}

// emitLost emits, once, the EventCommand of the oldest command whose
// reply the connection's failure, err, lost, if there is one. Read calls
// it, holding rmu.
func (c *conn) emitLost(err error) {
	if c.em == nil || c.lostSeen {
		return
	}
	c.lostSeen = true
	c.mu.Lock()
	var ex exchange
	lost := false
	for _, p := range c.pending {
		if p.reply == nil {
			ex, lost = p, true
			break
		}
	}
	c.mu.Unlock()
	if lost && !c.isClosed() {
		c.emitCommand(ex, ResultError, err)
	}
}

// isClosed reports whether Close was called.
func (c *conn) isClosed() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closed
}

// lastID returns the request id of the OP_MSG that carries ex.
func (ex exchange) lastID() int32 {
	return int32(binary.LittleEndian.Uint32(ex.cmd[4:]))
}

// next removes and returns the oldest pending exchange once it can be
// answered, with the server's reply if it needs one. It waits until then;
// once the connection has failed, it returns what can still be answered,
// then the error.
func (c *conn) next() (exchange, message, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if len(c.pending) > 0 {
			ex := c.pending[0]
			if ex.reply != nil || len(c.received) > 0 {
				c.pending[0] = exchange{}
				c.pending = c.pending[1:]
				var m message
				if ex.reply == nil {
					m = c.received[0]
					c.received[0] = message{}
					c.received = c.received[1:]
				}
				return ex, m, nil
			}
		}
		if c.err != nil {
			return exchange{}, message{}, c.err
		}
		c.ready.Wait()
	}
}

// fail makes err the connection's error, unless it already has one,
// closes the server's connection (which ends the receiving goroutine),
// and returns the connection's error.
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
	c.mu.Lock()
	c.closed = true
	c.mu.Unlock()
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
func (c *conn) SetDeadline(t time.Time) error {
	defer c.deadlineChanged()
	return c.up.SetDeadline(t)
}

// SetReadDeadline is part of the [net.Conn] interface; it sets the read
// deadline of the server's connection, which bounds the wait for the
// server's replies.
func (c *conn) SetReadDeadline(t time.Time) error {
	defer c.deadlineChanged()
	return c.up.SetReadDeadline(t)
}

// SetWriteDeadline is part of the [net.Conn] interface; it sets the write
// deadline of the server's connection.
func (c *conn) SetWriteDeadline(t time.Time) error { return c.up.SetWriteDeadline(t) }

// deadlineChanged wakes a receiving goroutine that waits, after a
// timeout, for the read deadline to change.
func (c *conn) deadlineChanged() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.deadline++
	c.ready.Broadcast()
}
