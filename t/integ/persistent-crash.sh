#!/bin/bash
# A persistent handler that exits mid-job ends that job in Error, which is
# retried as usual, and a fresh handler takes the next job.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
clear_queues
set_queue PERSIST persist persistent=yes max_retries=1 retry_backoff=100ms
set_queue ONCE persist persistent=yes max_retries=0
start_daemon
rec=$DATA/rec

id=$(submit ONCE --param record="$rec" --param crash=7)
wait_status "$id" Error
assert_eq "error of a crash" \
	"the persistent handler exited with status 7 before its job ended" \
	"$(job_field "$id" error)"
first=$(awk '{ print $3 }' "$rec")

# The next job of the queue runs in a fresh process.
id=$(submit ONCE --param record="$rec")
wait_status "$id" Success
second=$(tail -n 1 "$rec" | awk '{ print $3 }')
assert_ne "handler after the crash" "$first" "$second"
proc_gone "$first" || fail "the crashed handler $first is still running"

# Crashed on its first attempt, the job is retried, by a fresh handler.
id=$(submit PERSIST --param record="$rec" --param crash=3 --param crash_first=1)
wait_status "$id" Success
assert_eq "attempts" 2 "$(job_field "$id" attempts)"
assert_eq "runs" 2 "$(grep -c "^$id " "$rec")"
assert_eq "handlers of the two attempts" 2 \
	"$(grep "^$id " "$rec" | awk '{ print $3 }' | sort -u | wc -l)"

# Killed by a signal mid-job.
cat >"$JSV_TMP/h/killer" <<'PY'
#!/usr/bin/python3
import os, signal, sys
for line in sys.stdin:
    os.kill(os.getpid(), signal.SIGSEGV)
PY
chmod 755 "$JSV_TMP/h/killer"
set_queue KILLER killer persistent=yes
kill_daemon a TERM
start_daemon
id=$(submit KILLER)
wait_status "$id" Error
assert_eq "error of a signal" \
	"the persistent handler was killed by signal 11 (SIGSEGV) before its job ended" \
	"$(job_field "$id" error)"
restarted() { [ "$(grep -c 'persistent handler persist-1 of KILLER: .* started' "$JSV_TMP/a.log")" = 2 ]; }
wait_for "the restart after the crash" restarted
pass
