#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/profile.sh: where the time of a /bin/true job goes.  Not part of
# `make check`: it measures, it asserts nothing.
#
# For pools of 10 and 50 workers (PROFILE_WORKERS), runs PROFILE_JOBS
# /bin/true jobs (queue paused, submitted, resumed) four times and prints,
# per job:
#   1. the CPU time of jobsvcd with its children (supervisors, handlers)
#      and of redis-server, against that of one posix_spawn of /bin/true
#      (2 in flight, the spawner included): throughput on a machine of its
#      own is about its CPUs over the CPU time per job, so this ratio is
#      what the end-to-end / posix_spawn ratio of bench.sh comes to, and it
#      holds whatever else runs meanwhile; Redis commands by name (INFO
#      commandstats), and jobsvcd's wake-ups (its voluntary and involuntary
#      context switches);
#   2. with `perf record -g` on jobsvcd (its children included) and on
#      redis-server, when perf is installed, their top symbols (the data
#      is kept in $PROFILE_OUT);
#   3. jobsvcd's own system calls (strace -c);
#   4. the system calls of jobsvcd and everything it starts (strace -c -f):
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
: "${PROFILE_MODES:=cpu perf strace strace-f}"
: "${PROFILE_OUT:=$JSV_TMP}"
command -v strace >/dev/null 2>&1 || fail "strace is needed"
: "${CC:=cc}"
"$CC" -O2 -Wall -DSTAMP_PATH='"/dev/null"' -o "$JSV_TMP/stamp" \
	"$abs_top_srcdir/t/bench/stamp.c" || fail "cannot build stamp.c"
perf=
if command -v perf >/dev/null 2>&1 &&
	perf record -o /dev/null -- true >/dev/null 2>&1; then
	perf=perf
fi

clear_queues
set_queue TRUE /bin/true
seq "$PROFILE_JOBS" | sed 's/.*/{"name": "TRUE", "parameters": {}}/' \
	>"$JSV_TMP/jobs.jsonl"

# cpu_ticks PID: the CPU time of PID and of its children it waited for.
cpu_ticks()
{
	awk '{ sub(/.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$1/stat"
}

# ms_per TICKS N: TICKS clock ticks over N, in ms.
ms_per()
{
	python3 -c 'import os, sys; print("%.3f" % (1000.0 * int(sys.argv[1]) / os.sysconf("SC_CLK_TCK") / int(sys.argv[2])))' "$1" "$2"
}

ctxt()
{
	awk '/ctxt_switches/ { n += $2 } END { print n }' "/proc/$1/status"
}

# run W WHAT: one run of the jobs with W workers; WHAT is cpu, perf,
# strace or strace-f.  Prints the per-job figures of that run.
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
	local c0 d0 r0
	c0=$(ctxt "$pid")
	d0=$(cpu_ticks "$pid")
	r0=$(cpu_ticks "$rpid")
	case $what in
	perf)
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
	local c1 d1 r1
	c1=$(ctxt "$pid")
	d1=$(cpu_ticks "$pid")
	r1=$(cpu_ticks "$rpid")
	if [ -n "$tracer" ]; then
		# shellcheck disable=SC2086
		kill -INT $tracer
		# shellcheck disable=SC2086
		wait $tracer || true
	fi
	printf '%s workers, %s, %s jobs in %.2fs\n' "$w" "$what" "$PROFILE_JOBS" \
		"$(python3 -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]))' "$t0" "$t1")"
	case $what in
	cpu)
		local dms rms sms s0 s1 n=$((PROFILE_JOBS * 2))
		dms=$(ms_per $((d1 - d0)) "$PROFILE_JOBS")
		rms=$(ms_per $((r1 - r0)) "$PROFILE_JOBS")
		s0=$(cpu_ticks $$)
		"$JSV_TMP/stamp" spawn posix_spawn "$n" 2 >/dev/null
		s1=$(cpu_ticks $$)
		sms=$(ms_per $((s1 - s0)) "$n")
		printf '  CPU per job: jobsvcd and its children %s ms, redis-server %s ms\n' "$dms" "$rms"
		printf '  CPU per posix_spawn of /bin/true (2 in flight, with the spawner): %s ms\n' "$sms"
		printf '  CPU ratio posix_spawn / job: %s\n' \
			"$(python3 -c 'import sys; print("%.2f" % (float(sys.argv[3]) / (float(sys.argv[1]) + float(sys.argv[2]))))' "$dms" "$rms" "$sms")"
		redis_cli INFO commandstats |
			awk -F'[:=,]' -v n="$PROFILE_JOBS" '/^cmdstat_/ {
				sub("cmdstat_", "", $1)
				printf "  redis %-12s %6.2f /job  %6.1f us/call\n", $1, $3 / n, $7
			}'
		printf '  jobsvcd wake-ups (context switches) %.2f /job\n' \
			"$(python3 -c 'import sys; print((int(sys.argv[2]) - int(sys.argv[1])) / int(sys.argv[3]))' "$c0" "$c1" "$PROFILE_JOBS")"
		;;
	perf)
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
	for what in $PROFILE_MODES; do
		run "$w" "$what"
	done
done
pass
