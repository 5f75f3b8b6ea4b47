package lease

import "time"

// Settler is implemented by a fake [Clock] that can tell a test when the
// code using it has settled: nothing it runs will happen until the clock
// moves or the test acts ([leasetest.Clock] is one). The leadership
// manager and tracker report to it through [Activity] values, one per loop
// or piece of work; it has settled when every live activity is idle,
// waiting for an unfired alarm or unclosed channels. Work handed between
// activities must be covered without a gap (docs/design.md#settling).
//
// [leasetest.Clock]: https://pkg.go.dev/github.com/seed07a61904/leadership/lease/leasetest#Clock
type Settler interface {
	Clock

	// Track starts an activity, busy, and returns it. Name says what it
	// is (e.g. `tracker of "redis" for "redis/0"`), for the message of a
	// test that times out waiting for it.
	Track(name string) Activity
}

// Activity is one goroutine loop, or one piece of work, reporting to a
// [Settler]. Its methods are safe for concurrent use.
type Activity interface {
	// Idle reports that the activity is about to wait until alarm (an
	// alarm of the Settler's own, or nil) fires, or until stop or wake
	// (either may be nil) is closed, and for nothing else that a test does
	// not do itself. Stop and wake must be channels that are only ever
	// closed, never sent on: the Settler tests them without receiving.
	Idle(alarm <-chan time.Time, stop, wake <-chan struct{})

	// Busy reports that the activity runs: its wait has ended.
	Busy()

	// Done reports that the activity has ended; the Settler forgets it.
	// Idle and Busy after Done, and Done again, do nothing.
	Done()
}

// Track returns an activity named name on clock if clock is a [Settler],
// and nil otherwise.
func Track(clock Clock, name string) Activity {
	if s, ok := clock.(Settler); ok {
		return s.Track(name)
	}
	return nil
}
