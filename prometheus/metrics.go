package leaseprom

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics makes the metrics of one collector, each in one statement, with
// the namespace, constant labels and buckets of its Options, and keeps
// them, in the order made, for Describe and Collect. A metric without
// variable labels is its vector's one child, made at once so that it is
// exposed from the start, as a plain gauge or histogram would be.
type metrics struct {
	opts      Options
	subsystem string
	all       []prometheus.Collector
}

// newMetrics returns a maker of metrics named namespace_subsystem_name
// (no subsystem part if subsystem is ""), or the error of
// [Options.Validate] if opts is invalid.
func newMetrics(opts Options, subsystem string) (*metrics, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	return &metrics{opts: opts, subsystem: subsystem}, nil
}

// add records c, and returns it.
func add[C prometheus.Collector](m *metrics, c C) C {
	m.all = append(m.all, c)
	return c
}

// counter makes a counter vector with the given variable labels.
func (m *metrics) counter(name, help string, variable ...string) *prometheus.CounterVec {
	return add(m, prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: m.opts.namespace(), Subsystem: m.subsystem, Name: name, Help: help, ConstLabels: m.opts.constLabels(),
	}, variable))
}

// histogram makes a histogram vector with the given variable labels, on
// the Options' buckets.
func (m *metrics) histogram(name, help string, variable ...string) *prometheus.HistogramVec {
	return add(m, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: m.opts.namespace(), Subsystem: m.subsystem, Name: name, Help: help, ConstLabels: m.opts.constLabels(),
		Buckets: m.opts.buckets(),
	}, variable))
}

// gauge makes a gauge vector with the given variable labels.
func (m *metrics) gauge(name, help string, variable ...string) *prometheus.GaugeVec {
	return add(m, prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Namespace: m.opts.namespace(), Subsystem: m.subsystem, Name: name, Help: help, ConstLabels: m.opts.constLabels(),
	}, variable))
}

// timed makes the pair of metrics of an event that is counted and timed:
// the counter total, by the variable labels and "result", and the
// histogram duration, by the variable labels. Without variable labels,
// the histogram's one child is made at once.
func (m *metrics) timed(total, totalHelp, duration, durationHelp string, variable ...string) timed {
	t := timed{
		total:    m.counter(total, totalHelp, append(variable[:len(variable):len(variable)], "result")...),
		duration: m.histogram(duration, durationHelp, variable...),
	}
	if len(variable) == 0 {
		t.duration.WithLabelValues()
	}
	return t
}

// Describe is part of the [prometheus.Collector] interface: it sends the
// descriptions of every metric made.
func (m *metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.all {
		c.Describe(ch)
	}
}

// Collect is part of the [prometheus.Collector] interface: it sends every
// metric made.
func (m *metrics) Collect(ch chan<- prometheus.Metric) {
	for _, c := range m.all {
		c.Collect(ch)
	}
}

// timed is the pair of metrics of an event that is counted by result and
// timed: what [metrics.timed] makes.
type timed struct {
	total    *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

// count counts an event with the given result and variable label values.
func (t timed) count(result string, values ...string) {
	t.total.WithLabelValues(append(values[:len(values):len(values)], result)...).Inc()
}

// observe counts an event, as count does, and records its duration d.
func (t timed) observe(result string, d time.Duration, values ...string) {
	t.count(result, values...)
	t.duration.WithLabelValues(values...).Observe(d.Seconds())
}
