#!/bin/bash
# SIGTERM stops a daemon gracefully: it takes no new job, a short running job
# finishes there, a long one is stopped after stop_grace and put back in its
# queue, where another daemon runs it; the daemon exits 0.  The jobs run
# until the test opens their gates: the short one's once the daemon is
# shutting down, the long one's once it is gone.
set -eu
JSV_STOP_GRACE=2s
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon a
pa=$(pool_id a)
short=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/short" --param n=short)
long=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/long" --param n=long)
wait_status "$short" Running
wait_status "$long" Running

start_daemon b
pb=$(pool_id b)
kill -s TERM "$(daemon_pid a)"
wait_for "daemon a to shut down" grep -q 'shutting down' "$JSV_TMP/a.log"
touch "$DATA/short"
reap_daemon a
assert_eq "exit status of daemon a after SIGTERM" 0 "$DAEMON_RC"
touch "$DATA/long"
use_daemon b
wait_status "$short" Success
assert_eq "pool of the short job" "$pa" "$(job_field "$short" pool_id)"
assert_eq "runs of the short job" 1 "$(grep -c "^$short " "$DATA/ran")"
wait_status -t 30 "$long" Success
assert_eq "pool of the long job" "$pb" "$(job_field "$long" pool_id)"
assert_eq "runs of the long job" 2 "$(grep -c "^$long " "$DATA/ran")"
pass
