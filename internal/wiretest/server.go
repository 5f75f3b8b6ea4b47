// Package wiretest is a small MongoDB server for unit tests, speaking the
// wire protocol that MongoDB 6.0 and later speak: OP_MSG, plus OP_QUERY
// for the isMaster/hello handshake only. It keeps documents in memory and
// answers the commands that gopkg.in/mgo.v2 and mgo/txn send (with
// equality filters and $set updates only), and it can require SCRAM
// authentication and let a test rewrite any reply. It exists to test the
// translator in mgowire without a database; it is not a MongoDB.
package wiretest

import (
	"crypto/tls"
	"fmt"
	"net"
	"strings"
	"sync"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/scramserver"
	"github.com/seed07a61904/leadership/internal/wire"
)

// Config says how a [Server] presents itself. The zero value is a
// standalone server that needs no authentication.
type Config struct {
	// SetName, if not empty, makes the server say it is the primary of a
	// replica set of that name, whose members are Hosts.
	SetName string
	// Hosts are the members that isMaster lists; empty means the server's
	// own address. [Server.SetHosts] changes them.
	Hosts []string
	// Secondary makes a replica-set member say it is a secondary, and
	// Hosts[0] the primary.
	Secondary bool
	// Users, if not empty, maps user names (in the admin database) to
	// passwords, and makes every command other than the handshake, ping
	// and the SASL ones need authentication.
	Users map[string]string
	// Mechanisms lists the SASL mechanisms offered; empty means
	// SCRAM-SHA-256 and SCRAM-SHA-1.
	Mechanisms []string
	// TLS, if not nil, makes the server accept TLS connections only, with
	// this configuration.
	TLS *tls.Config
	// Legacy makes the server answer OP_QUERY commands too, as MongoDB
	// 5.0 and earlier do, so that plain mgo works against it (benchmarks
	// compare the two paths).
	Legacy bool
}

// Command is a command that the server received.
type Command struct {
	Name string // the first key
	DB   string // $db
	Doc  bson.M // the whole command, $db included
	Conn int    // the connection it came on, numbered from 1
}

// Hook may change the reply to a command; it returns the reply to send.
// The command has already been carried out.
type Hook func(cmd Command, reply bson.D) bson.D

// Server is the test server, on a loopback port. Its methods are safe for
// concurrent use.
type Server struct {
	cfg  Config
	ln   net.Listener
	auth *scramserver.Server

	mu         sync.Mutex
	colls      map[string][]bson.D // namespace -> documents in insertion order
	cursors    map[int64]*cursor
	nextCursor int64
	log        []Command
	hook       Hook
	conns      map[net.Conn]bool
	nconns     int
	closed     bool
	wg         sync.WaitGroup
}

// Start starts a server on a free loopback port; the caller must Close
// it.
func Start(cfg Config) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	if cfg.TLS != nil {
		ln = tls.NewListener(ln, cfg.TLS)
	}
	s := &Server{
		cfg:     cfg,
		ln:      ln,
		colls:   map[string][]bson.D{},
		cursors: map[int64]*cursor{},
		conns:   map[net.Conn]bool{},
	}
	if s.auth, err = newAuth(cfg); err != nil {
		ln.Close()
		return nil, err
	}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Addr returns the server's address, host:port.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// SetHook makes h rewrite every later reply; nil removes it.
func (s *Server) SetHook(h Hook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hook = h
}

// SetHosts changes the members that isMaster lists.
func (s *Server) SetHosts(hosts ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cfg.Hosts = append([]string(nil), hosts...)
}

// locked returns what get reads of s, with s.mu held.
func locked[T any](s *Server, get func() T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return get()
}

// Commands returns the commands received so far, in order.
func (s *Server) Commands() []Command {
	return locked(s, func() []Command { return append([]Command(nil), s.log...) })
}

// Connections returns how many connections the server has accepted.
func (s *Server) Connections() int {
	return locked(s, func() int { return s.nconns })
}

// OpenCursors returns how many cursors are open.
func (s *Server) OpenCursors() int {
	return locked(s, func() int { return len(s.cursors) })
}

// DropConnections closes every open connection; new ones are accepted.
func (s *Server) DropConnections() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.conns {
		c.Close()
	}
}

// Close stops the server, closes its connections and waits for their
// goroutines.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	s.ln.Close()
	s.DropConnections()
	s.wg.Wait()
}

// accept accepts connections until the listener closes.
func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.nconns++
		s.conns[c] = true
		sc := &serverConn{s: s, c: c, id: s.nconns, auth: s.auth.NewConn()}
		s.wg.Add(1)
		s.mu.Unlock()
		go sc.serve()
	}
}

// serverConn is one connection to the server.
type serverConn struct {
	s    *Server
	c    net.Conn
	id   int
	auth *scramserver.Conn
}

// serve answers the connection's messages until it closes or breaks the
// protocol as MongoDB 6 sees it.
func (sc *serverConn) serve() {
	defer sc.s.wg.Done()
	defer func() {
		sc.s.mu.Lock()
		delete(sc.s.conns, sc.c)
		sc.s.mu.Unlock()
		sc.c.Close()
	}()
	for {
		h, body, err := wire.ReadMessage(sc.c)
		if err != nil {
			return
		}
		var reply []byte
		switch h.OpCode {
		case wire.OpMsg:
			m, err := wire.ParseMsg(body)
			if err != nil {
				return
			}
			doc := sc.command(m.Body, "")
			if m.Flags&wire.MsgMoreToCome != 0 {
				continue
			}
			reply = wire.BuildMsg(0, h.RequestID, 0, doc)
		case wire.OpQuery:
			q, err := wire.ParseQuery(body)
			if err != nil {
				return
			}
			reply = wire.BuildReply(h.RequestID, 0, sc.legacy(q))
		default:
			// MongoDB 5.1 and later close the connection on any other
			// opcode (SERVER-66833).
			return
		}
		if _, err := sc.c.Write(reply); err != nil {
			return
		}
	}
}

// legacy answers an OP_QUERY as MongoDB 6 does: only the handshake.
func (sc *serverConn) legacy(q wire.Query) []byte {
	var cmd bson.D
	if err := bson.Unmarshal(q.Doc, &cmd); err != nil || len(cmd) == 0 {
		return marshal(errorDoc(9, "bad OP_QUERY document"))
	}
	if cmd[0].Name == "$query" {
		if inner, ok := cmd[0].Value.(bson.D); ok && len(inner) > 0 {
			cmd = inner
		}
	}
	switch cmd[0].Name {
	case "isMaster", "ismaster", "hello":
		sc.s.mu.Lock()
		defer sc.s.mu.Unlock()
		return marshal(sc.s.hello(cmd[0].Name, nil))
	}
	if sc.s.cfg.Legacy && strings.HasSuffix(q.Namespace, ".$cmd") {
		return sc.command(q.Doc, strings.TrimSuffix(q.Namespace, ".$cmd"))
	}
	return marshal(errorDoc(352, fmt.Sprintf("Unsupported OP_QUERY command: %s. The client driver may require an upgrade.", cmd[0].Name)))
}

// errorDoc returns a failed command reply.
func errorDoc(code int, msg string) bson.D {
	return bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: msg}, {Name: "code", Value: code}}
}

// marshal encodes doc, panicking on values that cannot be encoded (the
// server builds every reply from encodable values).
func marshal(doc interface{}) []byte {
	b, err := bson.Marshal(doc)
	if err != nil {
		panic(err)
	}
	return b
}
