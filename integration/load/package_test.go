// Package load_test runs many services through three leadership managers
// for a stretch of simulated time, as Juju's controllers did: each unit
// claims for a minute, the winners renew every 30 seconds, the others wait
// for a release and claim, and one manager is killed now and then and
// restarted. Every service must have a unit guaranteed leadership at every
// step, but just after a failover; no two units may be guaranteed one
// service at once; no call may fail; and the heap must stay flat.
//
// make check runs the in-memory test small; make soak runs both at the
// sizes of issue 7 (LOAD_SERVICES, LOAD_MINUTES, LOAD_MONGO_SERVICES,
// LOAD_MONGO_MINUTES).
package load_test

import (
	"os"
	"strconv"
	"testing"
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

// report fails the test with each problem a run found.
func report(t *testing.T, problems []string) {
	for _, p := range problems {
		t.Error(p)
	}
}
