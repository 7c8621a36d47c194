#!/bin/bash
# A submitted job runs its handler once and ends Success: the handler reads
# the parameters on stdin and the JOBSVC_* variables in a clean environment,
# its stdout and stderr land in the job's log, and job show tells where and
# when it ran.
set -eu
. "${0%/*}/../lib.sh"

# Must not reach handlers: their environment is a clean one.
export JSV_LEAK_CHECK=leaked
start_daemon

id=$(submit OK --param greeting=hello --param who=world)
wait_status "$id" Success

assert_eq "job name" OK "$(job_field "$id" name)"
assert_eq "attempts" 1 "$(job_field "$id" attempts)"
assert_eq "error of a successful job" "" "$(job_field "$id" error)"
assert_eq "pool_id" "$(pool_id)" "$(job_field "$id" pool_id)"
assert_ne "worker_id" "" "$(job_field "$id" worker_id)"
for f in enqueue_time start_time end_time; do
	assert_match "$f (RFC 3339)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}' \
		"$(job_field "$id" "$f")"
done
assert_eq "parameters in job show" '{"greeting":"hello","who":"world"}' \
	"$(ctl -j job show "$id" | jq -cS .parameters)"

log=$(ctl job log "$id") || fail "job log $id failed"
assert_contains "log: stdout" "ok handler running" "$log"
assert_contains "log: stderr" "ok handler stderr line" "$log"
assert_contains "log: env" "job: $id name: OK attempt: 1" "$log"
params=$(printf '%s\n' "$log" | sed -n 's/^params: //p')
assert_eq "parameters on stdin" '{"greeting":"hello","who":"world"}' \
	"$(printf '%s' "$params" | jq -cS .)"

# --params JSON and --execution, seen through the env handler.
id=$(submit ENV --params '{"n": 42, "list": [1, 2]}' --execution exec-1)
wait_status "$id" Success
log=$(ctl job log "$id")
assert_contains "env: JOBSVC_JOB_ID" "JOBSVC_JOB_ID=$id" "$log"
assert_contains "env: JOBSVC_JOB_NAME" "JOBSVC_JOB_NAME=ENV" "$log"
assert_contains "env: JOBSVC_ATTEMPT" "JOBSVC_ATTEMPT=1" "$log"
assert_contains "env: JOBSVC_EXECUTION_ID" "JOBSVC_EXECUTION_ID=exec-1" "$log"
assert_no_match "env: the daemon's environment leaked" 'JSV_LEAK_CHECK' "$log"
assert_eq "execution_id" exec-1 "$(job_field "$id" execution_id)"
stdin=$(printf '%s\n' "$log" | sed -n 's/^stdin: //p')
assert_eq "--params on stdin" '{"list":[1,2],"n":42}' \
	"$(printf '%s' "$stdin" | jq -cS .)"

# Human output works too.
run ctl job show "$id"
assert_eq "job show exit" 0 "$RC"
assert_contains "job show (table) names the job" "$id" "$OUT"
pass
