package leaseprom

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// defaultNamespace prefixes every metric's name when
// [Options.Namespace] is empty.
const defaultNamespace = "leadership"

// Options configure a [ManagerCollector] or a [TranslatorCollector]. The
// zero value is valid: metrics named leadership_..., no constant labels,
// Prometheus's default buckets.
type Options struct {
	// Namespace is the first part of every metric's name, before an
	// underscore: "leadership" (the default, if empty) gives
	// leadership_operations_total. It must be a valid metric name
	// ([a-zA-Z_:][a-zA-Z0-9_:]*).
	Namespace string

	// ConstLabels are added to every metric of the collector, e.g.
	// {"controller": "0"}. Give each collector of a process distinct
	// values of the same label names, so that one registry can hold
	// them all (see "One collector per manager" in the package doc).
	// Names must be valid label names, not reserved (starting with
	// "__"), and not one of the collector's own labels (kind, result,
	// call, service, unit, command); values must be valid UTF-8.
	ConstLabels prometheus.Labels

	// Buckets are the upper bounds, in seconds, of every duration
	// histogram's buckets: strictly increasing, none NaN. Empty means
	// [prometheus.DefBuckets] (5ms to 10s).
	Buckets []float64
}

// metricName and labelName match the names Prometheus's exposition
// format accepts everywhere.
var (
	metricName = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelName  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
)

// variableLabels are the label names the collectors set themselves,
// which a constant label must not reuse.
var variableLabels = []string{"kind", "result", "call", "service", "unit", "command"}

// Validate returns an error describing the first problem with opts, or
// nil. It checks, in order: Namespace, ConstLabels (in name order: each
// name, then its value), Buckets.
func (opts Options) Validate() error {
	if opts.Namespace != "" && !metricName.MatchString(opts.Namespace) {
		return fmt.Errorf("invalid namespace %q: must match [a-zA-Z_:][a-zA-Z0-9_:]*", opts.Namespace)
	}
	for _, name := range sortedKeys(opts.ConstLabels) {
		if !labelName.MatchString(name) {
			return fmt.Errorf("invalid constant label name %q: must match [a-zA-Z_][a-zA-Z0-9_]*", name)
		}
		if strings.HasPrefix(name, "__") {
			return fmt.Errorf("invalid constant label name %q: names starting with __ are reserved", name)
		}
		for _, own := range variableLabels {
			if name == own {
				return fmt.Errorf("invalid constant label name %q: the collectors set it themselves", name)
			}
		}
		if value := opts.ConstLabels[name]; !utf8.ValidString(value) {
			// Registering would fail, with an error about a
			// descriptor.
			return fmt.Errorf("invalid value %q of constant label %q: not valid UTF-8", value, name)
		}
	}
	for i, b := range opts.Buckets {
		if math.IsNaN(b) {
			return fmt.Errorf("invalid bucket %d: NaN", i)
		}
		if i > 0 && b <= opts.Buckets[i-1] {
			return fmt.Errorf("invalid bucket %d: %g is not above %g: buckets must increase", i, b, opts.Buckets[i-1])
		}
	}
	return nil
}

// namespace returns Namespace, or its default if it is empty.
func (opts Options) namespace() string {
	if opts.Namespace == "" {
		return defaultNamespace
	}
	return opts.Namespace
}

// buckets returns a copy of Buckets, or the default buckets if it is
// empty.
func (opts Options) buckets() []float64 {
	if len(opts.Buckets) == 0 {
		return prometheus.DefBuckets
	}
	return append([]float64(nil), opts.Buckets...)
}

// constLabels returns a copy of ConstLabels, so that a caller's later
// change to its map does not reach the collector.
func (opts Options) constLabels() prometheus.Labels {
	labels := prometheus.Labels{}
	for k, v := range opts.ConstLabels {
		labels[k] = v
	}
	return labels
}

// sortedKeys returns the names of labels in order.
func sortedKeys(labels prometheus.Labels) []string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
