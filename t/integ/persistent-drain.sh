#!/bin/bash
# A reload and SIGTERM drain the persistent handlers: each sees the end of
# its input once its job is done, and exits; after a reload the next job
# gets a fresh handler, and after SIGTERM the daemon exits 0 once they are
# gone.
set -eu
JSV_WORKERS=2
JSV_STOP_GRACE=30s
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
clear_queues
set_queue PERSIST persist persistent=yes env=PERSIST_EOF="$DATA/eof"
start_daemon
rec=$DATA/rec

eof_of()
{
	grep -qx "eof $1" "$DATA/eof" 2>/dev/null
}

# Reload: an idle handler goes at once, a busy one once its job is done.
busy=$(submit PERSIST --param record="$rec" --param gate="$DATA/gate1")
wait_status "$busy" Running
idle=$(submit PERSIST --param record="$rec")
wait_status "$idle" Success
wait_for "the first handler to take its job" eval '[ -n "$(pid_of "$busy")" ]'
assert_ne "two handlers" "$(pid_of "$idle")" "$(pid_of "$busy")"
kill -s HUP "$(daemon_pid)"
wait_for "the idle handler to see the end of its input" eof_of "$(pid_of "$idle")"
eof_of "$(pid_of "$busy")" && fail "the busy handler was drained mid-job"
assert_eq "status of the busy job" Running "$(job_status "$busy")"
touch "$DATA/gate1"
wait_status "$busy" Success
wait_for "the busy handler to see the end of its input" eof_of "$(pid_of "$busy")"
id=$(submit PERSIST --param record="$rec")
wait_status "$id" Success
assert_ne "handler after the reload" "$(pid_of "$idle")" "$(pid_of "$id")"
assert_ne "handler after the reload" "$(pid_of "$busy")" "$(pid_of "$id")"
after=$(pid_of "$id")

# SIGTERM: the running job finishes, then the handlers go and the daemon
# exits 0.
busy=$(submit PERSIST --param record="$rec" --param gate="$DATA/gate2")
wait_status "$busy" Running
wait_for "a handler to take $busy" eval '[ -n "$(pid_of "$busy")" ]'
kill -s TERM "$(daemon_pid)"
wait_for "the daemon to shut down" grep -q 'shutting down' "$JSV_TMP/a.log"
if [ "$(pid_of "$busy")" != "$after" ]; then
	wait_for "the idle handler to see the end of its input" eof_of "$after"
fi
eof_of "$(pid_of "$busy")" && fail "the busy handler was drained mid-job"
touch "$DATA/gate2"
reap_daemon a
assert_eq "exit status after SIGTERM" 0 "$DAEMON_RC"
eof_of "$(pid_of "$busy")" || fail "the busy handler did not see the end of its input"
grep -q "^$busy 1 " "$rec" || fail "no run of $busy"
redis_cli HGET "test:job:$busy" status >"$DATA/st"
assert_eq "status of the job run during the shutdown" Success "$(cat "$DATA/st")"
pass
