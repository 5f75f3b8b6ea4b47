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
// The "batched" ones are faulty schedules whose managers batch their
// writes (their clients are lease.Batchers, MaxBatch 2 or 3), with bursts
// of claims sent to one manager at once, which queue into batches, leases
// that expire together in one batch, rival writes by another manager that
// make an op abort inside a batch, and chaos and failed replies on a
// batch's steps; TestSafety requires that their seeds, together, sent
// batches of more than one op, aborts inside them and batches under a
// fault.
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
// from seed SAFETY_FIRST (default 1), SAFETY_SEED=S runs seed S only,
// SAFETY_EVENTS=N sets the events per schedule, and SAFETY_VERBOSE=1 logs
// every schedule and history. A seed's schedule depends on its number,
// variant and event count alone, so that a range of seeds can be run in
// pieces, in any order, in several processes. A failing seed prints the
// shortest schedule found that still fails, and its history.
//
// `make soak-safety` runs seeds 1 to 2000 of every variant without -race
// (soak.sh), in pieces if asked: `make soak-safety SAFETY_FIRST=501
// SAFETY_SEEDS=500` runs seeds 501 to 1000, and the Makefile gives each
// variant's cost per seed. Where a seed's time goes decides how it runs. A
// plain, backwards or tracked seed is CPU work, most of it the embedded
// server's (finds and updates on SQLite, the txns collection growing
// through the schedule; starting the server is a small part): those seeds
// run in parallel, one per core. A faulty, outages or batched seed mostly
// waits in real time: while the server is stopped, each manager's wake
// waits for mgo to give up on it, one manager after another, seconds per
// outage, and the process is idle meanwhile. The faulty and batched seeds
// cannot run side by side in one process (txn.SetChaos is global), so the
// soak runs several processes at once, each with its own servers and its
// own seeds, one seed at a time (SAFETY_PIECE=1 then leaves to soak.sh the
// check that the batched seeds sent batches, over all its pieces). That
// does not make a seed's result depend on the machine's load as long as
// their CPU use stays well under the cores: such a seed uses a tenth to a
// quarter of a core, so that soak.sh's 4 processes add up to one core at
// most. The one real-time race a seed's history holds exists however it
// runs: after a faulty schedule's step-down ends, a manager's next
// operation may or may not find that mgo has found the primary again within
// its sync timeout (it may not, more often, on a loaded machine), and
// either history must pass the same checks.
package safety_test

import (
	"fmt"
	"os"
	"strconv"
	"sync"
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
	defaultSeeds  = map[variant]int{plain: 30, backwards: 12, faulty: 50, tracked: 35, trackedOutages: 30, batched: 8}
	defaultEvents = map[variant]int{plain: 80, backwards: 80, faulty: 16, tracked: 30, trackedOutages: 16, batched: 16}
)

func TestSafety(t *testing.T) {
	for _, v := range []variant{plain, backwards, faulty, tracked, trackedOutages, batched} {
		var stats batchStats
		ran := false // false when -run leaves v out
		t.Run(v.String(), func(t *testing.T) {
			ran = true
			runSeeds(t, v, &stats)
		})
		if v != batched || !ran {
			continue
		}
		// The batched seeds must have sent batches: without, they
		// would pass having tested nothing of them. One seed alone
		// (SAFETY_SEED) may not, nor one piece of a soak (SAFETY_PIECE,
		// set by soak.sh, which checks the sum of its pieces' lines).
		t.Logf("batched: %v", stats)
		if os.Getenv("SAFETY_SEED") == "" && os.Getenv("SAFETY_PIECE") == "" &&
			(stats.batches == 0 || stats.invalid == 0 || stats.faulted == 0) {
			t.Errorf("batched schedules sent %v; want at least one of each", stats)
		}
	}
}

// runSeeds runs v's seeds, and adds up in stats the batches they sent.
func runSeeds(t *testing.T, v variant, stats *batchStats) {
	var mu sync.Mutex
	first, count := int64(1), int64(defaultSeeds[v])
	if s := os.Getenv("SAFETY_FIRST"); s != "" {
		first = envInt(t, "SAFETY_FIRST", s)
	}
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
			if !v.faults() {
				t.Parallel()
			}
			o := runSeed(t, seed, v, int(events))
			mu.Lock()
			stats.add(o.batch)
			mu.Unlock()
		})
	}
}

// runSeed runs seed's schedule of v, and returns its outcome.
func runSeed(t *testing.T, seed int64, v variant, n int) outcome {
	began := time.Now()
	s, events := generate(seed, v, n)
	o, err := simulate(s, v, events)
	if err != nil {
		t.Fatalf("seed %d: %v", seed, err)
	}
	t.Logf("seed %d: %d events, %d history records in %v", seed, len(events), len(o.hist), time.Since(began).Round(time.Millisecond))
	if v == batched {
		t.Logf("seed %d: %v", seed, o.batch)
	}
	if os.Getenv("SAFETY_VERBOSE") != "" {
		for i, e := range events {
			t.Logf("#%d %s", i, e)
		}
		for _, r := range o.hist {
			t.Logf("%s", r)
		}
	}
	if len(o.violations) == 0 {
		return o
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
	return o
}

func envInt(t *testing.T, name, s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, s, err)
	}
	return n
}
