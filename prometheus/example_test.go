package leaseprom_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/seed07a61904/leadership/leadership"
	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// Example registers a manager's collector, serves /metrics, and scrapes
// it after a claim, a denied claim and a tracker's election. In a program
// the collector is the Observer of the manager's and its trackers'
// configs; here the events are fed by hand.
func Example() {
	metrics, err := leaseprom.NewManagerCollector(leaseprom.Options{
		ConstLabels: prometheus.Labels{"controller": "0"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	registry := prometheus.NewRegistry()
	registry.MustRegister(metrics)
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{}))
	server := httptest.NewServer(mux)
	defer server.Close()

	at := time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC)
	for _, e := range []leadership.Event{
		{Kind: leadership.EventClaim, Result: leadership.ResultGranted, Service: "redis", Unit: "redis/0", Duration: 3 * time.Millisecond, At: at, Known: 1, Held: 1},
		{Kind: leadership.EventLeading, Result: leadership.ResultLeader, Service: "redis", Unit: "redis/0", At: at},
		{Kind: leadership.EventClaim, Result: leadership.ResultDenied, Service: "redis", Unit: "redis/1", Duration: 2 * time.Millisecond, At: at, Known: 1, Held: 1},
		{Kind: leadership.EventRefresh, Result: leadership.ResultOK, Call: "Refresh", Duration: 4 * time.Millisecond, At: at, Known: 1, Held: 1},
	} {
		metrics.Observe(e)
	}

	resp, err := http.Get(server.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		for _, name := range []string{"leadership_operations_total", "leadership_leases_held", "leadership_last_refresh", "leadership_tracker_leader"} {
			if strings.HasPrefix(lines.Text(), name) {
				fmt.Println(lines.Text())
			}
		}
	}
	// Output:
	// leadership_last_refresh_timestamp_seconds{controller="0"} 3.2557284e+09
	// leadership_leases_held{controller="0"} 1
	// leadership_operations_total{controller="0",kind="claim",result="denied"} 1
	// leadership_operations_total{controller="0",kind="claim",result="granted"} 1
	// leadership_tracker_leader{controller="0",service="redis",unit="redis/0"} 1
}
