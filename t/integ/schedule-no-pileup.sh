#!/bin/bash
# A schedule whose job type's queue is paused fires one job, and then no
# more while that job waits: at most one pending job of the schedule at any
# time, however many ticks go by.  When the queue is resumed the job runs
# and the schedule fires again.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/lifecycle-lib.sh"
start_daemon

ctl queue pause RECORD >/dev/null
sid=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/ran")
wait_for -t 5 "schedule $sid to fire" eval '[ -n "$(last_job "$sid")" ]'
first=$(last_job "$sid")
assert_eq "status of its job in the paused queue" Pending "$(job_status "$first")"
fire0=$(epoch "$(sched_field "$sid" last_fire)")

# Watch for 4 s (4 ticks): never more than one pending job.
deadline=$(($(now_us) + 4000000))
samples=0
while [ "$(now_us)" -lt "$deadline" ]; do
	c=$(queue_field RECORD count)
	assert_int_cmp "pending RECORD jobs while the schedule ticks" "$c" -le 1
	assert_eq "last job of schedule $sid" "$first" "$(last_job "$sid")"
	samples=$((samples + 1))
	sleep 0.2
done
assert_int_cmp "samples taken" "$samples" -ge 5
assert_eq "pending RECORD jobs after 4 ticks" 1 "$(queue_field RECORD count)"
# The ticks did happen (last_fire moved on), they fired nothing.
assert_int_cmp "seconds between the first fire and the last tick" \
	$(($(epoch "$(sched_field "$sid" last_fire)") - fire0)) -ge 2
[ ! -e "$DATA/ran" ] || fail "a job of the paused queue ran: $(cat "$DATA/ran")"

ctl queue resume RECORD >/dev/null
wait_status "$first" Success
assert_eq "first job run" "$first" "$(head -n 1 "$DATA/ran" | cut -d' ' -f1)"
wait_for -t 5 "the schedule to fire again after the resume" lines_ge "$DATA/ran" 3
assert_eq "jobs run once each" "$(lines "$DATA/ran")" \
	"$(cut -d' ' -f1 "$DATA/ran" | sort -u | wc -l)"
pass
