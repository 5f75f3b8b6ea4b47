// Package load_test runs many services through three leadership managers
// for a stretch of simulated time, as Juju's controllers did: each unit
// claims for a minute, the winners renew every 30 seconds, the others wait
// for a release and claim, and one manager is killed now and then and
// restarted. Every service must have a unit guaranteed leadership at every
// step, but just after a failover; no two units may be guaranteed one
// service at once; no call may fail; and the heap must stay flat.
//
// make check runs the in-memory test small; make soak runs both at full
// size (LOAD_SERVICES, LOAD_MINUTES, LOAD_MONGO_SERVICES,
// LOAD_MONGO_MINUTES: see the Makefile's soak target).
package load_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/seed07a61904/leadership/internal/clocktest"
)

func envInt(t *testing.T, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}

// checkHeap fails the test if the heap grew by more than half, plus 8 MiB
// for the noise of a small heap, over the run.
func checkHeap(t *testing.T, res result) {
	if limit := res.heapStart + res.heapStart/2 + 8<<20; res.heapEnd > limit {
		t.Errorf("heap grew from %d to %d bytes", res.heapStart, res.heapEnd)
	}
}

// jujuConfig returns a run of services of 3 units over 3 managers for
// simulated time, leading as Juju's units did (a one-minute lease renewed
// every 30s, MaxSleep a minute), the clock stepping 5s at a time, one
// manager killed every failoverEvery and restarted failoverDown later.
// The caller sets newClient and workers.
func jujuConfig(services int, simulated, failoverEvery, failoverDown time.Duration) config {
	return config{
		services: services, units: 3, managers: 3, simulated: simulated,
		lease: time.Minute, renew: 30 * time.Second, step: 5 * time.Second, maxSleep: time.Minute,
		failoverEvery: failoverEvery, failoverDown: failoverDown,
	}
}

// runChecked runs cfg, fails the test with each problem found and if the
// heap grew, and logs the result; store names the store, for the log.
func runChecked(t *testing.T, clock *clocktest.Clock, cfg config, store string) {
	res, problems := runLoad(t, clock, cfg)
	report(t, problems)
	t.Logf("%d services x %d units over %d managers on %s for %v: %v",
		cfg.services, cfg.units, cfg.managers, store, cfg.simulated, res)
	checkHeap(t, res)
}

// report fails the test with each problem a run found.
func report(t *testing.T, problems []string) {
	for _, p := range problems {
		t.Error(p)
	}
}
