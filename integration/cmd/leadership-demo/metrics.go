package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seed07a61904/leadership/leadership"
	"github.com/seed07a61904/leadership/mgowire"
	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// metrics serves, with -metrics, the Prometheus metrics of the demo's
// managers and their trackers (one collector per controller, labelled
// controller="controller-N") and of its mgowire connections, at /metrics,
// while the demo runs. A nil *metrics serves nothing.
type metrics struct {
	managers          map[string]*leaseprom.ManagerCollector // by controller Id
	translatorMetrics *leaseprom.TranslatorCollector
	server            *http.Server
	served            chan error // the server's result, once closed
}

// startMetrics serves metrics for controllers controller-0 to
// controller-(n-1) on addr (host:port; port 0 picks one), and prints
// where to out. It returns nil, and serves nothing, if addr is "".
func startMetrics(addr string, n int, out io.Writer) (*metrics, error) {
	if addr == "" {
		return nil, nil
	}
	m := &metrics{managers: map[string]*leaseprom.ManagerCollector{}, served: make(chan error, 1)}
	registry := prometheus.NewRegistry()
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("controller-%d", i)
		c, err := leaseprom.NewManagerCollector(leaseprom.Options{ConstLabels: prometheus.Labels{"controller": id}})
		if err != nil {
			return nil, err
		}
		registry.MustRegister(c)
		m.managers[id] = c
	}
	var err error
	if m.translatorMetrics, err = leaseprom.NewTranslatorCollector(leaseprom.Options{}); err != nil {
		return nil, err
	}
	registry.MustRegister(m.translatorMetrics)
	listener, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("-metrics: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	m.server = &http.Server{Handler: mux}
	go func() { m.served <- m.server.Serve(listener) }()
	fmt.Fprintf(out, "metrics at http://%s/metrics\n", listener.Addr())
	return m, nil
}

// manager returns the observer for the manager and the trackers of the
// controller with the given Id, or nil if m is nil.
func (m *metrics) manager(id string) leadership.Observer {
	if m == nil {
		return nil
	}
	return m.managers[id]
}

// translator returns the observer for the mgowire connections, or nil if
// m is nil.
func (m *metrics) translator() mgowire.Observer {
	if m == nil {
		return nil
	}
	return m.translatorMetrics
}

// close stops serving, and returns the server's error, if it failed
// before.
func (m *metrics) close() error {
	if m == nil {
		return nil
	}
	m.server.Close()
	if err := <-m.served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
