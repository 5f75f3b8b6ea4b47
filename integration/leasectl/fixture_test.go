// Package leasectl_test runs the leasectl command (internal/leasectl's
// Run) against the embedded server, beside lease clients that play the
// controllers.
package leasectl_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/integration/internal/mongofixture"
	"github.com/seed07a61904/leadership/internal/clocktest"
	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/internal/observetest"
	"github.com/seed07a61904/leadership/lease"
)

const (
	// longWait bounds, in real time, a wait for something that must
	// happen.
	longWait = 10 * time.Second
	// txnCollection is the mgo/txn collection of the controllers' clients,
	// as in the demo (and leasectl's -txns default).
	txnCollection = mongofixture.TxnCollection
	// namespace and collection are leasectl's defaults.
	namespace  = mongofixture.Namespace
	collection = mongofixture.Collection
)

// fixture is a server, a database on it, the controllers' clock and the
// operator's (leasectl's), which differ.
type fixture struct {
	*mongofixture.Fixture
	t   *testing.T
	url string
	// clock is the controllers' clock; opClock leasectl's, an hour and
	// 250ms behind.
	clock, opClock *clocktest.Clock
	// opStart is where opClock starts.
	opStart time.Time
}

// opLag is how far the operator's clock is behind the controllers'.
const opLag = time.Hour + 250*time.Millisecond

func newFixture(t *testing.T) *fixture {
	t.Helper()
	mf := mongofixture.New(t)
	return &fixture{
		Fixture: mf,
		t:       t,
		url:     mf.Server.URL(),
		clock:   clocktest.NewClock(clocktest.Start),
		opClock: clocktest.NewClock(clocktest.Start.Add(-opLag)),
		opStart: clocktest.Start.Add(-opLag),
	}
}

// client returns a lease client with the given id on the controllers'
// clock, in the default collection and namespace.
func (f *fixture) client(id string) lease.Client {
	f.t.Helper()
	return f.clientIn(namespace, id)
}

// clientIn returns a lease client with the given id on the controllers'
// clock, in the default collection and namespace ns.
func (f *fixture) clientIn(ns, id string) lease.Client {
	f.t.Helper()
	config := f.ClientConfig(id, f.clock)
	config.Namespace = ns
	client, err := lease.NewClient(config)
	if err != nil {
		f.t.Fatal(err)
	}
	return client
}

// claim claims name for holder through client, for d.
func (f *fixture) claim(client lease.Client, name, holder string, d time.Duration) {
	f.t.Helper()
	if err := client.ClaimLease(name, lease.Request{Holder: holder, Duration: d}); err != nil {
		f.t.Fatalf("claim %s for %s: %v", name, holder, err)
	}
}

// running is leasectl running in the background.
type running struct {
	f              *fixture
	args           []string
	stdout, stderr observetest.Buffer
	cancel         context.CancelFunc
	done           chan int
}

// start runs leasectl -url URL args... in the background, cancelled (as by
// Ctrl-C) when the test ends if it is still running.
func (f *fixture) start(args ...string) *running {
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{f: f, args: args, cancel: cancel, done: make(chan int, 1)}
	f.t.Cleanup(cancel)
	go func() {
		r.done <- f.env(&r.stdout, &r.stderr).Run(ctx, append([]string{"-url", f.url}, args...))
	}()
	return r
}

// wait waits for leasectl to return, and returns its exit status.
func (r *running) wait() int {
	r.f.t.Helper()
	select {
	case code := <-r.done:
		r.f.t.Logf("$ leasectl %s\n%s%s(exit status %d)", strings.Join(r.args, " "), r.stdout.String(), r.stderr.String(), code)
		return code
	case <-time.After(longWait):
		r.f.t.Fatalf("leasectl %s still running after %v\nstdout so far:\n%s\nstderr so far:\n%s", strings.Join(r.args, " "), longWait, r.stdout.String(), r.stderr.String())
		return -1
	}
}

// env returns leasectl's environment on the operator's clock, writing to
// stdout and stderr, on host "ops.example.com".
func (f *fixture) env(stdout, stderr *observetest.Buffer) leasectl.Env {
	return leasectl.Env{
		Stdout:   stdout,
		Stderr:   stderr,
		Clock:    f.opClock,
		Hostname: func() (string, error) { return "ops.example.com", nil },
	}
}

// run runs leasectl with -url and args, and returns its exit status,
// stdout and stderr. It logs the output, so that go test -v shows a
// transcript.
func (f *fixture) run(args ...string) (int, string, string) {
	f.t.Helper()
	return f.runArgs(append([]string{"-url", f.url}, args...)...)
}

// runArgs runs leasectl with exactly args.
func (f *fixture) runArgs(args ...string) (int, string, string) {
	f.t.Helper()
	var stdout, stderr observetest.Buffer
	code := f.env(&stdout, &stderr).Run(context.Background(), args)
	f.t.Logf("$ leasectl %s\n%s%s(exit status %d)", strings.Join(args, " "), stdout.String(), stderr.String(), code)
	return code, stdout.String(), stderr.String()
}

// listJSON is list's and clock's JSON output, as documented.
type listJSON struct {
	Namespace  string    `json:"namespace"`
	Collection string    `json:"collection"`
	ReadAfter  time.Time `json:"read_after"`
	ReadBefore time.Time `json:"read_before"`
	Refresh    int       `json:"refresh"`
	Leases     []struct {
		Name       string     `json:"name"`
		Holder     string     `json:"holder"`
		Term       int64      `json:"term"`
		Writer     string     `json:"writer"`
		Expiry     time.Time  `json:"expiry"`
		ExpiresBy  *time.Time `json:"expires_by"`
		LeftAtMost *float64   `json:"left_at_most_seconds"`
		Expired    bool       `json:"expired"`
		Change     string     `json:"change"`
	} `json:"leases"`
	Writers []struct {
		Writer        string    `json:"writer"`
		LastWrite     time.Time `json:"last_write"`
		Writes        int64     `json:"writes"`
		OffsetAtLeast float64   `json:"offset_at_least_seconds"`
		Change        string    `json:"change"`
	} `json:"writers"`
	Problems []struct {
		Document string `json:"document"`
		Error    string `json:"error"`
	} `json:"problems"`
}

// runJSON runs leasectl -json with args, fails the test unless it exits
// with ExitOK, and decodes its output.
func (f *fixture) runJSON(args ...string) listJSON {
	f.t.Helper()
	code, out, _ := f.run(append([]string{"-json"}, args...)...)
	wantStatus(f.t, code, leasectl.ExitOK)
	return f.decode(out)
}

// decode decodes one line of JSON output.
func (f *fixture) decode(line string) listJSON {
	f.t.Helper()
	var out listJSON
	dec := json.NewDecoder(strings.NewReader(line))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&out); err != nil {
		f.t.Fatalf("cannot decode %q: %v", line, err)
	}
	return out
}

// wantStatus fails the test unless code is want.
func wantStatus(t *testing.T, code, want int) {
	t.Helper()
	if code != want {
		t.Errorf("exit status %d, want %d", code, want)
	}
}

// wantNone fails the test unless s, what the test calls what, is empty.
func wantNone(t *testing.T, what, s string) {
	t.Helper()
	if s != "" {
		t.Errorf("%s %q, want none", what, s)
	}
}

// wantContains fails the test unless s contains each of subs.
func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s does not contain %q:\n%s", what, sub, s)
		}
	}
}
