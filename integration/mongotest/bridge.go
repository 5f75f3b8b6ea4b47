package mongotest

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// acceptRetryDelay is how long the bridge waits after a failed Accept
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
		s.mu.Lock()
		upstream := s.upstream
		if upstream == "" {
			s.mu.Unlock()
			nc.Close()
			continue
		}
		c := &conn{s: s, client: nc}
		s.conns[c] = struct{}{}
		s.connWG.Add(1)
		s.mu.Unlock()
		go c.serve(upstream)
	}
}

// conn is one client connection through the bridge, with a connection of
// its own to FerretDB. Requests on it are answered one at a time, in order.
type conn struct {
	s      *Server
	client net.Conn

	mu       sync.Mutex // guards upstream and closed
	upstream net.Conn
	closed   bool

	lastID int32 // the request id of the last message sent to FerretDB
}

// serve runs the connection until either side closes it or a message
// cannot be handled.
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
		h, body, err := readMessage(c.client)
		if err != nil {
			return
		}
		switch h.opCode {
		case opQuery:
			reply, err := c.query(h, body)
			if err != nil {
				return
			}
			if _, err := c.client.Write(reply); err != nil {
				return
			}
		case opKillCursors:
			if err := c.killCursors(body); err != nil {
				return
			}
		default:
			// mgo.v2 sends nothing else to a server of wire version >= 4.
			return
		}
	}
}

// close closes both sides of the connection; serve then returns.
func (c *conn) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.client.Close()
	if c.upstream != nil {
		c.upstream.Close()
	}
}

// query answers an OP_QUERY message. It returns an error when the
// connection must close.
func (c *conn) query(h header, body []byte) ([]byte, error) {
	q, err := parseQuery(body)
	if err != nil {
		return nil, err
	}
	db, ok := strings.CutSuffix(q.namespace, ".$cmd")
	if !ok || db == "" {
		doc := buildDoc([]element{
			stringElement("$err", fmt.Sprintf("mongotest bridge: only commands are supported, not queries on %q", q.namespace)),
			int32Element("code", codeInvalidNamespace),
		})
		return buildReply(h.requestID, flagQueryFailure, doc), nil
	}
	doc, err := c.command(db, q.doc)
	if err != nil {
		return nil, err
	}
	return buildReply(h.requestID, 0, doc), nil
}

// killCursors turns an OP_KILL_CURSORS message, which FerretDB does not
// implement, into killCursors commands, one per collection. Cursors the
// bridge does not know (already exhausted or killed) are skipped.
func (c *conn) killCursors(body []byte) error {
	ids, err := parseKillCursors(body)
	if err != nil {
		return err
	}
	byNS := map[string][]element{}
	var order []string
	for _, id := range ids {
		ns, ok := c.s.cursors.remove(id)
		if !ok {
			continue
		}
		if byNS[ns] == nil {
			order = append(order, ns)
		}
		byNS[ns] = append(byNS[ns], int64Element(fmt.Sprint(len(byNS[ns])), id))
	}
	for _, ns := range order {
		db, coll, _ := strings.Cut(ns, ".")
		cmd := buildDoc([]element{
			stringElement("killCursors", coll),
			{kind: bsonArray, key: "cursors", value: buildDoc(byNS[ns])},
			stringElement("$db", db),
		})
		if _, err := c.roundTrip(cmd); err != nil {
			return err
		}
	}
	return nil
}

// roundTrip sends the command doc to FerretDB as an OP_MSG and returns the
// document of its reply.
func (c *conn) roundTrip(doc []byte) ([]byte, error) {
	c.lastID++
	if _, err := c.upstream.Write(buildMsg(c.lastID, doc)); err != nil {
		return nil, err
	}
	h, body, err := readMessage(c.upstream)
	if err != nil {
		return nil, err
	}
	if h.responseTo != c.lastID {
		return nil, fmt.Errorf("FerretDB answered request %d, want %d", h.responseTo, c.lastID)
	}
	return parseMsgReply(h, body)
}

// cursorTable maps the ids of the cursors that FerretDB holds open to
// their namespaces. It is shared by all connections of a server, because
// mgo.v2 may kill a cursor through another socket than the one that
// opened it.
type cursorTable struct {
	mu      sync.Mutex
	entries map[int64]cursorEntry
}

// cursorEntry is what a cursorTable knows of one cursor.
type cursorEntry struct {
	ns    string
	owner *conn // FerretDB closes the cursor when this connection closes
}

// add records the cursor id of namespace ns, opened through owner.
func (t *cursorTable) add(id int64, ns string, owner *conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.entries == nil {
		t.entries = map[int64]cursorEntry{}
	}
	t.entries[id] = cursorEntry{ns: ns, owner: owner}
}

// remove forgets the cursor id and returns its namespace.
func (t *cursorTable) remove(id int64) (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	e, ok := t.entries[id]
	delete(t.entries, id)
	return e.ns, ok
}

// removeOwner forgets the cursors opened through owner.
func (t *cursorTable) removeOwner(owner *conn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for id, e := range t.entries {
		if e.owner == owner {
			delete(t.entries, id)
		}
	}
}
