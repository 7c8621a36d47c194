#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/profile.sh: where the time of a /bin/true job goes.  Not part of
# `make check`: it measures, it asserts nothing.
#
# For pools of 10 and 50 workers (PROFILE_WORKERS), runs PROFILE_JOBS
# /bin/true jobs (queue paused, submitted, resumed) three times and prints,
# per job:
#   1. Redis commands by name (INFO commandstats), and jobsvcd's wake-ups
#      (its voluntary and involuntary context switches), with `perf record
#      -g` on jobsvcd and on redis-server when perf is installed (the top
#      symbols are printed, the data kept in $PROFILE_OUT);
#   2. jobsvcd's own system calls (strace -c);
#   3. the system calls of jobsvcd and everything it starts (strace -c -f):
#      the supervisors and the handlers.
# The runs finish when the last job's record says Success, read straight
# from Redis, so that waiting adds no Redis command but that one HGET.
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/profile.sh
set -eu
JSV_VALGRIND=0
. "${0%/*}/../lib.sh"

: "${PROFILE_JOBS:=2000}"
: "${PROFILE_WORKERS:=10 50}"
: "${PROFILE_OUT:=$JSV_TMP}"
command -v strace >/dev/null 2>&1 || fail "strace is needed"
perf=
if command -v perf >/dev/null 2>&1 &&
	perf record -o /dev/null -- true >/dev/null 2>&1; then
	perf=perf
fi

clear_queues
set_queue TRUE /bin/true
seq "$PROFILE_JOBS" | sed 's/.*/{"name": "TRUE", "parameters": {}}/' \
	>"$JSV_TMP/jobs.jsonl"

ctxt()
{
	awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$1/status"
}

# run W WHAT: one run of the jobs with W workers; WHAT is plain, strace or
# strace-f.  Prints the per-job figures of that run.
run()
{
	local w=$1 what=$2 pid rpid tracer= last key p
	if [ -n "${DPID[a]:-}" ]; then
		stop_daemon a
	fi
	JSV_WORKERS=$w
	start_daemon a
	pid=$(daemon_pid)
	rpid=$REDIS_PID
	ctl queue pause TRUE >/dev/null
	ctl submit --from "$JSV_TMP/jobs.jsonl" >"$JSV_TMP/ids"
	last=$(tail -n 1 "$JSV_TMP/ids")
	key=$(redis_cli --raw KEYS "*job:$last" | head -n 1)
	redis_cli CONFIG RESETSTAT >/dev/null
	local c0
	c0=$(ctxt "$pid")
	case $what in
	plain)
		if [ -n "$perf" ]; then
			perf record -q -g -p "$pid" -o "$PROFILE_OUT/jobsvcd.$w.perf" &
			tracer=$!
			perf record -q -g -p "$rpid" -o "$PROFILE_OUT/redis.$w.perf" &
			tracer="$tracer $!"
			sleep 1
		fi
		;;
	strace)
		strace -qq -c -o "$JSV_TMP/strace.$w" -p "$pid" &
		tracer=$!
		sleep 1
		;;
	strace-f)
		strace -qq -c -f -o "$JSV_TMP/strace.$w" -p "$pid" &
		tracer=$!
		sleep 1
		;;
	esac
	local t0 t1
	t0=$EPOCHREALTIME
	ctl queue resume TRUE >/dev/null
	local deadline=$((SECONDS + 900))
	until [ "$(redis_cli HGET "$key" status)" = Success ]; do
		[ "$SECONDS" -lt "$deadline" ] || fail "the jobs did not finish"
		sleep 0.05
	done
	t1=$EPOCHREALTIME
	local c1
	c1=$(ctxt "$pid")
	if [ -n "$tracer" ]; then
		# shellcheck disable=SC2086
		kill -INT $tracer
		# shellcheck disable=SC2086
		wait $tracer || true
	fi
	printf '%s workers, %s, %s jobs in %.2fs\n' "$w" "$what" "$PROFILE_JOBS" \
		"$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$t0" "$t1")"
	case $what in
	plain)
		redis_cli INFO commandstats |
			awk -F'[:=,]' -v n="$PROFILE_JOBS" '/^cmdstat_/ {
				sub("cmdstat_", "", $1)
				printf "  redis %-12s %6.2f /job  %6.1f us/call\n", $1, $3 / n, $7
			}'
		printf '  jobsvcd wake-ups (context switches) %.2f /job\n' \
			"$(python3 -c 'import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]))' "$c0" "$c1" "$PROFILE_JOBS")"
		if [ -n "$perf" ]; then
			for p in jobsvcd redis; do
				echo "  perf $p, top symbols (self):"
				perf report -q -i "$PROFILE_OUT/$p.$w.perf" --no-children \
					--sort dso,symbol --percent-limit 2 --stdio 2>/dev/null |
					grep -E '^ +[0-9]' | head -n 12 | sed 's/^/    /'
			done
		fi
		;;
	*)
		awk -v n="$PROFILE_JOBS" '$1 ~ /^[0-9.]+$/ && NF >= 5 {
				printf "  %-16s %7.2f /job\n", $NF, $4 / n
			}' \
			"$JSV_TMP/strace.$w" | sort -k2 -rn | head -n 25
		;;
	esac
}

note "machine: $(nproc) CPUs, $(uname -sr)"
for w in $PROFILE_WORKERS; do
	for what in plain strace strace-f; do
		run "$w" "$what"
	done
done
pass
