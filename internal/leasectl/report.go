package leasectl

import (
	"math"
	"sort"
	"time"

	"github.com/seed07a61904/leadership/lease"
)

// report is what list, clock and each refresh of watch show: the JSON
// shape is documented in the command's package doc. Times are in UTC.
// Leases is nil unless leases are shown, Writers unless writers are.
type report struct {
	Namespace  string
	Collection string
	ReadAfter  time.Time
	ReadBefore time.Time
	Leases     []leaseRow
	Writers    []writerRow
	Problems   []problemRow
}

// reportJSON is report's JSON: leases and writers are left out when not
// shown, and are [] when shown but empty.
type reportJSON struct {
	Refresh    int          `json:"refresh,omitempty"`
	Namespace  string       `json:"namespace"`
	Collection string       `json:"collection"`
	ReadAfter  time.Time    `json:"read_after"`
	ReadBefore time.Time    `json:"read_before"`
	Leases     *[]leaseRow  `json:"leases,omitempty"`
	Writers    *[]writerRow `json:"writers,omitempty"`
	Problems   []problemRow `json:"problems"`
}

// toJSON returns r's JSON form, for refresh n of watch (0 for list and
// clock).
func (r report) toJSON(n int) reportJSON {
	j := reportJSON{Refresh: n, Namespace: r.Namespace, Collection: r.Collection,
		ReadAfter: r.ReadAfter, ReadBefore: r.ReadBefore, Problems: r.Problems}
	if r.Leases != nil {
		j.Leases = &r.Leases
	}
	if r.Writers != nil {
		j.Writers = &r.Writers
	}
	return j
}

// leaseRow is one lease.
type leaseRow struct {
	Name   string `json:"name"`
	Holder string `json:"holder"`
	// Term is the lease's term (lease.Info.Term).
	Term   int64  `json:"term"`
	Writer string `json:"writer"`
	// Expiry is on the writer's clock.
	Expiry time.Time `json:"expiry"`
	// ExpiresBy is the latest time, on the operator's clock, at which
	// the writer's clock may not yet have reached Expiry; nil without
	// clock data for the writer.
	ExpiresBy *time.Time `json:"expires_by"`
	// LeftAtMost is ExpiresBy minus the end of the read, in seconds; nil
	// without clock data. Zero or less is Expired.
	LeftAtMost *float64 `json:"left_at_most_seconds"`
	// Expired: the writer's own clock has passed Expiry.
	Expired bool `json:"expired"`
	// Change is "new", "changed" or "gone" (watch only).
	Change string `json:"change,omitempty"`
}

// writerRow is one writer of the clock document.
type writerRow struct {
	Writer    string    `json:"writer"`
	LastWrite time.Time `json:"last_write"`
	Writes    int64     `json:"writes"`
	// OffsetAtLeast bounds the writer's clock minus the operator's from
	// below, in seconds: LastWrite minus the end of the read.
	OffsetAtLeast float64 `json:"offset_at_least_seconds"`
	// Change is "new", "changed" or "gone" (watch only).
	Change string `json:"change,omitempty"`
}

// problemRow is a document that could not be used.
type problemRow struct {
	Document string `json:"document"`
	Error    string `json:"error"`
}

// Changes that watch marks.
const (
	changeNew     = "new"
	changeChanged = "changed"
	changeGone    = "gone"
)

// newReport returns the report of snap for collection: its leases if
// leases, its writers if writers. seen bounds the writers' clocks: see
// [seen.bound].
func newReport(snap lease.Snapshot, collection string, leases, writers bool, seen seen) report {
	r := report{
		Namespace:  snap.Namespace,
		Collection: collection,
		ReadAfter:  snap.ReadAfter.UTC(),
		ReadBefore: snap.ReadBefore.UTC(),
		Problems:   []problemRow{},
	}
	if leases {
		r.Leases = []leaseRow{}
		for _, l := range snap.Leases {
			r.Leases = append(r.Leases, newLeaseRow(snap, seen, l))
		}
	}
	if writers {
		r.Writers = []writerRow{}
		for _, w := range snap.Writers {
			r.Writers = append(r.Writers, writerRow{
				Writer:        w.Id,
				LastWrite:     w.LastWrite.UTC(),
				Writes:        w.Writes,
				OffsetAtLeast: secondsDown(w.LastWrite.Sub(seen.bound(snap, w.Id))),
			})
		}
	}
	for _, p := range snap.Problems {
		r.Problems = append(r.Problems, problemRow{Document: p.Document, Error: p.Err.Error()})
	}
	return r
}

// newLeaseRow returns the row of l. The writer had reached its LastWrite
// by the local time seen.bound, so its clock reaches l.Expiry no later
// than Skew.Latest(l.Expiry) on ours: that is all the reads tell.
func newLeaseRow(snap lease.Snapshot, seen seen, l lease.StoredLease) leaseRow {
	row := leaseRow{Name: l.Name, Holder: l.Holder, Term: l.Term, Writer: l.Writer, Expiry: l.Expiry.UTC()}
	skew, ok := snap.Skew(l.Writer)
	if !ok {
		return row
	}
	skew.ReadBefore = seen.bound(snap, l.Writer)
	by := skew.Latest(l.Expiry).UTC()
	left := secondsUp(by.Sub(snap.ReadBefore))
	row.ExpiresBy, row.LeftAtMost = &by, &left
	row.Expired = !by.After(snap.ReadBefore)
	return row
}

// seen maps each writer to the end of the first read that saw its
// current LastWrite and count of writes, as a lease client keeps a
// writer's Skew while the writer has not written again (see
// docs/design.md#clocks-and-skew). watch keeps it across refreshes; list and
// clock, which read once, use nil.
type seen map[string]seenWriter

// seenWriter is what seen records of one writer.
type seenWriter struct {
	lastWrite  time.Time
	writes     int64
	readBefore time.Time
}

// bound returns the earliest local time known by which the writer had
// reached the LastWrite that snap records: the end of the first read that
// saw it, if s has it, or else the end of snap's read.
func (s seen) bound(snap lease.Snapshot, writer string) time.Time {
	if w, ok := s[writer]; ok {
		return w.readBefore
	}
	return snap.ReadBefore
}

// update records what snap shows of each writer: a writer that has not
// written since (same LastWrite, same count) keeps its bound, and any
// other gets the end of snap's read. Writers snap lacks are forgotten.
func (s seen) update(snap lease.Snapshot) {
	for id := range s {
		if _, ok := snap.Writer(id); !ok {
			delete(s, id)
		}
	}
	for _, w := range snap.Writers {
		if old, ok := s[w.Id]; ok && old.lastWrite.Equal(w.LastWrite) && old.writes == w.Writes {
			continue
		}
		s[w.Id] = seenWriter{lastWrite: w.LastWrite, writes: w.Writes, readBefore: snap.ReadBefore}
	}
}

// secondsUp returns d in seconds, rounded up to the millisecond, so that
// an upper bound stays one.
func secondsUp(d time.Duration) float64 {
	r := d.Truncate(time.Millisecond) // towards zero: up if d < 0
	if r < d && r <= math.MaxInt64-time.Millisecond {
		r += time.Millisecond
	}
	return milliseconds(r)
}

// secondsDown returns d in seconds, rounded down to the millisecond, so
// that a lower bound stays one.
func secondsDown(d time.Duration) float64 {
	r := d.Truncate(time.Millisecond) // towards zero: down if d > 0
	if r > d && r >= math.MinInt64+time.Millisecond {
		r -= time.Millisecond
	}
	return milliseconds(r)
}

// milliseconds returns d, a whole number of milliseconds, in seconds, as
// the float64 nearest to it, so that JSON shows 2.538 rather than
// Duration.Seconds' 2.5380000000000003.
func milliseconds(d time.Duration) float64 {
	return float64(d/time.Millisecond) / 1000
}

// markChanges sets Change on cur's rows against prev's, and adds prev's
// rows that cur lacks as gone, keeping both lists sorted by name.
func markChanges(prev, cur *report) {
	cur.Leases = markRows(prev.Leases, cur.Leases, rowKind[leaseRow]{
		key:    func(l leaseRow) string { return l.Name },
		change: func(l *leaseRow) *string { return &l.Change },
		differ: func(p, l leaseRow) bool {
			return p.Holder != l.Holder || p.Term != l.Term || p.Writer != l.Writer || !p.Expiry.Equal(l.Expiry)
		},
		// What a gone lease had left is no longer known.
		forget: func(l *leaseRow) { l.ExpiresBy, l.LeftAtMost, l.Expired = nil, nil, false },
	})
	cur.Writers = markRows(prev.Writers, cur.Writers, rowKind[writerRow]{
		key:    func(w writerRow) string { return w.Writer },
		change: func(w *writerRow) *string { return &w.Change },
		differ: func(p, w writerRow) bool { return p.Writes != w.Writes || !p.LastWrite.Equal(w.LastWrite) },
	})
}

// rowKind says how markRows treats one kind of row.
type rowKind[T any] struct {
	// key names a row; rows are sorted by it.
	key func(T) string
	// change points at a row's Change.
	change func(*T) *string
	// differ says whether a row kept under its name has changed.
	differ func(prev, cur T) bool
	// forget, if not nil, clears what is no longer known of a gone row.
	forget func(*T)
}

// markRows sets the change of cur's rows against prev's (new or changed;
// prev's gone rows do not count), and returns cur with prev's rows that
// it lacks added as gone, sorted by key.
func markRows[T any](prev, cur []T, kind rowKind[T]) []T {
	before := map[string]T{}
	for _, r := range prev {
		if *kind.change(&r) != changeGone {
			before[kind.key(r)] = r
		}
	}
	for i, r := range cur {
		p, found := before[kind.key(r)]
		switch {
		case !found:
			*kind.change(&cur[i]) = changeNew
		case kind.differ(p, r):
			*kind.change(&cur[i]) = changeChanged
		}
		delete(before, kind.key(r))
	}
	for _, r := range before {
		*kind.change(&r) = changeGone
		if kind.forget != nil {
			kind.forget(&r)
		}
		cur = append(cur, r)
	}
	sort.SliceStable(cur, func(i, j int) bool { return kind.key(cur[i]) < kind.key(cur[j]) })
	return cur
}
