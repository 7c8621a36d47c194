#!/bin/bash
# Submitting a job of a type the configuration does not declare is refused
# with a clear error, and nothing is queued.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

expect_rc "submit of an unknown type" 1 ctl submit NO_SUCH_TYPE
assert_imatch "error message" 'unknown job type' "$ERR"
assert_eq "stdout of a refused submit" "" "$OUT"
assert_eq "pending jobs" 0 "$(ctl -j status | jq .queues.total)"
assert_eq "queues listed" "" "$(ctl -j queues | jq -r '.[] | select(.job_type == "NO_SUCH_TYPE") | .job_type')"

# Not a valid type name at all: a usage or request error, never a job.
run ctl submit 'bad type!'
assert_ne "submit of an invalid type name" 0 "$RC"
assert_eq "pending jobs" 0 "$(ctl -j status | jq .queues.total)"
# Unknown command: usage error.
expect_rc "an unknown command" 2 ctl frobnicate
pass
