#!/bin/bash
# Stop, Free and a timeout of a job that a persistent handler runs kill the
# handler with everything it started, and the next job gets a fresh one.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
clear_queues
set_queue PERSIST persist persistent=yes
set_queue SHORT persist persistent=yes timeout=1s
start_daemon
rec=$DATA/rec

# ends HOW STATUS: a job of a handler that started a child ends in STATUS
# by HOW; the handler and its child are gone, the next job runs elsewhere.
ends()
{
	local how=$1 status=$2 type=PERSIST id before child
	[ "$how" = timeout ] && type=SHORT
	id=$(submit "$type" --param record="$rec" --param spawn="$DATA/child" \
		--param gate="$DATA/never")
	wait_for "job $id to start its child" test -s "$DATA/child"
	child=$(cat "$DATA/child")
	rm -f "$DATA/child"
	# (A 1 s timeout may already have killed it on a slow machine.)
	[ "$how" = timeout ] || proc_alive "$child" ||
		fail "the child of $id is not running"
	case $how in
	stop) ctl job stop "$id" >/dev/null ;;
	free) ctl worker free "$(worker_of "$id")" >/dev/null ;;
	esac
	wait_status "$id" "$status"
	before=$(pid_of "$id")
	wait_for "the handler of $id to be gone" proc_gone "$before"
	wait_for "the child of the handler of $id to be gone" proc_gone "$child"
	id=$(submit "$type" --param record="$rec")
	wait_status "$id" Success
	assert_ne "handler after $how" "$before" "$(pid_of "$id")"
}

ends stop Stopped
ends free Stopped
ends timeout Error
assert_match "error after the timeout" "^timeout" \
	"$(job_field "$(tail -n 2 "$rec" | head -n 1 | awk '{ print $1 }')" error)"
pass
