#!/bin/bash
# job stop: a pending job is Stopped and never runs; a running job's handler
# gets SIGTERM (SIGKILL after stop_grace if it ignores it), the job ends
# Stopped and its worker is free.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

# Pending.
ctl queue pause RECORD >/dev/null
p=$(submit RECORD --param file="$DATA/ran")
run ctl job stop "$p"
assert_eq "job stop of a pending job exits 0 (stderr: $ERR)" 0 "$RC"
assert_eq "status of the stopped pending job" Stopped "$(job_status "$p")"
assert_eq "count after stopping its only job" 0 "$(queue_field RECORD count)"
ctl queue resume RECORD >/dev/null
s=$(submit RECORD --param file="$DATA/ran")
wait_status "$s" Success
assert_eq "jobs that ran" "$s" "$(cut -d' ' -f1 "$DATA/ran")"
assert_eq "stopped pending job stays Stopped" Stopped "$(job_status "$p")"

# Running, handler that dies on SIGTERM.
r=$(submit SLEEP --param seconds=60 --param pidfile="$DATA/sleep.pid")
wait_status "$r" Running
wait_for "the handler to write its pid" test -s "$DATA/sleep.pid"
hpid=$(cat "$DATA/sleep.pid")
proc_alive "$hpid" || fail "handler $hpid of running job is not alive"
run ctl job stop "$r"
assert_eq "job stop of a running job exits 0 (stderr: $ERR)" 0 "$RC"
wait_status "$r" Stopped
wait_for "handler $hpid to be gone" proc_gone "$hpid"
wait_for "the worker of $r to be free" job_has_no_worker "$r"
assert_eq "error of a stopped job" "" "$(job_field "$r" error)"

# Running, handler that ignores SIGTERM: SIGKILL after stop_grace.
k=$(submit STUBBORN --param seconds=60 --param pidfile="$DATA/stubborn.pid")
wait_status "$k" Running
wait_for "the stubborn handler to write its pid" test -s "$DATA/stubborn.pid"
kpid=$(cat "$DATA/stubborn.pid")
ctl job stop "$k" >/dev/null || fail "job stop $k failed"
wait_status "$k" Stopped
wait_for "stubborn handler $kpid to be gone" proc_gone "$kpid"
wait_for "the worker of $k to be free" job_has_no_worker "$k"
assert_eq "busy workers at the end" 0 "$(ctl -j status | jq .workers.busy)"

# A final job cannot be stopped; an unknown one neither.
expect_rc "job stop of a finished job" 1 ctl job stop "$s"
assert_ne "message for stopping a finished job" "" "$ERR"
assert_eq "finished job after a refused stop" Success "$(job_status "$s")"
expect_rc "job stop of an unknown job" 1 ctl job stop 0123456789abcdef01234567
assert_imatch "message for an unknown job" 'no such|not found' "$ERR"
expect_rc "job show of an unknown job" 1 ctl job show 0123456789abcdef01234567
pass
