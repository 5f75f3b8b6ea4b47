package mgowire_test

import (
	"testing"
	"time"

	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// longWait bounds anything a test waits for; it is a failure deadline,
// never a pause.
const longWait = 10 * time.Second

// startServer starts a wiretest server for the test and closes it at the
// end.
func startServer(t testing.TB, cfg wiretest.Config) *wiretest.Server {
	t.Helper()
	srv, err := wiretest.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

// dial returns an mgowire session to srv, closed at the end of the test.
func dial(t testing.TB, srv *wiretest.Server, info mgo.DialInfo, opts mgowire.Options) *mgo.Session {
	t.Helper()
	if info.Addrs == nil {
		info.Addrs = []string{srv.Addr()}
	}
	if info.Timeout == 0 {
		info.Timeout = longWait
	}
	if info.Database == "" {
		info.Database = "test"
	}
	session, err := mgowire.DialWithInfo(&info, opts)
	if err != nil {
		t.Fatalf("DialWithInfo: %v", err)
	}
	t.Cleanup(session.Close)
	return session
}

// commandsNamed returns the commands named name that srv received.
func commandsNamed(srv *wiretest.Server, name string) []wiretest.Command {
	var out []wiretest.Command
	for _, c := range srv.Commands() {
		if c.Name == name {
			out = append(out, c)
		}
	}
	return out
}

// timeout returns a channel that receives once longWait has passed: a
// failure deadline.
func timeout() <-chan time.Time {
	return time.After(longWait)
}
