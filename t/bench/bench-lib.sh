# SPDX-License-Identifier: ISC
#
# t/bench/bench-lib.sh: helpers the benchmarks share, sourced after
# t/lib.sh (t/bench/all.sh sources it alone, for figure()).

# ctl_ms N CMD...: runs `jobsvc-ctl -j CMD...` N times and prints the p50
# and p99 of its answer time in ms (jobsvc-ctl's start-up included),
# tab-separated.
ctl_ms()
{
	local n=$1 i s e
	shift
	: >"$JSV_TMP/ms"
	for ((i = 0; i < n; i++)); do
		s=$(now_us)
		ctl -j "$@" >/dev/null
		e=$(now_us)
		echo "$(((e - s) / 1000)).$((((e - s) % 1000) / 100))" >>"$JSV_TMP/ms"
	done
	python3 - "$JSV_TMP/ms" <<'PY'
import sys
ms = sorted(float(l) for l in open(sys.argv[1]) if l.strip())
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print("%.1f\t%.1f" % (p(0.50), p(0.99)))
PY
}

# quot A B [DIGITS]: prints A / B with DIGITS decimals (default 2).
quot()
{
	python3 -c 'import sys; print("%.*f" % (int(sys.argv[3]), float(sys.argv[1]) / float(sys.argv[2])))' \
		"$1" "$2" "${3:-2}"
}

# figure KEY LABEL VALUE [TARGET]: when BENCH_FIGURES names a file, appends
# to it one line of KEY, LABEL, VALUE, TARGET and the verdict, separated by
# tabs, for t/bench/all.sh's table.  VALUE starts with a number, then its
# unit and any detail ("0.71 (1021 / 1435 jobs/s)"); TARGET, when there is
# one, is an operator (<=, >=, <, >, =), a number and the unit ("<= 10 ms").
# The verdict compares the two numbers: "met" or "not met"; "not run" when
# VALUE does not start with a number; empty without a TARGET.
figure()
{
	local key=$1 label=$2 value=$3 target=${4:-} verdict=

	[ -n "${BENCH_FIGURES:-}" ] || return 0
	if [ -n "$target" ]; then
		verdict=$(awk -v v="$value" -v t="$target" 'BEGIN {
			split(t, w, " ")
			if (v !~ /^-?[0-9]*\.?[0-9]/) {
				print "not run"
				exit
			}
			x = v + 0
			y = w[2] + 0
			if (w[1] == "<=") ok = x <= y
			else if (w[1] == ">=") ok = x >= y
			else if (w[1] == "<") ok = x < y
			else if (w[1] == ">") ok = x > y
			else if (w[1] == "=") ok = x == y
			else {
				print "bad target"
				exit
			}
			print ok ? "met" : "not met"
		}')
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$key" "$label" "$value" "$target" \
		"$verdict" >>"$BENCH_FIGURES"
}

# finished_count: how many jobs have ended (Success, Error or Stopped: the
# namespace's finished set), read from Redis.
finished_count()
{
	redis_cli zcard test:finished
}

# wait_finished N: waits until N jobs have ended, and prints when it saw
# it (CLOCK_REALTIME, as $EPOCHREALTIME).  One python process polls Redis's
# socket every 5 ms: a wait that started a process or two at every poll
# (jobsvc-ctl, jq, redis-cli, sleep) would take a share of the CPUs from
# the pool it measures, on a machine where a process start is what is
# being measured.  Fails after 600 s.
wait_finished()
{
	python3 - "$REDIS_SOCK" test:finished "$1" <<'PY' || fail "the jobs did not finish"
import socket, sys, time
path, key, target = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
s = socket.socket(socket.AF_UNIX)
s.connect(path)
f = s.makefile("rb")
cmd = b"*2\r\n$5\r\nZCARD\r\n$%d\r\n%s\r\n" % (len(key), key)
deadline = time.monotonic() + 600
while True:
    s.sendall(cmd)
    line = f.readline()
    if not line.startswith(b":"):
        sys.exit("ZCARD: %r" % line)
    n = int(line[1:])
    if n >= target:
        print("%.6f" % time.time())
        break
    if time.monotonic() > deadline:
        sys.exit("%d of %d jobs ended after 600 s" % (n, target))
    time.sleep(0.005)
PY
}

# add_schedules N: N schedules of job type OK, all firing once a year, on
# 1 January: ten through jobsvc-ctl, the rest written as sched_add.lua
# writes them, a thousand per script call (jobsvc-ctl would take minutes).
add_schedules()
{
	local n=$1 i next_ms
	for ((i = 1; i <= 10 && i <= n; i++)); do
		ctl schedule add OK "0 0 0 1 1 *" --vendor-id "$i" >/dev/null
	done
	next_ms=$(($(date -u -d "$(($(date -u +%Y) + 1))-01-01" +%s) * 1000))
	for ((i = 11; i <= n; i += 1000)); do
		redis_cli EVAL "
			local p, t = 'test:', redis.call('TIME')[1]
			for v = tonumber(ARGV[1]), tonumber(ARGV[2]) do
				local id = redis.call('INCR', p .. 'sched:seq')
				redis.call('HSET', p .. 'sched:' .. id, 'id', id,
					'vendor_type', 'OK', 'vendor_id', v,
					'cron', '0 0 0 1 1 *', 'parameters', '{}',
					'create_time', t, 'update_time', t,
					'next_run', math.floor(ARGV[3] / 1000),
					'last_fire', '', 'last_job', '')
				redis.call('ZADD', p .. 'schedules', id, id)
				redis.call('ZADD', p .. 'sched:due', ARGV[3], id)
			end" 0 "$i" "$((i + 999 < n ? i + 999 : n))" \
			"$next_ms" >/dev/null
	done
}
