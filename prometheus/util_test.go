package leaseprom_test

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// mustCollector returns the collector that newCollector (named name, for
// the failure message) makes with opts, failing the test if it cannot be
// made.
func mustCollector[C prometheus.Collector](t *testing.T, name string, newCollector func(leaseprom.Options) (C, error), opts leaseprom.Options) C {
	t.Helper()
	c, err := newCollector(opts)
	if err != nil {
		t.Fatalf("%s(%+v): %v", name, opts, err)
	}
	return c
}

// checkExposed fails the test unless what c exposes of the named metrics
// (all of them, if none is named) is want, in the text exposition format.
func checkExposed(t *testing.T, c prometheus.Collector, want string, names ...string) {
	t.Helper()
	if err := testutil.CollectAndCompare(c, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
}

// checkLint fails the test if c cannot be collected, or if promlint has
// anything to say about the names, types, units and help texts of what it
// collects.
func checkLint(t *testing.T, c prometheus.Collector) {
	t.Helper()
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatalf("linting: %v", err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
}
