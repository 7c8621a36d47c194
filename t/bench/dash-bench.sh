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
# running a handler that sleeps.  Then times BENCH_N requests (200) of each
# page and API call (python3 http.client, one keep-alive connection, basic
# authentication) and prints p50/p99 per URL (target: p50 <= 10 ms).  Last,
# times `queue stop` of the big queue until every job is Stopped (target:
# <= 10 s) and reports Redis's longest command meanwhile (SLOWLOG; target:
# never blocked more than 50 ms).
#
# Run from a build tree, e.g.:
#	abs_top_builddir=$PWD /path/to/src/t/bench/dash-bench.sh
set -eu
: "${BENCH_PENDING:=1000000}"
: "${BENCH_SCHEDULES:=10000}"
: "${BENCH_WORKERS:=100}"
: "${BENCH_N:=200}"
: "${BENCH_BATCH:=100000}"
JSV_VALGRIND=0
JSV_WORKERS=$BENCH_WORKERS
JSV_HEARTBEAT=1s
JSV_DEAD_TIMEOUT=10s
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"

printf '#!/bin/sh\nexec sleep 3600\n' >"$JSV_TMP/h/busy"
chmod 755 "$JSV_TMP/h/busy"
clear_queues
set_queue FILL ok
set_queue BUSY "$JSV_TMP/h/busy"
set_queue OK ok
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
seq "$BENCH_SCHEDULES" | xargs -P 8 -n 50 sh -c '
	for i; do
		"$0" -s "$1" schedule add OK "0 $((i % 60)) $((i % 24)) * * *" \
			--vendor-id "$i" >/dev/null || exit 255
	done' "$JSV_CTL" "$SOCK" 2>/dev/null ||
	seq "$BENCH_SCHEDULES" | while read -r i; do
		ctl schedule add OK "0 $((i % 60)) $((i % 24)) * * *" --vendor-id "$i" >/dev/null
	done
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

# ---------------------------------------------------------- queue stop
redis_cli CONFIG SET slowlog-log-slower-than 1000 >/dev/null
redis_cli CONFIG SET slowlog-max-len 100000 >/dev/null
redis_cli SLOWLOG RESET >/dev/null
last=$(redis_cli LINDEX test:q:FILL -1)
t0=$EPOCHREALTIME
ctl queue stop FILL >/dev/null
ack_s=$(secs "$t0" "$EPOCHREALTIME")
wait_for -t 600 "FILL to be empty" test "$(queue_field FILL count)" = 0
wait_for -t 600 "the last FILL job to be Stopped" job_has_status "$last" Stopped
stop_s=$(secs "$t0" "$EPOCHREALTIME")
# Each entry: [id, time, microseconds, [command, args...], client, name].
redis_cli -2 --json SLOWLOG GET 100000 >"$JSV_TMP/slowlog.json"
slow=$(jq -r '(map(.[2]) | max // 0) / 1000 | tostring' "$JSV_TMP/slowlog.json")
slow_cmd=$(jq -r 'max_by(.[2]) // empty | .[3][0:2] | join(" ")' "$JSV_TMP/slowlog.json")
slow_n=$(jq -r '[.[] | select(.[2] > 50000)] | length' "$JSV_TMP/slowlog.json")

# ------------------------------------------------------------------ report
echo
printf 'dashboard with %d pending jobs, %d schedules, %d busy workers (target p50 <= 10 ms)\n' \
	"$BENCH_PENDING" "$BENCH_SCHEDULES" "$BENCH_WORKERS"
printf '%-70s %6s %8s %9s %9s\n' URL status bytes 'p50 ms' 'p99 ms'
while IFS=$'\t' read -r path status size p50 p99 verdict; do
	printf '%-70s %6s %8s %9s %9s %s\n' "${path:0:70}" "$status" "$size" "$p50" "$p99" "$verdict"
done <"$JSV_TMP/times.txt"
echo
printf '%-52s %s\n' "submit --from of $BENCH_PENDING jobs" "${submit_s} s"
printf '%-52s %s\n' "adding $BENCH_SCHEDULES schedules (jobsvc-ctl)" "${sched_s} s"
printf '%-52s %s\n' "queue stop: answered" "${ack_s} s"
printf '%-52s %s\n' "queue stop: all $BENCH_PENDING Stopped (target <= 10 s)" "${stop_s} s"
printf '%-52s %s\n' "longest Redis command meanwhile (target <= 50 ms)" "${slow} ms"
[ -z "$slow_cmd" ] || printf '%-52s %s\n' "  which was" "$slow_cmd"
printf '%-52s %s\n' "  commands over 50 ms" "$slow_n"
pass
