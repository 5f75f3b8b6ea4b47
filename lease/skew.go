package lease

import (
	"time"

	"github.com/seed07a61904/leadership/internal/timeshift"
)

// Skew records what a client has observed of another writer's clock: the
// writer had written LastWrite, on its clock, when the client read it at
// some local time between ReadAfter and ReadBefore. With both clocks at the
// same rate, that maps a time on the writer's clock onto a window of local
// time (docs/design.md#clocks-and-skew). The zero Skew is the client's own
// clock.
type Skew struct {
	// LastWrite is the latest time the writer is known to have written,
	// on its clock.
	LastWrite time.Time

	// ReadAfter is a local time taken just before the read started.
	ReadAfter time.Time

	// ReadBefore is a local time taken just after that read finished.
	ReadBefore time.Time
}

// Earliest returns the earliest local time at which the writer's clock
// might show remote: as if LastWrite had been written at ReadAfter. The
// arithmetic is exact beyond a time.Duration's range, clamped only to what
// a time.Time holds.
func (s Skew) Earliest(remote time.Time) time.Time {
	if s.isZero() {
		return remote
	}
	return shift(s.ReadAfter, remote, s.LastWrite)
}

// Latest returns the latest local time at which the writer's clock might
// not yet show remote: as if LastWrite had been written at ReadBefore. The
// arithmetic is exact beyond a time.Duration's range (so a lease is never
// taken to expire too soon), clamped only to what a time.Time holds, which
// no clock reading passes.
func (s Skew) Latest(remote time.Time) time.Time {
	if s.isZero() {
		return remote
	}
	return shift(s.ReadBefore, remote, s.LastWrite)
}

// shift returns base + (to - from) exactly: see [timeshift.Shift].
func shift(base, to, from time.Time) time.Time {
	return timeshift.Shift(base, to, from)
}

// isZero reports whether s is the zero Skew: the local clock.
func (s Skew) isZero() bool {
	return s.LastWrite.IsZero() && s.ReadAfter.IsZero() && s.ReadBefore.IsZero()
}
