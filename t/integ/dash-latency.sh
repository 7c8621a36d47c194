#!/bin/bash
# A queue whose oldest pending job has waited 24 h or more: the Job Queues
# row shows the latency in "Nhrs Nmin Nsec" with a warning mark, and every
# page shows a banner linking to the Job Queues tab; under 24 h, none.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

ctl queue pause RECORD OK >/dev/null
old=$(submit RECORD --param n=1)
submit RECORD --param n=2 >/dev/null
young=$(submit OK)
now=$(redis_cli TIME | head -n 1)

# latency = Redis time - enqueue_time of the queue's head (daemon/queue.c).
redis_cli HSET "test:job:$young" enqueue_time $((now - 2 * 3600 - 3 * 60 - 4)) >/dev/null
expect_web "main page" 200 -u admin ''
assert_contains "latency under 24 h" '2hrs 3min' "$(text)"
assert_no_match "no banner under 24 h" '24 ?h|24 hours' "$(text)"

redis_cli HSET "test:job:$old" enqueue_time $((now - 25 * 3600)) >/dev/null
assert_int_cmp "RECORD latency (ctl)" "$(queue_field RECORD latency)" -ge $((24 * 3600))
expect_web "main page" 200 -u admin ''
assert_match "RECORD latency" 'RECORD 2 25hrs' "$(text)"
sched=$(link_to Schedules)
workers=$(link_to Workers)
for page in '' "$sched" "$workers"; do
	expect_web "page '$page'" 200 -u admin "$page"
	assert_imatch "banner on '$page'" '24 ?h|24 hours|a day' "$(text)"
	banner=$(links | awk -F '\t' '$1 ~ /[Qq]ueue/ { print $2; exit }')
	assert_ne "the banner links to the Job Queues tab on '$page'" "" "$banner"
done
# The API gives the latency in seconds.
expect_web "API queues" 200 -u admin api/v2.0/jobservice/queues
assert_int_cmp "API latency" "$(printf '%s' "$BODY" | jq '.[] | select(.job_type == "RECORD") | .latency')" -ge $((25 * 3600))

# Stopping the old jobs clears the banner.
ctl queue stop RECORD >/dev/null
wait_for "RECORD to be empty" eval '[ "$(queue_field RECORD count)" = 0 ]'
expect_web "main page after stop" 200 -u admin ''
assert_no_match "no banner after stop" '24 ?h|24 hours' "$(text)"
pass
