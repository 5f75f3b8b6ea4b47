package lease

import "time"

// Settler is implemented by a fake [Clock] that can tell a test when the
// code using it has settled: when nothing it runs will happen until the
// clock moves, or until the test itself calls it. [leasetest.Clock] is one.
// The leadership manager and tracker report their work to their clock if it
// is a Settler, and cost nothing extra on a clock that is not.
//
// Code reports to a Settler through [Activity] values, one for each
// goroutine loop or piece of work that runs on its own. The code using the
// clock has settled when every activity that has not ended is idle, waiting
// for an alarm of the clock's that has not fired or for channels that have
// not been closed. Work handed from one activity to another must be
// covered without a gap: the activity that hands work over stays busy
// until the one taking it is busy (a loop that starts a call starts its
// activity, busy, before the call, and ends it once it has handled the
// result), and an activity marks itself busy only after its wait has
// ended, which is why waits name what ends them.
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
