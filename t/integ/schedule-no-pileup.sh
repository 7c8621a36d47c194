#!/bin/bash
# A schedule whose job type's queue is paused fires one job, and then no
# more while that job waits: at most one pending job of the schedule at any
# time, however many ticks go by.  When the queue is resumed the job runs
# and the schedule fires again.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon

ctl queue pause RECORD >/dev/null
sid=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/ran")
wait_for "schedule $sid to fire" eval '[ -n "$(last_job "$sid")" ]'
first=$(last_job "$sid")
assert_eq "status of its job in the paused queue" Pending "$(job_status "$first")"
fire0=$(epoch "$(sched_field "$sid" last_fire)")

# Watch until 3 more ticks happened (last_fire moved on 3 s): never more
# than one pending job, and the ticks fired nothing.
deadline=$(($(now_us) + JSV_WAIT_MIN * JSV_SCALE * 1000000))
while :; do
	c=$(queue_field RECORD count)
	assert_int_cmp "pending RECORD jobs while the schedule ticks" "$c" -le 1
	assert_eq "last job of schedule $sid" "$first" "$(last_job "$sid")"
	fire=$(epoch "$(sched_field "$sid" last_fire)")
	[ "$fire" -lt $((fire0 + 3)) ] || break
	[ "$(now_us)" -lt "$deadline" ] ||
		fail "schedule $sid did not tick 3 times in $((JSV_WAIT_MIN * JSV_SCALE)) s (last_fire $fire, first $fire0)"
	sleep 0.2
done
assert_eq "pending RECORD jobs after 3 ticks" 1 "$(queue_field RECORD count)"
[ ! -e "$DATA/ran" ] || fail "a job of the paused queue ran: $(cat "$DATA/ran")"

ctl queue resume RECORD >/dev/null
wait_status "$first" Success
# Its run and the next fire's run each write a line, in whatever order
# their handlers get the CPU: the first job ran, once.
assert_eq "runs of the first job" 1 "$(grep -c "^$first " "$DATA/ran")"
wait_for "the schedule to fire again after the resume" lines_ge "$DATA/ran" 3
# One reading of the file, which the schedule's jobs go on writing.
cp "$DATA/ran" "$JSV_TMP/ran"
assert_eq "jobs run once each" "$(lines "$JSV_TMP/ran")" \
	"$(cut -d' ' -f1 "$JSV_TMP/ran" | sort -u | wc -l)"
pass
