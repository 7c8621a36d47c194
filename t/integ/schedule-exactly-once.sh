#!/bin/bash
# Two daemons on one Redis both run the scheduler: a per-second schedule
# fires exactly one job per tick (no two jobs for the same second, none
# missing), and when one daemon is SIGKILLed the other goes on firing.
set -eu
JSV_WORKERS=2
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon a
start_daemon b
use_daemon a

# The enqueue seconds of the distinct jobs recorded in FILE, sorted.
fired_seconds()
{
	local j
	for j in $(cut -d' ' -f1 "$1" | sort -u); do
		epoch "$(job_field "$j" enqueue_time)"
	done | sort -n
}

# check_ticks WHAT FILE: one job per second, from the first to the last.
check_ticks()
{
	local secs first last n dup
	secs=$(fired_seconds "$2")
	dup=$(printf '%s\n' "$secs" | uniq -d)
	assert_eq "$1: seconds with more than one fired job" "" "$dup"
	first=$(printf '%s\n' "$secs" | head -n 1)
	last=$(printf '%s\n' "$secs" | tail -n 1)
	n=$(printf '%s\n' "$secs" | wc -l)
	assert_eq "$1: jobs fired from second $first to $last" $((last - first + 1)) "$n"
}

sid=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/ran")
wait_for -t 10 "6 ticks of schedule $sid" lines_ge "$DATA/ran" 6
check_ticks "two daemons" "$DATA/ran"
use_daemon b
assert_eq "schedules seen by the other daemon" 1 "$(ctl -j schedules | jq length)"

kill_daemon a KILL
n=$(lines "$DATA/ran")
wait_for -t 10 "schedule $sid to go on firing after daemon a died" \
	lines_ge "$DATA/ran" $((n + 4))
check_ticks "after daemon a died" "$DATA/ran"
pass
