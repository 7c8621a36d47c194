#!/bin/bash
# A failing job is run again while retries remain (JOBSVC_ATTEMPT counts the
# runs) and ends Error when they are used up; one that succeeds on a retry
# ends Success.  A handler running past its type's timeout is killed and its
# job ends Error, naming the timeout.
set -eu
. "${0%/*}/../lib.sh"
set_queue FLAKY record max_retries=2
set_queue SLOW sleep timeout=1s
start_daemon

bad=$(submit FLAKY --param file="$DATA/bad" --param exit=3)
wait_status -t 60 "$bad" Error
assert_eq "attempts of a job failing every time" 3 "$(job_field "$bad" attempts)"
assert_eq "JOBSVC_ATTEMPT of the runs" "1 2 3" "$(cut -d' ' -f2 "$DATA/bad" | tr '\n' ' ' | sed 's/ $//')"
assert_imatch "error of the last run" '(exit|status|code)[^0-9]*3([^0-9]|$)' "$(job_field "$bad" error)"

good=$(submit FLAKY --param file="$DATA/good" --param fail_first=1)
wait_status -t 60 "$good" Success
assert_eq "attempts of a job that succeeded on its retry" 2 "$(job_field "$good" attempts)"
assert_eq "runs of it" 2 "$(wc -l <"$DATA/good")"

slow=$(submit SLOW --param seconds=60 --param pidfile="$DATA/slow.pid")
wait_for "the slow handler to start" test -s "$DATA/slow.pid"
wait_status -t 20 "$slow" Error
assert_imatch "error of a timed-out job" 'time' "$(job_field "$slow" error)"
wait_for "the timed-out handler to be gone" proc_gone "$(cat "$DATA/slow.pid")"
wait_for "its worker to be free" busy_workers_are 0
pass
