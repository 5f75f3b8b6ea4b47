package leasectl_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/internal/observetest"
)

func TestCommandLineErrors(t *testing.T) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	f.clientIn("another", "controller-0")
	for _, c := range []struct {
		args   []string
		status int
		stderr string
	}{
		{[]string{"list"}, leasectl.ExitUsage, "leasectl: missing -url"},
		{[]string{"-url", "http://127.0.0.1:1", "list"}, leasectl.ExitUsage, `leasectl: invalid -url: mgowire: invalid configuration: URL "http://127.0.0.1:1": scheme "http://"`},
		{[]string{"-url", "mongodb://127.0.0.1:99999", "list"}, leasectl.ExitUsage, `server "127.0.0.1:99999": port "99999" is not a number from 1 to 65535`},
		{[]string{"-url", f.url}, leasectl.ExitUsage, "leasectl: missing subcommand: list, clock, watch, revoke or prune"},
		{[]string{"-url", f.url, "frob"}, leasectl.ExitUsage, `leasectl: unknown subcommand "frob": want list, clock, watch, revoke or prune`},
		{[]string{"-url", f.url, "list", "redis"}, leasectl.ExitUsage, `leasectl: list takes no arguments, got ["redis"]`},
		{[]string{"-url", f.url, "clock", "-json"}, leasectl.ExitUsage, `leasectl: flag -json after the subcommand "clock": leasectl's flags go before it (leasectl -json ... clock ...)`},
		{[]string{"-url", f.url, "revoke", "redis"}, leasectl.ExitUsage, `leasectl: revoke takes LEASE HOLDER, got 1 arguments ["redis"]`},
		{[]string{"-url", f.url, "revoke", "redis", "redis/0", "now"}, leasectl.ExitUsage, `revoke takes LEASE HOLDER, got 3 arguments`},
		{[]string{"-url", f.url, "watch", "now"}, leasectl.ExitUsage, `leasectl: watch takes no arguments besides -interval and -count, got ["now"]`},
		{[]string{"-url", f.url, "watch", "-interval", "0s"}, leasectl.ExitUsage, "leasectl: invalid watch -interval 0s: must be positive"},
		{[]string{"-url", f.url, "watch", "-count", "-1"}, leasectl.ExitUsage, "leasectl: invalid watch -count -1: must be 0 or more"},
		{[]string{"-url", f.url, "-frob", "list"}, leasectl.ExitUsage, "leasectl: flag provided but not defined: -frob"},
		{[]string{"-url", f.url, "-timeout", "0s", "list"}, leasectl.ExitUsage, "leasectl: invalid -timeout 0s: must be positive"},
		{[]string{"-url", f.url, "-namespace", "a.b", "list"}, leasectl.ExitUsage, `leasectl: -namespace: invalid namespace "a.b": '.' at byte 1 (use "a-b" instead); a namespace must be `},
		{[]string{"-url", f.url, "-writer", "a b", "revoke", "redis", "redis/0"}, leasectl.ExitUsage, `leasectl: -writer: invalid id "a b": white space U+0020 at byte 1 (use "a-b" instead); an id must be `},
		{[]string{"-url", f.url, "-collection", "nosuch", "list"}, leasectl.ExitFailure,
			`leasectl: no collection "nosuch" in database "` + f.DB.Name + `" on ` + f.Server.Addr() + `/` + f.DB.Name + ` (the database's collections: "leases", "txns", "txns.stash")`},
		{[]string{"-url", f.url, "-namespace", "other", "clock"}, leasectl.ExitFailure,
			`leasectl: no namespace "other" in collection "leases": no lease and no clock document (namespaces there: "another", "service-leadership")`},
	} {
		code, out, errOut := f.runArgs(c.args...)
		wantStatus(t, code, c.status)
		wantContains(t, "stderr", errOut, c.stderr)
		if c.status == leasectl.ExitUsage {
			wantContains(t, "stderr", errOut, "Usage: leasectl -url URL", "Exit status: 0 ok, 1 failure, 2 usage error.")
		}
		wantNone(t, fmt.Sprintf("%q: stdout", c.args), out)
	}
}

// TestWrongDatabase checks that a URL whose database is left out, or
// misspelt, is told apart from a missing collection: the error names the
// server's databases, and says when the URL names none.
func TestWrongDatabase(t *testing.T) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	addr := f.Server.Addr()
	for _, c := range []struct{ url, want string }{
		{"mongodb://" + addr, `leasectl: no collection "leases" in database "test" on ` + addr + `/test (the database's collections: none; ` +
			`the URL names no database, so mgo used "test": add it after the host, as in mongodb://host:port/DATABASE; the server's databases: `},
		{"mongodb://" + addr + "/" + f.DB.Name + "x", `leasectl: no collection "leases" in database "` + f.DB.Name + `x" on ` + addr + `/` + f.DB.Name +
			`x (the database's collections: none; the server's databases: `},
	} {
		code, out, errOut := f.runArgs("-url", c.url, "list")
		wantStatus(t, code, leasectl.ExitFailure)
		wantContains(t, "stderr", errOut, c.want, fmt.Sprintf("%q", f.DB.Name))
		wantNone(t, "stdout", out)
	}
}

func TestHelp(t *testing.T) {
	f := newFixture(t)
	code, out, errOut := f.runArgs("-help")
	wantStatus(t, code, leasectl.ExitOK)
	wantNone(t, "stdout", out)
	wantContains(t, "usage", errOut, "leasectl [flags] revoke [-wait | -force] LEASE HOLDER", "-timeout duration", "Exit status: 0 ok, 1 failure, 2 usage error.")
}

// TestUnreachableServer waits, in real time, for a -timeout of 300ms to
// run out: a server that refuses connections is not known to be down for
// good (mgo retries it until the timeout).
func TestUnreachableServer(t *testing.T) {
	f := newFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	code, out, errOut := f.runArgs("-url", "mongodb://"+addr, "-timeout", "300ms", "list")
	wantStatus(t, code, leasectl.ExitFailure)
	wantContains(t, "stderr", errOut, "leasectl: cannot reach the server at "+addr+" within 300ms: no reachable servers")
	wantNone(t, "stdout", out)
}

// TestSilentServer runs leasectl against a server that accepts
// connections and never answers, and stops it:
//   - timeout: the -timeout, on the operator's clock, ends the run even
//     though mgo, which checks its own timeout only between rounds of its
//     server sync, would fail seconds later;
//   - interrupt: cancelling the context (as a SIGINT does) while leasectl
//     waits for the server stops it at once.
func TestSilentServer(t *testing.T) {
	for _, c := range []struct {
		name string
		stop func(f *fixture, cancel context.CancelFunc)
		// want is the whole of stderr, with %s for the server's address.
		want string
	}{
		{"timeout", func(f *fixture, _ context.CancelFunc) { f.opClock.Advance(5 * time.Second) },
			"leasectl: cannot reach the server at %s within 5s\n"},
		{"interrupt", func(_ *fixture, cancel context.CancelFunc) { cancel() },
			"leasectl: interrupted while dialing the server at %s: context canceled\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			addr := silentServer(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			code, stdout, stderr := f.dialSilent(ctx, addr, func() { c.stop(f, cancel) })
			wantStatus(t, code, leasectl.ExitFailure)
			if want := fmt.Sprintf(c.want, addr); stderr != want {
				t.Errorf("stderr %q, want %q", stderr, want)
			}
			wantNone(t, "stdout", stdout)
		})
	}
}

// TestBadCredentials gives the embedded server (which has no users)
// credentials: leasectl says they were refused at once, without waiting
// for its -timeout (which, on the operator's fake clock, never runs out),
// as mgo's retries of the failed connection setup would.
func TestBadCredentials(t *testing.T) {
	f := newFixture(t)
	var stdout, stderr observetest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- f.env(&stdout, &stderr).Run(context.Background(), []string{"-url", "mongodb://alice:secret@" + f.Server.Addr() + "/" + f.DB.Name, "list"})
	}()
	select {
	case code := <-done:
		wantStatus(t, code, leasectl.ExitFailure)
		wantContains(t, "stderr", stderr.String(), "leasectl: the server at "+f.Server.Addr()+" refused the credentials: ", "mgowire: authentication failed")
		if strings.Contains(stderr.String(), "secret") || stdout.String() != "" {
			t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
		}
	case <-time.After(longWait):
		t.Fatalf("leasectl still running after %v", longWait)
	}
}

// silentServer returns the address of a server that accepts connections
// and never answers, until the test ends.
func silentServer(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	accepted := make(chan struct{})
	go func() {
		defer close(accepted)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns = append(conns, c)
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		<-accepted
		for _, c := range conns {
			c.Close()
		}
	})
	return ln.Addr().String()
}

// dialSilent runs leasectl -url mongodb://addr -timeout 5s list in ctx,
// calls stop once it waits for the server (its deadline is set on the
// operator's clock), and returns its exit status, stdout and stderr.
func (f *fixture) dialSilent(ctx context.Context, addr string, stop func()) (int, string, string) {
	f.t.Helper()
	var stdout, stderr observetest.Buffer
	done := make(chan int, 1)
	go func() {
		done <- f.env(&stdout, &stderr).Run(ctx, []string{"-url", "mongodb://" + addr, "-timeout", "5s", "list"})
	}()
	if err := f.opClock.WaitAlarmFor(f.opStart.Add(5*time.Second), longWait); err != nil {
		f.t.Fatal(err)
	}
	stop()
	select {
	case code := <-done:
		return code, stdout.String(), stderr.String()
	case <-time.After(longWait):
		f.t.Fatalf("leasectl still running %v after it was stopped", longWait)
		return -1, "", ""
	}
}

func TestCorruptDocumentsReported(t *testing.T) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	bad := bson.M{"_id": "lease#service-leadership#mysql#", "type": "lease", "namespace": namespace,
		"name": "mysql", "holder": "mysql/0", "expiry": 1.5, "writer": "controller-0"}
	if err := f.DB.C(collection).Insert(bad); err != nil {
		t.Fatal(err)
	}
	problem := `lease#service-leadership#mysql#: corrupt lease document "lease#service-leadership#mysql#": invalid expiry: 1.5 is a float64, not int64 nanoseconds since 1970`

	code, out, errOut := f.run("list")
	wantStatus(t, code, leasectl.ExitFailure)
	wantContains(t, "stdout", out, "redis/0", "PROBLEMS (documents a lease client would refuse):\n  "+problem)
	wantContains(t, "stderr", errOut, `leasectl: 1 document(s) in namespace "service-leadership" could not be used; the first: `+problem)

	code, out, _ = f.run("-json", "list")
	wantStatus(t, code, leasectl.ExitFailure)
	got := f.decode(out)
	if len(got.Leases) != 1 || got.Leases[0].Name != "redis" || len(got.Problems) != 1 ||
		got.Problems[0].Document != "lease#service-leadership#mysql#" {
		t.Errorf("leases %+v, problems %+v", got.Leases, got.Problems)
	}

	// revoke goes through a lease client, which refuses the namespace.
	code, _, errOut = f.run("revoke", "redis", "redis/0")
	wantStatus(t, code, leasectl.ExitFailure)
	wantContains(t, "stderr", errOut, `leasectl: cannot open namespace "service-leadership" as writer "leasectl-ops-example-com": `, "corrupt lease document")
}
