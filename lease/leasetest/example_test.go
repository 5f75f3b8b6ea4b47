package leasetest_test

import (
	"fmt"
	"time"

	"github.com/seed07a61904/leadership/lease/leasetest"
)

// A fake clock in a test: the code under test sets an alarm, the test
// waits until it has, then moves time on to fire it. Nothing sleeps.
func ExampleClock() {
	clock := leasetest.NewClock(leasetest.Start)
	fired := make(chan time.Duration)
	go func() {
		// The code under test: wait a minute on the clock it was given.
		at := <-clock.Alarm(clock.Now().Add(time.Minute))
		fired <- at.Sub(leasetest.Start)
	}()

	if err := clock.WaitAlarms(1, 10*time.Second); err != nil {
		panic(err) // names the pending alarms
	}
	clock.Advance(time.Minute)
	fmt.Println("fired after", <-fired)
	// Output:
	// fired after 1m0s
}
