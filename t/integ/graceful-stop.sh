#!/bin/bash
# SIGTERM stops a daemon gracefully: it takes no new job, a short running job
# finishes there, a long one is stopped after stop_grace and put back in its
# queue, where another daemon runs it; the daemon exits 0.
set -eu
JSV_STOP_GRACE=2s
. "${0%/*}/../lib.sh"
start_daemon a
pa=$(pool_id a)
short=$(submit RECORD --param file="$DATA/ran" --param seconds=0.3 --param n=short)
long=$(submit RECORD --param file="$DATA/ran" --param seconds=5 --param n=long)
wait_status "$short" Running
wait_status "$long" Running

start_daemon b
pb=$(pool_id b)
stop_daemon a
use_daemon b
wait_status "$short" Success
assert_eq "pool of the short job" "$pa" "$(job_field "$short" pool_id)"
assert_eq "runs of the short job" 1 "$(grep -c "^$short " "$DATA/ran")"
wait_status -t 30 "$long" Success
assert_eq "pool of the long job" "$pb" "$(job_field "$long" pool_id)"
assert_eq "runs of the long job" 2 "$(grep -c "^$long " "$DATA/ran")"
pass
