package main

import (
	"bytes"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	jc "github.com/juju/testing/checkers"
	gc "gopkg.in/check.v1"
)

// scrapingWriter is the demo's output for TestRunMetrics. It keeps what
// the demo prints and, when the demo starts its summary (its managers
// have stopped; its metrics server still runs), scrapes the metrics URL
// that the demo printed, once.
type scrapingWriter struct {
	mu      sync.Mutex
	out     bytes.Buffer
	url     string
	scraped bool
	body    string
	err     error
}

var metricsURL = regexp.MustCompile(`metrics at (http://\S+/metrics)`)

// Write is part of the io.Writer interface.
func (w *scrapingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.out.Write(p)
	if m := metricsURL.FindSubmatch(p); m != nil && w.url == "" {
		w.url = string(m[1])
	}
	if bytes.Contains(p, []byte("summary after")) && !w.scraped {
		w.scraped = true
		w.body, w.err = scrape(w.url)
	}
	return len(p), nil
}

// scrape returns the body that url answers with.
func scrape(url string) (string, error) {
	client := http.Client{Timeout: longWait}
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return string(body), err
}

// TestRunMetrics runs a short demo with -metrics on a port of the
// system's choosing, and scrapes its /metrics once, at the end of the
// run: after 2s, or once a unit has led and written, if later.
func (s *demoSuite) TestRunMetrics(c *gc.C) {
	cfg := config{services: 1, units: 2, controllers: 2, lease: 4 * time.Second, runTime: 2 * time.Second, seed: 1,
		metricsAddr: "127.0.0.1:0", progressWait: testProgressWait}
	var w scrapingWriter
	res := runDemo(c, cfg, &w)
	c.Logf("demo output:\n%s", w.out.String())
	c.Check(res.ok(), jc.IsTrue)
	c.Check(res.kills, gc.Equals, 1)
	c.Check(w.out.String(), jc.Contains, "  controller-1 KILLED;")
	c.Assert(w.url, gc.Not(gc.Equals), "", gc.Commentf("the demo printed no metrics URL"))
	c.Assert(w.scraped, jc.IsTrue)
	c.Assert(w.err, jc.ErrorIsNil)
	c.Logf("scraped %s:\n%s", w.url, w.body)
	// The summary starts once every manager has stopped. controller-0
	// (seed 1 kills controller-1, maybe before it has read the store) has
	// read the store, a unit of the service has been elected, and the
	// connections to the database have been counted.
	for _, want := range []string{
		`(?m)^leadership_stopped\{controller="controller-0"\} 1$`,
		`(?m)^leadership_stopped\{controller="controller-1"\} 1$`,
		`(?m)^leadership_last_refresh_timestamp_seconds\{controller="controller-0"\} [1-9]`,
		`(?m)^leadership_leases_known\{controller="controller-1"\} [0-9]+$`,
		`(?m)^leadership_refreshes_total\{call="Refresh",controller="controller-0",result="ok"\} [1-9]`,
		`(?m)^leadership_operations_total\{controller="controller-[01]",kind="claim",result="granted"\} [1-9]`,
		`(?m)^leadership_store_transaction_duration_seconds_count\{call="ClaimLease",controller="controller-[01]"\} [1-9]`,
		`(?m)^leadership_tracker_changes_total\{controller="controller-[01]",result="leader"\} [1-9]`,
		`(?m)^leadership_tracker_leader\{controller="controller-[01]",service="mysql",unit="mysql/[01]"\} 0$`,
		`(?m)^leadership_mgowire_connections_total\{result="ok"\} [1-9]`,
		`(?m)^leadership_mgowire_commands_total\{command="[a-zA-Z]+",result="ok"\} [1-9]`,
	} {
		c.Check(regexp.MustCompile(want).MatchString(w.body), jc.IsTrue, gc.Commentf("no match for %s", want))
	}
	// The server stops with the demo.
	_, err := scrape(w.url)
	c.Check(err, gc.NotNil)
}
