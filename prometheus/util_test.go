package leaseprom_test

import (
	"fmt"
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

// testBuckets are the buckets of the tests that check histograms.
var testBuckets = []float64{0.01, 0.1, 1}

// histogramSeries returns one series of a histogram on testBuckets in the
// text exposition format: its _bucket lines with the cumulative counts
// (one per bucket, then +Inf's, which is also _count), and _sum. labels
// are the series' labels, such as `kind="check"`, or "".
func histogramSeries(name, labels, sum string, cumulative ...int) string {
	if len(cumulative) != len(testBuckets)+1 {
		panic(fmt.Sprintf("histogramSeries(%s): %d counts for %d buckets and +Inf", name, len(cumulative), len(testBuckets)))
	}
	sep, braced := "", ""
	if labels != "" {
		sep, braced = ",", "{"+labels+"}"
	}
	var b strings.Builder
	for i, n := range cumulative {
		le := "+Inf"
		if i < len(testBuckets) {
			le = fmt.Sprint(testBuckets[i])
		}
		fmt.Fprintf(&b, "%s_bucket{%s%sle=%q} %d\n", name, labels, sep, le, n)
	}
	fmt.Fprintf(&b, "%s_sum%s %s\n%s_count%s %d\n", name, braced, sum, name, braced, cumulative[len(cumulative)-1])
	return b.String()
}
