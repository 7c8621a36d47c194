#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/stop-bench.sh: the rate of a large `queue stop` and how the
# daemon answers meanwhile.  Not part of `make check`: it measures, it
# asserts nothing.
#
# Starts its own redis-server and jobsvcd (through t/lib.sh), fills a paused
# queue with BENCH_STOP jobs (default 300000), stops it, and prints the
# stop's duration and rate, and the answer times (p50, max; jobsvc-ctl's
# start-up included) of `status` asked again and again by another client
# during the stop.  With BENCH_FIGURES set, also appends them to that file
# (figure() in t/bench/bench-lib.sh), for t/bench/all.sh.
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/stop-bench.sh
set -eu
JSV_VALGRIND=0
JSV_HEARTBEAT=1s
JSV_DEAD_TIMEOUT=5s
. "${0%/*}/../lib.sh"
. "${0%/*}/bench-lib.sh"

: "${BENCH_STOP:=300000}"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
start_daemon
ctl queue pause OK >/dev/null
note "submitting $BENCH_STOP jobs"
seq "$BENCH_STOP" | sed 's/.*/{"name": "OK", "parameters": {}}/' \
	>"$JSV_TMP/jobs.jsonl"
ctl submit --from "$JSV_TMP/jobs.jsonl" >/dev/null || fail "submit --from failed"

note "stopping them"
t0=$EPOCHREALTIME
ctl queue stop OK >"$JSV_TMP/stop.out" &
stop_pid=$!
: >"$JSV_TMP/status.ms"
while proc_alive "$stop_pid"; do
	s=$(now_us)
	ctl status >/dev/null
	e=$(now_us)
	proc_alive "$stop_pid" || break
	echo "$(((e - s) / 1000))" >>"$JSV_TMP/status.ms"
done
wait "$stop_pid" || fail "queue stop failed"
t1=$EPOCHREALTIME
python3 - "$t0" "$t1" "$BENCH_STOP" "$JSV_TMP/status.ms" "$(cat "$JSV_TMP/stop.out")" \
	"$JSV_TMP/figures" <<'PY'
import sys
t0, t1, n = float(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3])
ms = sorted(float(l) for l in open(sys.argv[4]) if l.strip())
with open(sys.argv[6], "w") as f:
    print("%.2f\t%.0f\t%d\t%.1f\t%.1f" % (t1 - t0, n / (t1 - t0), len(ms),
          ms[len(ms) // 2] if ms else 0, ms[-1] if ms else 0), file=f)
print("queue stop: %s" % sys.argv[5])
print("%-34s %10.2f s" % ("queue stop of %d jobs" % n, t1 - t0))
print("%-34s %10.0f jobs/s" % ("stop rate", n / (t1 - t0)))
if ms:
    print("%-34s %10d" % ("status asked during the stop", len(ms)))
    print("%-34s %10.1f ms" % ("status answer time p50", ms[len(ms) // 2]))
    print("%-34s %10.1f ms" % ("status answer time max", ms[-1]))
PY
IFS=$'\t' read -r secs rate st_n st_p50 st_max <"$JSV_TMP/figures"
figure stop.time "queue stop of $BENCH_STOP jobs (stop-bench.sh)" \
	"$secs s ($rate jobs/s)"
figure stop.status "status during that stop: answers, p50 / max" \
	"$st_n, $st_p50 / $st_max ms (jobsvc-ctl start-up included)"
pass
