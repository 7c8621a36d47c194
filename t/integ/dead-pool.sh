#!/bin/bash
# A daemon SIGKILLed mid-job: once its heartbeat is older than dead_timeout,
# another daemon puts its running jobs back and runs them to Success; no job
# is lost, pending ones included.  The jobs run until the test opens their
# gate, after the kill, so their first runs surely die with their daemon.
set -eu
JSV_WORKERS=2
. "${0%/*}/../lib.sh"
start_daemon a
pa=$(pool_id a)
assert_ne "pool id of a" "" "$pa"

r1=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/open" --param n=1)
r2=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/open" --param n=2)
# Running, and the handlers really started (they record themselves first).
wait_for "both handlers to start" eval '[ "$(grep -c . "$DATA/ran" 2>/dev/null)" = 2 ]'
assert_eq "r1" Running "$(job_status "$r1")"
assert_eq "r2" Running "$(job_status "$r2")"
assert_eq "pool of r1" "$pa" "$(job_field "$r1" pool_id)"
ctl queue pause OK >/dev/null
p1=$(submit OK)

start_daemon b
pb=$(pool_id b)
kill_daemon a KILL
touch "$DATA/open"
ctl queue resume OK >/dev/null
wait_status -t 30 "$r1" Success
wait_status -t 30 "$r2" Success
wait_status "$p1" Success
assert_eq "pool of r1 after recovery" "$pb" "$(job_field "$r1" pool_id)"
assert_eq "pool of r2 after recovery" "$pb" "$(job_field "$r2" pool_id)"
for id in "$r1" "$r2"; do
	runs=$(grep -c "^$id " "$DATA/ran" || true)
	assert_eq "runs of $id (killed one, recovered one)" 2 "$runs"
done
status=$(ctl -j pools | jq_str --arg p "$pa" '.[] | select(.worker_pool_id == $p) | .status')
[ -z "$status" ] || assert_eq "status of the killed pool, if still listed" Dead "$status"
pass
