package leaseprom_test

import (
	"go/parser"
	"go/token"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// docMetrics returns the metrics that the package doc lists after the
// line that starts with intro, up to the next line of prose: for each
// name, its type and its labels, space-separated.
func docMetrics(t *testing.T, intro string) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	_, list, ok := strings.Cut(f.Doc.Text(), "\n"+intro)
	if !ok {
		t.Fatalf("the package doc has no line starting %q", intro)
	}
	metrics := map[string]string{}
	for _, line := range strings.Split(list, "\n")[1:] {
		if line != "" && !strings.HasPrefix(line, "\t") {
			break
		}
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(line, "\tleadership_") {
			continue // a blank line or a description
		}
		metrics[fields[0]] = strings.Join(fields[1:], " ")
	}
	if len(metrics) == 0 {
		t.Fatalf("the package doc lists no metrics after %q", intro)
	}
	return metrics
}

// collected returns what c exposes, for each metric name: its type and
// its variable labels, space-separated. c must have a series of each.
func collected(t *testing.T, c prometheus.Collector) map[string]string {
	t.Helper()
	registry := prometheus.NewPedanticRegistry()
	registry.MustRegister(c)
	families, err := registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	metrics := map[string]string{}
	for _, f := range families {
		var labels []string
		for _, l := range f.GetMetric()[0].GetLabel() {
			labels = append(labels, l.GetName())
		}
		sort.Strings(labels)
		metrics[f.GetName()] = strings.Join(append([]string{strings.ToLower(f.GetType().String())}, labels...), " ")
	}
	return metrics
}

// sortedLabels returns metrics with each entry's labels (all but its
// first word, the type; separated by commas or spaces) sorted and
// space-separated, as collected has them.
func sortedLabels(metrics map[string]string) map[string]string {
	out := map[string]string{}
	for name, desc := range metrics {
		fields := strings.Fields(strings.ReplaceAll(desc, ",", " "))
		sort.Strings(fields[1:])
		out[name] = strings.Join(fields, " ")
	}
	return out
}

// TestDocListsManagerMetrics: the package doc lists the metrics a
// ManagerCollector exposes, with their types and labels, and no others.
func TestDocListsManagerMetrics(t *testing.T) {
	m := newManagerCollector(t, leaseprom.Options{})
	for _, e := range everyManagerEvent() {
		m.Observe(e)
	}
	got, want := collected(t, m), sortedLabels(docMetrics(t, "A [ManagerCollector] keeps:"))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a ManagerCollector exposes\n  %v\nthe package doc lists\n  %v", got, want)
	}
}

// TestDocListsTranslatorMetrics: likewise for a TranslatorCollector.
func TestDocListsTranslatorMetrics(t *testing.T) {
	c := newTranslatorCollector(t, leaseprom.Options{})
	for _, e := range translatorEvents {
		c.Observe(e)
	}
	got, want := collected(t, c), sortedLabels(docMetrics(t, "A [TranslatorCollector] keeps:"))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("a TranslatorCollector exposes\n  %v\nthe package doc lists\n  %v", got, want)
	}
}
