#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/all.sh: every benchmark of t/bench/ in one sitting, then one table
# of the figures of issue 10 and SPEC §8, each with its target and the
# verdict (met / not met) computed from this run's figures, and the machine
# (CPUs, kernel, load average at the start and at the end, dates).  Not part
# of `make check`: `make bench` runs it from the build tree.
#
# The parts, in this order (BENCH_PARTS chooses some of them):
#   bench    bench.sh: submission, end-to-end / posix_spawn at 2, 10 and 50
#            workers, idle pickup, RSS, Sidekiq beside it when installed;
#   persist  persist-bench.sh: persistent handlers / posix_spawn;
#   types    types-bench.sh: throughput with 1,000 job types against 3;
#   status   status-bench.sh: `jobsvc-ctl -j status` and `queues`;
#   dash     dash-bench.sh: every page and API call through nginx and
#            `queue stop` of the million, with 1,000,000 pending jobs;
#   stop     stop-bench.sh: a `queue stop` and `status` meanwhile;
#   units    t/integ/packaging-units.sh: `systemd-analyze security`;
#   soak     t/soak/soak.sh: jobs lost while daemons, handlers and Redis
#            are killed.
# Each part appends its figures to one file (BENCH_FIGURES, figure() in
# t/bench/bench-lib.sh); its own output goes to standard error and to a log
# in BENCH_OUT (default: a new directory in /tmp, kept), the table to
# standard output.  Exits 1 when a part failed (its row says so), else 0,
# whatever the verdicts.
#
# Sizes, from the environment; the defaults are those of issue 10 and take
# about 10 minutes on an idle 2-core machine:
#   BENCH_SPAWNS (5000)         /bin/true started to measure posix_spawn
#   BENCH_SUBMIT (10000)        jobs of the submission rate
#   BENCH_E2E_JOBS (5000)       jobs of each end-to-end run and of Sidekiq
#   BENCH_PICKUPS (1000)        jobs of the idle pickup latency
#   BENCH_PERSIST_JOBS (20000)  jobs of each persistent run
#   BENCH_TYPES (1000)          job types declared (types, status, dash)
#   BENCH_TYPES_JOBS (2000)     jobs of each run of types-bench.sh
#   BENCH_TYPES_ROUNDS (3)      its rounds
#   BENCH_STATUS_PENDING (100000), BENCH_STATUS_RUNS (50)  status-bench.sh
#   BENCH_PENDING (1000000)     pending jobs of dash-bench.sh
#   BENCH_SCHEDULES (10000)     its schedules
#   BENCH_BUSY (100)            its busy workers
#   BENCH_REQUESTS (200)        its requests per page, API call and ctl
#   BENCH_STOP (300000)         jobs of stop-bench.sh
#   BENCH_SOAK_JOBS (1500), BENCH_SOAK_SECS (40)  the soak test
#
# Run from a build tree, e.g.:
#	make bench
#	BENCH_PARTS='bench dash' BENCH_PENDING=20000 make bench
#	abs_top_builddir=$PWD /path/to/src/t/bench/all.sh
# shellcheck disable=SC2317 # part_units and part_soak, run by run_part
set -eu
bench=$(cd "$(dirname "$0")" && pwd)
: "${abs_top_srcdir:=${bench%/t/bench}}"
: "${abs_top_builddir:=$abs_top_srcdir}"
export abs_top_srcdir abs_top_builddir
. "$bench/bench-lib.sh"

parts="bench persist types status dash stop units soak"
: "${BENCH_PARTS:=$parts}"
for part in $BENCH_PARTS; do
	case " $parts " in
	*" $part "*) ;;
	*)
		echo "all.sh: no part $part ($parts)" >&2
		exit 2
		;;
	esac
done
: "${BENCH_SPAWNS:=5000}"
: "${BENCH_SUBMIT:=10000}"
: "${BENCH_E2E_JOBS:=5000}"
: "${BENCH_PICKUPS:=1000}"
: "${BENCH_PERSIST_JOBS:=20000}"
: "${BENCH_TYPES:=1000}"
: "${BENCH_TYPES_JOBS:=2000}"
: "${BENCH_TYPES_ROUNDS:=3}"
: "${BENCH_STATUS_PENDING:=100000}"
: "${BENCH_STATUS_RUNS:=50}"
: "${BENCH_PENDING:=1000000}"
: "${BENCH_SCHEDULES:=10000}"
: "${BENCH_BUSY:=100}"
: "${BENCH_REQUESTS:=200}"
: "${BENCH_STOP:=300000}"
: "${BENCH_SOAK_JOBS:=1500}"
: "${BENCH_SOAK_SECS:=40}"
[ -n "${BENCH_OUT:-}" ] || BENCH_OUT=$(mktemp -d /tmp/jsv-bench.XXXXXX)
mkdir -p "$BENCH_OUT"
BENCH_OUT=$(cd "$BENCH_OUT" && pwd)
BENCH_FIGURES=$BENCH_OUT/figures.tsv
: >"$BENCH_FIGURES"
export BENCH_FIGURES

# The knobs the scripts read, each given by run_part: none comes from the
# caller's environment, where it may mean another script's.
unset BENCH_JOBS BENCH_WORKERS BENCH_N BENCH_BATCH BENCH_FEW BENCH_MANY \
	BENCH_ROUNDS BENCH_RUNS

loadavg()
{
	cut -d ' ' -f 1-3 /proc/loadavg
}

start_s=$EPOCHSECONDS
start_date=$(date -u '+%Y-%m-%d %H:%M:%S')
start_load=$(loadavg)
declare -a took=()
failed=0

# run_part NAME CMD...: runs CMD, its output to standard error and to
# BENCH_OUT/NAME.log, and notes how long it took; a failure (or a skip,
# exit 77) becomes a row of the table.
run_part()
{
	local name=$1 t0=$EPOCHSECONDS rc
	shift
	printf '# all.sh: %s, load average %s, %s\n' "$name" "$(loadavg)" \
		"$(date -u +%T)" >&2
	set +e
	"$@" 2>&1 | tee "$BENCH_OUT/$name.log" >&2
	rc=${PIPESTATUS[0]}
	set -e
	took+=("$name $((EPOCHSECONDS - t0)) s")
	case $rc in
	0) ;;
	77) figure "part.$name" "part $name" "skipped (exit 77), see $name.log" ;;
	*)
		figure "part.$name" "part $name" "failed (exit $rc), see $name.log" \
			"= 0"
		failed=1
		;;
	esac
}

# part_units: the exposure `systemd-analyze security` gives each unit, as
# t/integ/packaging-units.sh prints it.
part_units()
{
	local out unit level rc=0

	out=$(bash "$abs_top_srcdir/t/integ/packaging-units.sh" 2>&1) || rc=$?
	printf '%s\n' "$out"
	[ "$rc" != 77 ] || return 77
	for unit in jobsvcd:1.5 jobsvc-fcgi:0.5; do
		level=$(printf '%s\n' "$out" | sed -n \
			"s/.* ${unit%:*}\\.service exposure \\([0-9.]*\\).*/\\1/p")
		figure "units.${unit%:*}" \
			"systemd-analyze security, ${unit%:*}.service" \
			"${level:-not run}" "<= ${unit#*:}"
	done
}

# part_soak: jobs lost by the soak test (daemons and handlers killed, Redis
# restarted on its AOF, appendfsync always).
part_soak()
{
	local out=$BENCH_OUT/soak.out rc lost

	SOAK_JOBS=$BENCH_SOAK_JOBS SOAK_SECS=$BENCH_SOAK_SECS \
		bash "$abs_top_srcdir/t/soak/soak.sh" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	[ "$rc" != 77 ] || return 77
	lost=$(sed -n 's/^seed [0-9]*: .* lost \([0-9]*\), stuck \([0-9]*\), overlaps \([0-9]*\);.*/\1 (stuck \2, overlaps \3)/p' "$out")
	figure soak.lost \
		"jobs lost, killed daemons and handlers, Redis restarted (soak)" \
		"${lost:-not run}" "= 0"
	figure soak.run "the soak run" \
		"$(sed -n 's/^seed \([0-9]*\): jobs \([0-9]*\), kills \([0-9]*\), pauses [0-9]*, restarts \([0-9]*\).*/\2 jobs, \3 kills, \4 Redis restarts, seed \1/p' "$out")"
}

for part in $BENCH_PARTS; do
	case $part in
	bench)
		run_part bench env BENCH_SUBMIT="$BENCH_SUBMIT" \
			BENCH_JOBS="$BENCH_E2E_JOBS" BENCH_PICKUPS="$BENCH_PICKUPS" \
			BENCH_SPAWNS="$BENCH_SPAWNS" bash "$bench/bench.sh"
		;;
	persist)
		run_part persist env BENCH_JOBS="$BENCH_PERSIST_JOBS" \
			BENCH_SPAWNS="$BENCH_SPAWNS" bash "$bench/persist-bench.sh"
		;;
	types)
		run_part types env BENCH_JOBS="$BENCH_TYPES_JOBS" \
			BENCH_WORKERS=10 BENCH_FEW=3 BENCH_MANY="$BENCH_TYPES" \
			BENCH_ROUNDS="$BENCH_TYPES_ROUNDS" bash "$bench/types-bench.sh"
		;;
	status)
		run_part status env BENCH_TYPES="$BENCH_TYPES" \
			BENCH_PENDING="$BENCH_STATUS_PENDING" \
			BENCH_RUNS="$BENCH_STATUS_RUNS" bash "$bench/status-bench.sh"
		;;
	dash)
		run_part dash env BENCH_PENDING="$BENCH_PENDING" \
			BENCH_SCHEDULES="$BENCH_SCHEDULES" BENCH_WORKERS="$BENCH_BUSY" \
			BENCH_N="$BENCH_REQUESTS" BENCH_TYPES="$BENCH_TYPES" \
			bash "$bench/dash-bench.sh"
		;;
	stop)
		run_part stop env BENCH_STOP="$BENCH_STOP" bash "$bench/stop-bench.sh"
		;;
	units) run_part units part_units ;;
	soak) run_part soak part_soak ;;
	esac
done

# -- the table, as Markdown, its columns padded.
end_load=$(loadavg)
printf '\n## jobsvc benchmarks in one sitting: %s to %s UTC (%d min)\n\n' \
	"$start_date" "$(date -u +%T)" $(((EPOCHSECONDS - start_s + 30) / 60))
printf -- '- machine: %s CPUs (%s), %s, %s MB of memory; %s\n' "$(nproc)" \
	"$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
	"$(uname -sr)" "$(awk '/^MemTotal:/ { print int($2 / 1024) }' /proc/meminfo)" \
	"$(redis-server --version 2>/dev/null | cut -d ' ' -f 1-3)"
printf -- '- load average (1, 5, 15 min): %s at the start, %s at the end%s\n' \
	"$start_load" "$end_load" "$(awk -v l="${start_load%% *}" -v n="$(nproc)" \
		'BEGIN { if (l > n / 2) print " (not idle: the figures measure the neighbours too)" }')"
printf -- '- parts: %s\n' "$(printf '%s, ' "${took[@]}" | sed 's/, $//')"
printf -- '- logs: %s\n\n' "$BENCH_OUT"
{
	printf 'measure\tvalue\ttarget\tverdict\n---\t---\t---\t---\n'
	cut -f 2- "$BENCH_FIGURES"
} | awk -F '\t' '
	{
		if ($4 == "not met")
			$4 = "**not met**"
		for (c = 1; c <= 4; c++) {
			cell[NR, c] = $c
			if (length($c) > w[c])
				w[c] = length($c)
		}
		n[$4]++
	}
	END {
		for (r = 1; r <= NR; r++) {
			line = "|"
			for (c = 1; c <= 4; c++) {
				f = cell[r, c]
				pad = f == "---" ? "-" : " "
				while (length(f) < w[c])
					f = f pad
				line = line " " f " |"
			}
			print line
		}
		printf "\ntargets: %d met, %d not met, %d not run\n",
			n["met"], n["**not met**"], n["not run"]
	}' | tee "$BENCH_OUT/table.md"
exit "$failed"
