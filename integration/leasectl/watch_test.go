package leasectl_test

import (
	"strings"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/lease"
)

// next waits until watch has finished refresh n-1 (it has asked for the
// alarm of refresh n, an interval of 1s apart on the operator's clock),
// calls change, and moves the operator's clock to that alarm.
func (w *running) next(n int, change func()) {
	w.f.t.Helper()
	if err := w.f.opClock.WaitAlarmFor(w.f.opStart.Add(time.Duration(n-1)*time.Second), longWait); err != nil {
		w.f.t.Fatalf("refresh %d: %v\nstdout so far:\n%s", n, err, w.stdout.String())
	}
	change()
	w.f.opClock.Advance(time.Second)
}

// jsonLines returns the lines that a -json watch printed, one a refresh
// shown, failing the test unless there are n.
func (w *running) jsonLines(n int) []string {
	w.f.t.Helper()
	lines := strings.Split(strings.TrimSuffix(w.stdout.String(), "\n"), "\n")
	if len(lines) != n {
		w.f.t.Fatalf("%d refreshes shown, want %d:\n%s", len(lines), n, w.stdout.String())
	}
	return lines
}

// stopServer stops the fixture's server, as a change between refreshes.
func (f *fixture) stopServer() {
	f.t.Helper()
	if err := f.Server.Stop(); err != nil {
		f.t.Fatal(err)
	}
}

// restartServer restarts the fixture's stopped server, as a change
// between refreshes.
func (f *fixture) restartServer() {
	f.t.Helper()
	if err := f.Server.Restart(); err != nil {
		f.t.Fatal(err)
	}
}

// watchScript runs leasectl -url URL args... as a watch of 3 refreshes:
// refresh 1 sees redis held by controller-0; mysql is claimed by
// controller-1 before refresh 2; before refresh 3, redis is revoked and
// mysql extended.
func watchScript(f *fixture, args ...string) *running {
	c0, c1 := f.client("controller-0"), f.client("controller-1")
	f.claim(c0, "redis", "redis/0", time.Minute)
	w := f.start(args...)
	w.next(2, func() { f.claim(c1, "mysql", "mysql/1", time.Minute) })
	w.next(3, func() {
		if err := c0.(lease.Revoker).RevokeLease("redis", "redis/0"); err != nil {
			f.t.Fatal(err)
		}
		f.clock.Advance(time.Second)
		if err := c1.ExtendLease("mysql", lease.Request{Holder: "mysql/1", Duration: time.Minute}); err != nil {
			f.t.Fatal(err)
		}
	})
	return w
}

func TestWatchJSON(t *testing.T) {
	f := newFixture(t)
	w := watchScript(f, "-json", "watch", "-count", "3")
	wantStatus(t, w.wait(), leasectl.ExitOK)

	lines := w.jsonLines(3)
	type mark struct{ name, change string }
	want := [][2][]mark{
		{{{"redis", ""}}, {{"controller-0", ""}}}, // controller-1 has not written yet
		{{{"mysql", "new"}, {"redis", ""}}, {{"controller-0", ""}, {"controller-1", "new"}}},
		{{{"mysql", "changed"}, {"redis", "gone"}}, {{"controller-0", "changed"}, {"controller-1", "changed"}}},
	}
	for i, line := range lines {
		got := f.decode(line)
		if got.Refresh != i+1 {
			t.Errorf("line %d: refresh %d", i, got.Refresh)
		}
		if !got.ReadBefore.Equal(f.opStart.Add(time.Duration(i) * time.Second)) {
			t.Errorf("refresh %d read at %v", i+1, got.ReadBefore)
		}
		var leases, writers []mark
		for _, l := range got.Leases {
			leases = append(leases, mark{l.Name, l.Change})
			if l.Change == "gone" && (l.ExpiresBy != nil || l.LeftAtMost != nil || l.Holder != "redis/0") {
				t.Errorf("gone lease %+v: want its last holder, and no estimate", l)
			}
		}
		for _, wr := range got.Writers {
			writers = append(writers, mark{wr.Writer, wr.Change})
		}
		if i == 1 {
			// controller-0 has not written since refresh 1, a second
			// before: redis has a second less left, at most, and the
			// bound on controller-0's clock is refresh 1's.
			if l := got.Leases[1]; l.LeftAtMost == nil || *l.LeftAtMost != 59 {
				t.Errorf("refresh 2: redis %+v, want 59s left at most", l)
			}
			if w := got.Writers[0]; w.OffsetAtLeast != opLag.Seconds() {
				t.Errorf("refresh 2: controller-0 %+v, want an offset of at least %v", w, opLag.Seconds())
			}
		}
		if !equalMarks(leases, want[i][0]) || !equalMarks(writers, want[i][1]) {
			t.Errorf("refresh %d: leases %v, writers %v; want %v, %v", i+1, leases, writers, want[i][0], want[i][1])
		}
	}
}

func equalMarks[T comparable](a, b []T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestWatchTable(t *testing.T) {
	f := newFixture(t)
	w := watchScript(f, "watch", "-count", "3")
	wantStatus(t, w.wait(), leasectl.ExitOK)
	out := w.stdout.String()
	refreshes := strings.Split(out, "== refresh ")
	if len(refreshes) != 4 {
		t.Fatalf("want 3 refreshes:\n%s", out)
	}
	wantContains(t, "refresh 2", refreshes[2], "CHANGE", "controller-1")
	third := refreshes[3]
	for _, row := range []string{"mysql mysql/1", "redis redis/0"} {
		if !strings.Contains(strings.Join(strings.Fields(third), " "), row) {
			t.Errorf("refresh 3 lacks %q:\n%s", row, third)
		}
	}
	for _, line := range strings.Split(third, "\n") {
		fields := strings.Fields(line)
		if len(fields) > 0 && (fields[0] == "redis" || fields[0] == "mysql") {
			want := map[string]string{"redis": "gone", "mysql": "changed"}[fields[0]]
			if fields[len(fields)-1] != want {
				t.Errorf("refresh 3 row %q not marked %s", line, want)
			}
		}
	}
}

func TestWatchStopsOnCancel(t *testing.T) {
	f := newFixture(t)
	f.client("controller-0")
	w := f.start("watch")
	if err := f.opClock.WaitAlarmFor(f.opStart.Add(time.Second), longWait); err != nil {
		t.Fatal(err)
	}
	w.cancel()
	wantStatus(t, w.wait(), leasectl.ExitOK)
	if got := strings.Count(w.stdout.String(), "== refresh "); got != 1 {
		t.Errorf("%d refreshes, want 1", got)
	}
}

// watchThroughOutage claims redis for redis/0, starts watch -json
// -timeout 3s -count count, and stops the server before refresh 2.
func watchThroughOutage(t *testing.T, count string) (*fixture, *running) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	w := f.start("-json", "-timeout", "3s", "watch", "-count", count)
	w.next(2, f.stopServer)
	return f, w
}

// TestWatchCarriesOnAfterFailedRefresh stops the server before refresh
// 2, which fails within -timeout (real time: a refused connection is
// retried until then), and restarts it before refresh 3, which works:
// each refresh reads on a new copy of the session, since mgo keeps
// failing on one that held a broken socket. The -timeout of 3s gives
// refresh 3 room for mgo's resynchronisation of the cluster (it waits
// 500ms between attempts) on a loaded machine.
func TestWatchCarriesOnAfterFailedRefresh(t *testing.T) {
	f, w := watchThroughOutage(t, "3")
	w.next(3, f.restartServer)
	wantStatus(t, w.wait(), leasectl.ExitOK)
	wantContains(t, "stderr", w.stderr.String(), `leasectl: refresh 2: cannot read namespace "service-leadership": `)
	lines := w.jsonLines(2)
	if got := f.decode(lines[1]); got.Refresh != 3 || len(got.Leases) != 1 || got.Leases[0].Change != "" {
		t.Errorf("refresh 3 after the failed one: %+v", got)
	}
}

// TestWatchFailsIfLastRefreshFails stops the server before the last of
// -count refreshes: watch shows the first, reports the second, and exits
// with 1, so that a script running watch -count sees the failure.
func TestWatchFailsIfLastRefreshFails(t *testing.T) {
	_, w := watchThroughOutage(t, "2")
	wantStatus(t, w.wait(), leasectl.ExitFailure)
	wantContains(t, "stderr", w.stderr.String(), `leasectl: the last refresh (2) failed: `)
	w.jsonLines(1)
}
