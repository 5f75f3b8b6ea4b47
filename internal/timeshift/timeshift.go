// Package timeshift adds the difference of two times to a third, exactly,
// however far apart they are. time.Time.Sub saturates at about 292 years
// (the span of a time.Duration), so base.Add(to.Sub(from)) is centuries off
// for times further apart; the lease package's skews, the leadership
// manager's moves when its clock steps back, and the fake clock's
// monotonic time all need the exact sum.
package timeshift

import (
	"math"
	"math/big"
	"time"
)

// Shift returns base + (to - from), in base's location. When the
// difference fits a time.Duration and the sum a time.Time, that is
// base.Add(to.Sub(from)), which keeps base's monotonic reading. Otherwise
// it counts nanoseconds exactly, and a result beyond the range of
// time.Time (some 292 billion years either side of year 1) is clamped to
// the earliest or the latest time.Time.
func Shift(base, to, from time.Time) time.Time {
	if d := to.Sub(from); from.Add(d).Equal(to) {
		if t := base.Add(d); t.Sub(base) == d {
			return t
		}
	}
	const nano = int64(time.Second)
	total := new(big.Int).Mul(big.NewInt(base.Unix()), big.NewInt(nano))
	total.Add(total, big.NewInt(int64(base.Nanosecond())))
	for _, t := range []struct {
		t    time.Time
		sign int64
	}{{to, 1}, {from, -1}} {
		n := new(big.Int).Mul(big.NewInt(t.t.Unix()), big.NewInt(nano))
		n.Add(n, big.NewInt(int64(t.t.Nanosecond())))
		total.Add(total, n.Mul(n, big.NewInt(t.sign)))
	}
	sec, nsec := new(big.Int).DivMod(total, big.NewInt(nano), new(big.Int))
	switch {
	case sec.Cmp(big.NewInt(minUnix)) < 0:
		return time.Unix(minUnix, 0).In(base.Location())
	case sec.Cmp(big.NewInt(maxUnix)) > 0:
		return time.Unix(maxUnix, nano-1).In(base.Location())
	}
	return time.Unix(sec.Int64(), nsec.Int64()).In(base.Location())
}

// minUnix and maxUnix bound the Unix seconds of a time.Time: it counts
// seconds from year 1 in an int64.
const (
	unixToInternal = (1969*365 + 1969/4 - 1969/100 + 1969/400) * 24 * 60 * 60
	minUnix        = math.MinInt64
	maxUnix        = math.MaxInt64 - unixToInternal
)

// HasMonotonic reports whether t carries Go's monotonic clock reading, as
// time.Now's readings do (until Round, Truncate, In, Local or UTC strips
// it). Two such readings compare, and subtract, on the monotonic clock,
// which a step of the wall clock does not move.
func HasMonotonic(t time.Time) bool {
	// Round(0) strips the monotonic reading and changes nothing else, so
	// the two differ exactly when t has one.
	return t != t.Round(0)
}
