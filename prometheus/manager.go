package leaseprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed07a61904/leadership/leadership"
)

// ManagerCollector keeps the metrics of a leadership manager and of the
// trackers that run on it: it is the [leadership.Observer] to set in
// their [leadership.ManagerConfig] and [leadership.TrackerConfig], and the
// [prometheus.Collector] to register. The package doc lists its metrics.
// Create one with [NewManagerCollector]. It is safe for concurrent use.
type ManagerCollector struct {
	// metrics made every metric below; it is the collector's Describe
	// and Collect.
	*metrics

	operations  timed
	stores      timed
	wakes       timed
	refreshes   timed
	known       prometheus.Gauge
	held        prometheus.Gauge
	lastRefresh prometheus.Gauge
	stopped     prometheus.Gauge
	leader      *prometheus.GaugeVec
	changes     *prometheus.CounterVec
}

var (
	_ leadership.Observer  = (*ManagerCollector)(nil)
	_ prometheus.Collector = (*ManagerCollector)(nil)
)

// NewManagerCollector returns a collector with every counter at zero and
// every gauge at zero. It returns an error, from [Options.Validate], if
// opts is invalid.
func NewManagerCollector(opts Options) (*ManagerCollector, error) {
	mk, err := newMetrics(opts, "")
	if err != nil {
		return nil, err
	}
	// Each metric is defined in one statement below, used in Observe,
	// and listed in the package doc (which a test checks against what m
	// collects).
	m := &ManagerCollector{metrics: mk}
	m.operations = mk.timed(
		"operations_total", "Manager operations answered (claim, check, block, revoke) and expiries tried, by kind and result.",
		"operation_duration_seconds", "Time from a claim, check or revoke reaching the manager to its answer, in seconds, on the manager's clock.",
		"kind")
	m.stores = mk.timed(
		"store_transactions_total", "Write calls (store transactions) of the manager's lease client, by method and result.",
		"store_transaction_duration_seconds", "Duration of the manager's write calls (store transactions), by method, in seconds.",
		"call")
	m.wakes = mk.timed(
		"wakes_total", "Manager wakes (expiries, polls and refreshes on its alarm), by result.",
		"wake_duration_seconds", "Duration of the manager's wakes, in seconds.")
	m.refreshes = mk.timed(
		"refreshes_total", "Reads of the store by the manager's lease client, by method and result.",
		"refresh_duration_seconds", "Duration of the manager's reads of the store, by method, in seconds.",
		"call")
	m.known = mk.gauge("leases_known",
		"Leases in the manager's view: held, or run out and not yet expired.").WithLabelValues()
	m.held = mk.gauge("leases_held",
		"Leases in the manager's view last claimed or extended through this manager.").WithLabelValues()
	m.lastRefresh = mk.gauge("last_refresh_timestamp_seconds",
		"When the manager last read the store successfully, in Unix seconds on its clock; 0 before the first read.").WithLabelValues()
	m.stopped = mk.gauge("stopped",
		"1 once the manager has stopped (until a manager restarted with this collector reports anything), else 0.").WithLabelValues()
	m.leader = mk.gauge("tracker_leader",
		"1 while a tracker's unit leads its service, 0 while it does not or once the tracker has stopped.",
		"service", "unit")
	m.changes = mk.counter("tracker_changes_total",
		"Trackers' changes of state: to leader or to minion.",
		"result")
	return m, nil
}

// operationKinds are the kinds of event counted in operations_total, each
// with whether its Duration goes to operation_duration_seconds: not a
// block's, which lasts as long as the leader holds, nor an expiry's.
var operationKinds = map[leadership.EventKind]bool{
	leadership.EventClaim:  true,
	leadership.EventCheck:  true,
	leadership.EventRevoke: true,
	leadership.EventBlock:  false,
	leadership.EventExpire: false,
}

// Observe records e. It is the [leadership.Observer] method; events of
// kinds it does not know are ignored.
func (m *ManagerCollector) Observe(e leadership.Event) {
	if e.FromTracker || e.Kind == leadership.EventLeading {
		m.observeTracker(e)
		return
	}
	m.known.Set(float64(e.Known))
	m.held.Set(float64(e.Held))
	if e.Kind != leadership.EventStop {
		// A manager emits nothing after its stop: this is a manager
		// restarted with the same collector, which runs.
		m.stopped.Set(0)
	}
	result := string(e.Result)
	if isTimed, ok := operationKinds[e.Kind]; isTimed {
		m.operations.observe(result, e.Duration, string(e.Kind))
	} else if ok {
		m.operations.count(result, string(e.Kind))
	}
	switch e.Kind {
	case leadership.EventStore:
		m.stores.observe(result, e.Duration, string(e.Call))
	case leadership.EventWake:
		m.wakes.observe(result, e.Duration)
	case leadership.EventRefresh:
		m.refreshes.observe(result, e.Duration, string(e.Call))
		if e.Result == leadership.ResultOK && !e.At.IsZero() {
			m.lastRefresh.Set(float64(e.At.UnixNano()) / 1e9)
		}
	case leadership.EventStop:
		m.stopped.Set(1)
	}
}

// observeTracker records a tracker's event: its change to leader or
// minion, or its stop.
func (m *ManagerCollector) observeTracker(e leadership.Event) {
	if e.Kind == leadership.EventStop {
		m.leader.WithLabelValues(e.Service, e.Unit).Set(0)
		return
	}
	if e.Kind == leadership.EventLeading {
		m.observeLeading(e)
	}
}

// observeLeading records a tracker's change to leader or minion.
func (m *ManagerCollector) observeLeading(e leadership.Event) {
	var v float64
	switch e.Result {
	case leadership.ResultLeader:
		v = 1
	case leadership.ResultMinion:
	default:
		return
	}
	m.leader.WithLabelValues(e.Service, e.Unit).Set(v)
	m.changes.WithLabelValues(string(e.Result)).Inc()
}
