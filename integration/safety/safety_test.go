// Package safety_test tries hard to break the one promise that matters:
// while ClaimLeadership guarantees a unit leadership, no other unit of the
// service is granted it, and no transaction guarded by a stale token
// commits.
//
// Each seed runs a random schedule on a fresh mongotest server: three to
// five controllers, each a leadership manager over its own lease client
// (distinct Id) with its own fake clock, up to an hour either side of a
// global simulated time; claims, extensions, checks, blocks, guarded
// writes with tokens, clock advances, manager kills and restarts. The
// "backwards" schedules also step single clocks back, as NTP can; the
// "faulty" ones also drop every connection to the server, interrupt
// transactions half way with txn.SetChaos (which is global, so those seeds
// run one at a time, and no test here may run in parallel with them), fail
// one reply ("not primary", a writeConcernError), the first of an
// operation or of a command mgo/txn sends while it runs a transaction, stop
// the server and restart it on the same data, and step it down (it is a
// one-member replica set in those schedules) and up again, while time
// passes.
// The "tracked" ones add a leadership.Tracker for two units of each
// service, each on a node's manager with alarms of its own on the node's
// clock (its calls fail while that manager is down, as a unit agent's do
// while its controller restarts), tracker kills (which revoke) and
// restarts, revokes by the other units, claims whose answer comes late,
// clock steps between a tracker's reading and its manager's, and steps an
// idle leader never reads. The "outages" ones are tracked schedules in
// which the server, while a tracker leads, also stops and restarts on the
// same data, or steps down and is elected again, while time passes: the
// trackers' renewals fail, their terms may end, and they must claim again.
//
// The driver is the only source of concurrency that matters: it moves
// every clock together, then lets the managers' alarms through one
// manager at a time (see gatedClock), and after every request it waits
// until each manager has handled whatever fell due. A seed therefore
// replays the same history, which is what lets a failure be shrunk.
//
// The checker (check_test.go) then requires that no two units' guaranteed
// terms overlap; that every committed guarded write was made while its
// unit held the lease in the database, and while no other unit was
// guaranteed leadership; that after the schedule, with every manager
// running, every lease is expired, every transaction finished and every
// block released; and, in every variant, that no manager ever died. In
// tracked schedules, after every event, a tracker that answers at once
// that it leads (WaitLeader) must find its unit holding the lease in the
// database, a true ClaimLeader must not be followed, within ClaimDuration,
// by an expiry, a revoke or a grant of the lease to another unit, no
// tracker may stop unless killed, and a revoke ends its unit's guaranteed
// term.
//
// SAFETY_SEEDS=N runs N seeds per variant (default: the counts below),
// SAFETY_SEED=S runs seed S only, SAFETY_EVENTS=N sets the events per
// schedule, and SAFETY_VERBOSE=1 logs every schedule and history. A failing seed prints the shortest schedule found that still
// fails, and its history.
package safety_test

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

// defaultSeeds and defaultEvents are the seeds per variant that `make
// check` runs, and the events in each schedule (a tracked schedule's
// scenarios may take it somewhat past its count). Longer schedules find
// more (some interleavings need 100 events or more), but each transaction costs
// more as the server's txns collection grows. A faulty schedule's outages
// and step-downs cost seconds of real time each (every operation of a
// manager waits for mgo to give up on the server), so its schedules are short
// and its seeds many. The tracked seeds are shared between tracked and
// outages schedules so that make check takes about as long as with 50
// tracked ones: under -race, a tracked-with-outages seed costs about half
// a tracked one.
var (
	defaultSeeds  = map[variant]int{plain: 30, backwards: 12, faulty: 50, tracked: 35, trackedOutages: 30}
	defaultEvents = map[variant]int{plain: 80, backwards: 80, faulty: 16, tracked: 30, trackedOutages: 16}
)

func TestSafety(t *testing.T) {
	for _, v := range []variant{plain, backwards, faulty, tracked, trackedOutages} {
		t.Run(v.String(), func(t *testing.T) {
			runSeeds(t, v)
		})
	}
}

func runSeeds(t *testing.T, v variant) {
	first, count := int64(1), int64(defaultSeeds[v])
	if s := os.Getenv("SAFETY_SEEDS"); s != "" {
		count = envInt(t, "SAFETY_SEEDS", s)
	}
	if s := os.Getenv("SAFETY_SEED"); s != "" {
		first, count = envInt(t, "SAFETY_SEED", s), 1
	}
	events := int64(defaultEvents[v])
	if s := os.Getenv("SAFETY_EVENTS"); s != "" {
		events = envInt(t, "SAFETY_EVENTS", s)
	}
	for seed := first; seed < first+count; seed++ {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			if v != faulty {
				t.Parallel()
			}
			runSeed(t, seed, v, int(events))
		})
	}
}

func runSeed(t *testing.T, seed int64, v variant, n int) {
	began := time.Now()
	s, events := generate(seed, v, n)
	o, err := simulate(s, v, events)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	t.Logf("seed %d: %d events, %d history records in %v", seed, len(events), len(o.hist), time.Since(began).Round(time.Millisecond))
	if os.Getenv("SAFETY_VERBOSE") != "" {
		for i, e := range events {
			t.Logf("#%d %s", i, e)
		}
		for _, r := range o.hist {
			t.Logf("%s", r)
		}
	}
	if len(o.violations) == 0 {
		return
	}
	// Shrinking may take long: say first what failed.
	for _, vi := range o.violations {
		t.Logf("seed %d: %s", seed, vi)
	}
	began = time.Now()
	shrunk, so, runs, err := shrink(s, v, events, o)
	if err != nil {
		t.Fatalf("seed %d: shrinking: %v", seed, err)
	}
	t.Error(report(seed, s, v, events, o, shrunk, so, runs, time.Since(began)))
}

func envInt(t *testing.T, name, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}
