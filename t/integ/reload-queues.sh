#!/bin/bash
# SIGHUP with queues removed or changed (t/integ/reload.sh covers an added
# queue and a broken file): the pending jobs of a removed queue stay in
# Redis, still counted in `queues`, and the log says how many; a job
# running when its queue is removed or changed is not dropped, and keeps
# the settings it started with (a shorter timeout applies to the next
# jobs); adding the queue back runs its waiting jobs.  The running jobs
# run until the test opens their gate, once a job started after the reload
# has been timed out.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
clear_queues
set_queue OK ok
set_queue GONE record
set_queue DOOMED gate
set_queue SLEEP gate
start_daemon

ctl queue pause GONE >/dev/null
gone=()
for i in 1 2 3; do
	gone+=("$(submit GONE --param file="$DATA/gone" --param i=$i)")
done
doomed=$(submit DOOMED --param gate="$DATA/open")
long=$(submit SLEEP --param gate="$DATA/open")
wait_status "$doomed" Running
wait_status "$long" Running

clear_queues
set_queue OK ok
set_queue SLEEP gate timeout=1s
write_conf "$JSV_TMP/a.conf"
kill -s HUP "$(daemon_pid)"
wait_for "the removal of GONE to be logged" grep -q 'queue GONE remov' "$JSV_TMP/a.log"
line=$(grep 'queue GONE remov' "$JSV_TMP/a.log")
assert_imatch "the log line about GONE" 'remov' "$line"
assert_match "the log line gives its 3 pending jobs" '(^|[^0-9])3([^0-9]|$)' "$line"
wait_for "the reload to be logged" grep -q 'reloaded' "$JSV_TMP/a.log"

assert_eq "GONE pending count in queues after its removal" 3 "$(queue_field GONE count)"
for id in "${gone[@]}"; do
	assert_eq "status of $id after its queue was removed" Pending "$(job_status "$id")"
done

# The new timeout applies to a job started after the reload...
new=$(submit SLEEP --param gate="$DATA/never")
wait_status "$new" Error
assert_imatch "error of a job past the new timeout" 'time' "$(job_field "$new" error)"
# ...not to the jobs that were running: they go on, under their old
# settings, though they started before the new job.
assert_eq "status of the job of the removed queue" Running "$(job_status "$doomed")"
assert_eq "status of the job of the changed queue" Running "$(job_status "$long")"
touch "$DATA/open"
wait_status "$doomed" Success
wait_status "$long" Success
assert_eq "attempts of the job of the removed queue" 1 "$(job_field "$doomed" attempts)"
assert_eq "attempts of the job of the changed queue" 1 "$(job_field "$long" attempts)"
[ ! -e "$DATA/gone" ] || fail "a job of the removed queue ran: $(cat "$DATA/gone")"

# Back in the file: its jobs are still there and run.
set_queue GONE record
write_conf "$JSV_TMP/a.conf"
kill -s HUP "$(daemon_pid)"
wait_for "GONE to be added back" grep -q 'queue GONE added' "$JSV_TMP/a.log"
assert_eq "GONE pending count after it was added back" 3 "$(queue_field GONE count)"
ctl queue resume GONE >/dev/null
for id in "${gone[@]}"; do
	wait_status "$id" Success
done
assert_eq "runs of the GONE jobs" 3 "$(lines "$DATA/gone")"
pass
