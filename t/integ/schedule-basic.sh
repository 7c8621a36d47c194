#!/bin/bash
# Schedules: a 6-field cron expression with seconds ("*/1 * * * * *") fires
# Periodic jobs that name their schedule; `schedules` lists it, as a table
# and as JSON; `schedule del` stops it firing.  An invalid cron expression
# or an unknown job type is refused with the reason; the classic 5-field
# form and a CRON_TZ= prefix are accepted and their next run is right.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon

expect_rc "schedule add" 0 ctl schedule add RECORD '*/1 * * * * *' \
	--vendor-id 42 --param file="$DATA/every"
sid=$OUT
assert_match "schedule add prints the new schedule's id" '^[0-9]+$' "$sid"
wait_for "the schedule to fire twice" lines_ge "$DATA/every" 2
for j in $(cut -d' ' -f1 "$DATA/every" | head -n 2); do
	assert_eq "kind of fired job $j" Periodic "$(job_field "$j" kind)"
	assert_eq "schedule_id of fired job $j" "$sid" "$(job_field "$j" schedule_id)"
	assert_eq "name of fired job $j" RECORD "$(job_field "$j" name)"
	assert_eq "parameters of fired job $j" "$DATA/every" \
		"$(ctl -j job show "$j" | jq -r .parameters.file)"
	wait_status "$j" Success
done

# The table.
expect_rc "schedules" 0 ctl schedules
hdr=$(printf '%s\n' "$OUT" | head -n 1)
assert_match "header of the schedules table" \
	'^ *ID +VENDOR TYPE +VENDOR ID +CRON +CREATE TIME +NEXT RUN' "$hdr"
row=$(printf '%s\n' "$OUT" | grep -E "^ *$sid +RECORD " || true)
assert_match "row of schedule $sid" \
	"^ *$sid +RECORD +42 +\\*/1 \\* \\* \\* \\* \\* +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z +[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z" \
	"$row"
assert_imatch "summary line of the schedules table" \
	'1 schedules?.*running' "$(printf '%s\n' "$OUT" | tail -n 1)"

# The JSON.
json=$(ctl -j schedules)
assert_eq "schedules listed" 1 "$(printf '%s\n' "$json" | jq length)"
assert_eq "id" "$sid" "$(printf '%s\n' "$json" | jq -r '.[0].id')"
assert_eq "vendor_type" RECORD "$(printf '%s\n' "$json" | jq -r '.[0].vendor_type')"
assert_eq "vendor_id" 42 "$(printf '%s\n' "$json" | jq -r '.[0].vendor_id')"
assert_eq "cron" '*/1 * * * * *' "$(printf '%s\n' "$json" | jq -r '.[0].cron')"
assert_eq "parameters" "$DATA/every" "$(printf '%s\n' "$json" | jq -r '.[0].parameters.file')"
last=$(printf '%s\n' "$json" | jq -r '.[0].last_job_id')
is_job_id "$last" || fail "last_job_id '$last' is not a job id"
assert_eq "schedule_id of the last fired job" "$sid" "$(job_field "$last" schedule_id)"
# The listing read it then; the job may have ended since.
assert_match "last_status" '^(Pending|Running|Success)$' \
	"$(printf '%s\n' "$json" | jq -r '.[0].last_status')"
ct=$(printf '%s\n' "$json" | jq -r '.[0].create_time')
nr=$(printf '%s\n' "$json" | jq -r '.[0].next_run')
assert_match "create_time is RFC 3339" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$ct"
assert_match "next_run is RFC 3339" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$nr"
# The next tick after the last fire, which was before now.
assert_int_cmp "next_run of a per-second schedule, seconds after now" \
	$(($(epoch "$nr") - $(date +%s))) -le 1
assert_int_cmp "next_run of a per-second schedule, seconds after create_time" \
	$(($(epoch "$nr") - $(epoch "$ct"))) -ge 1
assert_eq "schedules in the status card" 1 "$(ctl -j status | jq .schedules.total)"
assert_eq "schedule status in the status card" Running \
	"$(ctl -j status | jq -r .schedules.status)"

# Deleting it stops the firing.  Another per-second schedule shows the
# ticks going by: once it has fired 3 jobs after the delete, it is deleted
# too and every job fired so far has run (nothing fires, the queue is empty
# and no worker is busy); 3 ticks of a new one later, the deleted schedule
# has fired nothing more.
expect_rc "schedule del" 0 ctl schedule del "$sid"
assert_eq "schedules after del" 0 "$(ctl -j schedules | jq length)"
ticks=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/ticks")
wait_for "3 ticks after the delete" lines_ge "$DATA/ticks" 3
expect_rc "schedule del of the ticking schedule" 0 ctl schedule del "$ticks"
wait_for "the jobs fired before to have run" \
	eval '[ "$(queue_field RECORD count)" = 0 ] && busy_workers_are 0'
n=$(lines "$DATA/every")
m=$(lines "$DATA/ticks")
ticks=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/ticks")
wait_for "3 more ticks" lines_ge "$DATA/ticks" $((m + 3))
assert_eq "jobs of the deleted schedule run in 3 more ticks" "$n" "$(lines "$DATA/every")"
expect_rc "schedule del of the second ticking schedule" 0 ctl schedule del "$ticks"
expect_rc "schedule del of a deleted schedule" 1 ctl schedule del "$sid"
assert_imatch "its error" 'not found' "$ERR"

# Refusals, each with its reason.
expect_rc "a cron second out of range" 1 ctl schedule add RECORD '61 * * * * *'
assert_contains "its error names the value" 61 "$ERR"
assert_imatch "its error gives the reason" 'range|second' "$ERR"
expect_rc "a cron expression with 4 fields" 1 ctl schedule add RECORD '* * * *'
assert_imatch "its error gives the reason" 'field' "$ERR"
expect_rc "a cron expression of words" 1 ctl schedule add RECORD 'every day at noon'
assert_ne "its error" "" "$ERR"
expect_rc "a month name that does not exist" 1 ctl schedule add RECORD '0 0 1 FOO *'
assert_ne "its error" "" "$ERR"
expect_rc "an unknown time zone" 1 ctl schedule add RECORD 'CRON_TZ=Nowhere/Atlantis 0 3 * * *'
assert_ne "its error" "" "$ERR"
expect_rc "a schedule of an unknown job type" 1 ctl schedule add NO_SUCH_TYPE '* * * * * *'
assert_contains "its error names the type" NO_SUCH_TYPE "$ERR"
assert_imatch "its error gives the reason" 'unknown|type' "$ERR"
assert_eq "schedules after the refusals" 0 "$(ctl -j schedules | jq length)"

# The classic five fields: 02:30 UTC on weekdays.
expect_rc "a 5-field schedule" 0 ctl -j schedule add RECORD '30 2 * * MON-FRI'
five=$(printf '%s\n' "$OUT" | jq -r .id)
nr=$(sched_field "$five" next_run)
assert_match "next run of '30 2 * * MON-FRI'" 'T02:30:00Z$' "$nr"
assert_int_cmp "weekday of its next run" "$(date -u -d "$nr" +%u)" -le 5
assert_int_cmp "its next run is in the future" "$(epoch "$nr")" -gt "$(date +%s)"
assert_int_cmp "its next run is within 4 days" \
	$(($(epoch "$nr") - $(date +%s))) -le $((4 * 86400))

# CRON_TZ: 03:00 in Berlin is 01:00Z or 02:00Z depending on the season.
expect_rc "a CRON_TZ schedule" 0 ctl -j schedule add RECORD 'CRON_TZ=Europe/Berlin 0 3 * * *'
tz=$(printf '%s\n' "$OUT" | jq -r .id)
nr=$(sched_field "$tz" next_run)
assert_match "next run of 'CRON_TZ=Europe/Berlin 0 3 * * *'" 'T0[12]:00:00Z$' "$nr"
assert_eq "its next run in Berlin time" 03:00:00 "$(TZ=Europe/Berlin date -d "$nr" +%T)"
assert_int_cmp "its next run is within a day" \
	$(($(epoch "$nr") - $(date +%s))) -le 86400
assert_eq "cron shown as given" 'CRON_TZ=Europe/Berlin 0 3 * * *' "$(sched_field "$tz" cron)"
assert_eq "vendor_id of a system schedule" -1 "$(sched_field "$tz" vendor_id)"
assert_eq "schedules listed" 2 "$(ctl -j schedules | jq length)"
pass
