package leaseprom_test

import (
	"math"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

func TestOptionsValidate(t *testing.T) {
	for _, test := range []struct {
		opts leaseprom.Options
		err  string // "" for valid
	}{
		{leaseprom.Options{}, ""},
		{leaseprom.Options{Namespace: "juju_lease", ConstLabels: prometheus.Labels{"controller": "0", "model": "m"}, Buckets: []float64{0.001, 1, math.Inf(1)}}, ""},
		{leaseprom.Options{Namespace: "2fast"}, `invalid namespace "2fast": must match [a-zA-Z_:][a-zA-Z0-9_:]*`},
		{leaseprom.Options{Namespace: "lease-ship"}, `invalid namespace "lease-ship": must match [a-zA-Z_:][a-zA-Z0-9_:]*`},
		{leaseprom.Options{ConstLabels: prometheus.Labels{"zone": "a", "bad-name": "x"}}, `invalid constant label name "bad-name": must match [a-zA-Z_][a-zA-Z0-9_]*`},
		{leaseprom.Options{ConstLabels: prometheus.Labels{"__name": "x"}}, `invalid constant label name "__name": names starting with __ are reserved`},
		{leaseprom.Options{ConstLabels: prometheus.Labels{"service": "x"}}, `invalid constant label name "service": the collectors set it themselves`},
		{leaseprom.Options{ConstLabels: prometheus.Labels{"result": "x"}}, `invalid constant label name "result": the collectors set it themselves`},
		{leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "\xff0"}}, `invalid value "\xff0" of constant label "controller": not valid UTF-8`},
		{leaseprom.Options{Buckets: []float64{0.1, math.NaN()}}, `invalid bucket 1: NaN`},
		{leaseprom.Options{Buckets: []float64{0.1, 0.5, 0.5}}, `invalid bucket 2: 0.5 is not above 0.5: buckets must increase`},
		{leaseprom.Options{Buckets: []float64{1, 0.1}}, `invalid bucket 1: 0.1 is not above 1: buckets must increase`},
	} {
		err := test.opts.Validate()
		switch {
		case test.err == "" && err != nil:
			t.Errorf("%+v: unexpected error %v", test.opts, err)
		case test.err != "" && (err == nil || err.Error() != test.err):
			t.Errorf("%+v: got error %v, want %s", test.opts, err, test.err)
		}
		// The constructors refuse what Validate refuses, with its error.
		if _, cerr := leaseprom.NewManagerCollector(test.opts); (cerr == nil) != (err == nil) || (err != nil && cerr.Error() != err.Error()) {
			t.Errorf("%+v: NewManagerCollector error %v, Validate %v", test.opts, cerr, err)
		}
		if _, cerr := leaseprom.NewTranslatorCollector(test.opts); (cerr == nil) != (err == nil) || (err != nil && cerr.Error() != err.Error()) {
			t.Errorf("%+v: NewTranslatorCollector error %v, Validate %v", test.opts, cerr, err)
		}
	}
}

// TestOptionsOneRegistry: collectors for several managers, told apart by
// a constant label, register in one registry; two with the same labels
// do not.
func TestOptionsOneRegistry(t *testing.T) {
	reg := prometheus.NewPedanticRegistry()
	for _, id := range []string{"0", "1"} {
		m := newManagerCollector(t, leaseprom.Options{ConstLabels: prometheus.Labels{"controller": id}})
		if err := reg.Register(m); err != nil {
			t.Fatalf("registering controller %s's collector: %v", id, err)
		}
		tr, err := leaseprom.NewTranslatorCollector(leaseprom.Options{ConstLabels: prometheus.Labels{"controller": id}})
		if err != nil {
			t.Fatal(err)
		}
		if err := reg.Register(tr); err != nil {
			t.Fatalf("registering controller %s's translator collector: %v", id, err)
		}
	}
	again := newManagerCollector(t, leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "1"}})
	if err := reg.Register(again); err == nil {
		t.Errorf("a second collector for controller 1 registered")
	}
	if _, err := reg.Gather(); err != nil {
		t.Errorf("gathering: %v", err)
	}
}

// TestOptionsCopied: changing the caller's labels or buckets after the
// collector is made does not change the collector.
func TestOptionsCopied(t *testing.T) {
	opts := leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "0"}, Buckets: []float64{1, 2}}
	m := newManagerCollector(t, opts)
	opts.ConstLabels["controller"] = "changed"
	opts.Buckets[0] = 3
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(m); err != nil {
		t.Fatal(err)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, metric := range f.GetMetric() {
			for _, l := range metric.GetLabel() {
				if l.GetName() == "controller" && l.GetValue() != "0" {
					t.Errorf("%s: controller=%q, want 0", f.GetName(), l.GetValue())
				}
			}
		}
		if f.GetName() == "leadership_wake_duration_seconds" {
			if b := f.GetMetric()[0].GetHistogram().GetBucket()[0].GetUpperBound(); b != 1 {
				t.Errorf("first wake bucket %g, want 1", b)
			}
		}
	}
}
