package mongotest

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/internal/wire"
	"github.com/seed07a61904/leadership/lease"
)

// acceptRetryDelay is how long the server waits after a failed Accept
// (for example when the process is out of file descriptors).
const acceptRetryDelay = 5 * time.Millisecond

// acceptLoop accepts client connections until the listener is closed. A
// connection that arrives while FerretDB is stopped is closed at once.
func (s *Server) acceptLoop() {
	defer close(s.acceptDone)
	for {
		nc, err := s.ln.Accept()
		if errors.Is(err, net.ErrClosed) {
			return
		}
		if err != nil {
			clock := lease.SystemClock{}
			<-clock.Alarm(clock.Now().Add(acceptRetryDelay))
			continue
		}
		s.accepted.Add(1)
		s.mu.Lock()
		upstream := s.upstream
		if upstream == "" {
			s.mu.Unlock()
			nc.Close()
			continue
		}
		c := &conn{s: s, client: nc, id: s.connIDs.Add(1), done: make(chan struct{}), auth: authState{cfg: s.auth.Load()}}
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		s.mu.Unlock()
		go c.serve(upstream)
	}
}

// conn is one client connection, with a connection of its own to
// FerretDB. Requests on it are answered one at a time, in order, by the
// goroutine that runs serve, which alone uses lastID, replyID and auth.
type conn struct {
	s      *Server
	client net.Conn
	id     int32         // the connectionId that hello reports: 1 for the first connection, then one more for each
	done   chan struct{} // closed by close

	mu       sync.Mutex // guards upstream and closed
	upstream net.Conn
	closed   bool

	lastID  int32     // the request id of the last message sent to FerretDB
	replyID int32     // the request id of the last reply sent to the client
	auth    authState // the client's authentication, if the server requires it
}

// serve runs the connection until either side closes it or a message
// cannot be handled. As MongoDB 5.1 and later do, it closes the connection
// on any opcode but OP_MSG and the OP_QUERY of the handshake (OP_KILL_CURSORS,
// OP_INSERT, OP_GET_MORE, OP_COMPRESSED, ...), and on a message it cannot
// parse.
func (c *conn) serve(upstream string) {
	defer c.s.connDone(c)
	up, err := net.Dial("tcp", upstream)
	if err != nil {
		return
	}
	c.mu.Lock()
	c.upstream = up
	closed := c.closed
	c.mu.Unlock()
	if closed {
		up.Close()
		return
	}
	for {
		reply, err := c.next()
		if err != nil {
			return
		}
		if reply != nil {
			if _, err := c.client.Write(reply); err != nil {
				return
			}
		}
	}
}

// errOpCode is next's error for a message of an opcode that the server
// does not take.
var errOpCode = errors.New("mongotest: opcode not supported")

// next reads the client's next message and answers it: it returns the
// reply to send, or nil if none is due, or an error (errOpCode for an
// opcode but OP_QUERY and OP_MSG) when the connection must close.
func (c *conn) next() ([]byte, error) {
	h, body, err := wire.ReadMessage(c.client)
	if err != nil {
		return nil, err
	}
	switch h.OpCode {
	case wire.OpQuery:
		return c.handshake(h, body)
	case wire.OpMsg:
		return c.message(h, body)
	}
	return nil, fmt.Errorf("%w: %d", errOpCode, h.OpCode)
}

// close closes both sides of the connection; serve then returns.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	// The sockets close first: closing done ends an awaitable hello's
	// wait, and its reply must find the client's socket closed, as a
	// dropped connection's would, not reach the client just before.
	c.client.Close()
	if c.upstream != nil {
		c.upstream.Close()
	}
	if !c.closed {
		close(c.done)
	}
	c.closed = true
}

// message answers an OP_MSG request, and returns the reply message, or nil
// when the client asked for none (moreToCome). It returns an error when
// the connection must close.
func (c *conn) message(h wire.Header, body []byte) ([]byte, error) {
	m, err := parseMsg(body)
	if err != nil {
		return nil, err
	}
	doc, err := c.command(m.body)
	if err != nil {
		return nil, err
	}
	if m.flags&wire.MsgMoreToCome != 0 {
		return nil, nil
	}
	c.replyID++
	return wire.BuildMsg(c.replyID, h.RequestID, 0, doc), nil
}

// roundTrip sends the command doc to FerretDB as an OP_MSG and returns the
// document of its reply.
func (c *conn) roundTrip(doc []byte) ([]byte, error) {
	c.lastID++
	if _, err := c.upstream.Write(wire.BuildMsg(c.lastID, 0, 0, doc)); err != nil {
		return nil, err
	}
	h, body, err := wire.ReadMessage(c.upstream)
	if err != nil {
		return nil, err
	}
	if h.ResponseTo != c.lastID {
		return nil, errors.New("FerretDB answered another request")
	}
	return parseMsgReply(h, body)
}
