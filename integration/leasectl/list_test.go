package leasectl_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"gopkg.in/mgo.v2/bson"

	"github.com/seed07a61904/leadership/internal/leasectl"
	"github.com/seed07a61904/leadership/lease"
)

// twoControllers has controller-0 claim redis for a minute, at the start
// of the controllers' clock, and controller-1 claim mysql for 30s, 10s
// later; then, 61s after the start, controller-0 claims web for a minute,
// so that its clock has passed redis's expiry.
func twoControllers(f *fixture) {
	c0, c1 := f.client("controller-0"), f.client("controller-1")
	f.claim(c0, "redis", "redis/0", time.Minute)
	f.clock.Advance(10 * time.Second)
	f.claim(c1, "mysql", "mysql/1", 30*time.Second)
	f.clock.Advance(51 * time.Second)
	f.claim(c0, "web", "web/2", time.Minute)
}

func TestListTable(t *testing.T) {
	f := newFixture(t)
	twoControllers(f)
	code, out, errOut := f.run("list")
	wantStatus(t, code, leasectl.ExitOK)
	if errOut != "" {
		t.Errorf("stderr: %s", errOut)
	}
	lines := strings.Split(out, "\n")
	wantContains(t, "header", lines[0], `namespace "service-leadership" in collection "leases", read at 2073-03-03T08:39:59.750Z on your clock`)
	wantContains(t, "table header", lines[1], "LEASE", "HOLDER", "TERM", "EXPIRY (WRITER'S CLOCK)", "TIME LEFT", "WRITER")
	// The controllers' clock starts at 2073-03-03T09:40:00.000000005Z.
	// Each claim is the first of its lease: each takes the next term.
	for i, want := range [][]string{
		{"mysql", "mysql/1", "2", "2073-03-03T09:40:40.000Z", "at most 30s", "controller-1"},
		{"redis", "redis/0", "1", "2073-03-03T09:41:00.000Z", "expired", "controller-0"},
		{"web", "web/2", "3", "2073-03-03T09:42:01.000Z", "at most 1m0s", "controller-0"},
	} {
		if got := strings.Fields(lines[2+i]); strings.Join(got, "|") != strings.Join(append(want[:4:4], strings.Fields(want[4])...), "|")+"|"+want[5] {
			t.Errorf("row %d: got %q, want %q", i, lines[2+i], want)
		}
	}
	wantContains(t, "note", out, "TIME LEFT: at most this long after the read")
}

func TestListJSON(t *testing.T) {
	f := newFixture(t)
	twoControllers(f)
	got := f.runJSON("list")
	if got.Namespace != namespace || got.Collection != collection {
		t.Errorf("namespace %q, collection %q", got.Namespace, got.Collection)
	}
	readBefore := f.opClock.Now()
	if !got.ReadBefore.Equal(readBefore) || !got.ReadAfter.Equal(readBefore) {
		t.Errorf("read window %v to %v, want both %v (the operator's clock did not move)", got.ReadAfter, got.ReadBefore, readBefore)
	}
	if len(got.Writers) != 0 || len(got.Problems) != 0 || got.Problems == nil {
		t.Errorf("writers %v, problems %v; want none and []", got.Writers, got.Problems)
	}
	start := f.clock.Now().Add(-61 * time.Second)
	want := []struct {
		name, holder, writer string
		term                 int64
		expiry               time.Time
		left                 float64
		expired              bool
	}{
		{"mysql", "mysql/1", "controller-1", 2, start.Add(40 * time.Second), 30, false},
		{"redis", "redis/0", "controller-0", 1, start.Add(time.Minute), -1, true},
		{"web", "web/2", "controller-0", 3, start.Add(121 * time.Second), 60, false},
	}
	if len(got.Leases) != len(want) {
		t.Fatalf("leases %+v, want %d", got.Leases, len(want))
	}
	for i, w := range want {
		l := got.Leases[i]
		if l.Name != w.name || l.Holder != w.holder || l.Term != w.term || l.Writer != w.writer || !l.Expiry.Equal(w.expiry) || l.Expired != w.expired || l.Change != "" {
			t.Errorf("lease %d: %+v, want %+v", i, l, w)
		}
		if l.LeftAtMost == nil || *l.LeftAtMost != w.left {
			t.Errorf("lease %s: left_at_most_seconds %v, want %v", w.name, l.LeftAtMost, w.left)
		}
		// The writer had reached its last write by the end of the read:
		// the lease runs out by then plus the difference, on our clock.
		if wantBy := readBefore.Add(time.Duration(w.left * float64(time.Second))); l.ExpiresBy == nil || !l.ExpiresBy.Equal(wantBy) {
			t.Errorf("lease %s: expires_by %v, want %v", w.name, l.ExpiresBy, wantBy)
		}
		if l.Expiry.Location() != time.UTC {
			t.Errorf("lease %s: expiry %v not in UTC", w.name, l.Expiry)
		}
	}
}

func TestListEmptyNamespace(t *testing.T) {
	f := newFixture(t)
	f.client("controller-0") // creates the clock document only
	code, out, _ := f.run("list")
	wantStatus(t, code, leasectl.ExitOK)
	wantContains(t, "stdout", out, "(no leases held)")
	code, out, _ = f.run("-json", "list")
	wantStatus(t, code, leasectl.ExitOK)
	wantContains(t, "stdout", out, `"leases":[]`, `"problems":[]`)
}

// TestReadsWriteNothing runs every read of leasectl, and lease.Inspect on
// a namespace with leases but no clock documents, and checks that no
// document of the lease or the transaction collection changed (txn-queue
// fields included) and that no clock document was created.
func TestReadsWriteNothing(t *testing.T) {
	f := newFixture(t)
	f.claim(f.client("controller-0"), "redis", "redis/0", time.Minute)
	f.claim(f.clientIn("other", "controller-1"), "mysql", "mysql/1", time.Minute)
	// The namespace's clock documents: the shared one, and the writer's own.
	for _, id := range []string{"clock#other#", "clock#other#controller-1#"} {
		if err := f.DB.C(collection).RemoveId(id); err != nil {
			t.Fatal(err)
		}
	}
	before := f.dumpAll()

	for _, args := range [][]string{{"list"}, {"-json", "clock"}, {"watch", "-count", "1"}, {"-namespace", "nosuch", "list"}, {"-namespace", "other", "list"}} {
		f.run(args...)
	}
	snap, err := lease.Inspect(lease.NewMongo(f.DB, txnCollection), collection, "other", f.opClock)
	if err != nil {
		t.Fatal(err)
	}
	if snap.HasClock || len(snap.Leases) != 1 || len(snap.Problems) != 1 {
		t.Errorf("snapshot of a namespace without its clock document: %+v", snap)
	}
	f.wantUnchanged(before, "reads")
}

// wantUnchanged fails the test unless dumpAll returns before: what, which
// ran since before was taken, wrote nothing.
func (f *fixture) wantUnchanged(before, what string) {
	f.t.Helper()
	if after := f.dumpAll(); after != before {
		f.t.Errorf("%s wrote:\nbefore %s\nafter  %s", what, before, after)
	}
}

// dumpAll returns every document of the lease and the transaction
// collections, as JSON.
func (f *fixture) dumpAll() string {
	f.t.Helper()
	var all []bson.M
	for _, name := range []string{collection, txnCollection} {
		var docs []bson.M
		if err := f.DB.C(name).Find(nil).Sort("_id").All(&docs); err != nil {
			f.t.Fatal(err)
		}
		all = append(all, bson.M{name: docs})
	}
	data, err := json.Marshal(all)
	if err != nil {
		f.t.Fatal(err)
	}
	return string(data)
}
