package lease

import (
	"time"

	"github.com/seed07a61904/leadership/internal/timeshift"
)

// Skew records what a client has observed of another writer's clock: that
// the writer had written the time LastWrite, on its own clock, when the
// client read it at some local time between ReadAfter and ReadBefore.
//
// From that, a time on the writer's clock can be mapped onto a window of
// local time, provided that both clocks run at the same rate. The zero Skew
// stands for the client's own clock and maps every time to itself.
type Skew struct {
	// LastWrite is the latest time known to have been written by the
	// writer, on the writer's clock.
	LastWrite time.Time

	// ReadAfter is a local time taken just before the read that observed
	// LastWrite started.
	ReadAfter time.Time

	// ReadBefore is a local time taken just after that read finished.
	ReadBefore time.Time
}

// Earliest returns the earliest local time at which the writer's clock might
// show the remote time. The writer's clock can be at most as far ahead of
// ours as it would be had LastWrite been written at ReadAfter.
//
// The arithmetic is exact, even when remote and LastWrite are further
// apart than a time.Duration can count (about 292 years; time.Time.Sub
// saturates there, and ReadAfter plus the saturated difference would be
// centuries off). So Earliest is never later than the true bound, and
// never earlier either, except beyond what a time.Time can hold: there it
// is clamped to the earliest or the latest time.Time.
func (s Skew) Earliest(remote time.Time) time.Time {
	if s.isZero() {
		return remote
	}
	return shift(s.ReadAfter, remote, s.LastWrite)
}

// Latest returns the latest local time at which the writer's clock might not
// yet show the remote time. The writer's clock can be at most as far behind
// ours as it would be had LastWrite been written at ReadBefore.
//
// The arithmetic is exact, even when remote and LastWrite are further
// apart than a time.Duration can count (about 292 years; time.Time.Sub
// saturates there, and ReadBefore plus the saturated difference would be
// centuries too early). So Latest is never earlier than the true bound (a
// lease is never taken to have expired too soon), and never later either,
// except beyond what a time.Time can hold: there it is clamped to the
// earliest or the latest time.Time, which no clock reading passes.
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

// isZero reports whether s is the zero Skew, which stands for the local
// clock.
func (s Skew) isZero() bool {
	return s.LastWrite.IsZero() && s.ReadAfter.IsZero() && s.ReadBefore.IsZero()
}
