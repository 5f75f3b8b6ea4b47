package leasectl

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/lease"
	"github.com/seed07a61904/leadership/lease/leasetest"
)

func TestNewLeaseRow(t *testing.T) {
	start := leasetest.Start
	snap := lease.Snapshot{
		Namespace:  "ns",
		ReadAfter:  start,
		ReadBefore: start.Add(time.Second),
		Writers:    []lease.StoredWriter{{Id: "m-0", LastWrite: start.Add(time.Hour), Writes: 3}},
	}
	for _, c := range []struct {
		about   string
		l       lease.StoredLease
		left    *float64
		expired bool
	}{
		{"expiry ahead of the writer's last write", lease.StoredLease{Name: "a", Writer: "m-0", Expiry: start.Add(time.Hour + 1500*time.Millisecond)}, ptr(1.5), false},
		{"expiry at the writer's last write", lease.StoredLease{Name: "a", Writer: "m-0", Expiry: start.Add(time.Hour)}, ptr(0), true},
		{"expiry behind the writer's last write", lease.StoredLease{Name: "a", Writer: "m-0", Expiry: start}, ptr(-3600), true},
		{"writer without clock data", lease.StoredLease{Name: "a", Writer: "m-9", Expiry: start}, nil, false},
	} {
		row := newLeaseRow(snap, nil, c.l)
		if !reflect.DeepEqual(row.LeftAtMost, c.left) || row.Expired != c.expired {
			t.Errorf("%s: left %v expired %v, want %v %v", c.about, deref(row.LeftAtMost), row.Expired, deref(c.left), c.expired)
		}
		if c.left != nil && !row.ExpiresBy.Equal(snap.ReadBefore.Add(time.Duration(*c.left*float64(time.Second)))) {
			t.Errorf("%s: expires by %v", c.about, row.ExpiresBy)
		}
		if got := timeLeft(row); c.left == nil && got != "unknown (no clock data)" || c.expired && got != "expired" {
			t.Errorf("%s: TIME LEFT %q", c.about, got)
		}
	}
}

func TestOffsetLowerBound(t *testing.T) {
	start := leasetest.Start
	snap := lease.Snapshot{
		Namespace: "ns", ReadAfter: start, ReadBefore: start.Add(2 * time.Second),
		Writers: []lease.StoredWriter{{Id: "ahead", LastWrite: start.Add(time.Minute)}, {Id: "behind", LastWrite: start.Add(-time.Minute)}},
	}
	r := newReport(snap, "leases", false, true, nil)
	if r.Leases != nil || len(r.Writers) != 2 || r.Writers[0].OffsetAtLeast != 58 || r.Writers[1].OffsetAtLeast != -62 {
		t.Errorf("report %+v", r)
	}
	if got := signed(r.Writers[0].OffsetAtLeast) + " " + signed(r.Writers[1].OffsetAtLeast); got != "+58s -1m2s" {
		t.Errorf("offsets shown as %q", got)
	}
}

// TestBoundsRoundedOutward checks that the millisecond shown of an upper
// bound (time left) is never below it, and of a lower bound (offset)
// never above it.
func TestBoundsRoundedOutward(t *testing.T) {
	start := leasetest.Start
	snap := lease.Snapshot{
		Namespace: "ns", ReadAfter: start, ReadBefore: start.Add(time.Second),
		Writers: []lease.StoredWriter{
			{Id: "ahead", LastWrite: start.Add(time.Minute - 400*time.Microsecond)},
			{Id: "behind", LastWrite: start.Add(-time.Minute - 400*time.Microsecond)},
		},
	}
	r := newReport(snap, "leases", false, true, nil)
	if len(r.Writers) != 2 || r.Writers[0].OffsetAtLeast != 58.999 || r.Writers[1].OffsetAtLeast != -61.001 {
		t.Errorf("offsets %+v, want at least 58.999 and -61.001", r.Writers)
	}
	for _, c := range []struct {
		expiry time.Time // on the clock of writer "ahead"
		left   float64
	}{
		{start.Add(time.Minute + 600*time.Microsecond), 0.001},  // 1ms left at most, not 0
		{start.Add(time.Minute + 1500*time.Millisecond), 1.501}, // 1.5004s
		{start.Add(time.Minute + 1500*time.Millisecond + 400*time.Microsecond), 1.501},
	} {
		row := newLeaseRow(snap, nil, lease.StoredLease{Name: "a", Writer: "ahead", Expiry: c.expiry})
		if row.LeftAtMost == nil || *row.LeftAtMost != c.left || row.Expired {
			t.Errorf("expiry %v: left %v expired %v, want at most %v", c.expiry, deref(row.LeftAtMost), row.Expired, c.left)
		}
	}
	if got, want := secondsUp(-1500*time.Microsecond), -0.001; got != want {
		t.Errorf("secondsUp(-1.5ms) = %v, want %v", got, want)
	}
	if got, want := secondsDown(-1500*time.Microsecond), -0.002; got != want {
		t.Errorf("secondsDown(-1.5ms) = %v, want %v", got, want)
	}
}

func TestMarkChanges(t *testing.T) {
	at := leasetest.Start
	prev := report{
		Leases: []leaseRow{
			{Name: "a", Holder: "h", Writer: "w", Expiry: at},
			{Name: "b", Holder: "h", Writer: "w", Expiry: at},
			{Name: "c", Holder: "h", Writer: "w", Expiry: at},
			{Name: "d", Holder: "h", Writer: "w", Expiry: at},
			{Name: "e", Holder: "h", Writer: "w", Expiry: at, LeftAtMost: ptr(1), ExpiresBy: &at},
			{Name: "z", Holder: "h", Writer: "w", Expiry: at, Change: changeGone},
		},
		Writers: []writerRow{{Writer: "w", LastWrite: at, Writes: 1}, {Writer: "x", LastWrite: at, Writes: 1}, {Writer: "y", LastWrite: at, Writes: 1}},
	}
	cur := report{
		Leases: []leaseRow{
			{Name: "a", Holder: "h", Writer: "w", Expiry: at},
			{Name: "b", Holder: "h2", Writer: "w", Expiry: at},
			{Name: "c", Holder: "h", Writer: "w2", Expiry: at},
			{Name: "d", Holder: "h", Writer: "w", Expiry: at.Add(1)},
			{Name: "f", Holder: "h", Writer: "w", Expiry: at},
		},
		Writers: []writerRow{{Writer: "w", LastWrite: at, Writes: 2}, {Writer: "x", LastWrite: at.Add(1), Writes: 1}, {Writer: "z", LastWrite: at, Writes: 1}},
	}
	markChanges(&prev, &cur)
	var leases, writers []string
	for _, l := range cur.Leases {
		leases = append(leases, l.Name+":"+l.Change)
		if l.Change == changeGone && (l.LeftAtMost != nil || l.ExpiresBy != nil) {
			t.Errorf("gone lease %s keeps an estimate", l.Name)
		}
	}
	for _, w := range cur.Writers {
		writers = append(writers, w.Writer+":"+w.Change)
	}
	// z was already gone: it is not reported gone again.
	if want := []string{"a:", "b:changed", "c:changed", "d:changed", "e:gone", "f:new"}; !reflect.DeepEqual(leases, want) {
		t.Errorf("leases %v, want %v", leases, want)
	}
	if want := []string{"w:changed", "x:changed", "y:gone", "z:new"}; !reflect.DeepEqual(writers, want) {
		t.Errorf("writers %v, want %v", writers, want)
	}
}

func ptr(f float64) *float64 { return &f }

func deref(f *float64) interface{} {
	if f == nil {
		return nil
	}
	return *f
}

// TestSeenKeepsBoundWhileSilent: watch keeps, for a writer that has not
// written since, the bound of the first read that saw its last write, as
// a lease client keeps its Skew; a new write (even at the same time, as
// after a clock stepped back) starts from the new read.
func TestSeenKeepsBoundWhileSilent(t *testing.T) {
	t0 := leasetest.Start
	last := t0.Add(-time.Hour)
	snapAt := func(read time.Time, writes int64) lease.Snapshot {
		return lease.Snapshot{
			Namespace: "ns", ReadAfter: read, ReadBefore: read,
			Leases:  []lease.StoredLease{{Name: "a", Holder: "h", Writer: "w", Expiry: last.Add(10 * time.Second)}},
			Writers: []lease.StoredWriter{{Id: "w", LastWrite: last, Writes: writes}},
		}
	}
	s := seen{}
	for i, c := range []struct {
		snap   lease.Snapshot
		left   float64
		offset float64
	}{
		{snapAt(t0, 1), 10, -3600},
		{snapAt(t0.Add(3*time.Second), 1), 7, -3600},
		{snapAt(t0.Add(11*time.Second), 1), -1, -3600},
		{snapAt(t0.Add(12*time.Second), 2), 10, -3612},
	} {
		s.update(c.snap)
		r := newReport(c.snap, "leases", true, true, s)
		if got := *r.Leases[0].LeftAtMost; got != c.left || r.Leases[0].Expired != (c.left <= 0) {
			t.Errorf("read %d: left at most %v (expired %v), want %v", i, got, r.Leases[0].Expired, c.left)
		}
		if got := r.Writers[0].OffsetAtLeast; got != c.offset {
			t.Errorf("read %d: offset at least %v, want %v", i, got, c.offset)
		}
	}
	s.update(lease.Snapshot{})
	if len(s) != 0 {
		t.Errorf("a writer gone from the clock document is still seen: %v", s)
	}
}

// TestSecondsShownToTheMillisecond checks that the bounds JSON shows are
// whole milliseconds as written, not Duration.Seconds' nearest binary
// sum (2.5380000000000003 for 2.538s).
func TestSecondsShownToTheMillisecond(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{2538 * time.Millisecond, "2.538"},
		{-2538 * time.Millisecond, "-2.538"},
		{61001 * time.Millisecond, "61.001"},
		{7 * time.Millisecond, "0.007"},
	} {
		for name, f := range map[string]func(time.Duration) float64{"secondsUp": secondsUp, "secondsDown": secondsDown} {
			got, err := json.Marshal(f(c.d))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("%s(%v) marshals as %s, want %s", name, c.d, got, c.want)
			}
		}
	}
}
