package main

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
)

// row is one headline figure: the figure measured, the anchor it is
// read against (a goal, or etcd's or Juju's figure), and their ratio.
type row struct {
	// figure is the first cell, which names the row in the previous table.
	figure string
	// groups are the bench/run.sh groups it is computed from.
	groups []string
	// cells computes the row's ours, anchor and ratio cells; ok is false
	// if a result it needs is missing.
	cells func(rs results) (ours, anchor, ratio string, ok bool)
}

// quantiles returns a benchmark's median over runs of two units.
func quantiles(b *bench, u1, u2 string) (float64, float64, bool) {
	v1, ok1 := b.median(u1)
	v2, ok2 := b.median(u2)
	return v1, v2, ok1 && ok2
}

// failoverRow compares the crash failover with polls on against the
// same with polls off (Juju's reads) or against etcd.
func failoverRow(lease string, ttl string, vsEtcd bool) row {
	name := "CrashFailover/lease=" + lease + "/services=1/polls="
	r := row{groups: []string{"failover"}}
	if vsEtcd {
		r.figure = fmt.Sprintf("Crash failover, %s lease (p50 / p99)", strings.TrimSuffix(lease, "s")+" s")
		r.groups = append(r.groups, "etcdfailover")
	} else {
		r.figure = fmt.Sprintf("Crash failover, %s lease, against Juju's reads (p50 / p99)", strings.TrimSuffix(lease, "s")+" s")
	}
	r.cells = func(rs results) (string, string, string, bool) {
		p50, p99, ok := quantiles(rs.bench("failover", name+"on"), "failover-p50-ms", "failover-p99-ms")
		if !ok {
			return "", "", "", false
		}
		var a50, a99 float64
		var anchor string
		if vsEtcd {
			a50, a99, ok = quantiles(rs.bench("etcdfailover", "EtcdCrashFailover/ttl="+ttl), "failover-p50-ms", "failover-p99-ms")
			anchor = "etcd, same TTL: " + pair(a50, a99)
		} else {
			a50, a99, ok = quantiles(rs.bench("failover", name+"off"), "failover-p50-ms", "failover-p99-ms")
			anchor = "ClockPoll off: " + pair(a50, a99)
		}
		if !ok {
			return "", "", "", false
		}
		return pair(p50, p99), anchor, ratio(p50, a50) + " / " + ratio(p99, a99), true
	}
	return r
}

// acrossRow reads the graceful handover across controllers of one
// implementation against an anchor.
func acrossRow(figure, impl, anchorName string, anchor func(rs results) (float64, float64, bool)) row {
	return row{
		figure: figure,
		groups: []string{"across"},
		cells: func(rs results) (string, string, string, bool) {
			p50, p99, ok := quantiles(rs.bench("across", "HandoverAcross/impl="+impl), "p50-ms", "p99-ms")
			a50, a99, aok := anchor(rs)
			if !ok || !aok {
				return "", "", "", false
			}
			if a50 == 0 {
				return pair(p50, p99), anchorName + ms(a99), ratio(p99, a99) + " (p99)", true
			}
			return pair(p50, p99), anchorName + pair(a50, a99), ratio(p50, a50) + " / " + ratio(p99, a99), true
		},
	}
}

// callBound is how long one store call can hold the manager's loop with
// mongotest's settings, in milliseconds: mgo's sync timeout (15s) to find
// the server, then the socket timeout for its reply or mgowire's connect
// timeout for a new connection (15s).
const callBound = 30000.0

// takeoverGoal is the goal of a takeover of 1,000 leases on the embedded
// server, in milliseconds.
const takeoverGoal = 60000.0

// renewalsP99Goal is the goal of an extension's p99 with 16,000 leases on
// the embedded server, in milliseconds.
const renewalsP99Goal = 1000.0

// jujuRenew is how often a Juju unit renewed its leadership, in seconds
// (a one-minute lease renewed every 30 s).
const jujuRenew = 30.0

// jujuRenewalsPerS is the renewals a second that n services need at
// Juju's timings.
func jujuRenewalsPerS(n int) float64 { return float64(n) / jujuRenew }

// txnsGrowthName matches the name of BenchmarkTxnsGrowth's run of n
// services with pruning on or off; its first group is the run's minutes.
func txnsGrowthName(n int, prune string) *regexp.Regexp {
	return regexp.MustCompile(fmt.Sprintf(`^TxnsGrowth/services=%d/minutes=(\d+)/prune=%s$`, n, prune))
}

// renewalsRow reads BenchmarkRenewals at n services (lookups by _id on)
// from the named group: renewals a second against what Juju's timings
// need, commands a renewal, the p50 and p99 of one, the heap and a full
// refresh of every lease.
func renewalsRow(n int, groupName string) row {
	name := fmt.Sprintf("Renewals/services=%d/filters=lookup", n)
	return row{
		figure: fmt.Sprintf("Renewals, %s services held through 3 managers, as fast as the store takes them (a second; commands a renewal; p50 / p99; heap; a full refresh)", thousands(float64(n))),
		groups: []string{groupName},
		cells: func(rs results) (string, string, string, bool) {
			v, ok := rs.medians(metric{groupName, name, "renewals-per-s"}, metric{groupName, name, "cmds/op"},
				metric{groupName, name, "renewal-p50-ms"}, metric{groupName, name, "renewal-p99-ms"},
				metric{groupName, name, "heap-MiB"}, metric{groupName, name, "refresh-ms"})
			if !ok {
				return "", "", "", false
			}
			rate, cmds, p50, p99, heap, refresh := v[0], v[1], v[2], v[3], v[4], v[5]
			need := jujuRenewalsPerS(n)
			ours := fmt.Sprintf("%s a second; %s commands; %s; %s MiB; %s", count(math.Round(rate*10)/10), count(math.Round(cmds*10)/10), pair(p50, p99), count(math.Round(heap*10)/10), ms(refresh))
			anchor := fmt.Sprintf("Juju's timings need %s a second; goal ≤ 5 commands an extension", count(math.Round(need*10)/10))
			rat := ratio(rate, need) + " (rate); " + ratio(cmds, 5) + " (commands)"
			if n >= 16000 {
				anchor += fmt.Sprintf(", p99 < %s", ms(renewalsP99Goal))
				rat += "; " + ratio(p99, renewalsP99Goal) + " (p99)"
			}
			return ours, anchor, rat, true
		},
	}
}

// renewalsRateRow reads BenchmarkRenewalsAtRate's runs of n services at
// each of rates (renewals due a second, the last Juju's timings): the
// p50 / p99 of a renewal and the renewals done a second at each, then the
// p99 at the last rate against renewalsP99Goal, and the highest rate
// whose p99 meets it.
func renewalsRateRow(n int, rates []int) row {
	return row{
		figure: fmt.Sprintf("Renewals due at a steady rate, %s services held through 3 managers (for each rate due a second: p50 / p99; renewals done a second)", thousands(float64(n))),
		groups: []string{"renewalsrate"},
		cells: func(rs results) (string, string, string, bool) {
			var cells []string
			var lastP99 float64
			met := 0
			for _, rate := range rates {
				name := fmt.Sprintf("RenewalsAtRate/services=%d/rate=%d", n, rate)
				v, ok := rs.medians(metric{"renewalsrate", name, "renewal-p50-ms"}, metric{"renewalsrate", name, "renewal-p99-ms"},
					metric{"renewalsrate", name, "renewals-per-s"})
				if !ok {
					return "", "", "", false
				}
				cells = append(cells, fmt.Sprintf("%d: %s; %s", rate, pair(v[0], v[1]), count(math.Round(v[2]*10)/10)))
				lastP99 = v[1]
				if v[1] < renewalsP99Goal {
					met = rate
				}
			}
			highest := "none meets it"
			if met > 0 {
				highest = fmt.Sprintf("%d a second meets it", met)
			}
			return strings.Join(cells, " · "),
				fmt.Sprintf("goal p99 < %s at Juju's timings (%s a second)", ms(renewalsP99Goal), count(math.Round(jujuRenewalsPerS(n)*10)/10)),
				ratio(lastP99, renewalsP99Goal) + " (p99 at Juju's timings); " + highest, true
		},
	}
}

// singleGoal is the goal of a lone call's time with batching on, as a
// multiple of its time with batching off.
const singleGoal = 1.1

// singleRow reads the time of a lone call of each of ops with batching on
// (MaxBatch 0) against off (MaxBatch 1), from the single group's
// benchmark that alternates the modes call by call, the prefix of whose
// sub-benchmarks is named prefix ("BatchingPairedMongo/op="): per op, the
// medians over runs of each mode's median time, and of the runs' ratios;
// then the worst ratio ÷ singleGoal.
func singleRow(figure, prefix string, ops []string) row {
	return row{
		figure: figure,
		groups: []string{"single"},
		cells: func(rs results) (string, string, string, bool) {
			var on, off, ratios []string
			worst := 0.0
			for _, op := range ops {
				name := prefix + op
				v, ok := rs.medians(metric{"single", name, "on-ns/op"}, metric{"single", name, "off-ns/op"}, metric{"single", name, "on/off"})
				if !ok {
					return "", "", "", false
				}
				on, off = append(on, ns(v[0])), append(off, ns(v[1]))
				ratios = append(ratios, fmt.Sprintf("%.2f×", v[2]))
				worst = max(worst, v[2])
			}
			return strings.Join(on, " / "),
				fmt.Sprintf("batching off: %s; goal on ÷ off ≤ %.1f", strings.Join(off, " / "), singleGoal),
				fmt.Sprintf("%s (worst ÷ goal: %.2f×)", strings.Join(ratios, " / "), worst/singleGoal), true
		},
	}
}

// acrossGoal is the goal of a handover across controllers on the
// embedded server: p99 at most ClockPoll (200ms) plus 250ms.
const acrossGoal = 450.0

// recoveryRow reads recovery after an outage of the given length, over
// both faults (restart, step-down).
func recoveryRow(outage string, services int) row {
	groupName := "recovery"
	if outage == "60s" {
		groupName = "recovery60"
	}
	term := "1m30s"
	if services > 1 {
		term = "3m0s"
	}
	name := func(fault string) string {
		return fmt.Sprintf("Recovery/fault=%s/outage=%s/services=%d/term=%s", fault, outage, services, term)
	}
	r := row{groups: []string{groupName}}
	if services == 1 {
		r.figure = fmt.Sprintf("Recovery after a %s outage, 1 service (p50 / max: restart; step-down)", strings.TrimSuffix(outage, "s")+" s")
		r.cells = func(rs results) (string, string, string, bool) {
			var ours []string
			worst := 0.0
			for _, fault := range []string{"restart", "stepdown"} {
				b := rs.bench(groupName, name(fault))
				p50, ok1 := b.median("recovery-p50-ms")
				mx, ok2 := b.max("recovery-max-ms")
				after, ok3 := b.max("after-claim-max-ms")
				if !ok1 || !ok2 || !ok3 {
					return "", "", "", false
				}
				ours = append(ours, pair(p50, mx))
				if after > worst {
					worst = after
				}
			}
			return strings.Join(ours, "; ") + fmt.Sprintf(" (%d runs each; without the tracker's back-off, max %s)", len(rs.bench(groupName, name("restart")).runs), ms(worst)),
				"goal ≤ 1 s plus the tracker's back-off",
				ratio(worst, 1000) + " (max without back-off ÷ 1 s)", true
		}
		return r
	}
	r.figure = fmt.Sprintf("Recovery after a %s outage, %d services (all led again: restart; step-down)", strings.TrimSuffix(outage, "s")+" s", services)
	r.cells = func(rs results) (string, string, string, bool) {
		var ours, anchors, ratios []string
		for _, fault := range []string{"restart", "stepdown"} {
			b := rs.bench(groupName, name(fault))
			all, ok1 := b.median("all-services-ms")
			rate, ok2 := b.median("setup-claims-per-s")
			if !ok1 || !ok2 || rate == 0 {
				return "", "", "", false
			}
			store := float64(services) / rate * 1000
			ours = append(ours, ms(all))
			anchors = append(anchors, ms(store))
			ratios = append(ratios, ratio(all, store))
		}
		return strings.Join(ours, "; "),
			"the store's rate before the outage: " + strings.Join(anchors, "; ") + " for 100 claims",
			strings.Join(ratios, "; "), true
	}
	return r
}

var (
	pollLine    = regexp.MustCompile(`(\d+) leases: quiet polls (\d+), (\d+); after an unrelated release (\d+), then (\d+); after the waited lease's (\d+)`)
	longestLine = regexp.MustCompile(`longest manager call during the outage: (\S+)`)
)

// quietPolls returns, by number of leases, the commands of a poll when
// nothing changed, from TestCommandsPerPoll's log (group polls).
func quietPolls(rs results) map[int]float64 {
	quiet := map[int]float64{}
	if g := rs["polls"]; g != nil {
		for _, l := range g.lines {
			if m := pollLine.FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				q, _ := strconv.ParseFloat(m[2], 64)
				quiet[n] = q
			}
		}
	}
	return quiet
}

// rows are the headline figures, in the table's order.
var rows = []row{
	failoverRow("2s", "2s", true),
	failoverRow("4s", "4s", true),
	failoverRow("2s", "", false),
	{
		figure: "Takeover of 100 services from a dead controller, 30 s leases (p50 / p99)",
		groups: []string{"failover100"},
		cells: func(rs results) (string, string, string, bool) {
			name := "CrashFailover/lease=30s/services=100/polls="
			p50, p99, ok1 := quantiles(rs.bench("failover100", name+"on"), "failover-p50-ms", "failover-p99-ms")
			a50, a99, ok2 := quantiles(rs.bench("failover100", name+"off"), "failover-p50-ms", "failover-p99-ms")
			if !ok1 || !ok2 {
				return "", "", "", false
			}
			return pair(p50, p99), "ClockPoll off: " + pair(a50, a99), ratio(p50, a50) + " / " + ratio(p99, a99), true
		},
	},
	acrossRow("Graceful handover across controllers, embedded server (p50 / p99)",
		"mongo", "goal p99 ≤ ClockPoll + 250 ms = ",
		func(results) (float64, float64, bool) { return 0, acrossGoal, true }),
	acrossRow("Graceful handover across controllers, against etcd (p50 / p99)",
		"mongo", "etcd, Resign → Campaign: ",
		func(rs results) (float64, float64, bool) {
			return quantiles(rs.bench("across", "HandoverAcross/impl=etcd"), "p50-ms", "p99-ms")
		}),
	acrossRow("Graceful handover across controllers, in memory (p50 / p99)",
		"memory", "ClockPoll ",
		func(results) (float64, float64, bool) { return 0, 200, true }),
	{
		figure: "Graceful handover between trackers across controllers, by part (p99: whole; revoke, wait for the poll, poll, claim)",
		groups: []string{"handoverparts"},
		cells: func(rs results) (string, string, string, bool) {
			b := rs.bench("handoverparts", "HandoverParts")
			var v []float64
			for _, part := range []string{"handover", "revoke", "poll-wait", "poll", "claim"} {
				p99, ok := b.median(part + "-p99-ms")
				if !ok {
					return "", "", "", false
				}
				v = append(v, p99)
			}
			return fmt.Sprintf("%s; %s, %s, %s, %s", ms(v[0]), ms(v[1]), ms(v[2]), ms(v[3]), ms(v[4])),
				fmt.Sprintf("goal %s; the wait at most ClockPoll, 200 ms", ms(acrossGoal)),
				ratio(v[0], acrossGoal) + "; " + ratio(v[2], 200) + " (wait)", true
		},
	},
	recoveryRow("5s", 1),
	recoveryRow("60s", 1),
	recoveryRow("5s", 100),
	recoveryRow("60s", 100),
	{
		figure: "Longest a manager call waited during an outage (one call on a stopped server; a tracker's claim in the 5 s, 60 s recoveries)",
		groups: []string{"longestcall", "recovery", "recovery60"},
		cells: func(rs results) (string, string, string, bool) {
			g := rs["longestcall"]
			if g == nil {
				return "", "", "", false
			}
			var longest time.Duration
			for _, l := range g.lines {
				if m := longestLine.FindStringSubmatch(l); m != nil {
					if d, err := time.ParseDuration(m[1]); err == nil {
						longest = d
					}
				}
			}
			if longest == 0 {
				return "", "", "", false
			}
			ours := []string{ms(float64(longest) / 1e6)}
			ratios := []string{ratio(float64(longest)/1e6, callBound)}
			for _, name := range []string{"recovery", "recovery60"} {
				worst := 0.0
				if rg := rs[name]; rg != nil {
					for _, b := range rg.benches {
						if v, ok := b.max("longest-call-ms"); ok && v > worst {
							worst = v
						}
					}
				}
				if worst == 0 {
					ours = append(ours, "not run")
					continue
				}
				ours = append(ours, ms(worst))
				ratios = append(ratios, ratio(worst, callBound))
			}
			return strings.Join(ours, "; "), "one store call, mongotest's settings: mgo's sync timeout then a socket or connect timeout, 15 s + 15 s", strings.Join(ratios, "; "), true
		},
	},
	{
		figure: "A poll when nothing changed, 10 / 10,000 leases (commands)",
		groups: []string{"polls", "client"},
		cells: func(rs results) (string, string, string, bool) {
			quiet := quietPolls(rs)
			c10, ok1 := rs.bench("client", "ClientRefresh/leases=10").median("cmds/op")
			c10k, ok2 := rs.bench("client", "ClientRefresh/leases=10000").median("cmds/op")
			q10, ok3 := quiet[10]
			q10k, ok4 := quiet[10000]
			if !ok1 || !ok2 || !ok3 || !ok4 {
				return "", "", "", false
			}
			return count(q10) + " / " + count(q10k),
				"reading every lease (Juju's refresh): " + count(c10) + " / " + count(c10k),
				ratio(q10, c10) + " / " + ratio(q10k, c10k), true
		},
	},
	{
		figure: "A check that misses the cache, 10 / 1,000 leases (commands; time)",
		groups: []string{"percall", "client"},
		cells: func(rs results) (string, string, string, bool) {
			const miss, refresh = "PerCall/op=checkmiss/leases=", "ClientRefresh/leases="
			v, ok := rs.medians(
				metric{"percall", miss + "10", "cmds/op"}, metric{"percall", miss + "1000", "cmds/op"},
				metric{"percall", miss + "10", "ns/op"}, metric{"percall", miss + "1000", "ns/op"},
				metric{"client", refresh + "10", "cmds/op"}, metric{"client", refresh + "1000", "cmds/op"},
				metric{"client", refresh + "1000", "ns/op"})
			if !ok {
				return "", "", "", false
			}
			c10, c1k, t10, t1k, r10, r1k, rt1k := v[0], v[1], v[2], v[3], v[4], v[5], v[6]
			return fmt.Sprintf("%s / %s commands; %s / %s", count(c10), count(c1k), ns(t10), ns(t1k)),
				fmt.Sprintf("a refresh of every lease (Juju): %s / %s commands; %s at 1,000", count(r10), count(r1k), ns(rt1k)),
				ratio(c1k, r1k) + " commands, " + ratio(t1k, rt1k) + " time at 1,000", true
		},
	},
	{
		figure: "A claim / an extension, embedded server (commands; time)",
		groups: []string{"client", "compare"},
		cells: func(rs results) (string, string, string, bool) {
			v, ok := rs.medians(
				metric{"client", "ClientClaim/leases=10", "cmds/op"}, metric{"client", "ClientClaim/leases=10", "ns/op"},
				metric{"client", "ClientExtend/leases=10", "cmds/op"}, metric{"client", "ClientExtend/leases=10", "ns/op"},
				metric{"compare", "Claim/impl=etcd", "ns/op"})
			if !ok {
				return "", "", "", false
			}
			cc, ct, ec, et, etcd := v[0], v[1], v[2], v[3], v[4]
			return fmt.Sprintf("%s / %s commands; %s / %s", count(cc), count(ec), ns(ct), ns(et)),
				"etcd's Campaign: 2 RPCs; " + ns(etcd),
				ratio(ct, etcd) + " (claim, time)", true
		},
	},
	{
		figure: "Batching: claims / extensions a second, and commands a write, in batches of 100",
		groups: []string{"batch"},
		cells: func(rs results) (string, string, string, bool) {
			var rate, rate1, cmds, cmds1 []float64
			for _, op := range []string{"claim", "extend"} {
				b100, b1 := "ClientBatch/op="+op+"/batch=100", "ClientBatch/op="+op+"/batch=1"
				v, ok := rs.medians(metric{"batch", b100, "ops/s"}, metric{"batch", b1, "ops/s"},
					metric{"batch", b100, "cmds/op"}, metric{"batch", b1, "cmds/op"})
				if !ok {
					return "", "", "", false
				}
				rate, rate1, cmds, cmds1 = append(rate, v[0]), append(rate1, v[1]), append(cmds, v[2]), append(cmds1, v[3])
			}
			return fmt.Sprintf("%s / %s a second; %s / %s commands", count(float64(int(rate[0]+0.5))), count(float64(int(rate[1]+0.5))), count(cmds[0]), count(cmds[1])),
				fmt.Sprintf("one transaction a write (Juju): %s / %s a second; %s / %s commands", count(math.Round(rate1[0]*10)/10), count(math.Round(rate1[1]*10)/10), count(cmds1[0]), count(cmds1[1])),
				fmt.Sprintf("%s / %s; %s / %s", ratio(rate[0], rate1[0]), ratio(rate[1], rate1[1]), ratio(cmds[0], cmds1[0]), ratio(cmds[1], cmds1[1])), true
		},
	},
	singleRow("A lone claim / extension / check hit / check miss, embedded server, batching on against off, alternated (median time)",
		"BatchingPairedMongo/op=", []string{"claim", "extend", "checkhit", "checkmiss"}),
	singleRow("A lone claim / extension / check hit, in memory, batching on against off, alternated (median time)",
		"BatchingPaired/op=", []string{"claim", "extend", "check"}),
	{
		figure: "Takeover of 1,000 services from a dead controller (every service led again; commands a service)",
		groups: []string{"takeover1000"},
		cells: func(rs results) (string, string, string, bool) {
			const name = "Takeover/leases=1000/filters=lookup"
			v, ok := rs.medians(metric{"takeover1000", name, "takeover-s"}, metric{"takeover1000", name, "cmds-per-service"})
			if !ok {
				return "", "", "", false
			}
			return ms(v[0]*1000) + "; " + count(math.Round(v[1]*10)/10) + " commands",
				fmt.Sprintf("goal ≤ %s", ms(takeoverGoal)), ratio(v[0]*1000, takeoverGoal), true
		},
	},
	renewalsRow(1000, "renewals"),
	renewalsRow(16000, "renewals16k"),
	renewalsRateRow(16000, []int{25, 50, 100, 533}),
	{
		figure: "Pruning the transactions, per 1,000 removed (time; commands)",
		groups: []string{"prune"},
		cells: func(rs results) (string, string, string, bool) {
			v, ok := rs.medians(metric{"prune", "Prune", "ms-per-1000-txns"}, metric{"prune", "Prune", "cmds-per-1000-txns"})
			if !ok {
				return "", "", "", false
			}
			return ms(v[0]) + "; " + count(math.Round(v[1])) + " commands",
				fmt.Sprintf("the %s each 1,000 transactions of 1,000 services take to write at Juju's timings", ms(1000/jujuRenewalsPerS(1000)*1000)),
				ratio(v[0], 1000/jujuRenewalsPerS(1000)*1000) + " (time)", true
		},
	},
	{
		figure: "The txns collection after a load run of 1,000 services on 3 managers (documents at the end / most: pruning on; off)",
		groups: []string{"txnsgrowth"},
		cells: func(rs results) (string, string, string, bool) {
			_, name := rs.benchMatching("txnsgrowth", txnsGrowthName(1000, "on"))
			_, offName := rs.benchMatching("txnsgrowth", txnsGrowthName(1000, "off"))
			v, ok := rs.medians(metric{"txnsgrowth", name, "txns-end"}, metric{"txnsgrowth", name, "txns-max"},
				metric{"txnsgrowth", offName, "txns-end"}, metric{"txnsgrowth", offName, "txns-max"})
			if !ok {
				return "", "", "", false
			}
			endOn, maxOn, endOff, maxOff := v[0], v[1], v[2], v[3]
			minutes := txnsGrowthName(1000, "on").FindStringSubmatch(name)[1]
			return fmt.Sprintf("%s / %s; %s / %s (%s minutes each)", count(endOn), count(maxOn), count(endOff), count(maxOff), minutes),
				"pruning off: " + count(endOff) + " at the end",
				ratio(endOn, endOff) + " (at the end)", true
		},
	},
	compareRow("Claim", "Claim, against etcd's Campaign", "Campaign"),
	compareRow("Release", "Release by expiry, against etcd's Resign", "Resign"),
	compareRow("GuardedWrite", "Guarded write, against etcd's Txn(If IsOwner)", "Txn"),
}

// compareRow reads one of compare's operations on the embedded server and
// in memory against etcd.
func compareRow(op, figure, etcdOp string) row {
	return row{
		figure: figure + " (time: embedded server; in memory)",
		groups: []string{"compare"},
		cells: func(rs results) (string, string, string, bool) {
			v, ok := rs.medians(metric{"compare", op + "/impl=etcd", "ns/op"},
				metric{"compare", op + "/impl=mongo", "ns/op"}, metric{"compare", op + "/impl=memory", "ns/op"})
			if !ok {
				return "", "", "", false
			}
			e, m, mem := v[0], v[1], v[2]
			return ns(m) + "; " + ns(mem), "etcd's " + etcdOp + ": " + ns(e), ratio(m, e) + "; " + ratio(mem, e), true
		},
	}
}

// measured is the Measured cell of a row: the days its groups ran, and
// the range of the load averages at their starts and ends.
func measured(rs results, groups []string) string {
	days := map[string]bool{}
	lo, hi := -1.0, -1.0
	var names []string
	for _, name := range groups {
		g := rs[name]
		if g == nil {
			continue
		}
		names = append(names, "`"+name+"`")
		if g.ran.day != "" {
			days[g.ran.day] = true
		}
		for _, l := range g.ran.loads {
			if lo < 0 || l < lo {
				lo = l
			}
			if l > hi {
				hi = l
			}
		}
	}
	var ds []string
	for d := range days {
		ds = append(ds, d)
	}
	sort.Strings(ds)
	s := strings.Join(ds, ", ")
	if lo >= 0 {
		s += fmt.Sprintf(", load %.1f–%.1f", lo, hi)
	}
	return s + " (" + strings.Join(names, ", ") + ")"
}

// headlineHeader is the headline table's header.
const headlineHeader = "| Figure | Ours | Anchor | Ratio | Measured |\n|---|---|---|---|---|\n"

// headlineTable returns the headline table: each row computed from rs if
// its results are there, or else as the previous table has it (found by
// its first cell), or else marked not measured.
func headlineTable(rs results, previous string) string {
	old := map[string]string{}
	for _, l := range strings.Split(previous, "\n") {
		if strings.HasPrefix(l, "| ") {
			cells := strings.Split(l, " | ")
			old[strings.TrimPrefix(cells[0], "| ")] = l
		}
	}
	var b strings.Builder
	b.WriteString(headlineHeader)
	for _, r := range rows {
		ours, anchor, rat, ok := r.cells(rs)
		switch {
		case ok:
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", r.figure, ours, anchor, rat, measured(rs, r.groups))
		case old[r.figure] != "":
			b.WriteString(old[r.figure] + "\n")
		default:
			fmt.Fprintf(&b, "| %s | not measured | | | run `BENCHES=\"%s\" make bench` |\n", r.figure, strings.Join(r.groups, " "))
		}
	}
	return b.String()
}
