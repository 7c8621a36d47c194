#!/bin/bash
# worker free kills the handler's whole process group (a grandchild too),
# the job ends Stopped and the worker is free.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

id=$(submit SPAWNER --param pidfile="$DATA/grandchild.pid")
wait_status "$id" Running
wait_for "the grandchild's pid file" test -s "$DATA/grandchild.pid"
gpid=$(cat "$DATA/grandchild.pid")
proc_alive "$gpid" || fail "grandchild $gpid is not running"
w=$(worker_of "$id")
assert_ne "worker running $id" "" "$w"
assert_eq "busy workers" 1 "$(ctl -j status | jq .workers.busy)"

run ctl worker free "$w"
assert_eq "worker free exit (stderr: $ERR)" 0 "$RC"
wait_status "$id" Stopped
wait_for "grandchild sleep $gpid to be killed" proc_gone "$gpid"
wait_for "worker $w to be free" job_has_no_worker "$id"
assert_eq "busy workers after free" 0 "$(ctl -j status | jq .workers.busy)"
assert_eq "job_id of the freed worker" "" \
	"$(ctl -j workers all | jq_str --arg w "$w" '.[] | select((.id | tostring) == $w) | .job_id')"

# worker free all: every busy worker.
a=$(submit SLEEP)
b=$(submit SLEEP)
wait_status "$a" Running
wait_status "$b" Running
run ctl worker free all
assert_eq "worker free all exit (stderr: $ERR)" 0 "$RC"
wait_status "$a" Stopped
wait_status "$b" Stopped
wait_for "all workers to be free" busy_workers_are 0

# An unknown worker id is refused by name, and nothing is freed.
run ctl worker free no-such-worker
assert_eq "worker free of an unknown worker exits" 1 "$RC"
assert_imatch "worker free of an unknown worker" 'not found: worker no-such-worker' "$ERR"
run ctl worker free "$(ctl -j pools | jq -r '.[0].worker_pool_id')-999"
assert_eq "worker free of a worker past the pool's size exits" 1 "$RC"
pass
