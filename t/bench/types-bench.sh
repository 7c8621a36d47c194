#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/types-bench.sh: what declaring many job types costs a claim.  Not
# part of `make check`: it measures, it asserts nothing.
#
# Starts its own redis-server and jobsvcd (through t/lib.sh, with the
# default heartbeat of 5 s) with
# BENCH_WORKERS workers (default 10) and measures the end-to-end throughput
# of BENCH_JOBS /bin/true jobs (default 2000) in one busy job type, first
# with BENCH_FEW job types declared (default 3), then with BENCH_MANY
# (default 1000), the others empty, and the time Redis spent per script
# call (claim and finish, from INFO commandstats).  Each is measured
# BENCH_ROUNDS times (default 3), alternating, and the best of each is
# kept.  Prints both throughputs and their ratio (issue 10: many types may
# cost at most 30 %).  With BENCH_FIGURES set, also appends the figures and
# their verdicts to that file (figure() in t/bench/bench-lib.sh).
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/types-bench.sh
set -eu
JSV_VALGRIND=0
JSV_HEARTBEAT=5s
JSV_DEAD_TIMEOUT=15s
. "${0%/*}/../lib.sh"
. "${0%/*}/bench-lib.sh"

: "${BENCH_JOBS:=2000}"
: "${BENCH_WORKERS:=10}"
: "${BENCH_FEW:=3}"
: "${BENCH_MANY:=1000}"
: "${BENCH_ROUNDS:=3}"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"

seq "$BENCH_JOBS" | sed 's/.*/{"name": "TRUE", "parameters": {}}/' \
	>"$JSV_TMP/jobs.jsonl"

# all_done: every job ended.  Read from Redis: `status` costs commands per
# job type, which would weigh on the figures with many types.
all_done()
{
	[ "$(redis_cli zcard test:finished)" -ge "$BENCH_JOBS" ]
}

# declare_types N: TRUE and N - 1 empty job types.
declare_types()
{
	local i
	clear_queues
	set_queue TRUE /bin/true
	for ((i = 1; i < $1; i++)); do
		set_queue "$(printf 'EMPTY_%04d' "$i")" /bin/true
	done
}

# measure N: RATE gets the jobs/s of one run with N job types declared and
# US the microseconds Redis spent per script call.
measure()
{
	local t0 t1 last
	declare_types "$1"
	redis_cli flushall >/dev/null
	JSV_WORKERS=$BENCH_WORKERS
	start_daemon a
	ctl queue pause TRUE >/dev/null
	ctl submit --from "$JSV_TMP/jobs.jsonl" >"$JSV_TMP/ids" ||
		fail "submit --from failed"
	redis_cli config resetstat >/dev/null
	t0=$EPOCHREALTIME
	ctl queue resume TRUE >/dev/null
	wait_for -t 600 "$BENCH_JOBS jobs to run" all_done
	t1=$EPOCHREALTIME
	last=$(tail -n 1 "$JSV_TMP/ids")
	[ "$(job_status "$last")" = Success ] ||
		fail "job $last is $(job_status "$last"), not Success"
	US=$(redis_cli info commandstats |
		sed -n 's/^cmdstat_evalsha:.*usec_per_call=\([0-9.]*\).*/\1/p')
	stop_daemon a
	RATE=$(python3 -c 'import sys; print("%.0f" % (int(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' \
		"$BENCH_JOBS" "$t0" "$t1")
}

declare -A best=() us=()
for ((r = 1; r <= BENCH_ROUNDS; r++)); do
	for n in "$BENCH_FEW" "$BENCH_MANY"; do
		note "round $r: $BENCH_JOBS jobs, $n job types declared"
		measure "$n"
		note "  $RATE jobs/s, Redis $US us per script call"
		if [ "$RATE" -gt "${best[$n]:-0}" ]; then
			best[$n]=$RATE
			us[$n]=$US
		fi
	done
done
few=${best[$BENCH_FEW]} many=${best[$BENCH_MANY]}

echo
printf 'jobsvc job types benchmark: %s CPUs, %s, %s\n' "$(nproc)" \
	"$(uname -r)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
for n in "$BENCH_FEW" "$BENCH_MANY"; do
	printf '%-52s %s\n' \
		"end-to-end /bin/true, $BENCH_WORKERS workers, $n types" \
		"${best[$n]} jobs/s (Redis ${us[$n]} us per script call)"
done
printf '%-52s %s\n' "$BENCH_MANY types / $BENCH_FEW types" \
	"$(quot "$many" "$few") (target >= 0.70)"

for n in "$BENCH_FEW" "$BENCH_MANY"; do
	figure "types.$n" \
		"end-to-end /bin/true, $BENCH_WORKERS workers, $n types declared" \
		"${best[$n]} jobs/s (Redis ${us[$n]} us per script call)"
done
figure types.ratio \
	"$BENCH_MANY types / $BENCH_FEW types, best of $BENCH_ROUNDS rounds" \
	"$(quot "$many" "$few")" ">= 0.70"
pass
