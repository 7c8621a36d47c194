#!/bin/bash
# Delayed jobs: `submit --in 2s` and `--at TIME` give a Scheduled job
# (status and kind) that is not pending in any queue and starts no earlier
# than its run_at; `job stop` on a Scheduled job ends it Stopped and it
# never runs; a time in the past runs the job now.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon

before=$(date +%s)
in=$(submit RECORD --in 2s --param file="$DATA/in")
after=$(date +%s)
assert_eq "status of a job submitted --in 2s" Scheduled "$(job_status "$in")"
assert_eq "kind of a job submitted --in 2s" Scheduled "$(job_field "$in" kind)"
# --in is now plus the duration, rounded up to a whole second.
run_at=$(epoch "$(job_field "$in" run_at)")
assert_int_cmp "run_at of --in 2s minus the time before the submit" \
	$((run_at - before)) -ge 2
assert_int_cmp "run_at of --in 2s minus the time after the submit" \
	$((run_at - after)) -le 3
assert_eq "RECORD pending count with a Scheduled job" 0 "$(queue_field RECORD count)"
assert_eq "pending jobs in the status card" 0 "$(ctl -j status | jq .queues.total)"

# --at, in RFC 3339 with Z and with an offset.
t=$(($(date +%s) + 3))
at=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
atz=$(submit RECORD --at "$at" --param file="$DATA/at")
assert_eq "status of a job submitted --at" Scheduled "$(job_status "$atz")"
assert_eq "kind of a job submitted --at" Scheduled "$(job_field "$atz" kind)"
assert_eq "run_at of --at $at" "$at" "$(job_field "$atz" run_at)"
off=$(TZ=Etc/GMT-2 date -d "@$t" +%Y-%m-%dT%H:%M:%S+02:00)
ato=$(submit RECORD --at "$off" --param file="$DATA/ato")
assert_eq "run_at of --at $off" "$at" "$(job_field "$ato" run_at)"

# Stopping a Scheduled job.
st=$(submit RECORD --in 2s --param file="$DATA/stopped")
expect_rc "job stop of a Scheduled job" 0 ctl job stop "$st"
assert_eq "status of a stopped Scheduled job" Stopped "$(job_status "$st")"

# A time in the past runs now.
past=$(submit RECORD --at 2001-02-03T04:05:06Z --param file="$DATA/past")
wait_status "$past" Success

# Each started no earlier than its run_at (both Redis's clock).
for id in "$in" "$atz" "$ato"; do
	wait_status -t 20 "$id" Success
	s=$(epoch "$(job_field "$id" start_time)")
	r=$(epoch "$(job_field "$id" run_at)")
	assert_int_cmp "start_time - run_at of $id" $((s - r)) -ge 0
	assert_eq "attempts of $id" 1 "$(job_field "$id" attempts)"
done
assert_eq "runs of the --in job" 1 "$(lines "$DATA/in")"
# A job due a second after the stopped one has run: the stopped one's time
# has passed, it never ran.
mark=$(submit RECORD --at "@$(($(epoch "$(job_field "$st" run_at)") + 1))" \
	--param file="$DATA/mark")
wait_status -t 20 "$mark" Success
assert_eq "status of the stopped Scheduled job after its time" Stopped "$(job_status "$st")"
assert_eq "attempts of the stopped Scheduled job" 0 "$(job_field "$st" attempts)"
[ ! -e "$DATA/stopped" ] || fail "the stopped Scheduled job ran: $(cat "$DATA/stopped")"
pass
