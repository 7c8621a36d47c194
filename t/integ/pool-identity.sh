#!/bin/bash
# A pool's identity (which earlier pool a starting daemon takes for its own
# previous life and recovers at once) is the boot, the mount namespace and
# the control socket's absolute path.  Two daemons started with the same
# relative -s in different directories are two pools: the second leaves the
# first's running job alone.  A restart with that relative path in the same
# directory still recovers its previous pool at once.
set -eu
. "${0%/*}/../lib.sh"
# Only a restart may recover a pool here, never a dead timeout.
JSV_DEAD_TIMEOUT=1h
mkdir "$JSV_TMP/one" "$JSV_TMP/two"

JSV_SOCKET_DIR=$JSV_TMP/one start_daemon a
pa=$(pool_id a)
job=$(submit SLEEP --param seconds=600)
wait_status "$job" Running
assert_eq "the job's pool" "$pa" "$(job_field "$job" pool_id)"

JSV_SOCKET_DIR=$JSV_TMP/two start_daemon b
pb=$(pool_id b)
assert_ne "a second pool" "$pa" "$pb"
healthy()
{
	ctl -j pools | jq -e --arg p "$1" \
		'.[] | select(.worker_pool_id == $p and .status == "Healthy")' >/dev/null
}
wait_for "pool b to be Healthy" healthy "$pb"
healthy "$pa" || fail "pool a is no longer Healthy after b started: $(ctl -j pools)"
assert_eq "the job still runs" Running "$(job_status "$job")"
assert_eq "on pool a" "$pa" "$(job_field "$job" pool_id)"
assert_eq "in its first attempt" 1 "$(job_field "$job" attempts)"
assert_no_match "b recovered nothing" 'recovered' "$(cat "$JSV_TMP/b.log")"

# a restarts in its directory: its previous pool is recovered at once.
kill_daemon a KILL
JSV_SOCKET_DIR=$JSV_TMP/one start_daemon a
use_daemon b
wait_for "a's previous pool recovered" grep -q 'recovered 1 jobs' "$JSV_TMP/a.log"
wait_for "the job to run again" job_field_is "$job" attempts 2
pass
