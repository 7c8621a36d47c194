#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/bench.sh: measures jobsvc against the targets of SPEC §8 and
# prints a table.  Not part of `make check`: it measures, it asserts nothing.
#
# Starts its own redis-server and jobsvcd (through t/lib.sh) and measures:
#   - submission rate: `jobsvc-ctl submit --from` of BENCH_SUBMIT jobs;
#   - end-to-end throughput with /bin/true handlers, pools of 2, 10 and 50
#     workers: queue paused, BENCH_JOBS submitted, resume, wait for all done;
#   - idle pickup latency p50/p99 over BENCH_PICKUPS sequential jobs: the
#     time before the submit request is sent (raw control protocol, so no
#     jobsvc-ctl start-up is counted) to the first instruction of the handler
#     (t/bench/stamp.c writes CLOCK_REALTIME to a FIFO), and beside it the
#     same handler's start by posix_spawn alone (stamp floor), the part of
#     that latency which is the machine's process start;
#   - this machine's own fork+exec (and posix_spawn) rate of /bin/true, and
#     posix_spawn with 2 in flight again just before and after each
#     end-to-end run: the ratio end-to-end / posix_spawn is taken against
#     the mean of those two, so that a machine whose load changes during
#     the run still compares like with like;
#   - jobsvcd's RSS idle and with 50 busy workers;
#   - when Sidekiq is installed (Debian's ruby-sidekiq), the same /bin/true
#     jobs through it with 10 threads, run as nobody with its own Redis
#     (t/bench/peer-sidekiq.sh), so that the table shows jobsvc and a peer
#     from one sitting.
# With BENCH_FIGURES set, also appends the figures and their verdicts to
# that file (figure() in t/bench/bench-lib.sh), for t/bench/all.sh.
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/bench.sh
set -eu
JSV_VALGRIND=0
JSV_HEARTBEAT=1s
JSV_DEAD_TIMEOUT=5s
JSV_STOP_GRACE=1s
. "${0%/*}/../lib.sh"
. "${0%/*}/bench-lib.sh"

: "${BENCH_SUBMIT:=10000}"
: "${BENCH_JOBS:=5000}"
: "${BENCH_PICKUPS:=1000}"
: "${BENCH_SPAWNS:=5000}"
: "${CC:=cc}"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
command -v "$CC" >/dev/null 2>&1 || fail "no C compiler ($CC)"

fifo=$JSV_TMP/stamps
mkfifo "$fifo"
"$CC" -O2 -Wall -DSTAMP_PATH="\"$fifo\"" -o "$JSV_TMP/stamp" \
	"$abs_top_srcdir/t/bench/stamp.c" || fail "cannot build stamp.c"
printf '#!/bin/sh\nexec sleep 600\n' >"$JSV_TMP/h/busy"
chmod 755 "$JSV_TMP/h/busy"

clear_queues
set_queue TRUE /bin/true
set_queue STAMP "$JSV_TMP/stamp"
set_queue BUSY "$JSV_TMP/h/busy"

declare -A R=()

secs()
{
	local t=$EPOCHREALTIME
	echo "$t"
}

elapsed()
{
	python3 -c 'import sys; print("%.6f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"
}

rate()
{
	python3 -c 'import sys; print("%.0f" % (float(sys.argv[1]) / float(sys.argv[2])))' "$1" "$2"
}

rss_kb()
{
	awk '/^VmRSS:/ { print $2 }' "/proc/$(daemon_pid)/status"
}

all_done()
{
	local s
	s=$(ctl -j status) || return 1
	[ "$(printf '%s' "$s" | jq '.queues.total + .workers.busy')" = 0 ]
}

jobs_file()
{
	local n=$1 name=$2
	seq "$n" | sed "s/.*/{\"name\": \"$name\", \"parameters\": {}}/" \
		>"$JSV_TMP/$name.$n.jsonl"
	echo "$JSV_TMP/$name.$n.jsonl"
}

restart_with()
{
	if [ -n "${DPID[a]:-}" ]; then
		stop_daemon a
	fi
	JSV_WORKERS=$1
	start_daemon a
}

note "machine: $(nproc) CPUs, $(uname -sr)"

# -- fork+exec of /bin/true, the yardstick.
note "spawning /bin/true $BENCH_SPAWNS times"
for how in fork posix_spawn; do
	for inflight in 1 2; do
		R[$how.$inflight]=$("$JSV_TMP/stamp" spawn "$how" "$BENCH_SPAWNS" "$inflight")
	done
done

# -- memory, idle.
restart_with 10
sleep 1
R[rss_idle]=$(rss_kb)

# -- submission rate.
note "submitting $BENCH_SUBMIT jobs"
f=$(jobs_file "$BENCH_SUBMIT" TRUE)
ctl queue pause TRUE >/dev/null
t0=$(secs)
ctl submit --from "$f" >"$JSV_TMP/ids" || fail "submit --from failed"
t1=$(secs)
[ "$(wc -l <"$JSV_TMP/ids")" = "$BENCH_SUBMIT" ] ||
	fail "submit --from printed $(wc -l <"$JSV_TMP/ids") ids for $BENCH_SUBMIT jobs"
R[submit]=$(rate "$BENCH_SUBMIT" "$(elapsed "$t0" "$t1")")
ctl queue stop TRUE >/dev/null
ctl queue resume TRUE >/dev/null

# -- end-to-end throughput.
f=$(jobs_file "$BENCH_JOBS" TRUE)
for w in 2 10 50; do
	note "throughput with $w workers, $BENCH_JOBS jobs"
	restart_with "$w"
	ctl queue pause TRUE >/dev/null
	ts=$(secs)
	ctl submit --from "$f" >"$JSV_TMP/ids" || fail "submit --from failed"
	sp0=$("$JSV_TMP/stamp" spawn posix_spawn "$BENCH_SPAWNS" 2)
	base=$(finished_count)
	t0=$(secs)
	ctl queue resume TRUE >/dev/null
	t1=$(wait_finished $((base + BENCH_JOBS)))
	wait_for "$BENCH_JOBS jobs to have run" all_done
	sp1=$("$JSV_TMP/stamp" spawn posix_spawn "$BENCH_SPAWNS" 2)
	R[spawn.$w]=$(((sp0 + sp1) / 2))
	last=$(tail -n 1 "$JSV_TMP/ids")
	[ "$(job_status "$last")" = Success ] ||
		fail "job $last is $(job_status "$last"), not Success"
	R[e2e.$w]=$(rate "$BENCH_JOBS" "$(elapsed "$t0" "$t1")")
	R[e2e_submit.$w]=$(rate "$BENCH_JOBS" "$(elapsed "$ts" "$t1")")
	R[ratio.$w]=$(quot "${R[e2e.$w]}" "${R[spawn.$w]}")
	note "$w workers: ${R[e2e.$w]} jobs/s, posix_spawn ${R[spawn.$w]}/s, ratio ${R[ratio.$w]}"
done

# -- memory with 50 busy workers (the pool of 50 is running).
for i in $(seq 50); do
	echo '{"name": "BUSY", "parameters": {}}'
done | ctl submit --from - >/dev/null
wait_for -t 60 "50 busy workers" busy_workers_are 50
sleep 0.5
R[rss_busy]=$(rss_kb)
ctl worker free all >/dev/null
wait_for -t 60 "the workers to be free" busy_workers_are 0

# -- idle pickup latency.
restart_with 10
note "pickup latency over $BENCH_PICKUPS jobs"
version=$(sed -n 's/^#define JSV_PROTO_VERSION //p' "$abs_top_srcdir/lib/proto.h")
python3 - "$SOCK" "$fifo" "$BENCH_PICKUPS" "$version" >"$JSV_TMP/pickup" <<'PY'
import json, os, socket, struct, sys, time

path, fifo, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
version = int(sys.argv[4])
warmup = 50
rfd = os.open(fifo, os.O_RDWR)  # read end that never sees EOF
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
req = json.dumps({"cmd": "submit",
                  "jobs": [{"name": "STAMP", "parameters": {}}]}).encode()
frame = struct.pack(">BBHI", version, 1, 0, len(req)) + req

def answer():
    buf = b""
    ids = []
    while True:
        while len(buf) < 8 or len(buf) < 8 + struct.unpack(">I", buf[4:8])[0]:
            chunk = s.recv(65536)
            if not chunk:
                sys.exit("daemon closed the connection")
            buf += chunk
        n = struct.unpack(">I", buf[4:8])[0]
        t, payload, buf = buf[1], buf[8:8 + n], buf[8 + n:]
        o = json.loads(payload)
        if t == 2 and "id" in o:
            ids.append(o["id"])
        elif t == 2:
            sys.exit("submit refused: %r" % o)
        elif t == 3:
            return ids
        elif t == 4:
            sys.exit("submit failed: %r" % o)

pending = b""
lat = []
for i in range(n + warmup):
    t0 = time.time()
    s.sendall(frame)
    ids = answer()
    while b"\n" not in pending:
        pending += os.read(rfd, 4096)
    line, pending = pending.split(b"\n", 1)
    ts, jid = line.decode().split()
    if [jid] != ids:
        sys.exit("stamp of job %s, submitted %r" % (jid, ids))
    if i >= warmup:
        lat.append(float(ts) - t0)
    time.sleep(0.005)  # let the worker go idle again

lat.sort()
def pct(p):
    k = max(0, min(len(lat) - 1, int(-(-p * len(lat) // 100)) - 1))
    return lat[k] * 1000
print("%.3f %.3f %.3f %.3f" % (pct(50), pct(99), lat[0] * 1000, lat[-1] * 1000))
PY
read -r p50 p99 pmin pmax <"$JSV_TMP/pickup"
R[p50]=$p50 R[p99]=$p99 R[pmin]=$pmin R[pmax]=$pmax
# The machine's part of it: posix_spawn of the same handler to its first
# instruction, one at a time.
read -r R[floor50] R[floor99] < <("$JSV_TMP/stamp" floor "$BENCH_PICKUPS")
R[above50]=$(awk -v a="${R[p50]}" -v b="${R[floor50]}" 'BEGIN { printf "%.3f", a - b }')

# -- the peer, the same workload (exit 77: not installed).
rc=0
note "the same $BENCH_JOBS jobs through Sidekiq, if installed"
R[peer]="$("$abs_top_srcdir/t/bench/peer-sidekiq.sh" "$BENCH_JOBS" 10) jobs/s" ||
	rc=$?
[ "$rc" = 0 ] || R[peer]="not run (exit $rc)"

# -- the table.
mb()
{
	python3 -c 'import sys; print("%.1f MB" % (int(sys.argv[1]) / 1024.0))' "$1"
}

echo
printf 'jobsvc benchmark: %s CPUs, %s, %s\n' "$(nproc)" "$(uname -r)" "$(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-50s %-22s %s\n' "measure" "value" "target (SPEC §8)"
printf '%-50s %-22s %s\n' "-------" "-----" "----------------"
row()
{
	printf '%-50s %-22s %s\n' "$1" "$2" "${3:-}"
}
row "submission, submit --from, $BENCH_SUBMIT jobs" "${R[submit]} jobs/s"
for w in 2 10 50; do
	row "end-to-end /bin/true, $w workers, $BENCH_JOBS jobs" "${R[e2e.$w]} jobs/s" \
		"(incl. submit: ${R[e2e_submit.$w]} jobs/s)"
done
row "fork+exec /bin/true, 1 / 2 in flight" "${R[fork.1]} / ${R[fork.2]} /s"
row "posix_spawn /bin/true, 1 / 2 in flight" "${R[posix_spawn.1]} / ${R[posix_spawn.2]} /s"
row "Sidekiq 6 /bin/true, 10 threads, $BENCH_JOBS jobs" "${R[peer]}"
for w in 2 10 50; do
	row "end-to-end / posix_spawn (2 in flight), $w workers" \
		"${R[ratio.$w]} (${R[e2e.$w]} / ${R[spawn.$w]})" \
		"$([ "$w" = 10 ] && echo ">= 0.80")"
done
row "idle pickup p50, $BENCH_PICKUPS jobs" "${R[p50]} ms" "<= 2 ms"
row "idle pickup p99" "${R[p99]} ms" "<= 10 ms"
row "idle pickup min / max" "${R[pmin]} / ${R[pmax]} ms"
row "posix_spawn to the handler's start, p50 / p99" "${R[floor50]} / ${R[floor99]} ms"
row "idle pickup p50 above that" "${R[above50]} ms"
row "jobsvcd RSS idle (10 workers)" "$(mb "${R[rss_idle]}")" "<= 5 MB"
row "jobsvcd RSS, 50 busy workers" "$(mb "${R[rss_busy]}")" "<= 20 MB"

figure submit "submission, submit --from, $BENCH_SUBMIT jobs" \
	"${R[submit]} jobs/s"
figure spawn.fork "fork+exec /bin/true, 1 / 2 in flight" \
	"${R[fork.1]} / ${R[fork.2]} /s"
figure spawn.posix "posix_spawn /bin/true, 1 / 2 in flight" \
	"${R[posix_spawn.1]} / ${R[posix_spawn.2]} /s"
for w in 2 10 50; do
	figure "e2e.$w" "end-to-end /bin/true, $w workers, $BENCH_JOBS jobs" \
		"${R[e2e.$w]} jobs/s (posix_spawn ${R[spawn.$w]} /s around it)"
done
for w in 2 10 50; do
	figure "ratio.$w" "end-to-end / posix_spawn (2 in flight), $w workers" \
		"${R[ratio.$w]}" "$([ "$w" != 10 ] || echo ">= 0.80")"
done
figure ratio_fork.10 \
	"end-to-end at 10 workers / fork+exec (2 in flight, at the start)" \
	"$(quot "${R[e2e.10]}" "${R[fork.2]}")" \
	">= 0.80"
figure peer "Sidekiq /bin/true, 10 threads, $BENCH_JOBS jobs" "${R[peer]}"
case ${R[peer]} in
[0-9]*)
	figure peer_ratio "jobsvc at 10 workers / Sidekiq" \
		"$(quot "${R[e2e.10]}" "${R[peer]% *}")"
	;;
esac
figure pickup.p50 "idle pickup p50, $BENCH_PICKUPS jobs" "${R[p50]} ms" \
	"<= 2 ms"
figure pickup.p99 "idle pickup p99" "${R[p99]} ms" "<= 10 ms"
figure pickup.floor \
	"posix_spawn of the same handler to its start, p50 / p99 (the machine's part)" \
	"${R[floor50]} / ${R[floor99]} ms"
figure pickup.above "idle pickup p50 above the machine's part" \
	"${R[above50]} ms"
figure rss.idle "jobsvcd RSS idle (10 workers)" "$(mb "${R[rss_idle]}")" \
	"<= 5 MB"
figure rss.busy "jobsvcd RSS, 50 busy workers" "$(mb "${R[rss_busy]}")" \
	"<= 20 MB"
pass
