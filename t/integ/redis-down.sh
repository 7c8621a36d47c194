#!/bin/bash
# Redis goes away: the daemon keeps answering on its control socket, quickly,
# saying Redis is unavailable; once Redis is back (same socket, its AOF
# replayed) the daemon reconnects by itself and the pending jobs run.
set -eu
JSV_REDIS_AOF=1
. "${0%/*}/../lib.sh"
start_daemon

ctl queue pause RECORD >/dev/null
ids=()
for i in 1 2 3 4 5; do
	ids+=("$(submit RECORD --param file="$DATA/ran" --param i=$i)")
done

stop_redis KILL
t0=$(now_us)
run ctl status
took_ms=$((($(now_us) - t0) / 1000))
note "status with Redis down: exit $RC in ${took_ms} ms: $ERR$OUT"
if [ "$RC" = 0 ]; then
	# An answer may also carry the state instead of failing.
	assert_imatch "status with Redis down" 'unavailable' "$OUT"
else
	assert_eq "status with Redis down exits" 1 "$RC"
	assert_imatch "status with Redis down" 'Redis is unavailable' "$ERR"
fi
assert_int_cmp "status answer time with Redis down (ms)" "$took_ms" -lt $((3000 * JSV_SCALE))
run ctl queues
assert_eq "queues with Redis down exits" 1 "$RC"
assert_imatch "queues with Redis down" 'Redis is unavailable' "$ERR"
run ctl submit OK
assert_eq "submit with Redis down exits" 1 "$RC"
assert_imatch "submit with Redis down" 'Redis is unavailable' "$ERR"
proc_alive "$(daemon_pid)" || fail "daemon died when Redis went away"

start_redis
wait_for -t 30 "the daemon to reconnect to Redis" ctl queues
assert_eq "pending jobs kept by Redis" 5 "$(queue_field RECORD count)"
ctl queue resume RECORD >/dev/null
for id in "${ids[@]}"; do
	wait_status "$id" Success
done
assert_eq "runs" 5 "$(sort -u "$DATA/ran" | wc -l)"
id=$(submit OK)
wait_status "$id" Success
pass
