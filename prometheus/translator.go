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
	connectLatency prometheus.Histogram
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
	ns, labels, buckets := opts.namespace(), opts.constLabels(), opts.buckets()
	return &TranslatorCollector{
		commands: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: translatorSubsystem, Name: "commands_total", ConstLabels: labels,
			Help: "Commands sent to the server through mgowire, by name and result (ok, not_primary, error).",
		}, []string{"command", "result"}),
		commandLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: translatorSubsystem, Name: "command_duration_seconds", ConstLabels: labels,
			Buckets: buckets,
			Help:    "Time from sending a command through mgowire to its reply, by name, in seconds.",
		}, []string{"command"}),
		connects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Subsystem: translatorSubsystem, Name: "connections_total", ConstLabels: labels,
			Help: "Connections mgowire set up (dial, TLS, authentication), by result.",
		}, []string{"result"}),
		connectLatency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: ns, Subsystem: translatorSubsystem, Name: "connect_duration_seconds", ConstLabels: labels,
			Buckets: buckets,
			Help:    "Time from dialling a server through mgowire to the end of authentication, in seconds.",
		}),
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
	t.commands.Describe(ch)
	t.commandLatency.Describe(ch)
	t.connects.Describe(ch)
	t.connectLatency.Describe(ch)
}

// Collect is part of the [prometheus.Collector] interface.
func (t *TranslatorCollector) Collect(ch chan<- prometheus.Metric) {
	t.commands.Collect(ch)
	t.commandLatency.Collect(ch)
	t.connects.Collect(ch)
	t.connectLatency.Collect(ch)
}
