#!/bin/bash
# A daemon SIGKILLed mid-job and started again (same config, same socket
# path, left behind by the dead process): it puts the dead pool's job back
# and runs it to Success.  The job runs until the test opens its gate,
# after the kill, so the first run surely dies with its daemon.
set -eu
. "${0%/*}/../lib.sh"
start_daemon a
r=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/open")
wait_status "$r" Running
wait_for "the handler to start" test -s "$DATA/ran"
ctl queue pause OK >/dev/null
p=$(submit OK)
kill_daemon a KILL
touch "$DATA/open"
[ -S "$JSV_TMP/a.sock" ] || note "the killed daemon left no socket behind"
start_daemon a
ctl queue resume OK >/dev/null
wait_status -t 30 "$r" Success
wait_status "$p" Success
assert_eq "pool of the recovered job" "$(pool_id a)" "$(job_field "$r" pool_id)"
assert_eq "runs of $r (killed one, recovered one)" 2 "$(grep -c "^$r " "$DATA/ran")"
pass
