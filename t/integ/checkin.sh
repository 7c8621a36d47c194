#!/bin/bash
# Lines a handler writes to fd 3 become the job's check_in, shown by job show
# and by the workers table, with the time they arrived.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

id=$(submit CHECKIN --param message="step 2 of 3" --param seconds=60)
wait_for "check_in of $id to be 'step 2 of 3'" \
	job_field_is "$id" check_in "step 2 of 3"
assert_eq "status while checking in" Running "$(job_status "$id")"
assert_match "check_in_at" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$(job_field "$id" check_in_at)"

workers=$(ctl -j workers all)
w=$(printf '%s\n' "$workers" | jq -c --arg j "$id" '[.[] | select(.job_id == $j)] | first')
assert_ne "a worker runs $id" null "$w"
assert_eq "worker job_name" CHECKIN "$(printf '%s' "$w" | jq_str .job_name)"
assert_eq "worker check_in" "step 2 of 3" "$(printf '%s' "$w" | jq_str .check_in)"
assert_match "worker checkin_at" '^[0-9]{4}-' "$(printf '%s' "$w" | jq_str .checkin_at)"
assert_eq "worker pool_id" "$(pool_id)" "$(printf '%s' "$w" | jq_str .pool_id)"
run ctl workers "$(pool_id)"
assert_eq "workers POOL_ID exit" 0 "$RC"
assert_contains "workers table shows the check-in" "step 2 of 3" "$OUT"

ctl job stop "$id" >/dev/null
wait_status "$id" Stopped
pass
