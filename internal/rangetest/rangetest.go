// Package rangetest holds, for tests, inputs whose times the lease store
// cannot hold and the errors they must produce, so that the tests of every
// client and layer try the same values and expect the same messages.
package rangetest

import (
	"math"
	"time"
)

// Now is a clock reading of 2026-11-29, in an odd zone and a
// few nanoseconds past the second: 2026-11-29T20:40:00.000000005Z.
var Now = time.Date(2026, 11, 29, 12, 0, 0, 5, time.FixedZone("X", -8*3600-40*60))

// First and Last are the first and the last time the store holds: int64
// nanoseconds since 1970.
var (
	First = time.Unix(0, math.MinInt64)
	Last  = time.Unix(0, math.MaxInt64)
)

// Tail ends every message of an error matching lease.ErrTimeOutOfRange.
const Tail = ` out of range: the store holds times from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z`

// Request is one of [Requests]: a duration asked for at Now.
type Request struct {
	// Duration is the duration asked for.
	Duration time.Duration
	// Expiry is Now plus Duration, as error messages write it.
	Expiry string
}

// Message returns the message of the error that a claim or an extension
// of the named lease for r at Now must return.
func (r Request) Message(name string) string {
	return `expiry ` + r.Expiry + ` of lease "` + name + `" (clock reading 2026-11-29T20:40:00.000000005Z plus ` +
		r.Duration.String() + `)` + Tail
}

// Requests are durations that end outside the store's range: 250 years,
// and math.MaxInt64 as "forever". From Now, the first ends in 2276, the second in 2319: both
// after Last, and both would wrap round to times in the past as UnixNano
// (which overflows silently; time.Time.Add does not).
var Requests = []Request{
	{Duration: 250 * 365 * 24 * time.Hour, Expiry: "2276-09-29T20:40:00.000000005Z"},
	{Duration: math.MaxInt64, Expiry: "2319-03-11T20:27:16.854775812Z"},
}

// ClockMessage returns the message of the error that an operation of the
// client id must return when its clock reads now, out of range; now is
// written in UTC, as the messages write times.
func ClockMessage(now time.Time, id string) string {
	return `clock reading ` + now.UTC().Format(time.RFC3339Nano) + ` of client "` + id + `"` + Tail
}
