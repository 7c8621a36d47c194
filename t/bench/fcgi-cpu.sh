#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/fcgi-cpu.sh: what each dashboard page and API call costs in CPU
# time, per request, in jobsvc-fcgi (all its processes), nginx, the daemon
# and Redis, with the p50 and p99 through nginx.  Not part of `make check`:
# it measures and prints a table.
#
# The state is dash-bench.sh's without the queue stop: BENCH_TYPES job
# types declared (1,000, all but three empty), BENCH_PENDING pending jobs
# (default 10,000: the pages' cost does not depend on it, one ZCARD/LLEN
# counts them) in a paused queue, BENCH_SCHEDULES schedules (10,000) and
# BENCH_WORKERS busy workers (100).  Each URL is asked BENCH_N times (200)
# over one keep-alive connection; the CPU times are read from
# /proc/PID/stat before and after (clock ticks: 10 ms each, so 200
# requests give 0.05 ms per request of resolution).  The machine's load
# average is printed with the table: p50s of a busy machine mean little,
# the CPU times per request are what to compare.
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/fcgi-cpu.sh
set -eu
: "${BENCH_PENDING:=10000}"
: "${BENCH_SCHEDULES:=10000}"
: "${BENCH_WORKERS:=100}"
: "${BENCH_N:=200}"
: "${BENCH_TYPES:=1000}"
JSV_VALGRIND=0
: "${JSV_CTL_TIMEOUT:=600}"
JSV_WORKERS=$BENCH_WORKERS
JSV_HEARTBEAT=1s
JSV_DEAD_TIMEOUT=10s
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
. "${0%/*}/bench-lib.sh"

printf '#!/bin/sh\nexec sleep 3600\n' >"$JSV_TMP/h/busy"
chmod 755 "$JSV_TMP/h/busy"
clear_queues
set_queue FILL ok
set_queue BUSY "$JSV_TMP/h/busy"
set_queue OK ok
for ((i = 3; i < BENCH_TYPES; i++)); do
	set_queue "$(printf 'EMPTY_%04d' "$i")" ok
done
start_daemon
start_dash

note "submitting $BENCH_PENDING jobs to the paused FILL queue"
ctl queue pause FILL >/dev/null
awk -v n="$BENCH_PENDING" 'BEGIN {
	for (i = 0; i < n; i++)
		printf "{\"name\":\"FILL\",\"parameters\":{\"n\":%d}}\n", i
}' | ctl submit --from - >/dev/null
note "adding $BENCH_SCHEDULES schedules"
add_schedules "$BENCH_SCHEDULES"
note "starting $BENCH_WORKERS busy workers"
for i in $(seq "$BENCH_WORKERS"); do
	printf '{"name":"BUSY","parameters":{"n":%d}}\n' "$i"
done | ctl submit --from - >"$JSV_TMP/busy.ids"
wait_for -t 60 "$BENCH_WORKERS busy workers" busy_workers_are "$BENCH_WORKERS"
busy_id=$(head -n 1 "$JSV_TMP/busy.ids")
pool=$(pool_id)

api=${DASH_URL}api/v2.0/
urls=(
	"$DASH_URL"
	"${DASH_URL}?page=2"
	"${DASH_URL}schedules"
	"${DASH_URL}schedules?page=300"
	"${DASH_URL}workers"
	"${DASH_URL}workers?pool=$pool"
	"${DASH_URL}jobs"
	"${DASH_URL}jobs?status=Pending&type=FILL"
	"${DASH_URL}jobs/$busy_id"
	"${DASH_URL}audit"
	"${api}jobservice/queues"
	"${api}jobservice/pools"
	"${api}jobservice/pools/$pool/workers"
	"${api}jobservice/jobs?status=Pending"
	"${api}schedules?page=1&page_size=100"
	"${api}schedules/all/paused"
)

# The processes whose CPU time is counted, by group.
fcgi_pids()
{
	echo "$FCGI_PID"
	pgrep -P "$FCGI_PID" || true
}
nginx_pids()
{
	echo "$NGINX_PID"
	pgrep -P "$NGINX_PID" || true
}
{
	echo "fcgi $(fcgi_pids | tr '\n' ' ')"
	echo "nginx $(nginx_pids | tr '\n' ' ')"
	echo "daemon $(daemon_pid)"
	echo "redis $REDIS_PID"
} >"$JSV_TMP/pids"

note "timing $BENCH_N requests of ${#urls[@]} URLs"
python3 - "$BENCH_N" admin "$ADMIN_PW" "$JSV_TMP/pids" "${urls[@]}" <<'PY' >"$JSV_TMP/table"
import base64, http.client, os, sys, time, urllib.parse
n, user, pw, pidfile, urls = (int(sys.argv[1]), sys.argv[2], sys.argv[3],
                              sys.argv[4], sys.argv[5:])
groups = []
for line in open(pidfile):
    name, *pids = line.split()
    groups.append((name, [int(p) for p in pids]))
hz = os.sysconf("SC_CLK_TCK")

def ticks(pids):
    t = 0
    for p in pids:
        try:
            f = open("/proc/%d/stat" % p).read()
        except OSError:
            continue
        f = f[f.rindex(")") + 2:].split()
        t += int(f[11]) + int(f[12])  # utime, stime
    return t

auth = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
print("%-44s %4s %8s %6s %6s %s" % ("URL", "st", "bytes", "p50", "p99",
      " ".join("%7s" % g[0] for g in groups)))
for url in urls:
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    for i in range(5):
        c.request("GET", path, headers={"Authorization": auth})
        c.getresponse().read()
    before = [ticks(g[1]) for g in groups]
    times = []
    for i in range(n):
        t = time.perf_counter()
        c.request("GET", path, headers={"Authorization": auth})
        r = c.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t) * 1000)
    after = [ticks(g[1]) for g in groups]
    c.close()
    times.sort()
    p50 = times[len(times) // 2]
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    cpu = ["%7.2f" % ((a - b) * 1000.0 / hz / n)
           for a, b in zip(after, before)]
    short = path.split("/job-service-dashboard/", 1)[-1] or "/"
    print("%-44s %4d %8d %6.2f %6.2f %s" % (short[:44], r.status, len(body),
          p50, p99, " ".join(cpu)))
PY
echo
printf 'CPU ms per request; %d types, %d pending, %d schedules, %d busy workers\n' \
	"$BENCH_TYPES" "$BENCH_PENDING" "$BENCH_SCHEDULES" "$BENCH_WORKERS"
printf 'load average: %s\n' "$(cut -d ' ' -f 1-3 /proc/loadavg)"
cat "$JSV_TMP/table"
pass
