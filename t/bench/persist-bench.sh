#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/persist-bench.sh: the throughput of persistent handlers (issue 10,
# item 2), against this machine's posix_spawn rate of /bin/true with 2
# children in flight, measured in the same run.  Not part of `make check`:
# it measures, it asserts nothing.
#
# Starts its own redis-server and jobsvcd (through t/lib.sh) and, for pools
# of 2 and 10 workers, pauses the queue, submits BENCH_JOBS jobs, resumes
# it and times until all have run, with two persistent handlers:
#   - t/bench/persist-noop.c, which only answers each job with Success;
#   - packaging/handlers/persistent-example (C), which also logs the job
#     and checks in;
# and, for comparison, /bin/true as an ordinary handler (a process per job).
# posix_spawn is measured at the start and at the end; the ratios are taken
# against the mean of the two.  With BENCH_FIGURES set, also appends the
# figures and their verdicts to that file (figure() in bench-lib.sh).
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/persist-bench.sh
set -eu
JSV_VALGRIND=0
JSV_HEARTBEAT=1s
JSV_DEAD_TIMEOUT=5s
JSV_STOP_GRACE=1s
. "${0%/*}/../lib.sh"
. "${0%/*}/bench-lib.sh"

: "${BENCH_JOBS:=20000}"
: "${BENCH_SPAWNS:=5000}"
: "${CC:=cc}"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
command -v "$CC" >/dev/null 2>&1 || fail "no C compiler ($CC)"

"$CC" -O2 -Wall -DSTAMP_PATH='"/dev/null"' -o "$JSV_TMP/stamp" \
	"$abs_top_srcdir/t/bench/stamp.c" || fail "cannot build stamp.c"
"$CC" -O2 -Wall -o "$JSV_TMP/h/noop" \
	"$abs_top_srcdir/t/bench/persist-noop.c" ||
	fail "cannot build persist-noop.c"
example=$abs_top_builddir/packaging/handlers/persistent-example
[ -x "$example" ] || "$CC" -O2 -Wall -o "$JSV_TMP/h/example" \
	"$abs_top_srcdir/packaging/handlers/persistent-example.c" ||
	fail "cannot build persistent-example.c"
[ -x "$example" ] || example=$JSV_TMP/h/example

clear_queues
set_queue NOOP noop persistent=yes
set_queue EXAMPLE "$example" persistent=yes
set_queue TRUE /bin/true

declare -A R=()

rate()
{
	python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) / (float(sys.argv[3]) - float(sys.argv[2]))))' "$@"
}

ratio()
{
	quot "$1" "$2" 1
}

all_done()
{
	local s
	s=$(ctl -j status) || return 1
	[ "$(printf '%s' "$s" | jq '.queues.total + .workers.busy')" = 0 ]
}

# throughput TYPE N: jobs/s of N jobs of TYPE, from the resume of the
# paused queue until all have run.
throughput()
{
	local type=$1 n=$2 f=$JSV_TMP/$1.$2.jsonl t0 t1 last base
	seq "$n" | sed "s/.*/{\"name\": \"$type\", \"parameters\": {\"n\": &}}/" >"$f"
	ctl queue pause "$type" >/dev/null
	ctl submit --from "$f" >"$JSV_TMP/ids" || fail "submit --from failed"
	base=$(finished_count)
	t0=$EPOCHREALTIME
	ctl queue resume "$type" >/dev/null
	t1=$(wait_finished $((base + n)))
	wait_for "$n jobs of $type to have run" all_done
	last=$(tail -n 1 "$JSV_TMP/ids")
	[ "$(job_status "$last")" = Success ] ||
		fail "job $last is $(job_status "$last"), not Success"
	rate "$n" "$t0" "$t1"
}

note "machine: $(nproc) CPUs, $(uname -sr)"
note "spawning /bin/true $BENCH_SPAWNS times"
R[spawn0]=$("$JSV_TMP/stamp" spawn posix_spawn "$BENCH_SPAWNS" 2)

for w in 2 10; do
	[ -z "${DPID[a]:-}" ] || stop_daemon a
	JSV_WORKERS=$w
	start_daemon a
	for type in NOOP EXAMPLE; do
		note "$type: $BENCH_JOBS jobs, $w workers"
		throughput "$type" 200 >/dev/null # the handlers start
		R[$type.$w]=$(throughput "$type" "$BENCH_JOBS")
	done
	note "TRUE: $((BENCH_JOBS / 4)) jobs, $w workers"
	R[TRUE.$w]=$(throughput TRUE $((BENCH_JOBS / 4)))
done
note "spawning /bin/true $BENCH_SPAWNS times again"
R[spawn1]=$("$JSV_TMP/stamp" spawn posix_spawn "$BENCH_SPAWNS" 2)
R[spawn]=$(((R[spawn0] + R[spawn1]) / 2))

echo
printf 'jobsvc persistent handlers: %s CPUs, %s, %s\n' "$(nproc)" \
	"$(uname -r)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-52s %-14s %s\n' "measure" "jobs/s" "/ posix_spawn (2 in flight)"
printf '%-52s %-14s %s\n' "-------" "------" "---------------------------"
printf '%-52s %-14s %s\n' "posix_spawn /bin/true, 2 in flight (mean)" \
	"${R[spawn]}" "1.0 (${R[spawn0]} at the start, ${R[spawn1]} at the end)"
for w in 2 10; do
	printf '%-52s %-14s %s\n' "persistent no-op handler, $w workers" \
		"${R[NOOP.$w]}" "$(ratio "${R[NOOP.$w]}" "${R[spawn]}")"
	printf '%-52s %-14s %s\n' "persistent example handler (C), $w workers" \
		"${R[EXAMPLE.$w]}" "$(ratio "${R[EXAMPLE.$w]}" "${R[spawn]}")"
	printf '%-52s %-14s %s\n' "/bin/true, a process per job, $w workers" \
		"${R[TRUE.$w]}" "$(ratio "${R[TRUE.$w]}" "${R[spawn]}")"
done
printf '%-52s %s\n' "target: persistent / posix_spawn" ">= 5.0"

figure persist.spawn "posix_spawn /bin/true, 2 in flight, start / end" \
	"${R[spawn]} /s (${R[spawn0]} / ${R[spawn1]})"
best=0
for w in 2 10; do
	[ "${R[NOOP.$w]}" -le "$best" ] || best=${R[NOOP.$w]}
	for type in NOOP EXAMPLE TRUE; do
		case $type in
		NOOP) what="persistent no-op handler, $BENCH_JOBS jobs" ;;
		EXAMPLE) what="persistent example handler (C), $BENCH_JOBS jobs" ;;
		TRUE) what="/bin/true, a process per job, $((BENCH_JOBS / 4)) jobs" ;;
		esac
		figure "persist.$type.$w" "$what, $w workers" \
			"${R[$type.$w]} jobs/s ($(ratio "${R[$type.$w]}" "${R[spawn]}") x posix_spawn)"
	done
done
figure persist.ratio "persistent no-op / posix_spawn, best of 2 / 10 workers" \
	"$(quot "$best" "${R[spawn]}")" ">= 5.0"
figure persist.rate \
	"persistent no-op, best of 2 / 10 workers (bee-queue, issue 10: 11175)" \
	"$best jobs/s" "> 11175 jobs/s"
pass
