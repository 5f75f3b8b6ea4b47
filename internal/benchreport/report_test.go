package main

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// testdataResults returns the results in testdata.
func testdataResults(t *testing.T) results {
	t.Helper()
	rs, err := loadResults("testdata")
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// checkRows checks that table has each row of rows.
func checkRows(t *testing.T, table string, rows ...string) {
	t.Helper()
	for _, want := range rows {
		if !strings.Contains(table, want) {
			t.Errorf("no row\n%s\nin\n%s", want, table)
		}
	}
}

func TestParseGroup(t *testing.T) {
	rs := testdataResults(t)
	on := rs.bench("failover", "CrashFailover/lease=2s/services=1/polls=on")
	if on == nil || len(on.runs) != 2 {
		t.Fatalf("polls=on: %+v, want two runs", on)
	}
	if p50, ok := on.median("failover-p50-ms"); !ok || p50 != 275 {
		t.Errorf("median p50 %v %v, want 275 (of 270 and 280)", p50, ok)
	}
	if p99, ok := on.max("failover-p99-ms"); !ok || p99 != 343 {
		t.Errorf("max p99 %v %v, want 343", p99, ok)
	}
	// The samples of each run's largest b.N only.
	want := [][]float64{{270, 343, 250.5}, {280, 300, 260}}
	if got := on.samples["failover-ms"]; !reflect.DeepEqual(got, want) {
		t.Errorf("samples %v, want %v", got, want)
	}
	if got := rs["failover"].ran; got.day != "2026-12-06" || !reflect.DeepEqual(got.loads, []float64{4.02, 7.5}) {
		t.Errorf("ran %+v", got)
	}
	if rs.bench("failover", "CrashFailover/lease=4s/services=1/polls=on") != nil {
		t.Error("a benchmark that did not run has results")
	}
	if _, ok := rs.bench("nogroup", "x").median("ns/op"); ok {
		t.Error("a missing group has a median")
	}
}

func TestHeadlineTable(t *testing.T) {
	rs := testdataResults(t)
	keep := "| Claim, against etcd's Campaign (time: embedded server; in memory) | 62.8 ms; 15 µs | etcd's Campaign: 1.1 ms | 59×; 0.014× | 2026-11-25 |"
	table := headlineTable(rs, "\n"+keep+"\n")
	lines := strings.Split(strings.TrimSpace(table), "\n")
	if len(lines) != 2+len(rows) {
		t.Fatalf("%d lines, want the header's 2 and %d rows:\n%s", len(lines), len(rows), table)
	}
	find := func(prefix string) string {
		for _, l := range lines {
			if strings.HasPrefix(l, "| "+prefix) {
				return l
			}
		}
		t.Fatalf("no row %q in\n%s", prefix, table)
		return ""
	}
	// Polls on against polls off, computed from testdata.
	if got, want := find("Crash failover, 2 s lease, against Juju's reads"), "| 275 / 322 ms | ClockPoll off: 1,104 / 1,201 ms | 0.25× / 0.27× | 2026-12-06, load 4.0–7.5 (`failover`) |"; !strings.HasSuffix(got, want) {
		t.Errorf("got  %s\nwant ...%s", got, want)
	}
	// A row whose results are missing keeps its previous cells...
	if got := find("Claim, against etcd's Campaign"); got != keep {
		t.Errorf("got %s, want the previous row kept", got)
	}
	// ... or says how to measure it.
	if got := find("Batching"); !strings.Contains(got, "not measured") || !strings.Contains(got, `BENCHES="batch"`) {
		t.Errorf("got %s", got)
	}
}

// TestScaleRows checks the rows of the renewals at 16,000 services (as
// fast as the store takes them, and at steady rates) and of
// the transaction collection's growth against testdata, and that a run's
// length in the growth benchmark's name is found whatever it is.
func TestScaleRows(t *testing.T) {
	rs := testdataResults(t)
	checkRows(t, headlineTable(rs, ""),
		"| Renewals, 16,000 services held through 3 managers, as fast as the store takes them (a second; commands a renewal; p50 / p99; heap; a full refresh) | 12.5 a second; 40 commands; 400 / 2,000 ms; 30 MiB; 2,500 ms | Juju's timings need 533.3 a second; goal ≤ 5 commands an extension, p99 < 1,000 ms | 0.023× (rate); 8.0× (commands); 2.0× (p99) | 2026-12-06, load 1.7–3.1 (`renewals16k`) |",
		"| The txns collection after a load run of 1,000 services on 3 managers (documents at the end / most: pruning on; off) | 700 / 1,400; 21,000 / 21,000 (30 minutes each) | pruning off: 21,000 at the end | 0.033× (at the end) |",
		"| Renewals due at a steady rate, 16,000 services held through 3 managers (for each rate due a second: p50 / p99; renewals done a second) | 25: 200 / 600 ms; 25 · 50: 300 / 900 ms; 49.5 · 100: 2,000 / 5,000 ms; 80 · 533: 20.0 / 40.0 s; 90 | goal p99 < 1,000 ms at Juju's timings (533.3 a second) | 40× (p99 at Juju's timings); 50 a second meets it | 2026-12-07, load 2.0–3.0 (`renewalsrate`) |",
		"| Renewals, 1,000 services held through 3 managers, as fast as the store takes them (a second; commands a renewal; p50 / p99; heap; a full refresh) | not measured | | | run `BENCHES=\"renewals\" make bench` |",
	)
	if b, _ := rs.benchMatching("txnsgrowth", txnsGrowthName(1000, "on")); b == nil {
		t.Error("the growth run with pruning on is not found")
	}
	if b, _ := rs.benchMatching("txnsgrowth", txnsGrowthName(300, "on")); b != nil {
		t.Error("a growth run of 300 services is found in results of 1,000")
	}
}

// TestSingleRows checks the rows of a lone call with batching on against
// off against testdata, where the results of the two packages, each mode
// by itself and alternated, share one file: from the alternated runs, each
// mode's time and on ÷ off for each call, medians of two runs, and the
// worst (above the goal for a check hit, embedded, and a claim, in memory)
// ÷ the goal.
func TestSingleRows(t *testing.T) {
	rs := testdataResults(t)
	checkRows(t, headlineTable(rs, ""),
		"| A lone claim / extension / check hit / check miss, embedded server, batching on against off, alternated (median time) | 32 ms / 21 ms / 4.6 µs / 1.7 ms | batching off: 30 ms / 20 ms / 4.0 µs / 1.7 ms; goal on ÷ off ≤ 1.1 | 1.03× / 1.05× / 1.15× / 1.00× (worst ÷ goal: 1.05×) | 2026-12-07, load 2.5–3.1 (`single`) |",
		"| A lone claim / extension / check hit, in memory, batching on against off, alternated (median time) | 6.1 µs / 5.0 µs / 3.6 µs | batching off: 5.1 µs / 5.0 µs / 3.7 µs; goal on ÷ off ≤ 1.1 | 1.20× / 1.00× / 0.97× (worst ÷ goal: 1.09×) | 2026-12-07, load 2.5–3.1 (`single`) |",
	)
}

func TestSpliceHeadline(t *testing.T) {
	doc := "# B\n\nintro\n\n" + headlineBegin + "\nMachine: old machine\n\nold table\n" + headlineEnd + "\n\n## Details\n"
	out, err := spliceHeadline(doc, results{}, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, "# B\n\nintro\n\n"+headlineBegin+"\n\nMachine: old machine\n\n"+headlineHeader) {
		t.Errorf("the machine line is not kept before the table:\n%s", out)
	}
	if !strings.HasSuffix(out, "\n"+headlineEnd+"\n\n## Details\n") || strings.Contains(out, "old table") {
		t.Errorf("the text after the table is not kept, or the old table is:\n%s", out)
	}
	if out, err = spliceHeadline(doc, results{}, "2 cores"); err != nil || !strings.Contains(out, "Machine: 2 cores\n") || strings.Contains(out, "old machine") {
		t.Errorf("a new machine line: %v\n%s", err, out)
	}
	if _, err := spliceHeadline("# B\n", results{}, ""); err == nil {
		t.Error("no error without markers")
	}
}

func TestRunWritesPlots(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "B.md")
	if err := os.WriteFile(doc, []byte(headlineBegin+"\n"+headlineEnd+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	plotDir := filepath.Join(dir, "plots")
	if err := run("testdata", doc, plotDir); err != nil {
		t.Fatal(err)
	}
	svg, err := os.ReadFile(filepath.Join(plotDir, "failover.svg"))
	if err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(svg, new(struct{})); err != nil {
		t.Errorf("failover.svg is not XML: %v", err)
	}
	for _, want := range []string{"ours, 2 s lease (n=6)", "<polyline"} {
		if !strings.Contains(string(svg), want) {
			t.Errorf("failover.svg lacks %q", want)
		}
	}
	// No results, no plot: the committed one is left as it is.
	if _, err := os.Stat(filepath.Join(plotDir, "handover.svg")); !os.IsNotExist(err) {
		t.Errorf("handover.svg written without results: %v", err)
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{ms(0.00185), "1.9 µs"},
		{ms(0.0154), "15 µs"},
		{ms(3.42), "3.4 ms"},
		{ms(417.6), "418 ms"},
		{ms(1061.48), "1,061 ms"},
		{ms(17987.2), "18.0 s"},
		{ns(62.8e6), "63 ms"},
		{pair(210, 418), "210 / 418 ms"},
		{pair(3.4, 80), "3.4 / 80 ms"},
		{pair(554, 17987), "554 ms / 18.0 s"},
		{ratio(418, 450), "0.93×"},
		{ratio(62.8, 1.06), "59×"},
		{ratio(0.0154, 1.06), "0.015×"},
		{ratio(1, 0), "n/a"},
		{count(17.8), "17.8"},
		{count(10000), "10,000"},
		{tickText(0.5), "0.5"},
		{tickText(100000), "100,000"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestAxis(t *testing.T) {
	a := newAxis(15, 2300, false, 0, 100)
	if a.lo != 0 || a.hi != 2500 || a.pos(1250) != 50 {
		t.Errorf("linear axis %+v, pos(1250) %v", a, a.pos(1250))
	}
	l := newAxis(0.002, 600, true, 0, 600)
	if l.lo != 0.001 || l.hi != 1000 || len(l.ticks) != 7 || l.pos(1) != 300 {
		t.Errorf("log axis %+v, pos(1) %v", l, l.pos(1))
	}
}

func TestMerged(t *testing.T) {
	a := series{name: "a", xs: []float64{10, 1000}, ys: []float64{2, 2}}
	b := series{name: "b", xs: []float64{10, 1000}, ys: []float64{2, 6}}
	c := series{name: "c", xs: []float64{10, 1000}, ys: []float64{2, 2}}
	got := merged([]series{a, b, c})
	if len(got) != 2 || got[0].name != "a; c" || got[1].name != "b" {
		t.Errorf("merged %+v, want a; c and b", got)
	}
}

// TestBenchIndexDimension checks that a benchmark's name without the
// index dimension finds its run with index=on, and never index=off.
func TestBenchIndexDimension(t *testing.T) {
	g, err := parseGroup("takeover1000", strings.NewReader(
		"BenchmarkTakeover/leases=1000/filters=lookup/index=off-2 \t 1\t 9 ns/op\t 130 takeover-s\n"+
			"BenchmarkTakeover/leases=1000/filters=lookup/index=on-2 \t 1\t 9 ns/op\t 20 takeover-s\n"))
	if err != nil {
		t.Fatal(err)
	}
	rs := results{"takeover1000": g}
	if v, ok := rs.bench("takeover1000", "Takeover/leases=1000/filters=lookup").median("takeover-s"); !ok || v != 20 {
		t.Errorf("takeover-s %v %v, want index=on's 20", v, ok)
	}
	if rs.bench("takeover1000", "Takeover/leases=1000/filters=scan") != nil {
		t.Error("a benchmark that did not run has results")
	}
}
