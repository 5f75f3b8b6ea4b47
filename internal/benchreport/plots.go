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

func sizeName(prefix string) func(int) string {
	return func(n int) string { return prefix + "leases=" + itoa(n) }
}

// spaced writes a length such as "2s" as "2 s".
func spaced(d string) string { return strings.TrimSuffix(d, "s") + " s" }

func itoa(n int) string { return strconv.Itoa(n) }

var percallSizes = []int{10, 1000, 10000}

// plots are the plots bench/run.sh draws.
var plots = []plot{
	{"failover.svg", func(rs results) chart {
		c := chart{
			title:  "Crash failover: the end of the dead leader's term → the next leader (one service)",
			xLabel: "delay (ms)",
			yLabel: "fraction of failovers",
		}
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
		c := chart{
			title:   "Graceful handover: revoke (or Resign) → the waiting unit leads, default configuration",
			xLabel:  "delay (ms)",
			yLabel:  "fraction of handovers",
			markers: []marker{{acrossGoal, "goal for p99: ClockPoll + 250 ms"}},
		}
		distribution(&c, rs, "etcd: Resign → Campaign", "across", "HandoverAcross/impl=etcd", "handover-ms")
		distribution(&c, rs, "ours, in memory, across controllers", "across", "HandoverAcross/impl=memory", "handover-ms")
		distribution(&c, rs, "ours, embedded server, one controller", "across", "HandoverAcross/impl=mongo-samecontroller", "handover-ms")
		distribution(&c, rs, "ours, embedded server, across controllers", "across", "HandoverAcross/impl=mongo", "handover-ms")
		return c
	}},
	{"recovery.svg", func(rs results) chart {
		c := chart{
			title:  "Recovery: the server answers again → each of 100 services leads",
			xLabel: "delay (ms)",
			yLabel: "fraction of services",
		}
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
		c := chart{
			title:  "Time per call against the number of leases held",
			xLabel: "leases held",
			yLabel: "time per call (ms)",
			xLog:   true,
			yLog:   true,
		}
		embedded := []string{"percall", "percall10k"}
		bySize(&c, rs, "embedded: reading every lease (Juju's refresh)", []string{"client"}, sizeName("ClientRefresh/"), percallSizes, "ns/op", 1e-6)
		bySize(&c, rs, "embedded: expiry of one lease", embedded, sizeName("PerCall/op=expiry/"), percallSizes, "ns/op", 1e-6)
		bySize(&c, rs, "embedded: check that misses", embedded, sizeName("PerCall/op=checkmiss/"), percallSizes, "ns/op", 1e-6)
		bySize(&c, rs, "embedded: denied claim", embedded, sizeName("PerCall/op=denied/"), percallSizes, "ns/op", 1e-6)
		memory := []int{10, 1000, 100000}
		bySize(&c, rs, "in memory: block, then release", []string{"leadership"}, sizeName("BlockRelease/"), memory, "ns/op", 1e-6)
		bySize(&c, rs, "in memory: claim", []string{"leadership"}, sizeName("Claim/"), memory, "ns/op", 1e-6)
		bySize(&c, rs, "in memory: check that misses", []string{"leadership"}, sizeName("CheckMiss/"), memory, "ns/op", 1e-6)
		return c
	}},
	{"commands.svg", func(rs results) chart {
		c := chart{
			title:  "Commands per call against the number of leases held (embedded server)",
			xLabel: "leases held",
			yLabel: "commands per call",
			xLog:   true,
		}
		embedded := []string{"percall", "percall10k"}
		bySize(&c, rs, "reading every lease (Juju's refresh)", []string{"client"}, sizeName("ClientRefresh/"), percallSizes, "cmds/op", 1)
		bySize(&c, rs, "check that misses", embedded, sizeName("PerCall/op=checkmiss/"), percallSizes, "cmds/op", 1)
		bySize(&c, rs, "denied claim", embedded, sizeName("PerCall/op=denied/"), percallSizes, "cmds/op", 1)
		bySize(&c, rs, "block on a held lease", embedded, sizeName("PerCall/op=block/"), percallSizes, "cmds/op", 1)
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
