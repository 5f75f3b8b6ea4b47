package leaseprom

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/seed07a61904/leadership/mgowire"
)

// translatorSubsystem is the second part of the translator's metric
// names: leadership_mgowire_commands_total.
const translatorSubsystem = "mgowire"

// TranslatorCollector keeps the metrics of package mgowire's translating
// connections: it is the [mgowire.Observer] to set in [mgowire.Options],
// and the [prometheus.Collector] to register. The package doc lists its
// metrics. Create one with [NewTranslatorCollector]. It is safe for
// concurrent use, as mgowire requires.
type TranslatorCollector struct {
	commands       *prometheus.CounterVec
	commandLatency *prometheus.HistogramVec
	connects       *prometheus.CounterVec
	connectLatency prometheus.Observer

	// metrics made every metric above, and lists them for Describe and
	// Collect.
	metrics *metrics
}

var (
	_ mgowire.Observer     = (*TranslatorCollector)(nil)
	_ prometheus.Collector = (*TranslatorCollector)(nil)
)

// NewTranslatorCollector returns a collector with every counter at zero.
// It returns an error, from [Options.Validate], if opts is invalid.
func NewTranslatorCollector(opts Options) (*TranslatorCollector, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	mk := newMetrics(opts, translatorSubsystem)
	return &TranslatorCollector{
		metrics: mk,
		commands: mk.counter("commands_total",
			"Commands sent to the server through mgowire, by name and result (ok, not_primary, error).",
			"command", "result"),
		commandLatency: mk.histogram("command_duration_seconds",
			"Time from sending a command through mgowire to its reply, by name, in seconds.",
			"command"),
		connects: mk.counter("connections_total",
			"Connections mgowire set up (dial, TLS, authentication), by result.",
			"result"),
		connectLatency: mk.histogram("connect_duration_seconds",
			"Time from dialling a server through mgowire to the end of authentication, in seconds.").WithLabelValues(),
	}, nil
}

// Observe records e. It is the [mgowire.Observer] method; events of
// kinds it does not know are ignored.
func (t *TranslatorCollector) Observe(e mgowire.Event) {
	switch e.Kind {
	case mgowire.EventCommand:
		t.commands.WithLabelValues(e.Command, string(e.Result)).Inc()
		t.commandLatency.WithLabelValues(e.Command).Observe(e.Duration.Seconds())
	case mgowire.EventConnect:
		t.connects.WithLabelValues(string(e.Result)).Inc()
		t.connectLatency.Observe(e.Duration.Seconds())
	}
}

// Describe is part of the [prometheus.Collector] interface.
func (t *TranslatorCollector) Describe(ch chan<- *prometheus.Desc) {
	t.metrics.describe(ch)
}

// Collect is part of the [prometheus.Collector] interface.
func (t *TranslatorCollector) Collect(ch chan<- prometheus.Metric) {
	t.metrics.collect(ch)
}
