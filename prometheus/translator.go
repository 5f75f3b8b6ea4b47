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
	// metrics made every metric below; it is the collector's Describe
	// and Collect.
	*metrics

	commands timed
	connects timed
}

var (
	_ mgowire.Observer     = (*TranslatorCollector)(nil)
	_ prometheus.Collector = (*TranslatorCollector)(nil)
)

// NewTranslatorCollector returns a collector with every counter at zero.
// It returns an error, from [Options.Validate], if opts is invalid.
func NewTranslatorCollector(opts Options) (*TranslatorCollector, error) {
	mk, err := newMetrics(opts, translatorSubsystem)
	if err != nil {
		return nil, err
	}
	return &TranslatorCollector{
		metrics: mk,
		commands: mk.timed(
			"commands_total", "Commands sent to the server through mgowire, by name and result (ok, not_primary, error).",
			"command_duration_seconds", "Time from sending a command through mgowire to its reply, by name, in seconds.",
			"command"),
		connects: mk.timed(
			"connections_total", "Connections mgowire set up (dial, TLS, authentication), by result.",
			"connect_duration_seconds", "Time from dialling a server through mgowire to the end of authentication, in seconds."),
	}, nil
}

// Observe records e. It is the [mgowire.Observer] method; events of
// kinds it does not know are ignored.
func (t *TranslatorCollector) Observe(e mgowire.Event) {
	switch e.Kind {
	case mgowire.EventCommand:
		t.commands.observe(string(e.Result), e.Duration, e.Command)
	case mgowire.EventConnect:
		t.connects.observe(string(e.Result), e.Duration)
	}
}
