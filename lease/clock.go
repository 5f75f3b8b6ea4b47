package lease

import "time"

// Clock tells the time, and sends a value once a time has come.
//
// Code in this module reads time only through a Clock, so that tests can
// move time by hand.
type Clock interface {
	// Now returns the current time.
	Now() time.Time

	// Alarm returns a channel that receives a value at some point after
	// the given time. For a time not after Now, it receives at once.
	Alarm(time.Time) <-chan time.Time
}

// SystemClock is a [Clock] that reads the system's wall clock.
type SystemClock struct{}

var _ Clock = SystemClock{}

// Now is part of the [Clock] interface.
func (SystemClock) Now() time.Time {
	return time.Now()
}

// Alarm is part of the [Clock] interface.
func (SystemClock) Alarm(t time.Time) <-chan time.Time {
	return time.After(time.Until(t))
}
