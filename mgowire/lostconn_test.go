package mgowire

import (
	"errors"
	"net"
	"sync"
	"testing"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/wire"
	"github.com/seed07a61904/leadership/internal/wiretest"
)

// These tests are about a connection that the server has closed before
// mgo's reader has seen it: mgo drops a socket only when its Read fails,
// never when its Write does, so the failure must reach mgo through Read.

// pingQuery is mgo's ping with request id id.
func pingQuery(id int32) []byte {
	return wire.BuildQuery(id, 0, "admin.$cmd", marshalDoc(bson.D{{Name: "ping", Value: 1}}))
}

// waitFailed waits until c has failed, without reading it.
func waitFailed(t *testing.T, c *conn) {
	t.Helper()
	waitConn(t, c, "the connection never saw the server close it", func() bool { return c.err != nil })
}

func TestWriteLeavesServerCloseToRead(t *testing.T) {
	nc, srv := rawConn(t, wiretest.Config{})
	c := nc.(*conn)
	send(t, c, 1, "admin", bson.D{{Name: "ping", Value: 1}})
	receive(t, c)
	srv.DropConnections()
	waitFailed(t, c)
	// mgo's reader has not run yet: the write is accepted, as a plain
	// socket accepts one to a peer that has gone, and Read reports.
	if n, err := c.Write(pingQuery(2)); err != nil || n != len(pingQuery(2)) {
		t.Fatalf("Write before Read saw the close = %d, %v; want %d, nil", n, err, len(pingQuery(2)))
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("Read returned no error after the server closed the connection")
	}
	// mgo's reader holds the error but has not closed the socket yet.
	if n, err := c.Write(pingQuery(3)); err != nil || n != len(pingQuery(3)) {
		t.Fatalf("Write after Read saw the close = %d, %v; want %d, nil", n, err, len(pingQuery(3)))
	}
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("Read returned no error the second time")
	}
	c.Close()
	if _, err := c.Write(pingQuery(4)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v, want net.ErrClosed", err)
	}
}

// failingWrites is a server's connection whose writes fail and whose
// reads wait for the other end of a pipe.
type failingWrites struct{ net.Conn }

var errWriteRefused = errors.New("write refused")

func (f failingWrites) Write([]byte) (int, error) { return 0, errWriteRefused }

func TestWriteLeavesFailedServerWriteToRead(t *testing.T) {
	a, b := net.Pipe()
	t.Cleanup(func() { b.Close() })
	d, _, err := newDialer(&mgo.DialInfo{}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := newConn(failingWrites{a}, d.s, "pipe:1", nil)
	t.Cleanup(func() { c.Close() })
	if n, err := c.Write(pingQuery(1)); err != nil || n != len(pingQuery(1)) {
		t.Fatalf("Write whose command the server's connection refused = %d, %v; want %d, nil", n, err, len(pingQuery(1)))
	}
	if _, err := c.Read(make([]byte, 1)); !errors.Is(err, errWriteRefused) {
		t.Fatalf("Read after a refused write: %v, want the write's error", err)
	}
	c.Close()
	if _, err := c.Write(pingQuery(2)); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Write after Close: %v, want net.ErrClosed", err)
	}
}

// heldReader is a translating connection whose Read, once it fails, waits
// for release before returning: mgo's reader on a busy machine, which runs
// only when something waits for it. release is closed when a write is
// accepted after the failure, because the request then waits for mgo's
// reader; a write that fails does not release it, because mgo then
// fails the request without waiting for its reader.
type heldReader struct {
	net.Conn
	failed   chan struct{} // closed when Read has failed
	release  chan struct{} // shared by all the connections of a test
	once     *sync.Once    // closes release
	failOnce sync.Once
}

func (h *heldReader) Read(p []byte) (int, error) {
	n, err := h.Conn.Read(p)
	if err != nil {
		h.failOnce.Do(func() { close(h.failed) })
		<-h.release
	}
	return n, err
}

func (h *heldReader) Write(p []byte) (int, error) {
	failed := h.Conn.(*conn).failed() != nil
	n, err := h.Conn.Write(p)
	if failed && err == nil {
		h.once.Do(func() { close(h.release) })
	}
	return n, err
}

// Before the fix, Write returned the error of a connection the server had
// closed: mgo failed the ping at once and put the socket back in the pool,
// and with its reader not yet run, every Refresh+Ping took the same dead
// socket again (integration/safety saw ten EOFs in a row under load).
func TestSessionRecoversWhileReadersLag(t *testing.T) {
	srv, err := wiretest.Start(wiretest.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	d, info, err := newDialer(&mgo.DialInfo{Addrs: []string{srv.Addr()}, Timeout: longWait}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	release, once := make(chan struct{}), &sync.Once{}
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	var mu sync.Mutex
	var conns []*heldReader
	info.DialServer = func(addr *mgo.ServerAddr) (net.Conn, error) {
		c, err := d.dialServer(addr)
		if err != nil {
			return nil, err
		}
		h := &heldReader{Conn: c, failed: make(chan struct{}), release: release, once: once}
		mu.Lock()
		conns = append(conns, h)
		mu.Unlock()
		return h, nil
	}
	session, err := mgo.DialWithInfo(info)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(session.Close)
	if err := session.Ping(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	dropped := append([]*heldReader(nil), conns...)
	mu.Unlock()
	srv.DropConnections()
	for _, h := range dropped {
		select {
		case <-h.failed:
		case <-timeout():
			t.Fatal("mgo's reader never saw the server close a connection")
		}
	}
	var errs []error
	for len(errs) < 10 {
		session.Refresh()
		err := session.Ping()
		if err == nil {
			break
		}
		errs = append(errs, err)
	}
	// Each dead socket may fail one ping, as over TCP; then mgo drops it.
	if len(errs) == 10 || len(errs) > len(dropped) {
		t.Fatalf("%d pings failed after the server closed %d connections: %v", len(errs), len(dropped), errs)
	}
}
