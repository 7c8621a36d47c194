#!/bin/bash
# A local user who is not root, not the daemon's user and not in the admin
# group may read everything but every action is refused with "permission
# denied" and changes nothing.
set -eu
. "${0%/*}/../lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to run jobsvc-ctl as another user"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
start_daemon

nobody_can_reach

expect_rc "setpriv as nobody" 0 setpriv --reuid=nobody --regid="$NOBODY_GROUP" --clear-groups id -u
assert_ne "uid under setpriv" 0 "$OUT"

ctl queue pause RECORD >/dev/null
job=$(submit RECORD --param file="$DATA/ran")
run_id=$(submit SLEEP)
wait_status "$run_id" Running

for cmd in status queues pools "workers all" "job show $job" \
	"execution show none" "-j queues"; do
	# shellcheck disable=SC2086
	run as_nobody $cmd
	case $cmd in
	"execution show none") [ "$RC" != 0 ] || true ;;
	*) assert_eq "read '$cmd' as nobody (stderr: $ERR)" 0 "$RC" ;;
	esac
	assert_no_match "read '$cmd' as nobody" 'permission denied' "$ERR"
done

deny()
{
	run as_nobody "$@"
	assert_eq "'$*' as nobody exits" 1 "$RC"
	assert_imatch "'$*' as nobody" 'permission denied' "$ERR"
}
deny submit OK
deny queue pause OK
deny queue resume RECORD
deny queue stop all
deny job stop "$job"
deny job stop "$run_id"
deny worker free all

assert_eq "RECORD still paused" true "$(queue_field RECORD paused)"
assert_eq "OK not paused" false "$(queue_field OK paused)"
assert_eq "pending job untouched" Pending "$(job_status "$job")"
assert_eq "running job untouched" Running "$(job_status "$run_id")"
assert_eq "RECORD count" 1 "$(queue_field RECORD count)"

# root still may.
ctl job stop "$run_id" >/dev/null
wait_status "$run_id" Stopped
pass
