#!/bin/bash
# A handler that exits non-zero ends its job in Error, with the reason in the
# job's error field and the handler's stderr in the log.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

id=$(submit FAIL)
wait_status "$id" Error
err=$(job_field "$id" error)
assert_ne "error text" "" "$err"
assert_imatch "error names the exit status 3" '(exit|status|code)[^0-9]*3([^0-9]|$)' "$err"
assert_eq "attempts" 1 "$(job_field "$id" attempts)"
assert_contains "log has the handler's stderr" "failing on purpose" "$(ctl job log "$id")"

# A handler killed by a signal is an Error too, naming the signal.
set_queue SELFKILL "$JSV_TMP/h/selfkill"
cat >"$JSV_TMP/h/selfkill" <<'SH'
#!/bin/sh
kill -s KILL $$
SH
chmod 755 "$JSV_TMP/h/selfkill"
stop_daemon a
start_daemon a
id=$(submit SELFKILL)
wait_status "$id" Error
assert_imatch "error names the signal" 'signal|killed|SIGKILL|9' "$(job_field "$id" error)"

# A job supervisor killed from outside: an Error that says so, and its
# handler dies with it.
id=$(submit SLEEP --param seconds=60 --param pidfile="$DATA/sup.pid")
wait_for "the handler of $id to start" test -s "$DATA/sup.pid"
handler=$(cat "$DATA/sup.pid")
supervisor=$(sed 's/.*) [^ ]* \([0-9]*\) .*/\1/' "/proc/$handler/stat")
our_pid "$supervisor" || fail "the handler's parent is not our supervisor"
kill -s KILL "$supervisor"
wait_status "$id" Error
assert_match "error names the supervisor" \
	'^job supervisor killed by signal 9$' "$(job_field "$id" error)"
wait_for "the handler to die with its supervisor" proc_gone "$handler"

# A handler that cannot be executed is this host's fault, not the job's:
# the job goes back to its queue with the reason, without using up an
# attempt (not an "exit status 127" Error after its retries), and runs as
# its first attempt once the handler is fixed.
set_queue NOEXEC "$JSV_TMP/h/noexec" retry_backoff=200ms
set_queue OK ok retry_backoff=200ms
printf '#!/bin/sh\necho "attempt $JOBSVC_ATTEMPT"\n' >"$JSV_TMP/h/noexec"
chmod 644 "$JSV_TMP/h/noexec"
stop_daemon a
start_daemon a
id=$(submit NOEXEC)
# (Each new try clears the error as it starts: it is read as a try ends.)
want="handler could not be executed: $JSV_TMP/h/noexec: Permission denied"
wait_for "the exec failure in the job's error" \
	eval '[ "$(job_field "$id" error)" = "$want" ]'
# Tried again and again meanwhile: held in its queue to look at it.
ctl queue pause NOEXEC >/dev/null
wait_for "$id to wait, with no attempt used" job_waits_unused "$id"
ctl status >/dev/null || fail "daemon stopped answering"
chmod 755 "$JSV_TMP/h/noexec"
ctl queue resume NOEXEC >/dev/null
wait_status "$id" Success
assert_eq "attempts once the handler runs" 1 "$(job_field "$id" attempts)"
assert_contains "the run was the first attempt" "attempt 1" \
	"$(ctl job log "$id")"

# A failure of the daemon's own (here the job log cannot be opened: a
# directory is in its way) does not use up an attempt either.
ctl queue pause OK >/dev/null
id=$(submit OK)
mkdir "$JSV_TMP/logs/$id.log"
ctl queue resume OK >/dev/null
wait_for "the log failure in the job's error" \
	job_error_has "$id" 'cannot open the job log'
ctl queue pause OK >/dev/null
wait_for "$id to wait, with no attempt used" job_waits_unused "$id"
rmdir "$JSV_TMP/logs/$id.log"
ctl queue resume OK >/dev/null
wait_status "$id" Success
assert_eq "attempts once it could start" 1 "$(job_field "$id" attempts)"
pass
