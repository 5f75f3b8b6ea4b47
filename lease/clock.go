package lease

import "time"

// Clock tells the time, and sends a value once a time has come. Code in
// this module reads time only through a Clock, so tests can move it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time

	// Alarm returns a channel that receives a value at some point after
	// the given time. For a time not after Now, it receives at once.
	Alarm(time.Time) <-chan time.Time
}

// MonotonicClock is a [Clock] that also measures how much time passes,
// whatever steps its Now takes; a leadership tracker counts its terms on
// it (docs/design.md#tracker-terms). Monotonic time never goes back and
// moves exactly as time passes (a step forward of Now may count, which
// errs on the safe side). Compare its readings only with each other.
type MonotonicClock interface {
	Clock

	// Monotonic returns a reading of the clock's monotonic time.
	Monotonic() time.Time

	// MonotonicAlarm returns a channel that receives a value (a reading
	// of Now) at some point after the monotonic time has reached t; at
	// once if it has. A step of Now neither delays nor hastens it.
	MonotonicAlarm(t time.Time) <-chan time.Time
}

// SystemClock is a [Clock] that reads the system's wall clock. It is also
// a [MonotonicClock], on Go's monotonic clock: its readings carry it, as
// time.Now's do.
type SystemClock struct{}

var _ MonotonicClock = SystemClock{}

// Now is part of the [Clock] interface.
func (SystemClock) Now() time.Time {
	return time.Now()
}

// Alarm is part of the [Clock] interface. Like Go's timers it counts on
// the monotonic clock, so a later step of the wall clock does not move it.
func (SystemClock) Alarm(t time.Time) <-chan time.Time {
	return time.After(time.Until(t))
}

// Monotonic is part of the [MonotonicClock] interface: a reading of
// time.Now, whose monotonic reading Before, After and Sub use.
func (SystemClock) Monotonic() time.Time {
	return time.Now()
}

// MonotonicAlarm is part of the [MonotonicClock] interface.
func (SystemClock) MonotonicAlarm(t time.Time) <-chan time.Time {
	return time.After(time.Until(t))
}
