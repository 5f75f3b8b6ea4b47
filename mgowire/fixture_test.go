package mgowire_test

import (
	"errors"
	"strings"
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

// invalidNaming reports whether err matches mgowire.ErrInvalid and its
// message contains each of names: a refusal that says what it refused.
func invalidNaming(err error, names ...string) bool {
	if !errors.Is(err, mgowire.ErrInvalid) {
		return false
	}
	for _, name := range names {
		if !strings.Contains(err.Error(), name) {
			return false
		}
	}
	return true
}

// checkURLsRefused checks that ParseURL refuses each URL of refused with
// ErrInvalid naming what refused gives for it.
func checkURLsRefused(t *testing.T, refused map[string]string) {
	t.Helper()
	for u, names := range refused {
		_, _, err := mgowire.ParseURL(u)
		if !invalidNaming(err, names) {
			t.Errorf("ParseURL(%q) = %v, want ErrInvalid naming %s", u, err, names)
		}
	}
}

// timeout returns a channel that receives once longWait has passed: a
// failure deadline.
func timeout() <-chan time.Time {
	return time.After(longWait)
}
