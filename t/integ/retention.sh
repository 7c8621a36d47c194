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
. "${0%/*}/../lifecycle-lib.sh"
JSV_MAIN_EXTRA='retention = 10s
error_retention = 20s'
start_daemon
L=$JSV_TMP/logs

# Redis's time, in Unix seconds.
redis_now()
{
	redis_cli TIME | head -n 1
}

# status_or_gone ID STATUS
status_or_gone()
{
	[ "$(job_status "$1" 2>/dev/null)" = "$2" ] || job_gone "$1"
}

# ended_at ID STATUS: waits for job ID to end with STATUS and prints its
# end_time (Unix seconds).  When it is gone already (a machine so slow
# that its retention ran out before the test looked), prints $t0, Redis's
# time before it was submitted: no later than its end_time, so that the
# checks of when it was deleted still hold.
ended_at()
{
	local json
	wait_for "job $1 to be $2 (or deleted already)" status_or_gone "$1" "$2"
	if json=$(ctl -j job show "$1" 2>/dev/null); then
		epoch "$(printf '%s\n' "$json" | jq -r .end_time)"
	else
		note "job $1 was deleted before the test saw it: its end_time is taken as $t0"
		echo "$t0"
	fi
}

t0=$(redis_now)
ok=$(submit OK --execution 7001)
bad=$(submit FAIL --execution 7001)
ctl queue pause SLEEP >/dev/null
st=$(submit SLEEP --execution 7002)
ctl job stop "$st" >/dev/null
end_ok=$(ended_at "$ok" Success)
end_bad=$(ended_at "$bad" Error)
end_st=$(ended_at "$st" Stopped)
# What is read here must show the jobs if Redis's time, read after it, says
# their retention has not run out yet.
ok_log=no
[ ! -s "$L/$ok.log" ] || ok_log=yes
bad_log=no
[ ! -s "$L/$bad.log" ] || bad_log=yes
exec_status=$(ctl -j execution show 7001 2>/dev/null | jq -r .status 2>/dev/null || true)
if [ "$(redis_now)" -lt $((end_ok + 10)) ]; then
	assert_eq "log of the Success job $ok kept" yes "$ok_log"
	assert_eq "execution 7001 before retention" Error "$exec_status"
else
	note "the Success job's retention ran out before it was checked: not checked"
fi
if [ "$(redis_now)" -lt $((end_bad + 20)) ]; then
	assert_eq "log of the Error job $bad kept" yes "$bad_log"
fi

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
