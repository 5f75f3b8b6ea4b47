package main

import (
	"sort"
	"strconv"
	"strings"
)

// plot is one SVG file of BENCHMARKS.md.
type plot struct {
	file  string
	chart func(rs results) chart
}

// distribution adds to c the distribution of a benchmark's samples, if
// it logged any.
func distribution(c *chart, rs results, name, groupName, benchName, what string) {
	if s := rs.bench(groupName, benchName).allSamples(what); len(s) > 0 {
		c.series = append(c.series, cdf(name, s))
	}
}

// bySize adds to c a series of one unit of the benchmarks name(n) of the
// given groups, at each size n found, the median over runs scaled by
// scale; nothing if fewer than two sizes have results.
func bySize(c *chart, rs results, name string, groups []string, bench func(n int) string, sizes []int, unit string, scale float64) {
	s := series{name: name}
	for _, n := range sizes {
		for _, g := range groups {
			if v, ok := rs.bench(g, bench(n)).median(unit); ok {
				s.xs = append(s.xs, float64(n))
				s.ys = append(s.ys, v*scale)
				break
			}
		}
	}
	if len(s.xs) >= 2 {
		c.series = append(c.series, s)
	}
}

// delayChart returns an empty chart of distributions of delays, each a
// fraction of the things named (each failover, each service).
func delayChart(title, of string) chart {
	return chart{title: title, xLabel: "delay (ms)", yLabel: "fraction of " + of}
}

// bySizeChart returns an empty chart of a figure against the number of
// leases held, on a logarithmic x axis (and y axis if yLog).
func bySizeChart(title, yLabel string, yLog bool) chart {
	return chart{title: title, xLabel: "leases held", yLabel: yLabel, xLog: true, yLog: yLog}
}

func sizeName(prefix string) func(int) string {
	return func(n int) string { return prefix + "leases=" + itoa(n) }
}

// spaced writes a length such as "2s" as "2 s".
func spaced(d string) string { return strings.TrimSuffix(d, "s") + " s" }

func itoa(n int) string { return strconv.Itoa(n) }

var percallSizes = []int{10, 1000, 10000}

// percallOps names BenchmarkPerCall's operations in the plots' legends.
var percallOps = map[string]string{
	"expiry":    "expiry of one lease",
	"checkmiss": "check that misses",
	"denied":    "denied claim",
	"block":     "block on a held lease",
}

// embeddedBySize adds to c, by number of leases held on the embedded
// server, one unit (scaled by scale) of a read of every lease (the client
// group's BenchmarkClientRefresh) and of each of BenchmarkPerCall's ops
// named (groups percall and percall10k), each series named with prefix.
func embeddedBySize(c *chart, rs results, prefix string, ops []string, unit string, scale float64) {
	bySize(c, rs, prefix+"reading every lease (Juju's refresh)", []string{"client"}, sizeName("ClientRefresh/"), percallSizes, unit, scale)
	for _, op := range ops {
		bySize(c, rs, prefix+percallOps[op], []string{"percall", "percall10k"}, sizeName("PerCall/op="+op+"/"), percallSizes, unit, scale)
	}
}

// plots are the plots bench/run.sh draws.
var plots = []plot{
	{"failover.svg", func(rs results) chart {
		c := delayChart("Crash failover: the end of the dead leader's term → the next leader (one service)", "failovers")
		for _, l := range []string{"2s", "4s"} {
			distribution(&c, rs, "ours, "+spaced(l)+" lease", "failover", "CrashFailover/lease="+l+"/services=1/polls=on", "failover-ms")
		}
		for _, l := range []string{"2s", "4s"} {
			distribution(&c, rs, "etcd, TTL "+spaced(l), "etcdfailover", "EtcdCrashFailover/ttl="+l, "failover-ms")
		}
		for _, l := range []string{"2s", "4s"} {
			distribution(&c, rs, "ours with ClockPoll off (Juju's reads), "+spaced(l), "failover", "CrashFailover/lease="+l+"/services=1/polls=off", "failover-ms")
		}
		return c
	}},
	{"handover.svg", func(rs results) chart {
		c := delayChart("Graceful handover: revoke (or Resign) → the waiting unit leads, default configuration", "handovers")
		c.markers = []marker{{acrossGoal, "goal for p99: ClockPoll + 250 ms"}}
		distribution(&c, rs, "etcd: Resign → Campaign", "across", "HandoverAcross/impl=etcd", "handover-ms")
		distribution(&c, rs, "ours, in memory, across controllers", "across", "HandoverAcross/impl=memory", "handover-ms")
		distribution(&c, rs, "ours, embedded server, one controller", "across", "HandoverAcross/impl=mongo-samecontroller", "handover-ms")
		distribution(&c, rs, "ours, embedded server, across controllers", "across", "HandoverAcross/impl=mongo", "handover-ms")
		return c
	}},
	{"recovery.svg", func(rs results) chart {
		c := delayChart("Recovery: the server answers again → each of 100 services leads", "services")
		for _, o := range []string{"5s", "60s"} {
			g := "recovery"
			if o == "60s" {
				g = "recovery60"
			}
			for _, f := range []struct{ name, label string }{{"restart", "restart"}, {"stepdown", "step-down"}} {
				distribution(&c, rs, spaced(o)+" outage, "+f.label, g, "Recovery/fault="+f.name+"/outage="+o+"/services=100/term=3m0s", "recovery-ms")
			}
		}
		return c
	}},
	{"cost.svg", func(rs results) chart {
		c := bySizeChart("Time per call against the number of leases held", "time per call (ms)", true)
		embeddedBySize(&c, rs, "embedded: ", []string{"expiry", "checkmiss", "denied"}, "ns/op", 1e-6)
		memory := []int{10, 1000, 100000}
		bySize(&c, rs, "in memory: block, then release", []string{"leadership"}, sizeName("BlockRelease/"), memory, "ns/op", 1e-6)
		bySize(&c, rs, "in memory: claim", []string{"leadership"}, sizeName("Claim/"), memory, "ns/op", 1e-6)
		bySize(&c, rs, "in memory: check that misses", []string{"leadership"}, sizeName("CheckMiss/"), memory, "ns/op", 1e-6)
		return c
	}},
	{"commands.svg", func(rs results) chart {
		c := bySizeChart("Commands per call against the number of leases held (embedded server)", "commands per call", false)
		embeddedBySize(&c, rs, "", []string{"checkmiss", "denied", "block"}, "cmds/op", 1)
		if quiet := quietPolls(rs); len(quiet) >= 2 {
			s := series{name: "a poll when nothing changed"}
			var ns []int
			for n := range quiet {
				ns = append(ns, n)
			}
			sort.Ints(ns)
			for _, n := range ns {
				s.xs = append(s.xs, float64(n))
				s.ys = append(s.ys, quiet[n])
			}
			c.series = append(c.series, s)
		}
		return c
	}},
}
