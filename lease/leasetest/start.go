package leasetest

import "time"

// Start is a hostile instant for tests to start a [Clock] at: after
// 2038, 5ns past the second, in a -08:40 zone. Code that keeps 32-bit
// seconds, drops nanoseconds or assumes UTC shows it at once.
var Start = func() time.Time {
	t, err := time.Parse(time.RFC3339Nano, "2073-03-03T01:00:00.000000005-08:40")
	if err != nil {
		panic(err)
	}
	return t
}()
