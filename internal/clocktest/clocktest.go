// Package clocktest names, for this repository's tests, the fake clock that
// package leasetest exports: [leasetest.Clock], [leasetest.NewClock] and
// [leasetest.Start]. It holds no code of its own; new code, and code
// outside this repository, should use leasetest directly.
package clocktest

import (
	"time"

	"github.com/seed07a61904/leadership/lease/leasetest"
)

// Clock is [leasetest.Clock].
type Clock = leasetest.Clock

// NewClock is [leasetest.NewClock].
func NewClock(now time.Time) *Clock {
	return leasetest.NewClock(now)
}

// Start is [leasetest.Start].
var Start = leasetest.Start
