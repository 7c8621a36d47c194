#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/bench/dash-bench.sh: the dashboard's targets of SPEC §8, measured
# through nginx.  Not part of `make check`: it measures, asserts nothing,
# and prints a table.
#
# Builds the state quickly: BENCH_PENDING jobs (default 1,000,000) in a
# paused queue, submitted with `jobsvc-ctl submit --from` in batches;
# BENCH_SCHEDULES schedules (10,000); BENCH_WORKERS busy workers (100), each
# running a handler that sleeps; BENCH_TYPES job types declared (1,000, all
# but three empty).  Then times BENCH_N requests (200) of each page and API
# call (python3 http.client, one keep-alive connection, basic
# authentication) and prints p50/p99 per URL (target: p50 <= 10 ms), and
# the same for `jobsvc-ctl -j status` and `queues` (its start-up
# included), each with the Redis commands one call costs (from MONITOR:
# sent by the daemon, and run inside its scripts).  Last, times `queue
# stop` of the big queue until every job is Stopped (target: <= 10 s),
# reports Redis's latency events over 50 ms meanwhile (LATENCY LATEST with
# latency-monitor-threshold 50; target: none) and its longest command
# (SLOWLOG), and how the daemon kept up meanwhile: `status` asked again and
# again from another client, and the longest gap between its heartbeats.
# With BENCH_FIGURES set, also appends the figures and their verdicts to
# that file (figure() in t/bench/bench-lib.sh), for t/bench/all.sh.
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/dash-bench.sh
set -eu
: "${BENCH_PENDING:=1000000}"
: "${BENCH_SCHEDULES:=10000}"
: "${BENCH_WORKERS:=100}"
: "${BENCH_N:=200}"
: "${BENCH_BATCH:=100000}"
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

secs()
{
	python3 -c 'import sys; print("%.2f" % (float(sys.argv[2]) - float(sys.argv[1])))' "$1" "$2"
}

# ------------------------------------------------------------- the state
note "submitting $BENCH_PENDING jobs to the paused FILL queue"
ctl queue pause FILL >/dev/null
t0=$EPOCHREALTIME
done_n=0
while [ "$done_n" -lt "$BENCH_PENDING" ]; do
	n=$((BENCH_PENDING - done_n))
	[ "$n" -le "$BENCH_BATCH" ] || n=$BENCH_BATCH
	awk -v s="$done_n" -v n="$n" 'BEGIN {
		for (i = s; i < s + n; i++)
			printf "{\"name\":\"FILL\",\"parameters\":{\"n\":%d}}\n", i
	}' | ctl submit --from - >/dev/null
	done_n=$((done_n + n))
done
submit_s=$(secs "$t0" "$EPOCHREALTIME")
note "submitted in ${submit_s}s; adding $BENCH_SCHEDULES schedules"

t0=$EPOCHREALTIME
add_schedules "$BENCH_SCHEDULES"
assert_eq "schedules" "$BENCH_SCHEDULES" "$(redis_cli ZCARD test:schedules)"
sched_s=$(secs "$t0" "$EPOCHREALTIME")
note "schedules in ${sched_s}s; starting $BENCH_WORKERS busy workers"

for i in $(seq "$BENCH_WORKERS"); do
	printf '{"name":"BUSY","parameters":{"n":%d}}\n' "$i"
done | ctl submit --from - >"$JSV_TMP/busy.ids"
wait_for -t 60 "$BENCH_WORKERS busy workers" busy_workers_are "$BENCH_WORKERS"
busy_id=$(head -n 1 "$JSV_TMP/busy.ids")
pool=$(pool_id)
assert_eq "pending FILL jobs" "$BENCH_PENDING" "$(queue_field FILL count)"

# ------------------------------------------------------------ the requests
expect_web "main page" 200 -u admin ''
sched_url=$(link_to Schedules)
workers_url=$(link_to Workers)
expect_web "workers tab" 200 -u admin "$workers_url"
pool_url=$(links | awk -F '\t' -v p="$pool" 'index($2, p) || $1 == p { print $2; exit }')
[ -n "$pool_url" ] || pool_url=$workers_url
expect_web "pool page" 200 -u admin "$pool_url"
job_url=$(links | awk -F '\t' -v j="$busy_id" 'index($2, j) { print $2; exit }')
[ -n "$job_url" ] || job_url=$(links | awk -F '\t' '$2 ~ /[0-9a-f]{24}/ { print $2; exit }')
api=${DASH_URL}api/v2.0/

urls=(
	"$DASH_URL"
	"${DASH_URL}?page=2"
	"${DASH_URL}jobs"
	"$sched_url"
	"${sched_url}$( [[ $sched_url == *\?* ]] && echo '&' || echo '?')page=300"
	"$workers_url"
	"$pool_url"
	"$job_url"
	"${api}jobservice/queues"
	"${api}jobservice/pools"
	"${api}jobservice/pools/$pool/workers"
	"${api}jobservice/jobs/$busy_id/log"
	"${api}schedules?page=1&page_size=100"
	"${api}schedules?page=100&page_size=100"
	"${api}schedules/all/paused"
)

note "timing $BENCH_N requests of ${#urls[@]} URLs"
python3 - "$BENCH_N" admin "$ADMIN_PW" "${urls[@]}" >"$JSV_TMP/times.txt" <<'PY'
import base64, http.client, sys, time, urllib.parse
n, user, pw, urls = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
auth = "Basic " + base64.b64encode(("%s:%s" % (user, pw)).encode()).decode()
for url in urls:
    u = urllib.parse.urlsplit(url)
    path = u.path + ("?" + u.query if u.query else "")
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    times, status, size = [], None, 0
    for i in range(n + 5):
        t = time.perf_counter()
        c.request("GET", path, headers={"Authorization": auth})
        r = c.getresponse()
        body = r.read()
        dt = (time.perf_counter() - t) * 1000
        status, size = r.status, len(body)
        if i >= 5:          # warm-up
            times.append(dt)
    c.close()
    times.sort()
    p50 = times[len(times) // 2]
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print("%s\t%d\t%d\t%.2f\t%.2f\t%s" % (
        path, status, size, p50, p99, "ok" if p50 <= 10 else "SLOW"))
PY

note "timing $BENCH_N jobsvc-ctl -j status and queues"
for cmd in status queues; do
	IFS=$'\t' read -r p50 p99 < <(ctl_ms "$BENCH_N" "$cmd")
	verdict=$(awk -v p="$p50" 'BEGIN { print p <= 10 ? "ok" : "SLOW" }')
	printf 'jobsvc-ctl -j %s\t-\t-\t%s\t%s\t%s\n' "$cmd" "$p50" "$p99" "$verdict"
done >>"$JSV_TMP/times.txt"

# The Redis commands of each URL and ctl call, from MONITOR: 3 calls of
# each between two PINGs naming it.
note "counting the Redis commands of each call"
redis-cli -s "$REDIS_SOCK" MONITOR >"$JSV_TMP/monitor" &
mon_pid=$!
wait_for "MONITOR to start" test -s "$JSV_TMP/monitor"
for ((i = 0; i < ${#urls[@]}; i++)); do
	redis_cli PING "mark-$i" >/dev/null
	for r in 1 2 3; do
		curl -s -o /dev/null -u "admin:$ADMIN_PW" "${urls[i]}"
	done
done
for cmd in status queues; do
	redis_cli PING "mark-$cmd" >/dev/null
	for r in 1 2 3; do
		ctl -j "$cmd" >/dev/null
	done
done
redis_cli PING mark-end >/dev/null
wait_for "MONITOR to see the last PING" grep -q '"mark-end"' "$JSV_TMP/monitor"
kill "$mon_pid"
wait "$mon_pid" 2>/dev/null || true
# One line per call in the order of times.txt: "SENT / IN SCRIPTS".
python3 - "$JSV_TMP/monitor" "${#urls[@]}" >"$JSV_TMP/counts.txt" <<'PY'
import re, sys
counts, cur = {}, None
for l in open(sys.argv[1]):
    m = re.search(r'"PING" "mark-([^"]+)"', l)
    if m:
        cur = m.group(1)
        counts[cur] = [0, 0]
        continue
    if cur is None or ' [' not in l:
        continue
    counts[cur][1 if 'lua]' in l else 0] += 1
for k in [str(i) for i in range(int(sys.argv[2]))] + ["status", "queues"]:
    c = counts.get(k, [0, 0])
    print("%.0f / %.0f" % (c[0] / 3, c[1] / 3))
PY

# ---------------------------------------------------------- queue stop
redis_cli CONFIG SET slowlog-log-slower-than 1000 >/dev/null
redis_cli CONFIG SET slowlog-max-len 100000 >/dev/null
redis_cli CONFIG SET latency-monitor-threshold 50 >/dev/null
redis_cli SLOWLOG RESET >/dev/null
redis_cli LATENCY RESET >/dev/null
last=$(redis_cli LINDEX test:q:FILL -1)
heartbeat_gap()
{
	local prev now gap=0 since t
	prev=$(redis_cli HGET "test:pool:$pool" heartbeat_at)
	since=$(now_us)
	while [ ! -e "$JSV_TMP/stop.over" ]; do
		now=$(redis_cli HGET "test:pool:$pool" heartbeat_at)
		t=$(now_us)
		if [ "$now" != "$prev" ]; then
			prev=$now
			since=$t
		fi
		[ $(((t - since) / 1000)) -le "$gap" ] || gap=$(((t - since) / 1000))
		sleep 0.05
	done
	echo "$gap" >"$JSV_TMP/hb.gap"
}
rm -f "$JSV_TMP/stop.over"
heartbeat_gap &
hb_pid=$!
t0=$EPOCHREALTIME
ctl queue stop FILL >/dev/null 2>&1 &
stop_pid=$!
stop_over()
{
	[ "$(redis_cli SCARD test:stopping)" = 0 ] &&
		[ "$(redis_cli HGET "test:job:$last" status)" = Stopped ]
}
: >"$JSV_TMP/status.ms"
until stop_over; do
	s=$(now_us)
	ctl -j status >/dev/null
	e=$(now_us)
	echo "$(((e - s) / 1000))" >>"$JSV_TMP/status.ms"
done
stop_s=$(secs "$t0" "$EPOCHREALTIME")
# jobsvc-ctl gives up after 30 s; the stop goes on, and is timed here.
wait "$stop_pid" || note "jobsvc-ctl queue stop gave up before the stop was over"
touch "$JSV_TMP/stop.over"
wait "$hb_pid"
assert_eq "pending FILL jobs after the stop" 0 "$(queue_field FILL count)"
hb_gap=$(cat "$JSV_TMP/hb.gap")
read -r st_n st_p50 st_max < <(sort -n "$JSV_TMP/status.ms" |
	awk '{ v[NR] = $1 } END { print NR, v[int((NR + 1) / 2)], v[NR] }')
# Each entry: [id, time, microseconds, [command, args...], client, name].
redis_cli -2 --json SLOWLOG GET 100000 >"$JSV_TMP/slowlog.json"
slow=$(jq -r '(map(.[2]) | max // 0) / 1000 | tostring' "$JSV_TMP/slowlog.json")
slow_cmd=$(jq -r 'max_by(.[2]) // empty | .[3][0:2] | join(" ")' "$JSV_TMP/slowlog.json")
latency=$(redis_cli LATENCY LATEST | tr '\n' ' ')
# Each entry: [event, time, latest ms, max ms].
redis_cli -2 --json LATENCY LATEST >"$JSV_TMP/latency.json"
lat_n=$(jq length "$JSV_TMP/latency.json")
lat_max=$(jq -r 'max_by(.[3]) // empty | "\(.[3]) ms, \(.[0])"' \
	"$JSV_TMP/latency.json")

# ------------------------------------------------------------------ report
echo
printf 'dashboard with %d pending jobs, %d schedules, %d busy workers (target p50 <= 10 ms)\n' \
	"$BENCH_PENDING" "$BENCH_SCHEDULES" "$BENCH_WORKERS"
printf '%d job types declared\n' "$BENCH_TYPES"
printf '%-60s %6s %8s %8s %8s %-4s %s\n' URL status bytes 'p50 ms' 'p99 ms' '' \
	'Redis commands: sent / in scripts'
paste "$JSV_TMP/times.txt" "$JSV_TMP/counts.txt" |
	while IFS=$'\t' read -r path status size p50 p99 verdict count; do
		printf '%-60s %6s %8s %8s %8s %-4s %s\n' "${path:0:60}" "$status" \
			"$size" "$p50" "$p99" "$verdict" "$count"
	done
echo
printf '%-52s %s\n' "submit --from of $BENCH_PENDING jobs" "${submit_s} s"
printf '%-52s %s\n' "adding $BENCH_SCHEDULES schedules" "${sched_s} s"
printf '%-52s %s\n' "queue stop: all $BENCH_PENDING Stopped (target <= 10 s)" "${stop_s} s"
printf '%-52s %s\n' "longest Redis command meanwhile (target <= 50 ms)" "${slow} ms"
[ -z "$slow_cmd" ] || printf '%-52s %s\n' "  which was" "$slow_cmd"
printf '%-52s %s\n' "Redis latency events over 50 ms (target: none)" "${latency:-none}"
printf '%-52s %s\n' "status asked during the stop" "$st_n"
printf '%-52s %s\n' "  answer time p50 / max (jobsvc-ctl included)" "$st_p50 / $st_max ms"
printf '%-52s %s\n' "longest gap between heartbeats (every 1 s)" "$hb_gap ms"

sizes="$BENCH_PENDING pending, $BENCH_SCHEDULES schedules, $BENCH_WORKERS busy, $BENCH_TYPES types"
figure dash.state "the state: $sizes" \
	"$submit_s s to submit the jobs, $sched_s s to add the schedules"
base=/${DASH_URL#*://*/}
i=0
paste "$JSV_TMP/times.txt" "$JSV_TMP/counts.txt" |
	while IFS=$'\t' read -r path status size p50 p99 verdict count; do
		rel=${path#"$base"}
		case $path in
		jobsvc-ctl*) what=$path ;;
		"$base"api/v2.0/*) what="API ${rel#api/v2.0/}" status="HTTP $status; " ;;
		*) what="page /$rel" status="HTTP $status; " ;;
		esac
		[ "$status" != - ] || status=
		figure "dash.$i" "${what:0:56} p50" \
			"$p50 ms (p99 $p99 ms; ${status}Redis commands sent / in scripts: $count)" \
			"<= 10 ms"
		i=$((i + 1))
	done
figure dash.stop "queue stop of $BENCH_PENDING jobs, until all are Stopped" \
	"$stop_s s" "<= 10 s"
figure dash.latency "Redis latency events of 50 ms or more during the stop" \
	"$lat_n${lat_max:+ (max $lat_max)}" "= 0"
figure dash.slowlog "longest Redis command during the stop (SLOWLOG)" \
	"$slow ms${slow_cmd:+ ($slow_cmd)}" "<= 50 ms"
figure dash.status "status during the stop: answers, p50 / max" \
	"$st_n, $st_p50 / $st_max ms (jobsvc-ctl start-up included)"
figure dash.heartbeat "longest gap between heartbeats (every 1 s) in the stop" \
	"$hb_gap ms"
pass
