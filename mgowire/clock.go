package mgowire

import "time"

// Clock tells the time for [Options.Clock]: mgowire reads it only to
// time connection setups and commands for [Options.Observer] and
// [Options.Logger]. lease.SystemClock and leasetest.Clock implement it.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
}

// wallClock is the Clock used when Options.Clock is nil, and the one
// that sets a connection's setup deadline (net.Conn deadlines are wall
// times). This file is one of those the wall-clock rule of the Makefile
// allows to read real time.
type wallClock struct{}

// Now returns time.Now().
func (wallClock) Now() time.Time { return time.Now() }
