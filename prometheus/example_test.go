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
	"github.com/seed07a61904/leadership/lease/leasetest"
	leaseprom "github.com/seed07a61904/leadership/prometheus"
	"github.com/seed07a61904/leadership/worker"
)

// Example serves /metrics for a manager: its collector is the
// manager's Observer (and would be its trackers'), registered in a
// registry that an HTTP handler serves. After a claim, a denied claim and
// a check, a scrape shows them. The manager here runs over the in-memory
// store on a fake clock; in a program it is the MongoDB client on
// lease.SystemClock.
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

	clock := leasetest.NewClock(time.Date(2073, 3, 3, 1, 0, 0, 0, time.UTC))
	manager, err := leadership.NewManager(leadership.ManagerConfig{
		Client:   leasetest.NewStore(clock).MustNewClient("controller-0"),
		Clock:    clock,
		Observer: metrics,
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer func() {
		// Stop returns why manager stopped, if it stopped by itself.
		if err := worker.Stop(manager); err != nil {
			fmt.Println("manager stopped:", err)
		}
	}()
	fmt.Println("redis/0:", manager.ClaimLeadership("redis", "redis/0", time.Minute))
	fmt.Println("redis/1:", manager.ClaimLeadership("redis", "redis/1", time.Minute))
	if _, err := manager.CheckLeadership("redis", "redis/0"); err != nil {
		fmt.Println(err)
		return
	}

	resp, err := http.Get(server.URL + "/metrics")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	lines := bufio.NewScanner(resp.Body)
	for lines.Scan() {
		for _, name := range []string{"leadership_operations_total", "leadership_leases_held", "leadership_last_refresh", "leadership_stopped"} {
			if strings.HasPrefix(lines.Text(), name) {
				fmt.Println(lines.Text())
			}
		}
	}
	// Output:
	// redis/0: <nil>
	// redis/1: leadership claim denied
	// leadership_last_refresh_timestamp_seconds{controller="0"} 3.2557284e+09
	// leadership_leases_held{controller="0"} 1
	// leadership_operations_total{controller="0",kind="check",result="hit"} 1
	// leadership_operations_total{controller="0",kind="claim",result="denied"} 1
	// leadership_operations_total{controller="0",kind="claim",result="granted"} 1
	// leadership_stopped{controller="0"} 0
}
