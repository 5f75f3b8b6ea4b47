package leaseprom_test

import (
	"errors"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/expfmt"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/lease/leasetest"
	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// longWait is how long a test waits for something that should happen
// before it fails.
const longWait = 10 * time.Second

// TestRealManager drives a manager over the in-memory store, on a fake
// clock, with a collector as its Observer and its tracker's: claims
// granted, denied and extended, checks that hit and miss, a tracker that
// leads and stops, a lease that runs out and is expired while a block
// waits for it. Once the manager has stopped, the counters are exact; it
// woke once, and last read the store at that wake.
func TestRealManager(t *testing.T) {
	clock := leasetest.NewClock(leasetest.Start)
	store := leasetest.NewStore(clock)
	metrics := newManagerCollector(t, leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "0"}})
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   store.MustNewClient("controller-0"),
		Clock:    clock,
		Observer: metrics,
	})
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			manager.Kill()
			manager.Wait()
		}
	}()

	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("claim redis/0", manager.ClaimLeadership("redis", "redis/0", time.Minute))
	if err := manager.ClaimLeadership("redis", "redis/1", time.Minute); !errors.Is(err, leadership.ErrClaimDenied) {
		t.Fatalf("claim redis/1: got %v, want ErrClaimDenied", err)
	}
	must("extend redis/0", manager.ClaimLeadership("redis", "redis/0", time.Minute))
	_, err = manager.CheckLeadership("redis", "redis/0")
	must("check redis/0", err)
	if _, err := manager.CheckLeadership("redis", "redis/1"); err == nil {
		t.Fatalf("check redis/1 succeeded")
	}

	// A tracker for another service leads at once, and is stopped.
	tracker, err := leadership.NewTracker(leadership.TrackerConfig{
		Manager: manager, ServiceName: "mysql", UnitName: "mysql/3",
		Duration: time.Minute, Clock: clock, Observer: metrics,
	})
	must("starting the tracker", err)
	if !tracker.ClaimLeader().Wait() {
		t.Fatalf("mysql/3 does not lead")
	}
	tracker.Kill()
	must("stopping the tracker", tracker.Wait())

	// redis/0's lease runs out a minute after its extension (the clock
	// has not moved); the manager wakes then, and a second later the lease
	// is due; a block returns once the manager has expired it.
	released := make(chan error, 1)
	go func() { released <- manager.BlockUntilLeadershipReleased("redis") }()
	due := leasetest.Start.Add(time.Minute)
	must("waiting for the manager's alarm", clock.WaitAlarmFor(due, longWait))
	clock.Advance(time.Minute + time.Second)
	select {
	case err := <-released:
		must("block", err)
	case <-time.After(longWait):
		t.Fatalf("block still waiting %s after the lease ran out", longWait)
	}
	manager.Kill()
	stopped = true
	must("stopping the manager", manager.Wait())

	want := `
# HELP leadership_wakes_total Manager wakes (expiries, polls and refreshes on its alarm), by result.
# TYPE leadership_wakes_total counter
leadership_wakes_total{controller="0",result="ok"} 1
# HELP leadership_last_refresh_timestamp_seconds When the manager last read the store successfully, in Unix seconds on its clock; 0 before the first read.
# TYPE leadership_last_refresh_timestamp_seconds gauge
leadership_last_refresh_timestamp_seconds{controller="0"} ` + unixSeconds(leasetest.Start.Add(time.Minute+time.Second)) + `
# HELP leadership_operations_total Manager operations answered (claim, check, block, revoke) and expiries tried, by kind and result.
# TYPE leadership_operations_total counter
leadership_operations_total{controller="0",kind="block",result="released"} 1
leadership_operations_total{controller="0",kind="check",result="hit"} 1
leadership_operations_total{controller="0",kind="check",result="miss"} 1
leadership_operations_total{controller="0",kind="claim",result="denied"} 1
leadership_operations_total{controller="0",kind="claim",result="extended"} 1
leadership_operations_total{controller="0",kind="claim",result="granted"} 2
leadership_operations_total{controller="0",kind="expire",result="expired"} 1
leadership_operations_total{controller="0",kind="revoke",result="revoked"} 1
# HELP leadership_store_transactions_total Write calls (store transactions) of the manager's lease client, by method and result.
# TYPE leadership_store_transactions_total counter
leadership_store_transactions_total{call="ClaimLease",controller="0",result="ok"} 2
leadership_store_transactions_total{call="ExpireLease",controller="0",result="ok"} 1
leadership_store_transactions_total{call="ExtendLease",controller="0",result="ok"} 1
leadership_store_transactions_total{call="RevokeLease",controller="0",result="ok"} 1
# HELP leadership_tracker_leader 1 while a tracker's unit leads its service, 0 while it does not or once the tracker has stopped.
# TYPE leadership_tracker_leader gauge
leadership_tracker_leader{controller="0",service="mysql",unit="mysql/3"} 0
# HELP leadership_tracker_changes_total Trackers' changes of state: to leader or to minion.
# TYPE leadership_tracker_changes_total counter
leadership_tracker_changes_total{controller="0",result="leader"} 1
leadership_tracker_changes_total{controller="0",result="minion"} 1
# HELP leadership_leases_known Leases in the manager's view: held, or run out and not yet expired.
# TYPE leadership_leases_known gauge
leadership_leases_known{controller="0"} 0
# HELP leadership_leases_held Leases in the manager's view last claimed or extended through this manager.
# TYPE leadership_leases_held gauge
leadership_leases_held{controller="0"} 0
# HELP leadership_stopped 1 once the manager has stopped (until a manager restarted with this collector reports anything), else 0.
# TYPE leadership_stopped gauge
leadership_stopped{controller="0"} 1
`
	names := []string{
		"leadership_wakes_total", "leadership_last_refresh_timestamp_seconds",
		"leadership_operations_total", "leadership_store_transactions_total",
		"leadership_tracker_leader", "leadership_tracker_changes_total",
		"leadership_leases_known", "leadership_leases_held", "leadership_stopped",
	}
	checkExposed(t, metrics, want, names...)
	// The manager read every lease at its start, and single leases on
	// the way (how many depends on whether the block reached it before
	// the wake).
	if n := testutil.CollectAndCount(metrics, "leadership_refreshes_total"); n != 2 {
		t.Errorf("%d refresh series (call and result), want 2: Refresh and RefreshLease, ok", n)
	}
	checkLint(t, metrics)
	t.Logf("%s", gathered(t, metrics, "leadership_refreshes_total", "leadership_wakes_total", "leadership_last_refresh_timestamp_seconds", "leadership_operation_duration_seconds"))
}

// gathered returns what a scrape of c would show of the named metrics,
// for the test's log.
func gathered(t *testing.T, c prometheus.Collector, names ...string) string {
	t.Helper()
	out, err := testutil.CollectAndFormat(c, expfmt.TypeTextPlain, names...)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}
