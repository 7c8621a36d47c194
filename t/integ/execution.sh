#!/bin/bash
# execution show: the status of a set of jobs sharing an execution id is
# Running while any is pending or running, then Error if any failed, else
# Stopped if any was stopped, else Success.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

exec_status()
{
	ctl -j execution show "$1" | jq_str .status
}

exec_status_is()
{
	[ "$(exec_status "$1")" = "$2" ]
}

# All succeed.
a=$(submit OK --execution ex-ok)
b=$(submit OK --execution ex-ok)
wait_status "$a" Success
wait_status "$b" Success
wait_for "ex-ok to be Success" exec_status_is ex-ok Success
js=$(ctl -j execution show ex-ok)
assert_eq "execution_id" ex-ok "$(printf '%s' "$js" | jq_str .execution_id)"
assert_eq "jobs of ex-ok" "$(printf '%s\n' "$a" "$b" | sort)" \
	"$(printf '%s' "$js" | jq -r '.jobs[].id' | sort)"
assert_eq "job show's execution_status" Success "$(job_field "$a" execution_status)"

# One running: Running; then stopped: Stopped.
c=$(submit OK --execution ex-stop)
d=$(submit SLEEP --execution ex-stop)
wait_status "$c" Success
wait_status "$d" Running
assert_eq "execution with a running job" Running "$(exec_status ex-stop)"
ctl job stop "$d" >/dev/null
wait_status "$d" Stopped
wait_for "ex-stop to be Stopped" exec_status_is ex-stop Stopped

# One error among successes (and a stop): Error.
e=$(submit OK --execution ex-err)
f=$(submit FAIL --execution ex-err)
ctl queue pause RECORD >/dev/null
g=$(submit RECORD --execution ex-err --param file="$DATA/ran")
wait_status "$e" Success
wait_status "$f" Error
assert_eq "execution with a pending job" Running "$(exec_status ex-err)"
ctl job stop "$g" >/dev/null
wait_for "ex-err to be Error" exec_status_is ex-err Error
assert_eq "jobs of ex-err" 3 "$(ctl -j execution show ex-err | jq '.jobs | length')"

run ctl execution show ex-err
assert_eq "execution show (table) exit" 0 "$RC"
assert_contains "execution show (table) lists a job" "$f" "$OUT"
expect_rc "an unknown execution" 1 ctl execution show no-such-execution
assert_imatch "an unknown execution" 'not found' "$ERR"
pass
