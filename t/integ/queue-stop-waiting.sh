#!/bin/bash
# queue stop also stops the type's jobs that wait for their time: one
# submitted with --in and one waiting out a retry's backoff end Stopped
# with the pending one, the reported count includes them, and neither
# runs when its time comes (jobs of the type due later than theirs,
# submitted after the stop, do run).
set -eu
. "${0%/*}/../lib.sh"
set_queue WAIT record max_retries=1 retry_backoff=5s
start_daemon

# A job that fails its first run and waits 5 s for its retry (the queue is
# paused, so it cannot run again before the stop either way).
b=$(submit WAIT --param file="$DATA/backoff" --param fail_first=1)
wait_for "the first run of $b" test -s "$DATA/backoff"
ctl queue pause WAIT >/dev/null
wait_status "$b" Pending
assert_eq "attempts of $b waiting for its retry" 1 "$(job_field "$b" attempts)"
p=$(submit WAIT --param file="$DATA/pending")
s=$(submit WAIT --in 60s --param file="$DATA/scheduled")
assert_eq "status of the --in 60s job" Scheduled "$(job_status "$s")"
# Another type's delayed job, held by its paused queue however slow the
# machine is: due in a second, it is Scheduled or Pending, never Stopped.
ctl queue pause RECORD >/dev/null
other=$(submit RECORD --in 1s --param file="$DATA/other")

run ctl queue stop WAIT
assert_eq "queue stop exit (stderr: $ERR)" 0 "$RC"
assert_match "queue stop reports the pending, scheduled and backoff jobs" \
	'^Stopped 3 jobs' "$OUT"
for id in "$p" "$s" "$b"; do
	assert_eq "status of $id after queue stop" Stopped "$(job_status "$id")"
done
assert_match "status of the --in job of another type" '^(Scheduled|Pending)$' \
	"$(job_status "$other")"

# Jobs due after the stopped ones run: by then those were due too.
ctl queue resume WAIT >/dev/null
ctl queue resume RECORD >/dev/null
late=$(submit WAIT --in 6s --param file="$DATA/late")
wait_status -t 20 "$late" Success
wait_status "$other" Success
for f in pending scheduled; do
	[ ! -e "$DATA/$f" ] || fail "the stopped $f job ran"
done
assert_eq "runs of the job stopped in its backoff" 1 "$(wc -l <"$DATA/backoff")"
for id in "$p" "$s" "$b"; do
	assert_eq "status of $id at the end" Stopped "$(job_status "$id")"
done
pass
