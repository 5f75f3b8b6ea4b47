#!/usr/bin/env bash
# Runs the project's benchmarks (make bench), keeps the raw results in
# bench/*.txt (ignored by git), and rewrites what BENCHMARKS.md generates
# from them: the headline table and the plots (bench/plots/*.svg), by
# internal/benchreport, and the part between the two "generated" marker
# lines: the machine, then for each group when, at which commit and under
# what load it ran, its exact commands and its benchstat tables. The rest
# of BENCHMARKS.md is written by hand. BENCHES=none (make bench-report)
# runs nothing and rewrites all that from the raw results already there.
#
# Groups run by default (about 45 minutes on 2 cores, and those below):
#   leadership  the manager on the in-memory store
#   client      lease.NewClient on the embedded server, per operation
#   endtoend    expiry to the next claim, real clock
#   compare     beside etcd: claim, release, guarded write, handover
#   handover, handoverdb  graceful handover
#   failover    crash failover, 2s and 4s leases, 1 service, clock polls
#               on and off, 11 failovers each (about 5 minutes)
#   percall     commands and time of a check miss, a denied claim, a block
#               and an expiry at 10 and 1,000 leases
#   storm       the expiry storm at 200 leases (about a minute)
#   prune       lease.PruneTransactions: time and commands per 1,000
#               transactions removed (about a minute)
#   single      a lone claim, extension and check, batching on and off,
#               in memory and on the embedded server (about 7 minutes)
# Groups run only when named in BENCHES (long):
#   failover100 crash failover, 30s leases, 100 services, polls on and off,
#               one failover each (about 5 minutes)
#   percall10k  percall at 10,000 leases, 3 runs (about 10 minutes)
#   storm1000   the expiry storm at 1,000 leases (5 to 15 minutes)
#   recovery    leadership back after the embedded server restarts or
#               steps down for 5s, 1 and 100 trackers on two default
#               managers, 5 outages each (about 35 minutes)
#   recovery60  the same after 60s outages (about an hour)
#   handoverparts  graceful handover across controllers between trackers
#               on default managers, split into its parts (about 5 minutes)
#   txnsgrowth  the transaction collection's size under a load of services
#               renewing on three managers, pruning off then on (two runs
#               of LEADERSHIP_TXNS_MINUTES, default 60, at
#               LEADERSHIP_TXNS_SERVICES, default 1000: see its doc)
#   takeover    two controllers take over the 100 leases of a dead third,
#               the embedded server's lookups by _id on and off, 3 runs
#               each (about 3 minutes)
#   takeover1000  the same at 1,000 leases, lookups on, one run (5 to 15
#               minutes)
#   renewals    1,000 services held through 3 managers renewed as fast as
#               the store takes them, 1,000 renewals, lookups by _id on
#               and off, 3 runs each (20 to 40 minutes)
#   renewals16k the same with 16,000 services, 4,000 renewals, lookups
#               on, one run (10 to 20 minutes on a quiet machine; 50 at
#               load 15)
#   renewalsrate  16,000 services held through 3 managers, renewals due
#               at a steady rate (25, 50, 100 and 533 a second, the last
#               Juju's timings), a minute of renewals each (about 10
#               minutes)
#   refreshhold how long a full refresh holds a manager's loop, 1,000
#               and 16,000 leases, 5 refreshes each (a few minutes)
#   The takeover and renewals benchmarks also have a dimension index=on
#   and index=off (mongotest.Options.NoIDIndex: the embedded server's
#   index on the expression FerretDB looks _id up by); these four groups
#   run index=on alone.
# e.g. BENCHES="failover100 percall10k storm1000 takeover" make bench.
# Also run by default (about 15 minutes more), for the headline table:
#   batch       lease writes in batches of 1, 10 and 100 (a few minutes)
#   etcdfailover  etcd's crash failover, TTL 2s and 4s, 10 each (2 minutes)
#   across      graceful handover across controllers, default
#               configuration: embedded, in memory and etcd (10 minutes)
#   polls       the commands of a poll at 10 and 10,000 leases (a test)
#   longestcall the longest a manager call waits on a stopped server (a test)
#
# Environment: GO (default go), BENCHCOUNT (runs of each benchmark, default
# 6), E2ECOUNT (runs of the end-to-end benchmark, default 3), BENCHES (the
# groups to run, default those run by default above; "none" for none),
# and LEADERSHIP_MONGO_URL to run the MongoDB benchmarks against a real
# server. A group that is not run is summarised from its last raw results
# in bench/, or, if there are none, its section of BENCHMARKS.md and its
# rows of the headline table are kept as they are.
set -euo pipefail
cd "$(dirname "$0")/.."

GO=${GO:-go}
COUNT=${BENCHCOUNT:-6}
BENCHES=${BENCHES:-leadership client batch endtoend compare handover handoverdb across failover etcdfailover percall polls storm longestcall prune single}
E2ECOUNT=${E2ECOUNT:-3}
BENCHSTAT_PKG=golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da
OUT=bench
DOC=BENCHMARKS.md
BEGIN='<!-- generated by bench/run.sh: begin -->'
END='<!-- generated by bench/run.sh: end -->'
# Every group, in the order of the generated part.
ALL="leadership client batch single endtoend compare handover handoverdb across handoverparts failover etcdfailover failover100 percall percall10k polls storm storm1000 recovery recovery60 longestcall prune txnsgrowth takeover takeover1000 renewals renewals16k renewalsrate refreshhold"

# bench DIR NAME ARGS...: runs go test ARGS in DIR into $OUT/NAME.txt, if
# NAME is in BENCHES, and records the command in $OUT/NAME.cmd.txt and
# when, where and under what load it ran in $OUT/NAME.run.txt. A second
# call for NAME in the same run of this script appends to NAME.txt and
# adds its command to NAME.cmd.txt if it is not there yet; NAME.run.txt
# then spans the calls, from the first's start to the last's end.
bench() {
	local dir=$1 name=$2
	shift 2
	case " $BENCHES " in *" $name "*) ;; *) return 0 ;; esac
	local envs=""
	[ -z "${LEADERSHIP_BENCH_LONG:-}" ] || envs="LEADERSHIP_BENCH_LONG=1 "
	local cmd
	cmd="(cd $dir && ${envs}go test $(printf '%q ' "$@"))"
	echo "== $name: (cd $dir && ${envs}go test $*)"
	# began_NAME and load_NAME: when and under what load NAME's first call
	# in this run began.
	local began=began_$name load=load_$name
	if [ -n "${!began:-}" ]; then
		grep -qF "$cmd" "$OUT/$name.cmd.txt" || echo "$cmd >> bench/$name.txt" >> "$OUT/$name.cmd.txt"
	else
		echo "$cmd > bench/$name.txt" > "$OUT/$name.cmd.txt"
		printf -v "$began" '%s' "$(date -u +%Y-%m-%dT%H:%MZ)"
		printf -v "$load" '%s' "$(cut -d' ' -f1-3 /proc/loadavg)"
		: > "$OUT/$name.txt"
	fi
	{
		echo "$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sr), shared with other work (see each row's load average);"
		echo "$("$GO" version | sed 's/^go version //'); MongoDB: ${LEADERSHIP_MONGO_URL:+a real server at LEADERSHIP_MONGO_URL}${LEADERSHIP_MONGO_URL:-embedded FerretDB v1 (SQLite) through mongotest}"
	} | tr '\n' ' ' | sed 's/ $//' > "$OUT/machine.txt"
	(cd "$dir" && "$GO" test "$@") >> "$OUT/$name.txt"
	echo "- Run: ${!began} to $(date -u +%H:%MZ); commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'); load average ${!load} at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end" > "$OUT/$name.run.txt"
}

# summarise NAME ARGS...: benchstat ARGS on $OUT/NAME.txt into
# $OUT/NAME.stat.txt, if there is a raw result. A second call for NAME
# appends its tables, after a blank line. benchstat reads the results
# without the benchmarks' "samples" log lines (a line of every sample,
# which the report draws distributions from: at thousands of samples,
# longer than benchstat reads a line), labelled with the raw file's name.
summarise() {
	local name=$1
	shift
	[ -f "$OUT/$name.txt" ] || return 0
	local args=""
	[ $# -eq 0 ] || args=$(printf '%q ' "$@")
	local done=summarised_$name
	if [ -n "${!done:-}" ]; then
		echo "benchstat ${args}bench/$name.txt" >> "$OUT/$name.cmd.txt"
		echo >> "$OUT/$name.stat.txt"
		benchstat_of "$name" "$@" >> "$OUT/$name.stat.txt"
		return 0
	fi
	printf -v "$done" '%s' 1
	[ -f "$OUT/$name.cmd.txt" ] && sed -i '/^benchstat /d' "$OUT/$name.cmd.txt"
	echo "benchstat ${args}bench/$name.txt" >> "$OUT/$name.cmd.txt"
	benchstat_of "$name" "$@" > "$OUT/$name.stat.txt"
}

# benchstat_of NAME ARGS...: benchstat ARGS on $OUT/NAME.txt without its
# samples lines (see summarise).
benchstat_of() {
	local name=$1
	shift
	local input="$OUT/$name.benchstat-input.txt"
	grep -v ': samples [^ ]*-ms N=' "$OUT/$name.txt" > "$input" || true
	"$GO" run "$BENCHSTAT_PKG" "$@" "$OUT/$name.txt=$input"
	rm -f "$input"
}

bench . leadership -run '^$' -bench 'Claim|Extend|Check|Block|Expiry' -benchmem -count "$COUNT" ./leadership/
bench integration client -run '^$' -bench 'Client(Claim|Extend|Expire|Refresh)|Manager' -benchtime 20x -count "$COUNT" ./bench/
bench integration batch -run '^$' -bench ClientBatch -benchtime 200x -count "$COUNT" ./bench/
bench integration endtoend -run '^$' -bench ExpiryToClaim -benchtime 40x -count "$E2ECOUNT" ./bench/
bench compare compare -run '^$' -bench 'Claim|Release|GuardedWrite|Handover$' -benchmem -count "$COUNT" .
bench . handover -run '^$' -bench Handover -benchtime 5000x -benchmem -count "$COUNT" ./leadership/
bench integration handoverdb -run '^$' -bench Handover -benchtime 10x -count "$COUNT" ./bench/
# Each crash failover and each storm is one op on a fresh server (see
# their docs); with -benchtime Nx, go test runs one op more first.
bench integration failover -run '^$' -bench 'CrashFailover/lease=(2s|4s)/' -benchtime 10x -timeout 0 ./bench/
bench integration failover100 -run '^$' -bench 'CrashFailover/lease=30s/services=100/' -benchtime 1x -timeout 0 ./bench/
bench integration percall -run '^$' -bench 'PerCall/op=.*/leases=(10|1000)$' -benchtime 10x -count "$COUNT" ./bench/
bench integration percall10k -run '^$' -bench 'PerCall/op=.*/leases=10000$' -benchtime 20x -count 3 -timeout 0 ./bench/
bench integration storm -run '^$' -bench 'ExpiryStorm/leases=200$' -benchtime 1x -timeout 0 ./bench/
bench integration storm1000 -run '^$' -bench 'ExpiryStorm/leases=1000$' -benchtime 1x -timeout 0 ./bench/
# Each recovery is one op on a fresh server, as a failover is; the 60s
# outages run only with LEADERSHIP_BENCH_LONG set.
RECOVERY_COUNT=$((COUNT < 5 ? COUNT : 5))
bench integration recovery -run '^$' -bench 'Recovery/.*/outage=5s/' -benchtime 1x -count "$RECOVERY_COUNT" -timeout 0 ./bench/
LEADERSHIP_BENCH_LONG=1 bench integration recovery60 -run '^$' -bench 'Recovery/.*/outage=60s/' -benchtime 1x -count "$RECOVERY_COUNT" -timeout 0 ./bench/
bench integration handoverparts -run '^$' -bench HandoverParts -benchtime 100x -count "$COUNT" ./bench/
bench integration prune -run '^$' -bench '^BenchmarkPrune$' -benchtime 2000x -count "$COUNT" ./bench/
# A lone call with batching on and off, in memory and on the embedded
# server: each mode by itself (Single) and the two alternated call by call
# (Paired; on the embedded server 150 pairs, since a write takes tens of
# milliseconds). The commands in turn, -count 1, COUNT times, so that load
# that comes and goes falls on both modes of the Single benchmarks.
for _ in $(seq "$COUNT"); do
	bench . single -run '^$' -bench '^BenchmarkBatching(Single|Paired)$' -benchmem -count 1 ./leadership/
	bench integration single -run '^$' -bench '^BenchmarkBatchingSingleMongo$' -count 1 ./bench/
	bench integration single -run '^$' -bench '^BenchmarkBatchingPairedMongo$' -benchtime 150x -count 1 ./bench/
done
case " $BENCHES " in *" single "*) echo "# the three commands above in turn, $COUNT times" >> "$OUT/single.cmd.txt" ;; esac
# One op is a whole run of LEADERSHIP_TXNS_MINUTES, with pruning off and
# then on; it runs only with LEADERSHIP_BENCH_LONG set.
LEADERSHIP_BENCH_LONG=1 bench integration txnsgrowth -run '^$' -bench TxnsGrowth -benchtime 1x -timeout 0 ./bench/
bench compare etcdfailover -run '^$' -bench 'EtcdCrashFailover/ttl=(2|4)s' -benchtime 10x .
bench compare across -run '^$' -bench HandoverAcross -benchtime 100x -count "$COUNT" .
# Two tests whose logs are the figures: the commands of a poll (exact),
# and the longest a manager call waits on a stopped server.
bench integration polls -count 1 -v -run TestCommandsPerPoll ./bench/
bench integration longestcall -count 1 -v -run TestPackage ./faults -check.vv -check.f TestLongestCallDuringOutage

# extract NAME REGEX: the lines of $OUT/NAME.txt matching REGEX into
# $OUT/NAME.stat.txt, for a group whose figures are a test's log.
extract() {
	local name=$1
	[ -f "$OUT/$name.txt" ] || return 0
	grep -E "$2" "$OUT/$name.txt" | sed 's/^ *//' > "$OUT/$name.stat.txt"
}
# Each takeover is one op on a fresh server, as a storm is; each renewals
# run one server for all its ops.
bench integration takeover -run '^$' -bench 'Takeover/^leases=100$//index=on' -benchtime 1x -count 3 -timeout 0 ./bench/
bench integration takeover1000 -run '^$' -bench 'Takeover/^leases=1000$/filters=lookup/index=on' -benchtime 1x -timeout 0 ./bench/
bench integration renewals -run '^$' -bench 'Renewals/^services=1000$//index=on' -benchtime 1000x -count 3 -timeout 0 ./bench/
bench integration renewals16k -run '^$' -bench 'Renewals/^services=16000$/filters=lookup/index=on' -benchtime 4000x -timeout 0 ./bench/
# One op is one renewal, due at the rate: N renewals take N/rate seconds.
for rate_n in 25:1500 50:3000 100:6000 533:16000; do
	bench integration renewalsrate -run '^$' -bench "RenewalsAtRate/services=16000/rate=${rate_n%%:*}\$" -benchtime "${rate_n##*:}x" -timeout 0 ./bench/
done
bench integration refreshhold -run '^$' -bench RefreshHold -benchtime 5x -timeout 0 ./bench/

summarise leadership -col /leases
summarise client
summarise endtoend
summarise compare -col /impl
summarise handover -col /via
summarise handoverdb -col /via
# The failover's ns/op is meaningless (see its doc), and its max is its
# p99 at fewer than 100 samples.
FAILOVER_UNITS='.unit:(failover-p50-ms OR failover-p99-ms OR claims-per-s OR takeover-txns-per-s OR extensions-too-late)'
summarise failover -col /polls -filter "$FAILOVER_UNITS"
summarise failover100 -col /polls -filter "$FAILOVER_UNITS"
summarise percall -col /leases
summarise percall10k
summarise storm
summarise storm1000
# ns/op is meaningless for a recovery (see its doc).
RECOVERY_UNITS='.unit:(recovery-p50-ms OR recovery-max-ms OR after-claim-p50-ms OR after-claim-max-ms OR all-services-ms OR failed-claims-per-service OR longest-call-ms OR setup-claims-per-s)'
summarise recovery -filter "$RECOVERY_UNITS"
summarise recovery60 -filter "$RECOVERY_UNITS"
summarise handoverparts
summarise prune
# ns/op is meaningless for a growth run (see its doc).
summarise txnsgrowth -col /prune -filter '.unit:(txns-end OR txns-max OR renewals-per-s OR failed-renewals OR renew-p50-ms OR renew-p99-ms OR removed OR prune-ms-per-1000-txns)'
# The Single benchmarks' modes side by side, then the Paired benchmarks'
# figures (their own ns/op is that of a pair: see their docs).
summarise single -col /batch -filter '.name:/Single/ .unit:(sec/op OR B/op OR allocs/op OR cmds/op)'
summarise single -filter '.name:/Paired/ .unit:(on-ns/op OR off-ns/op OR on/off)'
summarise batch -col /batch -filter '.unit:(ops/s OR txns/s OR cmds/op)'
summarise etcdfailover -filter '.unit:(failover-p50-ms OR failover-p99-ms OR failover-max-ms)'
summarise across -col /impl -filter '.unit:(p50-ms OR p99-ms)'
extract polls 'leases: quiet polls|^(--- )?(PASS|FAIL|ok)'
extract longestcall 'longest manager call|^(PASS|FAIL|OK|ok)'
# ns/op is meaningless for a takeover (see its doc).
summarise takeover -col /filters -filter '.unit:(takeover-s OR after-last-s OR relead-p50-ms OR relead-p99-ms OR cmds-per-service OR txns-per-s OR txn-ms)'
summarise takeover1000
summarise renewals -col /filters
summarise renewals16k
summarise renewalsrate -col /rate -filter '.unit:(renewals-per-s OR renewal-p50-ms OR renewal-p99-ms OR renewal-max-ms OR cmds/op OR failed-renewals)'
# ns/op is meaningless for a refresh's hold (see its doc).
summarise refreshhold -filter '.unit:(hold-p50-ms OR hold-max-ms OR check-max-ms OR checks-per-s)'

# section NAME: the generated section of group NAME, from its results if
# it has any, or else as BENCHMARKS.md has it (nothing if it has none).
section() {
	local name=$1
	if [ -f "$OUT/$name.stat.txt" ]; then
		echo
		echo "### $name"
		echo
		cat "$OUT/$name.run.txt" 2>/dev/null || echo "- Run: not recorded"
		echo
		echo '```'
		cat "$OUT/$name.cmd.txt"
		echo '```'
		echo
		echo '```'
		cat "$OUT/$name.stat.txt"
		echo '```'
	elif [ -f "$DOC" ]; then
		awk -v begin="$BEGIN" -v end="$END" -v head="### $name" '
			$0 == begin { in_gen = 1; next }
			$0 == end { in_gen = 0; on = 0 }
			!in_gen { next }
			/^### / { on = ($0 == head); if (on) print "" }
			on { print }
		' "$DOC" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
	fi
}

{
	echo "$BEGIN"
	echo
	echo "## Recorded run"
	echo
	echo "- Written: $(date -u +%Y-%m-%dT%H:%MZ); commit $(git rev-parse --short HEAD)"
	echo "- Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(uname -sr)"
	echo "- Go: $("$GO" version | sed 's/^go version //')"
	echo "- MongoDB: ${LEADERSHIP_MONGO_URL:+real server at LEADERSHIP_MONGO_URL}${LEADERSHIP_MONGO_URL:-embedded FerretDB v1 (SQLite) through mongotest}"
	echo
	echo "Each group says when and at which commit it ran, and its commands, from"
	echo "the repository root; groups not rerun keep their last recorded section."
	for name in $ALL; do
		section "$name"
	done
	echo
	echo "$END"
} > "$OUT/generated.md.txt"

if [ -f "$DOC" ] && grep -qF "$BEGIN" "$DOC"; then
	awk -v begin="$BEGIN" -v end="$END" -v gen="$OUT/generated.md.txt" '
		$0 == begin { while ((getline line < gen) > 0) print line; skip = 1; next }
		$0 == end { skip = 0; next }
		!skip { print }
	' "$DOC" > "$OUT/doc.tmp.txt"
	mv "$OUT/doc.tmp.txt" "$DOC"
else
	cat "$OUT/generated.md.txt" >> "$DOC"
fi
"$GO" run ./internal/benchreport -dir "$OUT" -doc "$DOC" -plots "$OUT/plots"
echo "== wrote $DOC and $OUT/plots"
