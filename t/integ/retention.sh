#!/bin/bash
# Retention: with retention = 10s and error_retention = 20s, a Success or
# Stopped job and its log are deleted 10 s after it ended, an Error job
# 20 s after (long enough for the test to read the ended jobs first, even
# on a loaded machine), by Redis's clock (in whole seconds, the resolution of end_time);
# `job show` then says "not found", and an execution whose jobs were all
# deleted is not found either.  The checks compare the job's end_time with
# Redis's own time once the job is gone: no clock but Redis's, no margin.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/lifecycle-lib.sh"
JSV_MAIN_EXTRA='retention = 10s
error_retention = 20s'
start_daemon
L=$JSV_TMP/logs

# Redis's time, in Unix seconds.
redis_now()
{
	redis_cli TIME | head -n 1
}

ok=$(submit OK --execution 7001)
bad=$(submit FAIL --execution 7001)
ctl queue pause SLEEP >/dev/null
st=$(submit SLEEP --execution 7002)
ctl job stop "$st" >/dev/null
wait_status "$ok" Success
wait_status "$bad" Error
end_ok=$(epoch "$(job_field "$ok" end_time)")
end_bad=$(epoch "$(job_field "$bad" end_time)")
end_st=$(epoch "$(job_field "$st" end_time)")
assert_eq "status of the stopped job" Stopped "$(job_status "$st")"
[ -s "$L/$ok.log" ] || fail "no log for the Success job $ok"
[ -s "$L/$bad.log" ] || fail "no log for the Error job $bad"
assert_eq "execution 7001 before retention" Error "$(ctl -j execution show 7001 | jq -r .status)"

wait_for -t 60 "the Success job $ok to be deleted" job_gone "$ok"
assert_int_cmp "Redis's time once the Success job was gone, minus its end_time (retention 10s)" \
	$(($(redis_now) - end_ok)) -ge 10
expect_rc "job show of a deleted job" 1 ctl job show "$ok"
assert_imatch "its error" 'not found' "$ERR"
[ ! -e "$L/$ok.log" ] || fail "the log of the deleted job $ok is still in log_dir"
wait_for -t 60 "the Stopped job $st to be deleted" job_gone "$st"
assert_int_cmp "Redis's time once the Stopped job was gone, minus its end_time (retention 10s)" \
	$(($(redis_now) - end_st)) -ge 10
expect_rc "execution show of an execution whose only job was deleted" 1 ctl execution show 7002
assert_imatch "its error" 'not found' "$ERR"

# The Error job outlives them.  What is read below must show it if Redis's
# time, read after it, says its retention has not run out yet.
bad_status=$(job_status "$bad" || true)
bad_log=no
[ ! -e "$L/$bad.log" ] || bad_log=yes
run ctl -j execution show 7001
exec_rc=$RC
exec_jobs=$(printf '%s\n' "$OUT" | jq '.jobs | length' 2>/dev/null || true)
exec_status=$(printf '%s\n' "$OUT" | jq -r .status 2>/dev/null || true)
if [ "$(redis_now)" -lt $((end_bad + 20)) ]; then
	assert_eq "status of the Error job after the others were deleted" Error "$bad_status"
	assert_eq "log of the Error job kept" yes "$bad_log"
	assert_eq "execution show with one job left" 0 "$exec_rc"
	assert_eq "jobs of execution 7001 left" 1 "$exec_jobs"
	assert_eq "status of execution 7001" Error "$exec_status"
else
	note "the Error job's retention ran out before it was checked: not checked"
fi

wait_for -t 60 "the Error job $bad to be deleted" job_gone "$bad"
assert_int_cmp "Redis's time once the Error job was gone, minus its end_time (error_retention 20s)" \
	$(($(redis_now) - end_bad)) -ge 20
[ ! -e "$L/$bad.log" ] || fail "the log of the deleted job $bad is still in log_dir"
expect_rc "execution show of an execution whose jobs were deleted" 1 ctl execution show 7001
assert_imatch "its error" 'not found' "$ERR"
pass
