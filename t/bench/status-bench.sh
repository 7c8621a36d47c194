#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/status-bench.sh: what `status` and `queues` cost with many job
# types and a long queue.  Not part of `make check`: it measures, it
# asserts nothing.
#
# Starts its own redis-server and jobsvcd (through t/lib.sh, heartbeat 5 s)
# with BENCH_TYPES job types declared (default 1000), one of them paused
# with BENCH_PENDING pending jobs (default 100000), and asks
# `jobsvc-ctl -j status` and `jobsvc-ctl -j queues` BENCH_RUNS times each
# (default 50).  Prints, for each, the answer time p50 and p99
# (jobsvc-ctl's start-up included) and the Redis commands per call, from
# MONITOR: those the daemon sent (its round trips) and those run inside
# its scripts.  With BENCH_FIGURES set, also appends the figures and their
# verdicts to that file (figure() in t/bench/bench-lib.sh).
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/status-bench.sh
set -eu
JSV_VALGRIND=0
JSV_HEARTBEAT=5s
JSV_DEAD_TIMEOUT=15s
. "${0%/*}/../lib.sh"
. "${0%/*}/bench-lib.sh"

: "${BENCH_TYPES:=1000}"
: "${BENCH_PENDING:=100000}"
: "${BENCH_RUNS:=50}"
: "${BENCH_BATCH:=50000}"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"

clear_queues
set_queue BUSY /bin/true
for ((i = 1; i < BENCH_TYPES; i++)); do
	set_queue "$(printf 'EMPTY_%04d' "$i")" /bin/true
done
start_daemon
ctl queue pause BUSY >/dev/null
note "submitting $BENCH_PENDING jobs in batches of $BENCH_BATCH"
for ((left = BENCH_PENDING; left > 0; left -= BENCH_BATCH)); do
	n=$((left < BENCH_BATCH ? left : BENCH_BATCH))
	seq "$n" | sed 's/.*/{"name": "BUSY", "parameters": {}}/' \
		>"$JSV_TMP/jobs.jsonl"
	ctl submit --from "$JSV_TMP/jobs.jsonl" >/dev/null ||
		fail "submit --from failed"
done
assert_eq "pending BUSY jobs" "$BENCH_PENDING" "$(redis_cli LLEN test:q:BUSY)"

# commands CMD...: prints the Redis commands one `jobsvc-ctl CMD` costs,
# sent by the daemon and run inside scripts, averaged over 5 calls.
commands()
{
	local mon i
	mon=$JSV_TMP/monitor
	redis-cli -s "$REDIS_SOCK" MONITOR >"$mon" &
	local pid=$!
	wait_for "MONITOR to start" test -s "$mon"
	for ((i = 0; i < 5; i++)); do
		ctl -j "$@" >/dev/null
	done
	redis_cli PING >/dev/null
	wait_for "MONITOR to see the PING" grep -q '"PING"' "$mon"
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	python3 - "$mon" <<'PY'
import sys
sent = lua = 0
for l in open(sys.argv[1]):
    if '"PING"' in l or ' [' not in l:
        continue
    if 'lua]' in l:
        lua += 1
    else:
        sent += 1
print("%.0f sent, %.0f in scripts" % (sent / 5, lua / 5))
PY
}


echo
printf 'jobsvc status benchmark: %s CPUs, %s, %s\n' "$(nproc)" \
	"$(uname -r)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%s job types, %s pending in one, %s runs each\n' "$BENCH_TYPES" \
	"$BENCH_PENDING" "$BENCH_RUNS"
for cmd in status queues; do
	IFS=$'\t' read -r p50 p99 < <(ctl_ms "$BENCH_RUNS" "$cmd")
	count=$(commands "$cmd")
	printf '%-8s %-28s Redis commands per call: %s\n' "$cmd" \
		"p50 $p50 ms, p99 $p99 ms" "$count"
	figure "status.$cmd" \
		"jobsvc-ctl -j $cmd p50, $BENCH_TYPES types, $BENCH_PENDING pending" \
		"$p50 ms (p99 $p99 ms; Redis commands: $count)" "<= 10 ms"
done
pass
