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

# A handler that is not executable: Error, not a stuck job or a dead daemon.
set_queue NOEXEC "$JSV_TMP/h/noexec"
printf '#!/bin/sh\nexit 0\n' >"$JSV_TMP/h/noexec"
chmod 644 "$JSV_TMP/h/noexec"
stop_daemon a
start_daemon a
id=$(submit NOEXEC)
wait_status "$id" Error
assert_ne "error text for a handler that cannot run" "" "$(job_field "$id" error)"
ctl status >/dev/null || fail "daemon stopped answering"
pass
