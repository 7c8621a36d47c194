#!/bin/bash
# Retention: with retention = 2s and error_retention = 4s, a Success or
# Stopped job and its log are deleted about 2 s after it ended, an Error
# job about 4 s after; `job show` then says "not found", and an execution
# whose jobs were all deleted is not found either.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/lifecycle-lib.sh"
JSV_MAIN_EXTRA='retention = 2s
error_retention = 4s'
start_daemon
L=$JSV_TMP/logs

ok=$(submit OK --execution 7001)
bad=$(submit FAIL --execution 7001)
ctl queue pause SLEEP >/dev/null
st=$(submit SLEEP --execution 7002)
ctl job stop "$st" >/dev/null
wait_status "$ok" Success
t_ok=$(now_us)
wait_status "$bad" Error
t_bad=$(now_us)
assert_eq "status of the stopped job" Stopped "$(job_status "$st")"
[ -s "$L/$ok.log" ] || fail "no log for the Success job $ok"
[ -s "$L/$bad.log" ] || fail "no log for the Error job $bad"
assert_eq "execution 7001 before retention" Error "$(ctl -j execution show 7001 | jq -r .status)"

wait_for -t 6 "the Success job $ok to be deleted" job_gone "$ok"
el=$((($(now_us) - t_ok) / 1000))
note "Success job deleted ${el} ms after it ended"
assert_int_cmp "ms until the Success job was deleted (retention 2s)" "$el" -ge 1000
expect_rc "job show of a deleted job" 1 ctl job show "$ok"
assert_imatch "its error" 'not found' "$ERR"
[ ! -e "$L/$ok.log" ] || fail "the log of the deleted job $ok is still in log_dir"
wait_for -t 3 "the Stopped job $st to be deleted" job_gone "$st"
expect_rc "execution show of an execution whose only job was deleted" 1 ctl execution show 7002
assert_imatch "its error" 'not found' "$ERR"

# The Error job outlives them.
assert_eq "status of the Error job after 2 s" Error "$(job_status "$bad")"
[ -e "$L/$bad.log" ] || fail "the log of the Error job went with the Success job's"
expect_rc "execution show with one job left" 0 ctl -j execution show 7001
assert_eq "jobs of execution 7001 left" 1 "$(printf '%s\n' "$OUT" | jq '.jobs | length')"
assert_eq "status of execution 7001" Error "$(printf '%s\n' "$OUT" | jq -r .status)"

wait_for -t 8 "the Error job $bad to be deleted" job_gone "$bad"
el=$((($(now_us) - t_bad) / 1000))
note "Error job deleted ${el} ms after it ended"
assert_int_cmp "ms until the Error job was deleted (error_retention 4s)" "$el" -ge 3000
[ ! -e "$L/$bad.log" ] || fail "the log of the deleted job $bad is still in log_dir"
expect_rc "execution show of an execution whose jobs were deleted" 1 ctl execution show 7001
assert_imatch "its error" 'not found' "$ERR"
pass
