package main

import (
	"bufio"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// group is one bench/run.sh group's raw results: bench/<name>.txt, the
// go test output, and bench/<name>.run.txt, when and under what load it
// ran.
type group struct {
	name string
	// benches holds each benchmark's results by its name without the
	// "Benchmark" prefix and the -GOMAXPROCS suffix.
	benches map[string]*bench
	// lines is the raw output, for the groups whose figures are test logs.
	lines []string
	ran   ran
}

// bench is one benchmark's results over the runs of a group (-count).
type bench struct {
	// runs holds each run's metrics by unit ("ns/op", "p99-ms").
	runs []map[string]float64
	// samples holds, by what ("failover-ms"), the samples each run logged
	// (see the benchmarks' logSamples), from that run's largest b.N.
	samples map[string][][]float64
}

// ran is what bench/run.sh recorded of a group's run.
type ran struct {
	// day is the UTC date it started, "2026-12-06"; empty if not recorded.
	day string
	// loads are the one-minute load averages at its start and end.
	loads []float64
}

// median returns the median over runs of the unit's values, and whether
// any run reported it.
func (b *bench) median(unit string) (float64, bool) {
	if b == nil {
		return 0, false
	}
	var vs []float64
	for _, r := range b.runs {
		if v, ok := r[unit]; ok {
			vs = append(vs, v)
		}
	}
	if len(vs) == 0 {
		return 0, false
	}
	sort.Float64s(vs)
	if n := len(vs); n%2 == 1 {
		return vs[n/2], true
	} else {
		return (vs[n/2-1] + vs[n/2]) / 2, true
	}
}

// max returns the largest of the runs' values of the unit.
func (b *bench) max(unit string) (float64, bool) {
	if b == nil {
		return 0, false
	}
	m, ok := 0.0, false
	for _, r := range b.runs {
		if v, has := r[unit]; has && (!ok || v > m) {
			m, ok = v, true
		}
	}
	return m, ok
}

// allSamples returns every sample logged as what, over all runs.
func (b *bench) allSamples(what string) []float64 {
	if b == nil {
		return nil
	}
	var all []float64
	for _, s := range b.samples[what] {
		all = append(all, s...)
	}
	return all
}

var (
	// benchLine is a result line: name, iterations, then value-unit pairs.
	benchLine = regexp.MustCompile(`^Benchmark(\S+?)(?:-\d+)?\s+(\d+)\s+(.*)$`)
	// benchLog heads a benchmark's log.
	benchLog = regexp.MustCompile(`^--- BENCH: Benchmark(\S+?)(?:-\d+)?$`)
	// sampleLine is a logged line of samples.
	sampleLine = regexp.MustCompile(`^\s+\S+:\d+: samples (\S+) N=(\d+): (.*)$`)
	// runLine is bench/run.sh's record of a run.
	runLine = regexp.MustCompile(`^- Run: (\d{4}-\d\d-\d\d)T.*load average ([\d.]+) [\d.]+ [\d.]+ at the start, ([\d.]+) `)
)

// parseGroup reads a group's raw output from r.
func parseGroup(name string, r io.Reader) (*group, error) {
	g := &group{name: name, benches: map[string]*bench{}}
	get := func(n string) *bench {
		b := g.benches[n]
		if b == nil {
			b = &bench{samples: map[string][][]float64{}}
			g.benches[n] = b
		}
		return b
	}
	// In one log block, the samples of the largest b.N: go test prints
	// the logs of a benchmark's runs at every b.N together.
	var logOf *bench
	var blockN map[string]int
	var block map[string][]float64
	flush := func() {
		if logOf != nil {
			for what, s := range block {
				logOf.samples[what] = append(logOf.samples[what], s)
			}
		}
		logOf, blockN, block = nil, nil, nil
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		line := sc.Text()
		g.lines = append(g.lines, line)
		if m := sampleLine.FindStringSubmatch(line); m != nil && logOf != nil {
			n, _ := strconv.Atoi(m[2])
			if n < blockN[m[1]] {
				continue
			}
			var s []float64
			for _, f := range strings.Fields(m[3]) {
				if v, err := strconv.ParseFloat(f, 64); err == nil {
					s = append(s, v)
				}
			}
			blockN[m[1]], block[m[1]] = n, s
			continue
		}
		if strings.HasPrefix(line, " ") || strings.HasPrefix(line, "\t") {
			continue
		}
		flush()
		if m := benchLog.FindStringSubmatch(line); m != nil {
			logOf, blockN, block = get(m[1]), map[string]int{}, map[string][]float64{}
			continue
		}
		m := benchLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := strings.Fields(m[3])
		metrics := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			if v, err := strconv.ParseFloat(f[i], 64); err == nil {
				metrics[f[i+1]] = v
			}
		}
		b := get(m[1])
		b.runs = append(b.runs, metrics)
	}
	flush()
	return g, sc.Err()
}

// parseRan reads bench/run.sh's record of a run.
func parseRan(r io.Reader) ran {
	var out ran
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		m := runLine.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		out.day = m[1]
		for _, s := range m[2:] {
			if v, err := strconv.ParseFloat(s, 64); err == nil {
				out.loads = append(out.loads, v)
			}
		}
	}
	return out
}

// results are the groups found in a directory of raw results.
type results map[string]*group

// loadResults reads every group's raw results in dir: <name>.txt beside
// <name>.cmd.txt (the files bench/run.sh writes for a group it ran).
func loadResults(dir string) (results, error) {
	cmds, err := filepath.Glob(filepath.Join(dir, "*.cmd.txt"))
	if err != nil {
		return nil, err
	}
	rs := results{}
	for _, c := range cmds {
		name := strings.TrimSuffix(filepath.Base(c), ".cmd.txt")
		f, err := os.Open(filepath.Join(dir, name+".txt"))
		if os.IsNotExist(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		g, err := parseGroup(name, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		if f, err := os.Open(filepath.Join(dir, name+".run.txt")); err == nil {
			g.ran = parseRan(f)
			f.Close()
		}
		rs[name] = g
	}
	return rs, nil
}

// bench returns the named benchmark of the named group, or nil. A name
// without the embedded server's index dimension also finds the benchmark
// run with the index on: "Takeover/leases=1000/filters=lookup" is
// "Takeover/leases=1000/filters=lookup/index=on" in results recorded
// since the takeover and renewals benchmarks have that dimension.
func (rs results) bench(groupName, benchName string) *bench {
	if g := rs[groupName]; g != nil {
		if b := g.benches[benchName]; b != nil {
			return b
		}
		return g.benches[benchName+"/index=on"]
	}
	return nil
}

// metric names one unit of one benchmark of one group: a cell's input.
type metric struct {
	group, bench, unit string
}

// medians returns the median over runs of each metric, in order, and
// whether every one of them has a result.
func (rs results) medians(ms ...metric) ([]float64, bool) {
	vs := make([]float64, len(ms))
	for i, m := range ms {
		v, ok := rs.bench(m.group, m.bench).median(m.unit)
		if !ok {
			return nil, false
		}
		vs[i] = v
	}
	return vs, true
}

// benchMatching returns the benchmark of the named group whose name
// matches re, and its name; the first by name if several do, nil if none.
// It finds a benchmark whose name carries a parameter that varies from run
// to run, such as a run's length.
func (rs results) benchMatching(groupName string, re *regexp.Regexp) (*bench, string) {
	g := rs[groupName]
	if g == nil {
		return nil, ""
	}
	var names []string
	for name := range g.benches {
		if re.MatchString(name) {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		return nil, ""
	}
	sort.Strings(names)
	return g.benches[names[0]], names[0]
}
