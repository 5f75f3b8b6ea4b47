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
	operations       *prometheus.CounterVec
	operationLatency *prometheus.HistogramVec
	stores           *prometheus.CounterVec
	storeLatency     *prometheus.HistogramVec
	wakes            *prometheus.CounterVec
	wakeLatency      prometheus.Histogram
	refreshes        *prometheus.CounterVec
	refreshLatency   *prometheus.HistogramVec
	known            prometheus.Gauge
	held             prometheus.Gauge
	lastRefresh      prometheus.Gauge
	stopped          prometheus.Gauge
	leader           *prometheus.GaugeVec
	changes          *prometheus.CounterVec
}

var (
	_ leadership.Observer  = (*ManagerCollector)(nil)
	_ prometheus.Collector = (*ManagerCollector)(nil)
)

// NewManagerCollector returns a collector with every counter at zero and
// every gauge at zero. It returns an error, from [Options.Validate], if
// opts is invalid.
func NewManagerCollector(opts Options) (*ManagerCollector, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	ns, labels, buckets := opts.namespace(), opts.constLabels(), opts.buckets()
	counter := func(name, help string, variable ...string) *prometheus.CounterVec {
		return prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: name, Help: help, ConstLabels: labels,
		}, variable)
	}
	histogram := func(name, help string, variable ...string) *prometheus.HistogramVec {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: name, Help: help, ConstLabels: labels, Buckets: buckets,
		}, variable)
	}
	gauge := func(name, help string) prometheus.Gauge {
		return prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: name, Help: help, ConstLabels: labels,
		})
	}
	return &ManagerCollector{
		operations: counter("operations_total",
			"Manager operations answered (claim, check, block, revoke) and expiries tried, by kind and result.",
			"kind", "result"),
		operationLatency: histogram("operation_duration_seconds",
			"Time from a claim, check or revoke reaching the manager to its answer, in seconds, on the manager's clock.",
			"kind"),
		stores: counter("store_transactions_total",
			"Write calls (store transactions) of the manager's lease client, by method and result.",
			"call", "result"),
		storeLatency: histogram("store_transaction_duration_seconds",
			"Duration of the manager's write calls (store transactions), by method, in seconds.",
			"call"),
		wakes: counter("wakes_total",
			"Manager wakes (expiries, polls and refreshes on its alarm), by result.",
			"result"),
		wakeLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Name: "wake_duration_seconds", ConstLabels: labels, Buckets: buckets,
			Help: "Duration of the manager's wakes, in seconds.",
		}),
		refreshes: counter("refreshes_total",
			"Reads of the store by the manager's lease client, by method and result.",
			"call", "result"),
		refreshLatency: histogram("refresh_duration_seconds",
			"Duration of the manager's reads of the store, by method, in seconds.",
			"call"),
		known: gauge("leases_known",
			"Leases in the manager's view: held, or run out and not yet expired."),
		held: gauge("leases_held",
			"Leases in the manager's view last claimed or extended through this manager."),
		lastRefresh: gauge("last_refresh_timestamp_seconds",
			"When the manager last read the store successfully, in Unix seconds on its clock; 0 before the first read."),
		stopped: gauge("stopped",
			"1 once the manager has stopped (until a manager restarted with this collector reports anything), else 0."),
		leader: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: ns, Name: "tracker_leader", ConstLabels: labels,
			Help: "1 while a tracker's unit leads its service, 0 while it does not or once the tracker has stopped.",
		}, []string{"service", "unit"}),
		changes: counter("tracker_changes_total",
			"Trackers' changes of state: to leader or to minion.",
			"result"),
	}, nil
}

// Observe records e. It is the [leadership.Observer] method; events of
// kinds it does not know are ignored.
func (m *ManagerCollector) Observe(e leadership.Event) {
	if e.Kind == leadership.EventLeading {
		m.observeLeading(e)
		return
	}
	if e.Kind == leadership.EventStop && e.Unit != "" {
		// A tracker's stop: it names its unit; a manager's names none.
		m.leader.WithLabelValues(e.Service, e.Unit).Set(0)
		return
	}
	m.known.Set(float64(e.Known))
	m.held.Set(float64(e.Held))
	if e.Kind != leadership.EventStop {
		// A manager emits nothing after its stop: this is a manager
		// restarted with the same collector, which runs.
		m.stopped.Set(0)
	}
	switch e.Kind {
	case leadership.EventClaim, leadership.EventCheck, leadership.EventRevoke:
		m.operations.WithLabelValues(string(e.Kind), string(e.Result)).Inc()
		m.operationLatency.WithLabelValues(string(e.Kind)).Observe(e.Duration.Seconds())
	case leadership.EventBlock, leadership.EventExpire:
		m.operations.WithLabelValues(string(e.Kind), string(e.Result)).Inc()
	case leadership.EventStore:
		m.stores.WithLabelValues(e.Call, string(e.Result)).Inc()
		m.storeLatency.WithLabelValues(e.Call).Observe(e.Duration.Seconds())
	case leadership.EventWake:
		m.wakes.WithLabelValues(string(e.Result)).Inc()
		m.wakeLatency.Observe(e.Duration.Seconds())
	case leadership.EventRefresh:
		m.refreshes.WithLabelValues(e.Call, string(e.Result)).Inc()
		m.refreshLatency.WithLabelValues(e.Call).Observe(e.Duration.Seconds())
		if e.Result == leadership.ResultOK && !e.At.IsZero() {
			m.lastRefresh.Set(float64(e.At.UnixNano()) / 1e9)
		}
	case leadership.EventStop:
		m.stopped.Set(1)
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

// collectors returns every metric m keeps.
func (m *ManagerCollector) collectors() []prometheus.Collector {
	return []prometheus.Collector{
		m.operations, m.operationLatency, m.stores, m.storeLatency,
		m.wakes, m.wakeLatency, m.refreshes, m.refreshLatency,
		m.known, m.held, m.lastRefresh, m.stopped, m.leader, m.changes,
	}
}

// Describe is part of the [prometheus.Collector] interface.
func (m *ManagerCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.collectors() {
		c.Describe(ch)
	}
}

// Collect is part of the [prometheus.Collector] interface.
func (m *ManagerCollector) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.collectors() {
		c.Collect(ch)
	}
}
