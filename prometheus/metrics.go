package leaseprom

import (
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
// (no subsystem part if subsystem is "").
func newMetrics(opts Options, subsystem string) *metrics {
	return &metrics{opts: opts, subsystem: subsystem}
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

// describe sends the descriptions of every metric made, as
// [prometheus.Collector.Describe].
func (m *metrics) describe(ch chan<- *prometheus.Desc) {
	for _, c := range m.all {
		c.Describe(ch)
	}
}

// collect sends every metric made, as [prometheus.Collector.Collect].
func (m *metrics) collect(ch chan<- prometheus.Metric) {
	for _, c := range m.all {
		c.Collect(ch)
	}
}
