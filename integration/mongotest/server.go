package mongotest

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/mgowire"
)

// dialTimeout bounds how long [Server.Dial] waits for the server, and how
// long each later operation of its sessions may take.
const dialTimeout = 15 * time.Second

// databaseName is the database that sessions from [Server.Dial] use by
// default with the embedded server (each Server has a data directory of
// its own, so one fixed name will do).
const databaseName = "mongotest"

// envURL names the environment variable that selects an external server.
const envURL = "LEADERSHIP_MONGO_URL"

// errClosed is returned by the methods of a closed Server.
var errClosed = errors.New("mongotest: server is closed")

// Server is a MongoDB-compatible server for one test: an embedded FerretDB
// behind the proxy, or a database of its own on the external server named
// by LEADERSHIP_MONGO_URL. Its methods are safe for concurrent use.
type Server struct {
	ext     *mgo.DialInfo   // the external server; nil for the embedded one
	extOpts mgowire.Options // mgowire's options from its URL
	extURL  string          // LEADERSHIP_MONGO_URL

	opts Options // how the embedded server was started

	dir        string       // FerretDB's data directory
	ln         net.Listener // the server's listener, open until Close
	acceptDone chan struct{}
	writeMu    sync.Mutex // serialises write commands
	// lookups counts the commands run through a lookup by _id (see
	// lookup.go): decided, those whose filter the proxy decided, and
	// undecided, those it then sent to FerretDB as they were.
	lookups  lookupCounts
	commands atomic.Int64
	accepted atomic.Int64
	faults   faultList
	auth     atomic.Pointer[authConfig] // for new connections; nil: none required
	topo     *topology                  // what hello says of the server
	retries  retryTable                 // the last retryable write of each session
	cursors  cursorTable                // the cursors that a secondary serves
	ids      *idIndexes                 // indexes collections by _id; nil with Options.NoIDIndex
	connIDs  atomic.Int32               // the connectionId of the last connection accepted

	// byCommand counts the commands that commands counts, by name and
	// collection.
	byCommand commandCounts

	lifeMu sync.Mutex // serialises Stop, Restart and Close
	ferret *ferret    // the running FerretDB; nil while stopped
	closed bool

	mu       sync.Mutex // guards upstream, conns and password
	upstream string     // FerretDB's address; "" while stopped
	conns    map[*conn]struct{}
	password string         // given to RequireAuth
	connWG   sync.WaitGroup // the goroutines serving conns
}

// Options configure a Server that [StartWith] starts. The zero Options
// give what [Start] gives: a standalone server.
type Options struct {
	// ReplicaSet, if not "", makes the embedded server a one-member
	// replica set of that name instead of a standalone server: its hello
	// reports setName, setVersion, hosts, primary and me (all the
	// server's own address, [Server.Addr], so that mgo.v2 and drivers
	// that follow the hosts list connect to nothing else), electionId
	// and the secondary flag, and [Server.StepDown] plays an election. A
	// standalone's hello reports none of these. Against an external
	// server it is ignored: that server is whatever it is.
	ReplicaSet string

	// Clock times the step-downs of [Server.StepDown]; nil means
	// lease.SystemClock. With a fake clock (such as lease/leasetest's), a
	// test ends a step-down by advancing the clock past its end, or by
	// [Server.StepUp]. The wall clock still times what a client times:
	// the wait of an awaitable hello (maxAwaitTimeMS).
	Clock lease.Clock

	// ScanFilters, if true, sends every command to FerretDB as the client
	// sent it. By default the embedded server runs a find, update, delete
	// or findAndModify whose filter names one document by a string or
	// ObjectId _id, beside other conditions (as every command of
	// mgo/txn's does), by reading that document by its _id and deciding
	// the other conditions itself; FerretDB's SQLite backend would read
	// and decode every document of the collection for such a filter, so
	// that each command's time grew with the collection. The results are
	// the same either way; ScanFilters is there to measure the
	// difference.
	ScanFilters bool

	// NoIDIndex, if true, leaves the embedded server's collections as
	// FerretDB does alone: every lookup by _id reads the whole collection.
	// By default the server gives each collection, as it is created, an
	// index on the expression that FerretDB's SQLite backend looks a
	// document up by its _id with (FerretDB's own index on _id is on
	// another expression, which SQLite does not match), so that such a
	// lookup, and an update or delete of one document, reads that
	// document alone, as on MongoDB. The answers are the same either
	// way; NoIDIndex is there to measure the difference.
	NoIDIndex bool
}

// Start starts a new, empty, standalone server and returns it; the caller
// must Close it. It is StartWith(Options{}).
func Start() (*Server, error) {
	return StartWith(Options{})
}

// StartWith starts a new, empty server configured by opts and returns
// it; the caller must Close it. Without LEADERSHIP_MONGO_URL it runs an
// embedded FerretDB with the SQLite backend on a new temporary
// directory, and the proxy that speaks to clients on a free loopback
// port. With LEADERSHIP_MONGO_URL set to a MongoDB URL (as accepted by
// [mgowire.ParseURL]), it uses that server instead, with a database of
// its own under a random name, and ignores opts.
func StartWith(opts Options) (*Server, error) {
	if rawURL := os.Getenv(envURL); rawURL != "" {
		return startExternal(rawURL)
	}
	clock := opts.Clock
	if clock == nil {
		clock = lease.SystemClock{}
	}
	dir, err := os.MkdirTemp("", "mongotest-")
	if err != nil {
		return nil, fmt.Errorf("mongotest: %w", err)
	}
	s := &Server{opts: opts, dir: dir, conns: map[*conn]struct{}{}, acceptDone: make(chan struct{}), topo: newTopology(opts.ReplicaSet, clock)}
	if !opts.NoIDIndex {
		s.ids = newIDIndexes(dir)
	}
	if s.ferret, err = startFerret(dir); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s.upstream = s.ferret.addr
	if s.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		s.ferret.stop()
		os.RemoveAll(dir)
		return nil, fmt.Errorf("mongotest: %w", err)
	}
	go s.acceptLoop()
	return s, nil
}

// Addr returns the host:port that clients connect to: the proxy's, or the
// first address of the external server.
func (s *Server) Addr() string {
	if s.ext != nil {
		return s.ext.Addrs[0]
	}
	return s.ln.Addr().String()
}

// URL returns the mongodb:// URL that reaches the Server's database, as
// [mgowire.Dial] and leasectl -url take it: for the embedded server
// "mongodb://127.0.0.1:PORT/mongotest", with, after [Server.RequireAuth],
// the credentials given there and "?authSource=admin"; for an external
// server, LEADERSHIP_MONGO_URL (its hosts, credentials and options) with
// the Server's own database in place of the URL's, and an authSource that
// keeps authenticating where the URL did. Since it may hold a password,
// print it only where the credentials may be seen.
func (s *Server) URL() string {
	if s.ext != nil {
		return s.externalURL()
	}
	u := url.URL{Scheme: "mongodb", Host: s.Addr(), Path: "/" + databaseName}
	if cfg := s.auth.Load(); cfg != nil {
		s.mu.Lock()
		u.User = url.UserPassword(cfg.user, s.password)
		s.mu.Unlock()
		u.RawQuery = "authSource=" + authDB
	}
	return u.String()
}

// Dial returns a new session to the server, through the translating
// connections of [mgowire.DialWithInfo] with its default options, but
// for the write concern of the embedded server, {w: "majority",
// wtimeout: 10000} (see [DialWriteConcern]). Its default database (the one that session.DB("")
// returns) is the Server's own; use it rather than a name of your own, so
// that tests also work against an external server. After
// [Server.RequireAuth], the session authenticates with the credentials
// given there. The session waits at most 15 seconds for the server, and
// for each operation.
func (s *Server) Dial() (*mgo.Session, error) {
	return s.DialWith(mgowire.Options{})
}

// DialWith is [Server.Dial] with mgowire options of the caller's, for
// example a DialConn that puts faults under the translator. Against the
// embedded server, a nil opts.WriteConcern means [DialWriteConcern];
// against an external server, the options from its URL are used where
// opts leaves the zero value.
func (s *Server) DialWith(opts mgowire.Options) (*mgo.Session, error) {
	info := s.dialInfo()
	if s.ext == nil && opts.WriteConcern == nil {
		opts.WriteConcern = DialWriteConcern()
	}
	if s.ext != nil {
		if opts.WriteConcern == nil {
			opts.WriteConcern = s.extOpts.WriteConcern
		}
		if opts.TLS == nil {
			opts.TLS = s.extOpts.TLS
		}
		if opts.ConnectTimeout == 0 {
			opts.ConnectTimeout = s.extOpts.ConnectTimeout
		}
		if opts.AppName == "" {
			opts.AppName = s.extOpts.AppName
		}
		if opts.SocketTimeout == 0 {
			opts.SocketTimeout = s.extOpts.SocketTimeout
		}
	}
	session, err := mgowire.DialWithInfo(info, opts)
	if err != nil {
		return nil, fmt.Errorf("mongotest: dialing %s: %w", s.Addr(), err)
	}
	return session, nil
}

// DialWriteConcern returns the write concern of the sessions that
// [Server.Dial] returns from the embedded server: majority writes, as
// mgowire's default, with a wtimeout of 10 s (below the sessions'
// 15-second socket timeout), so that a write waiting for replication can
// end with a writeConcernError, as [Server.FailWriteConcern] plays it,
// rather than with a socket timeout.
func DialWriteConcern() *mgo.Safe {
	return &mgo.Safe{WMode: "majority", WTimeout: 10000}
}

// dialInfo returns the settings that [Server.Dial] gives to
// [mgowire.DialWithInfo], in a new value: the server's address, its
// database, a 15-second timeout and, after [Server.RequireAuth] or with
// credentials in LEADERSHIP_MONGO_URL, the credentials.
func (s *Server) dialInfo() *mgo.DialInfo {
	if s.ext != nil {
		info := *s.ext
		info.Addrs = append([]string(nil), s.ext.Addrs...)
		return &info
	}
	info := &mgo.DialInfo{Addrs: []string{s.Addr()}, Database: databaseName, Timeout: dialTimeout}
	if cfg := s.auth.Load(); cfg != nil {
		s.mu.Lock()
		info.Username, info.Password, info.Source = cfg.user, s.password, authDB
		s.mu.Unlock()
	}
	return info
}

// Close stops the server and removes all its data: the data directory of
// the embedded server, or the database on the external one. When it
// returns, no goroutine of the server is left. Closing a closed Server
// does nothing.
func (s *Server) Close() error {
	if s.ext != nil {
		return s.closeExternal()
	}
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.stopLocked()
	err := s.ln.Close()
	<-s.acceptDone
	s.topo.close()
	if rmErr := os.RemoveAll(s.dir); rmErr != nil && err == nil {
		err = rmErr
	}
	if err != nil {
		return fmt.Errorf("mongotest: %w", err)
	}
	return nil
}

// DropConnections closes every client connection now, as a server crash
// or a network failure would. New connections are accepted as before.
// Against an external server it does nothing.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := make([]*conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.close()
	}
}

// Stop stops the embedded FerretDB and closes every client connection, but
// keeps the data and the address: until [Server.Restart], the proxy
// closes each new connection at once. Stopping a stopped Server does
// nothing. Against an external server it returns an error.
func (s *Server) Stop() error {
	return s.stop("Stop", nil)
}

// Restart stops the embedded FerretDB if it is running, and starts it
// again on the same data, behind the same address, as a restarted
// server: hello reports a new topologyVersion (a new processId, counter
// 0), connectionIds start again from 1, and a replica-set member is
// primary again in a new term (a step-down in progress ends). Against an external server it returns an
// error.
func (s *Server) Restart() error {
	return s.stop("Restart", s.startLocked)
}

// stop is Stop for the method named method, which, if then is not nil,
// runs then once the server has stopped, and returns its error.
func (s *Server) stop(method string, then func() error) error {
	if err := s.embeddedOnly(method); err != nil {
		return err
	}
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.closed {
		return errClosed
	}
	s.stopLocked()
	if then == nil {
		return nil
	}
	return then()
}

// startLocked starts the stopped embedded FerretDB again on the same
// data, behind the same address, as Restart says. The caller holds
// lifeMu.
func (s *Server) startLocked() error {
	f, err := startFerret(s.dir)
	if err != nil {
		return err
	}
	s.ferret = f
	s.topo.restart()
	s.connIDs.Store(0)
	s.mu.Lock()
	s.upstream = f.addr
	s.mu.Unlock()
	return nil
}

// Commands returns how many OP_MSG commands the server has received since
// Start: every command a client sent, answered or failed, except those
// that clients send on their own to find and watch the server, to
// authenticate and to close cursors (isMaster, hello, ping, getnonce,
// saslStart, saslContinue, logout, killCursors), so that a test can count
// the round trips of the code under test. Against an external server it
// returns -1.
func (s *Server) Commands() int64 {
	if s.ext != nil {
		return -1
	}
	return s.commands.Load()
}

// Connections returns how many client connections the server has
// accepted since Start, including those it closed at once because
// FerretDB was stopped. Against an external server it returns -1.
func (s *Server) Connections() int64 {
	if s.ext != nil {
		return -1
	}
	return s.accepted.Load()
}

// stopLocked closes every connection and stops FerretDB, if it is running.
// The caller holds lifeMu.
func (s *Server) stopLocked() {
	if s.ferret == nil {
		return
	}
	s.mu.Lock()
	s.upstream = ""
	s.mu.Unlock()
	s.DropConnections()
	s.connWG.Wait()
	s.ferret.stop()
	s.ferret = nil
}

// connDone is called by each connection's goroutine as it ends.
func (s *Server) connDone(c *conn) {
	c.close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
	s.connWG.Done()
}

// lookupCounts counts the commands the proxy ran as lookups by _id:
// decided, those it answered itself; undecided, those it sent on to
// FerretDB as they came, having found a filter it could not decide.
type lookupCounts struct{ decided, undecided atomic.Int64 }

// note counts one lookup, decided or not.
func (l *lookupCounts) note(decided bool) {
	if decided {
		l.decided.Add(1)
	} else {
		l.undecided.Add(1)
	}
}
