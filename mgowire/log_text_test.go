package mgowire_test

import (
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	jujuerrors "github.com/juju/errors"
	mgo "gopkg.in/mgo.v2"

	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/internal/wiretest"
	"github.com/seed07a61904/leadership/mgowire"
)

// TestLogTextHandler logs, through slog.TextHandler, a connection that
// fails with an error made by github.com/juju/errors: the error attribute
// is the error's message, on one line, with no source path (slog's text
// handler formats an error value with %+v, which prints such an error's
// stack; the error mgowire reports wraps the dialer's, which hides it
// here, but the line must not depend on that).
func TestLogTextHandler(t *testing.T) {
	srv := startServer(t, wiretest.Config{})
	opts, o := observedOptions()
	var buf observetest.Buffer
	opts.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var dials atomic.Int32
	refused := jujuerrors.Annotate(errors.New("refused by the test"), "dial")
	opts.DialConn = func(addr string) (net.Conn, error) {
		if dials.Add(1) == 1 {
			return nil, refused
		}
		return net.Dial("tcp", addr)
	}
	dial(t, srv, mgo.DialInfo{}, opts)
	text := buf.String()
	failed := o.events.Match(func(e mgowire.Event) bool {
		return e.Kind == mgowire.EventConnect && e.Result == mgowire.ResultError
	})
	if len(failed) != 1 || !errors.Is(failed[0].Err, refused) {
		t.Fatalf("want one failed connect event, got %+v", failed)
	}
	var line string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, `msg="connection failed"`) {
			line = l
		}
	}
	if want := failed[0].Err.Error(); !strings.Contains(want, "dial: refused by the test") || !strings.HasSuffix(line, " error="+strconv.Quote(want)) {
		t.Errorf("no connection failed line with the error %q:\n%s", want, text)
	}
	for _, bad := range []string{".go:", "github.com/", `\n`} {
		if strings.Contains(text, bad) {
			t.Errorf("the log holds a source location (%q):\n%s", bad, text)
		}
	}
}
