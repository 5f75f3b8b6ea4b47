package mgowire_test

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"
	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// observed is what an observed session reports.
type observed struct {
	events *observetest.Recorder[mgowire.Event]
	logs   *observetest.Handler
	clock  *clocktest.Clock
}

// observedOptions returns Options that report to a new observed, on a fake
// clock.
func observedOptions() (mgowire.Options, *observed) {
	o := &observed{
		events: &observetest.Recorder[mgowire.Event]{},
		logs:   observetest.NewHandler(slog.LevelDebug),
		clock:  clocktest.NewClock(clocktest.Start),
	}
	return mgowire.Options{Observer: o.events, Logger: slog.New(o.logs), Clock: o.clock}, o
}

// commands returns the EventCommands of the command named name.
func (o *observed) commands(name string) []mgowire.Event {
	return o.events.Match(func(e mgowire.Event) bool { return e.Kind == mgowire.EventCommand && e.Command == name })
}

// line returns the only log line with message msg, failing the test if
// there is none or more than one, or if it is not at level.
func (o *observed) line(t *testing.T, level slog.Level, msg string) observetest.Record {
	t.Helper()
	lines := o.logs.Find(msg)
	if len(lines) == 0 {
		t.Fatalf("no %q line: %v", msg, o.logs.Records())
	}
	if lines[0].Level != level {
		t.Errorf("%q at %v, want %v", msg, lines[0].Level, level)
	}
	return lines[0]
}

// attr returns the string form of a line's attribute.
func attr(r observetest.Record, key string) string {
	v, ok := r.Attrs[key]
	if !ok {
		return "<missing>"
	}
	return fmt.Sprint(v.Any())
}

func TestObserveConnectAndCommand(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	opts, o := observedOptions()
	// The server takes 2s, on the observer's clock, to answer inserts.
	srv.SetHook(func(cmd wiretest.Command, reply bson.D) bson.D {
		if cmd.Name == "insert" {
			o.clock.Advance(2 * time.Second)
		}
		return reply
	})
	session := dial(t, srv, mgo.DialInfo{}, opts)
	if err := session.DB("test").C("c").Insert(bson.M{"_id": 1}); err != nil {
		t.Fatal(err)
	}
	connects := o.events.Match(func(e mgowire.Event) bool { return e.Kind == mgowire.EventConnect })
	if len(connects) == 0 {
		t.Fatal("no connect event")
	}
	if e := connects[0]; e.Result != mgowire.ResultOK || e.Addr != srv.Addr() || e.Err != nil {
		t.Errorf("connect event %+v, want ok to %s", e, srv.Addr())
	}
	inserts := o.commands("insert")
	if len(inserts) != 1 {
		t.Fatalf("want one insert event, got %+v", inserts)
	}
	if e := inserts[0]; e.Result != mgowire.ResultOK || e.Addr != srv.Addr() || e.Duration != 2*time.Second || e.Err != nil {
		t.Errorf("insert event %+v, want ok to %s in 2s", e, srv.Addr())
	}
	if len(o.events.Match(func(e mgowire.Event) bool { return strings.EqualFold(e.Command, "isMaster") })) == 0 {
		t.Errorf("no isMaster event: %+v", o.events.Events())
	}
	line := o.line(t, slog.LevelDebug, "connected")
	if got := attr(line, "addr"); got != srv.Addr() {
		t.Errorf("connected line addr %s, want %s", got, srv.Addr())
	}
}

func TestObserveFailedCommand(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	opts, o := observedOptions()
	session := dial(t, srv, mgo.DialInfo{}, opts)
	srv.SetHook(failOnce("insert", bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "bad value"}, {Name: "code", Value: 2}}))
	if err := session.DB("test").C("c").Insert(bson.M{"_id": 1}); err == nil {
		t.Fatal("insert succeeded")
	}
	inserts := o.commands("insert")
	if len(inserts) != 1 || inserts[0].Result != mgowire.ResultError || inserts[0].Err == nil {
		t.Fatalf("want one failed insert event, got %+v", inserts)
	}
	line := o.line(t, slog.LevelDebug, "command failed")
	if got := attr(line, "command"); got != "insert" {
		t.Errorf("command failed line: command %s, want insert", got)
	}
}

func TestObserveNotPrimaryAndReconnect(t *testing.T) {
	srv := startServer(t, wiretest.Config{SetName: "rs"})
	opts, o := observedOptions()
	session := dial(t, srv, mgo.DialInfo{}, opts)
	c := session.DB("test").C("c")
	if err := c.Insert(bson.M{"_id": 1}); err != nil {
		t.Fatal(err)
	}
	srv.SetHook(failOnce("insert", bson.D{{Name: "ok", Value: 0.0}, {Name: "errmsg", Value: "not primary"}, {Name: "code", Value: 10107}}))
	if err := c.Insert(bson.M{"_id": 2}); err == nil {
		t.Fatal("insert succeeded through a not-primary reply")
	}
	insertUntilNewSocket(t, session, c, 3)
	var notPrimary []mgowire.Event
	for _, e := range o.commands("insert") {
		if e.Result == mgowire.ResultNotPrimary {
			notPrimary = append(notPrimary, e)
		}
	}
	if len(notPrimary) != 1 || !errors.Is(notPrimary[0].Err, mgowire.ErrNotPrimary) || notPrimary[0].Addr != srv.Addr() {
		t.Fatalf("want one not_primary insert event from %s, got %+v", srv.Addr(), notPrimary)
	}
	line := o.line(t, slog.LevelWarn, "server is not primary; reconnecting")
	if attr(line, "command") != "insert" || attr(line, "addr") != srv.Addr() || attr(line, "result") != "not_primary" {
		t.Errorf("not-primary line %v", line)
	}
	// The insert that succeeded went through a connection set up after
	// the not-primary reply: that one is logged as the reconnection.
	reconnect := o.line(t, slog.LevelWarn, "reconnected after a not-primary reply")
	if attr(reconnect, "addr") != srv.Addr() {
		t.Errorf("reconnection line %v", reconnect)
	}
}

func TestObserveConnectFailure(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	opts, o := observedOptions()
	var dials atomic.Int32
	refused := errors.New("refused by the test")
	opts.DialConn = func(addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, refused
		}
		return net.Dial("tcp", addr)
	}
	dial(t, srv, mgo.DialInfo{}, opts)
	failed := o.events.Match(func(e mgowire.Event) bool {
		return e.Kind == mgowire.EventConnect && e.Result == mgowire.ResultError
	})
	if len(failed) != 1 || !errors.Is(failed[0].Err, refused) || failed[0].Addr != srv.Addr() {
		t.Fatalf("want one failed connect event to %s, got %+v", srv.Addr(), failed)
	}
	line := o.line(t, slog.LevelWarn, "connection failed")
	if attr(line, "addr") != srv.Addr() || !strings.Contains(attr(line, "error"), "refused by the test") {
		t.Errorf("connection failed line %v", line)
	}
}

func TestObserveOptionsValidation(t *testing.T) {
	var nilFunc mgowire.ObserverFunc
	var nilClock *clocktest.Clock
	for _, tc := range []struct {
		opts mgowire.Options
		want string
	}{
		{mgowire.Options{Observer: nilFunc}, "Observer is a nil mgowire.ObserverFunc"},
		{mgowire.Options{Clock: nilClock}, "Clock is a nil *leasetest.Clock"},
	} {
		err := tc.opts.Validate()
		if !invalidNaming(err, tc.want) {
			t.Errorf("got %v, want ErrInvalid saying %q", err, tc.want)
		}
	}
}

// TestObserveAuthFailure: a connection whose authentication fails is a
// failed setup: an EventConnect error matching ErrAuth, and a "connection
// failed" warning that names the server and not the password.
func TestObserveAuthFailure(t *testing.T) {
	srv := startServer(t, wiretest.Config{Users: map[string]string{"alice": "pw"}})
	opts, o := observedOptions()
	_, err := mgowire.DialWithInfo(&mgo.DialInfo{
		Addrs: []string{srv.Addr()}, Username: "alice", Password: "xyzzy42", Timeout: 300 * time.Millisecond,
	}, opts)
	if !errors.Is(err, mgowire.ErrAuth) {
		t.Fatalf("dial with a wrong password: %v, want an error matching mgowire.ErrAuth", err)
	}
	failed := o.events.Match(func(e mgowire.Event) bool {
		return e.Kind == mgowire.EventConnect && e.Result == mgowire.ResultError
	})
	if len(failed) == 0 {
		t.Fatalf("no failed connect event; got %+v", o.events.Events())
	}
	for _, e := range failed {
		if !errors.Is(e.Err, mgowire.ErrAuth) || e.Addr != srv.Addr() {
			t.Errorf("failed connect event %+v: want Err matching ErrAuth, Addr %s", e, srv.Addr())
		}
	}
	if ok := o.events.Match(func(e mgowire.Event) bool {
		return e.Kind == mgowire.EventConnect && e.Result == mgowire.ResultOK
	}); len(ok) != 0 {
		t.Errorf("connect events ok after a wrong password: %+v", ok)
	}
	line := o.logs.Find("connection failed")
	if len(line) == 0 {
		t.Fatalf("no connection failed line: %v", o.logs.Records())
	}
	if line[0].Level != slog.LevelWarn || attr(line[0], "addr") != srv.Addr() || strings.Contains(attr(line[0], "error"), "xyzzy42") {
		t.Errorf("connection failed line %v", line[0])
	}
}
