#!/bin/bash
# Delayed jobs: `submit --in 1h` and `--at TIME` give a Scheduled job
# (status and kind) that is not pending in any queue; one due in a few
# seconds starts no earlier than its run_at; `job stop` on a Scheduled job
# ends it Stopped and it never runs; a time in the past runs the job now.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon

# The Scheduled state is checked on jobs due in an hour, so that their
# time cannot come while the test looks, however slow the machine.
before=$(date +%s)
in=$(submit RECORD --in 1h --param file="$DATA/never")
after=$(date +%s)
assert_eq "status of a job submitted --in 1h" Scheduled "$(job_status "$in")"
assert_eq "kind of a job submitted --in 1h" Scheduled "$(job_field "$in" kind)"
# --in is now plus the duration, rounded up to a whole second.
run_at=$(epoch "$(job_field "$in" run_at)")
assert_int_cmp "run_at of --in 1h minus the time before the submit" \
	$((run_at - before)) -ge 3600
assert_int_cmp "run_at of --in 1h minus the time after the submit" \
	$((run_at - after)) -le 3601
assert_eq "RECORD pending count with a Scheduled job" 0 "$(queue_field RECORD count)"
assert_eq "pending jobs in the status card" 0 "$(ctl -j status | jq .queues.total)"

# --at, in RFC 3339 with Z and with an offset.
t=$(($(date +%s) + 3600))
at=$(date -u -d "@$t" +%Y-%m-%dT%H:%M:%SZ)
atz=$(submit RECORD --at "$at" --param file="$DATA/never")
assert_eq "status of a job submitted --at" Scheduled "$(job_status "$atz")"
assert_eq "kind of a job submitted --at" Scheduled "$(job_field "$atz" kind)"
assert_eq "run_at of --at $at" "$at" "$(job_field "$atz" run_at)"
off=$(TZ=Etc/GMT-2 date -d "@$t" +%Y-%m-%dT%H:%M:%S+02:00)
ato=$(submit RECORD --at "$off" --param file="$DATA/never")
assert_eq "run_at of --at $off" "$at" "$(job_field "$ato" run_at)"

# Stopping a Scheduled job.
for id in "$in" "$atz" "$ato"; do
	expect_rc "job stop of the Scheduled job $id" 0 ctl job stop "$id"
	assert_eq "status of the stopped Scheduled job $id" Stopped "$(job_status "$id")"
	assert_eq "attempts of the stopped Scheduled job $id" 0 "$(job_field "$id" attempts)"
done

# A time in the past runs now.
past=$(submit RECORD --at 2001-02-03T04:05:06Z --param file="$DATA/past")
wait_status "$past" Success
assert_eq "kind of a job submitted --at a past time" Generic "$(job_field "$past" kind)"

# ran_once ID AT: job ID (due at Unix time AT, or when AT is empty a time
# the test does not know) ran once, not before its time.
ran_once()
{
	local id=$1 at=$2 s
	wait_status -t 60 "$id" Success
	assert_eq "attempts of $id" 1 "$(job_field "$id" attempts)"
	s=$(epoch "$(job_field "$id" start_time)")
	case $(job_field "$id" kind) in
	Scheduled)
		[ -z "$at" ] || assert_eq "run_at of $id" \
			"$(date -u -d "@$at" +%Y-%m-%dT%H:%M:%SZ)" "$(job_field "$id" run_at)"
		assert_int_cmp "start_time - run_at of $id" \
			$((s - $(epoch "$(job_field "$id" run_at)"))) -ge 0
		;;
	Generic)
		note "job $id reached the daemon after its time"
		[ -z "$at" ] || assert_int_cmp "enqueue_time - due time of $id" \
			$(($(epoch "$(job_field "$id" enqueue_time)") - at)) -ge 0
		;;
	*) fail "kind of $id: $(job_field "$id" kind)" ;;
	esac
}

# Jobs due in a few seconds: each runs once, no earlier than its run_at
# (both Redis's clock).  One that reached the daemon after its time (a
# slow machine) is a Generic job, queued at once.
t=$(($(date +%s) + 3))
soon_in=$(submit RECORD --in 2s --param file="$DATA/in")
soon_at=$(submit RECORD --at "@$t" --param file="$DATA/at")
ran_once "$soon_in" ""
ran_once "$soon_at" "$t"
assert_eq "runs of the --in job" 1 "$(lines "$DATA/in")"
assert_eq "runs of the --at job" 1 "$(lines "$DATA/at")"

# A Scheduled job stopped and then its time passes: it never runs.  Its
# queue is paused until it is stopped, so that it cannot run even if the
# time comes before the stop.  A job due a second after it has run: its
# time has passed, it never ran.
ctl queue pause RECORD >/dev/null
t=$(($(date +%s) + 2))
st=$(submit RECORD --at "@$t" --param file="$DATA/stopped")
expect_rc "job stop of a job due in 2s" 0 ctl job stop "$st"
assert_eq "status of the stopped job" Stopped "$(job_status "$st")"
ctl queue resume RECORD >/dev/null
mark=$(submit RECORD --at "@$((t + 1))" --param file="$DATA/mark")
wait_status -t 60 "$mark" Success
assert_eq "status of the stopped job after its time" Stopped "$(job_status "$st")"
assert_eq "attempts of the stopped job" 0 "$(job_field "$st" attempts)"
[ ! -e "$DATA/stopped" ] || fail "the stopped job ran: $(cat "$DATA/stopped")"
[ ! -e "$DATA/never" ] || fail "a stopped Scheduled job ran: $(cat "$DATA/never")"
pass
