#!/bin/bash
# A daemon SIGKILLed mid-job and started again (same config, same socket
# path, left behind by the dead process): it puts the dead pool's job back
# and runs it to Success.
set -eu
. "${0%/*}/../lib.sh"
start_daemon a
r=$(submit RECORD --param file="$DATA/ran" --param seconds=2)
wait_status "$r" Running
wait_for "the handler to start" test -s "$DATA/ran"
ctl queue pause OK >/dev/null
p=$(submit OK)
kill_daemon a KILL
[ -S "$JSV_TMP/a.sock" ] || note "the killed daemon left no socket behind"
start_daemon a
ctl queue resume OK >/dev/null
wait_status -t 30 "$r" Success
wait_status "$p" Success
assert_eq "pool of the recovered job" "$(pool_id a)" "$(job_field "$r" pool_id)"
assert_int_cmp "runs of $r" "$(grep -c "^$r " "$DATA/ran")" -ge 2
pass
