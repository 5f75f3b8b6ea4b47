#!/bin/sh
# soak.sh FIRST COUNT JOBS runs seeds FIRST to FIRST+COUNT-1 of every
# variant of the safety simulation, without -race, as `make soak-safety`
# does; each seed generates and checks the same schedule as in
# `go test ./safety` (see the package doc).
#
# The variants whose seeds are CPU work for the embedded server (plain,
# backwards, tracked: their seeds run in parallel, one per core) run in one
# process, with TestKnownSchedules. The variants whose seeds mostly wait in
# real time for mgo to give up on a stopped or stepped-down server (faulty,
# outages, batched) then run in JOBS processes at once, each on its own
# contiguous range of the seeds, one seed at a time: each process has its
# own servers (own directories, own ports) and its own txn.SetChaos
# setting, which is why the faulty seeds of one process cannot run side by
# side. Such a seed uses about a tenth of a core, so that JOBS up to 4
# keeps them all well under 2 cores (see the package doc).
#
# Each piece (a process and its seeds) writes its log to SOAK_LOGS
# (default: a new directory under TMPDIR), and prints one line when it
# ends: its seeds, result and wall time. To resume an interrupted soak,
# run it again from the first seed that did not pass.
set -eu

if [ $# -ne 3 ]; then
	echo "usage: $0 FIRST COUNT JOBS" >&2
	exit 2
fi
first=$1 count=$2 jobs=$3
if [ "$count" -lt 1 ] || [ "$jobs" -lt 1 ]; then
	echo "$0: COUNT and JOBS must be at least 1" >&2
	exit 2
fi
last=$((first + count - 1))
# SAFETY_SEED would make every piece run one seed.
unset SAFETY_SEED
GO=${GO:-go}
logs=${SOAK_LOGS:-$(mktemp -d "${TMPDIR:-/tmp}/safety-soak.XXXXXX")}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)
cd "$(dirname "$0")"
bin=$logs/safety.test
echo "== soak: safety seeds $first-$last of each variant; logs in $logs"
"$GO" test -c -o "$bin" .

# piece NAME FIRST COUNT RUN [FLAG]: runs seeds FIRST to FIRST+COUNT-1 of
# the tests RUN matches, logging to NAME.log, and prints its result.
# SAFETY_PIECE leaves to this script the check that the batched seeds sent
# batches, which a piece's few seeds may not all do.
piece() {
	began=$(date +%s)
	if SAFETY_PIECE=1 SAFETY_FIRST=$2 SAFETY_SEEDS=$3 "$bin" -test.count=1 -test.timeout=0 -test.v \
		-test.run "$4" ${5:-} >"$logs/$1.log" 2>&1; then
		result=ok
	else
		result=FAIL
	fi
	echo "$result	$1: seeds $2-$(($2 + $3 - 1)) in $(($(date +%s) - began))s ($logs/$1.log)"
	[ "$result" = ok ]
}

failed=0
piece "cpu-$first-$last" "$first" "$count" \
	'TestKnownSchedules|TestSafety/(plain|backwards|tracked)$' || failed=1

size=$(((count + jobs - 1) / jobs))
# This run's pieces log to a directory of their own, whose logs the check
# of the batched seeds below adds up.
waitdir=wait-$first-$last
rm -rf "${logs:?}/$waitdir"
mkdir "$logs/$waitdir"
pids=
from=$first
while [ "$from" -le "$last" ]; do
	n=$((last - from + 1))
	[ "$n" -gt "$size" ] && n=$size
	piece "$waitdir/$from-$((from + n - 1))" "$from" "$n" \
		'TestSafety/(faulty|outages|batched)$' -test.parallel=1 &
	pids="$pids $!"
	from=$((from + n))
done
for pid in $pids; do
	wait "$pid" || failed=1
done

# The batched seeds, together, must have sent batches of more than one op,
# aborts inside them and batches under a fault (TestSafety checks it when
# one process runs them all; here each piece logs its counts).
sums=$(cat "$logs/$waitdir"/*.log | sed -n 's/.*batched: \([0-9]*\) batches of more than one op ([0-9]* ops; \([0-9]*\) aborted.*; \([0-9]*\) batches sent under.*/\1 \2 \3/p' |
	awk '{b += $1; i += $2; f += $3; n++} END {print n + 0, b + 0, i + 0, f + 0}')
# shellcheck disable=SC2086 # four numbers
set -- $sums
echo "batched seeds: $2 batches of more than one op, $3 ops aborted inside one, $4 batches under a fault (from $1 pieces)"
if [ "$1" -eq 0 ] || [ "$2" -eq 0 ] || [ "$3" -eq 0 ] || [ "$4" -eq 0 ]; then
	echo "FAIL	the batched seeds did not send batches of each kind"
	failed=1
fi

if [ "$failed" -ne 0 ]; then
	echo "== soak: FAILED; the failing seeds and their shortest schedules:"
	grep -h -E -- '--- FAIL|^\s+safety_test.go:[0-9]+: (seed [0-9]+ \(|rerun it with)' \
		"$logs/cpu-$first-$last.log" "$logs/$waitdir"/*.log || true
	exit 1
fi
echo "== soak: every seed passed"
