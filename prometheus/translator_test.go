package leaseprom_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/seed07a61904/leadership/mgowire"
	leaseprom "github.com/seed07a61904/leadership/prometheus"
)

// newTranslatorCollector returns a collector made with opts, failing the
// test if it cannot be made.
func newTranslatorCollector(t *testing.T, opts leaseprom.Options) *leaseprom.TranslatorCollector {
	t.Helper()
	return mustCollector(t, "NewTranslatorCollector", leaseprom.NewTranslatorCollector, opts)
}

// translatorEvents are a connection's events: one connect, commands of
// every result.
var translatorEvents = []mgowire.Event{
	{Kind: mgowire.EventConnect, Result: mgowire.ResultOK, Addr: "db:27017", Duration: 30 * time.Millisecond},
	{Kind: mgowire.EventCommand, Command: "isMaster", Result: mgowire.ResultOK, Addr: "db:27017", Duration: 2 * time.Millisecond},
	{Kind: mgowire.EventCommand, Command: "find", Result: mgowire.ResultOK, Addr: "db:27017", Duration: 5 * time.Millisecond},
	{Kind: mgowire.EventCommand, Command: "update", Result: mgowire.ResultNotPrimary, Addr: "db:27017", Duration: 20 * time.Millisecond, Err: errors.New("not primary")},
	{Kind: mgowire.EventCommand, Command: "find", Result: mgowire.ResultError, Addr: "db:27017", Duration: 200 * time.Millisecond, Err: errors.New("EOF")},
	{Kind: mgowire.EventConnect, Result: mgowire.ResultError, Addr: "db:27017", Duration: 2 * time.Second, Err: errors.New("refused")},
}

func TestTranslatorLint(t *testing.T) {
	c := newTranslatorCollector(t, leaseprom.Options{ConstLabels: prometheus.Labels{"controller": "0"}})
	for _, e := range translatorEvents {
		c.Observe(e)
	}
	checkLint(t, c)
}

func TestTranslatorMetrics(t *testing.T) {
	c := newTranslatorCollector(t, leaseprom.Options{Buckets: testBuckets})
	for _, e := range translatorEvents {
		c.Observe(e)
	}
	// An event of a kind it does not know is ignored.
	c.Observe(mgowire.Event{Kind: "unknown", Command: "find", Result: mgowire.ResultOK})
	want := `
# HELP leadership_mgowire_commands_total Commands sent to the server through mgowire, by name and result (ok, not_primary, error).
# TYPE leadership_mgowire_commands_total counter
leadership_mgowire_commands_total{command="find",result="error"} 1
leadership_mgowire_commands_total{command="find",result="ok"} 1
leadership_mgowire_commands_total{command="isMaster",result="ok"} 1
leadership_mgowire_commands_total{command="update",result="not_primary"} 1
# HELP leadership_mgowire_command_duration_seconds Time from sending a command through mgowire to its reply, by name, in seconds.
# TYPE leadership_mgowire_command_duration_seconds histogram
` +
		histogramSeries("leadership_mgowire_command_duration_seconds", `command="find"`, "0.20500000000000002", 1, 1, 2, 2) +
		histogramSeries("leadership_mgowire_command_duration_seconds", `command="isMaster"`, "0.002", 1, 1, 1, 1) +
		histogramSeries("leadership_mgowire_command_duration_seconds", `command="update"`, "0.02", 0, 1, 1, 1) + `
# HELP leadership_mgowire_connections_total Connections mgowire set up (dial, TLS, authentication), by result.
# TYPE leadership_mgowire_connections_total counter
leadership_mgowire_connections_total{result="error"} 1
leadership_mgowire_connections_total{result="ok"} 1
# HELP leadership_mgowire_connect_duration_seconds Time from dialling a server through mgowire to the end of authentication, in seconds.
# TYPE leadership_mgowire_connect_duration_seconds histogram
` +
		histogramSeries("leadership_mgowire_connect_duration_seconds", "", "2.03", 0, 1, 1, 2)
	checkExposed(t, c, want)
}

// TestTranslatorConcurrent: connections observe from many goroutines at
// once, as mgowire's do. Run with -race.
func TestTranslatorConcurrent(t *testing.T) {
	c := newTranslatorCollector(t, leaseprom.Options{})
	const goroutines, rounds = 8, 200
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := 0; r < rounds; r++ {
				for _, e := range translatorEvents {
					c.Observe(e)
				}
				testutil.CollectAndCount(c)
			}
		}()
	}
	wg.Wait()
	want := fmt.Sprintf(`
# HELP leadership_mgowire_connections_total Connections mgowire set up (dial, TLS, authentication), by result.
# TYPE leadership_mgowire_connections_total counter
leadership_mgowire_connections_total{result="error"} %[1]d
leadership_mgowire_connections_total{result="ok"} %[1]d
`, goroutines*rounds)
	checkExposed(t, c, want, "leadership_mgowire_connections_total")
}
