package leaseprom_test

import (
	"errors"
	"fmt"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/seed07a61904/leadership/leadership"
	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// epoch is a hostile instant for the events' clock readings (Juju's: after
// 2038, a nanosecond offset, an odd zone).
var epoch = time.Date(2073, 3, 3, 1, 0, 0, 5, time.FixedZone("", -(8*3600+40*60)))

// unixSeconds formats t as the last-refresh gauge holds it, in the
// exposition format's notation.
func unixSeconds(t time.Time) string {
	return strconv.FormatFloat(float64(t.UnixNano())/1e9, 'g', -1, 64)
}

// newManagerCollector returns a collector made with opts, failing the test
// if it cannot be made.
func newManagerCollector(t *testing.T, opts leaseprom.Options) *leaseprom.ManagerCollector {
	t.Helper()
	return mustCollector(t, "NewManagerCollector", leaseprom.NewManagerCollector, opts)
}

// everyManagerEvent has one event of each kind a manager or a tracker
// emits, with durations of 10ms, 20ms, ... in order.
func everyManagerEvent() []leadership.Event {
	events := []leadership.Event{
		{Kind: leadership.EventClaim, Result: leadership.ResultGranted, Service: "redis", Unit: "redis/0", Known: 1, Held: 1},
		{Kind: leadership.EventCheck, Result: leadership.ResultHit, Service: "redis", Unit: "redis/0", Known: 1, Held: 1},
		{Kind: leadership.EventBlock, Result: leadership.ResultReleased, Service: "redis", Known: 1, Held: 1},
		{Kind: leadership.EventRevoke, Result: leadership.ResultRevoked, Service: "redis", Unit: "redis/0", Known: 1, Held: 1},
		{Kind: leadership.EventExpire, Result: leadership.ResultExpired, Service: "redis", Known: 1, Held: 1},
		{Kind: leadership.EventWake, Result: leadership.ResultOK, Known: 1, Held: 1},
		{Kind: leadership.EventRefresh, Result: leadership.ResultOK, Call: leadership.CallRefresh, Known: 1, Held: 1},
		{Kind: leadership.EventStore, Result: leadership.ResultOK, Call: leadership.CallClaimLease, Service: "redis", Unit: "redis/0", Known: 1, Held: 1},
		{Kind: leadership.EventLeading, Result: leadership.ResultLeader, Service: "redis", Unit: "redis/0", FromTracker: true},
		{Kind: leadership.EventStop, Known: 1, Held: 1},
	}
	for i := range events {
		events[i].Duration = time.Duration(i+1) * 10 * time.Millisecond
		events[i].At = epoch.Add(time.Duration(i) * time.Second)
	}
	return events
}

// TestManagerLint: with every series present, promlint finds nothing to
// say about the names, types, units and help texts.
func TestManagerLint(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "0"}})
	for _, e := range everyManagerEvent() {
		m.Observe(e)
	}
	checkLint(t, m)
	// 14 names; the operations by kind have 5 series (one result each)
	// and their latencies 3 (claim, check, revoke).
	if n := testutil.CollectAndCount(m); n != 14+4+2 {
		t.Errorf("collected %d series, want %d", n, 14+4+2)
	}
}

// TestManagerCounters: operations, store calls, wakes and refreshes are
// counted by their labels.
func TestManagerCounters(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{})
	for _, e := range []leadership.Event{
		{Kind: leadership.EventClaim, Result: leadership.ResultGranted},
		{Kind: leadership.EventClaim, Result: leadership.ResultExtended},
		{Kind: leadership.EventClaim, Result: leadership.ResultExtended},
		{Kind: leadership.EventClaim, Result: leadership.ResultDenied},
		{Kind: leadership.EventClaim, Result: leadership.ResultError, Err: errors.New("boom")},
		{Kind: leadership.EventCheck, Result: leadership.ResultHit},
		{Kind: leadership.EventCheck, Result: leadership.ResultMiss},
		{Kind: leadership.EventBlock, Result: leadership.ResultReleased},
		{Kind: leadership.EventRevoke, Result: leadership.ResultDenied},
		{Kind: leadership.EventExpire, Result: leadership.ResultExpired},
		{Kind: leadership.EventExpire, Result: leadership.ResultError},
		{Kind: leadership.EventStore, Call: leadership.CallClaimLease, Result: leadership.ResultOK},
		{Kind: leadership.EventStore, Call: leadership.CallExtendLease, Result: leadership.ResultDenied},
		{Kind: leadership.EventStore, Call: leadership.CallExpireLease, Result: leadership.ResultError},
		{Kind: leadership.EventWake, Result: leadership.ResultOK},
		{Kind: leadership.EventWake, Result: leadership.ResultError},
		{Kind: leadership.EventWake, Result: leadership.ResultOK},
		{Kind: leadership.EventRefresh, Call: leadership.CallRefresh, Result: leadership.ResultOK},
		{Kind: leadership.EventRefresh, Call: leadership.CallRefreshClocks, Result: leadership.ResultOK},
		{Kind: leadership.EventRefresh, Call: leadership.CallRefreshLease, Result: leadership.ResultError},
	} {
		m.Observe(e)
	}
	want := `
# HELP leadership_operations_total Manager operations answered (claim, check, block, revoke) and expiries tried, by kind and result.
# TYPE leadership_operations_total counter
leadership_operations_total{kind="block",result="released"} 1
leadership_operations_total{kind="check",result="hit"} 1
leadership_operations_total{kind="check",result="miss"} 1
leadership_operations_total{kind="claim",result="denied"} 1
leadership_operations_total{kind="claim",result="error"} 1
leadership_operations_total{kind="claim",result="extended"} 2
leadership_operations_total{kind="claim",result="granted"} 1
leadership_operations_total{kind="expire",result="error"} 1
leadership_operations_total{kind="expire",result="expired"} 1
leadership_operations_total{kind="revoke",result="denied"} 1
# HELP leadership_store_transactions_total Write calls (store transactions) of the manager's lease client, by method and result.
# TYPE leadership_store_transactions_total counter
leadership_store_transactions_total{call="ClaimLease",result="ok"} 1
leadership_store_transactions_total{call="ExpireLease",result="error"} 1
leadership_store_transactions_total{call="ExtendLease",result="denied"} 1
# HELP leadership_wakes_total Manager wakes (expiries, polls and refreshes on its alarm), by result.
# TYPE leadership_wakes_total counter
leadership_wakes_total{result="error"} 1
leadership_wakes_total{result="ok"} 2
# HELP leadership_refreshes_total Reads of the store by the manager's lease client, by method and result.
# TYPE leadership_refreshes_total counter
leadership_refreshes_total{call="Refresh",result="ok"} 1
leadership_refreshes_total{call="RefreshClocks",result="ok"} 1
leadership_refreshes_total{call="RefreshLease",result="error"} 1
`
	names := []string{"leadership_operations_total", "leadership_store_transactions_total", "leadership_wakes_total", "leadership_refreshes_total"}
	checkExposed(t, m, want, names...)
}

// TestManagerHistograms: durations land in the buckets of their
// histogram, in seconds; a block's wait is not an operation latency.
func TestManagerHistograms(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{Namespace: "ctl", Buckets: testBuckets})
	for _, e := range []leadership.Event{
		{Kind: leadership.EventClaim, Result: leadership.ResultGranted, Duration: 5 * time.Millisecond},
		{Kind: leadership.EventClaim, Result: leadership.ResultDenied, Duration: 50 * time.Millisecond},
		{Kind: leadership.EventCheck, Result: leadership.ResultHit},
		{Kind: leadership.EventBlock, Result: leadership.ResultReleased, Duration: time.Hour},
		{Kind: leadership.EventStore, Call: leadership.CallClaimLease, Result: leadership.ResultOK, Duration: 2 * time.Second},
		{Kind: leadership.EventWake, Result: leadership.ResultOK, Duration: 500 * time.Millisecond},
		{Kind: leadership.EventRefresh, Call: leadership.CallRefresh, Result: leadership.ResultError, Duration: 100 * time.Millisecond},
	} {
		m.Observe(e)
	}
	want := `
# HELP ctl_operation_duration_seconds Time from a claim, check or revoke reaching the manager to its answer, in seconds, on the manager's clock.
# TYPE ctl_operation_duration_seconds histogram
` +
		histogramSeries("ctl_operation_duration_seconds", `kind="check"`, "0", 1, 1, 1, 1) +
		histogramSeries("ctl_operation_duration_seconds", `kind="claim"`, "0.055", 1, 2, 2, 2) + `
# HELP ctl_store_transaction_duration_seconds Duration of the manager's write calls (store transactions), by method, in seconds.
# TYPE ctl_store_transaction_duration_seconds histogram
` +
		histogramSeries("ctl_store_transaction_duration_seconds", `call="ClaimLease"`, "2", 0, 0, 0, 1) + `
# HELP ctl_wake_duration_seconds Duration of the manager's wakes, in seconds.
# TYPE ctl_wake_duration_seconds histogram
` +
		histogramSeries("ctl_wake_duration_seconds", "", "0.5", 0, 0, 1, 1) + `
# HELP ctl_refresh_duration_seconds Duration of the manager's reads of the store, by method, in seconds.
# TYPE ctl_refresh_duration_seconds histogram
` +
		histogramSeries("ctl_refresh_duration_seconds", `call="Refresh"`, "0.1", 0, 1, 1, 1)
	names := []string{"ctl_operation_duration_seconds", "ctl_store_transaction_duration_seconds", "ctl_wake_duration_seconds", "ctl_refresh_duration_seconds"}
	checkExposed(t, m, want, names...)
}

// TestManagerGauges: leases known and held follow the manager's latest
// event; the last-refresh timestamp moves only on a successful read; the
// stopped gauge is set by the manager's stop, not by a tracker's.
func TestManagerGauges(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "7"}})
	names := []string{"leadership_leases_known", "leadership_leases_held", "leadership_last_refresh_timestamp_seconds", "leadership_stopped"}
	check := func(known, held int, refreshed string, stopped int) {
		t.Helper()
		want := fmt.Sprintf(`
# HELP leadership_leases_known Leases in the manager's view: held, or run out and not yet expired.
# TYPE leadership_leases_known gauge
leadership_leases_known{controller="7"} %d
# HELP leadership_leases_held Leases in the manager's view last claimed or extended through this manager.
# TYPE leadership_leases_held gauge
leadership_leases_held{controller="7"} %d
# HELP leadership_last_refresh_timestamp_seconds When the manager last read the store successfully, in Unix seconds on its clock; 0 before the first read.
# TYPE leadership_last_refresh_timestamp_seconds gauge
leadership_last_refresh_timestamp_seconds{controller="7"} %s
# HELP leadership_stopped 1 once the manager has stopped (until a manager restarted with this collector reports anything), else 0.
# TYPE leadership_stopped gauge
leadership_stopped{controller="7"} %d
`, known, held, refreshed, stopped)
		checkExposed(t, m, want, names...)
	}
	check(0, 0, "0", 0)

	m.Observe(leadership.Event{Kind: leadership.EventRefresh, Call: leadership.CallRefresh, Result: leadership.ResultOK, At: epoch, Known: 3, Held: 1})
	check(3, 1, unixSeconds(epoch), 0)

	later := epoch.Add(90 * time.Second)
	m.Observe(leadership.Event{Kind: leadership.EventRefresh, Call: leadership.CallRefreshLease, Result: leadership.ResultError, At: later, Known: 3, Held: 1})
	m.Observe(leadership.Event{Kind: leadership.EventClaim, Result: leadership.ResultGranted, At: later, Known: 4, Held: 2})
	check(4, 2, unixSeconds(epoch), 0)

	// A tracker's events carry no lease counts and must not reset them.
	m.Observe(leadership.Event{Kind: leadership.EventLeading, Result: leadership.ResultLeader, Service: "redis", Unit: "redis/0", At: later, FromTracker: true})
	m.Observe(leadership.Event{Kind: leadership.EventStop, Service: "redis", Unit: "redis/0", FromTracker: true, At: later})
	check(4, 2, unixSeconds(epoch), 0)

	m.Observe(leadership.Event{Kind: leadership.EventRefresh, Call: leadership.CallRefreshClocks, Result: leadership.ResultOK, At: later, Known: 4, Held: 2})
	check(4, 2, unixSeconds(later), 0)

	m.Observe(leadership.Event{Kind: leadership.EventStop, Err: errors.New("store gone"), At: later, Known: 4, Held: 2})
	check(4, 2, unixSeconds(later), 1)
}

// TestManagerTracker: the leader gauge follows each tracker's changes,
// and drops to 0 when its tracker stops.
func TestManagerTracker(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{})
	leading := func(service, unit string, r leadership.Result) {
		m.Observe(leadership.Event{Kind: leadership.EventLeading, Result: r, Service: service, Unit: unit, At: epoch, FromTracker: true})
	}
	leading("redis", "redis/0", leadership.ResultMinion)
	leading("redis", "redis/1", leadership.ResultLeader)
	leading("mysql", "mysql/0", leadership.ResultLeader)
	leading("redis", "redis/1", leadership.ResultMinion)
	leading("redis", "redis/0", leadership.ResultLeader)
	m.Observe(leadership.Event{Kind: leadership.EventStop, Service: "mysql", Unit: "mysql/0", FromTracker: true, At: epoch})
	want := `
# HELP leadership_tracker_leader 1 while a tracker's unit leads its service, 0 while it does not or once the tracker has stopped.
# TYPE leadership_tracker_leader gauge
leadership_tracker_leader{service="mysql",unit="mysql/0"} 0
leadership_tracker_leader{service="redis",unit="redis/0"} 1
leadership_tracker_leader{service="redis",unit="redis/1"} 0
# HELP leadership_tracker_changes_total Trackers' changes of state: to leader or to minion.
# TYPE leadership_tracker_changes_total counter
leadership_tracker_changes_total{result="leader"} 3
leadership_tracker_changes_total{result="minion"} 2
# HELP leadership_stopped 1 once the manager has stopped (until a manager restarted with this collector reports anything), else 0.
# TYPE leadership_stopped gauge
leadership_stopped 0
`
	checkExposed(t, m, want, "leadership_tracker_leader", "leadership_tracker_changes_total", "leadership_stopped")
}

// TestManagerConcurrent: several goroutines, as several trackers and
// managers sharing one collector would, observe at once while another
// scrapes; every event is counted. Run with -race.
func TestManagerConcurrent(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{})
	const goroutines, rounds = 8, 200
	events := everyManagerEvent()
	var wg sync.WaitGroup
	done := make(chan struct{})
	scraped := make(chan error, 1)
	go func() {
		var err error
		for {
			select {
			case <-done:
				scraped <- err
				return
			default:
			}
			if _, lintErr := testutil.CollectAndLint(m); lintErr != nil && err == nil {
				err = lintErr
			}
		}
	}()
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for _, e := range events {
					if e.Kind == leadership.EventLeading {
						e.Unit = fmt.Sprintf("redis/%d", g)
					}
					m.Observe(e)
				}
			}
		}(g)
	}
	wg.Wait()
	close(done)
	if err := <-scraped; err != nil {
		t.Errorf("scrape during the events: %v", err)
	}
	n := goroutines * rounds
	want := fmt.Sprintf(`
# HELP leadership_operations_total Manager operations answered (claim, check, block, revoke) and expiries tried, by kind and result.
# TYPE leadership_operations_total counter
leadership_operations_total{kind="block",result="released"} %[1]d
leadership_operations_total{kind="check",result="hit"} %[1]d
leadership_operations_total{kind="claim",result="granted"} %[1]d
leadership_operations_total{kind="expire",result="expired"} %[1]d
leadership_operations_total{kind="revoke",result="revoked"} %[1]d
# HELP leadership_tracker_changes_total Trackers' changes of state: to leader or to minion.
# TYPE leadership_tracker_changes_total counter
leadership_tracker_changes_total{result="leader"} %[1]d
`, n)
	checkExposed(t, m, want, "leadership_operations_total", "leadership_tracker_changes_total")
	if got := testutil.CollectAndCount(m, "leadership_tracker_leader"); got != goroutines {
		t.Errorf("%d leader series, want %d", got, goroutines)
	}
}

// TestManagerRestarted: a manager restarted with the same collector (as a
// dependency engine restarts a worker that failed) is no longer stopped
// once it reports anything: the stopped gauge must not stay at 1, and an
// alert on it fire, for ever after one failure.
func TestManagerRestarted(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{})
	stopped := func(want float64) {
		t.Helper()
		exposed := fmt.Sprintf(`
# HELP leadership_stopped 1 once the manager has stopped (until a manager restarted with this collector reports anything), else 0.
# TYPE leadership_stopped gauge
leadership_stopped %v
`, want)
		checkExposed(t, m, exposed, "leadership_stopped")
	}
	m.Observe(leadership.Event{Kind: leadership.EventStop, Err: errors.New("store gone"), At: epoch})
	stopped(1)
	// The new manager's first event: its start-up refresh.
	m.Observe(leadership.Event{Kind: leadership.EventRefresh, Call: leadership.CallRefresh, Result: leadership.ResultOK, At: epoch.Add(time.Second)})
	stopped(0)
	// A tracker's stop is not the manager's.
	m.Observe(leadership.Event{Kind: leadership.EventStop, Service: "redis", Unit: "redis/0", FromTracker: true, At: epoch.Add(2 * time.Second)})
	stopped(0)
}
