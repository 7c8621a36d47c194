#!/bin/bash
# A run lost to a dead pool does not use up a retry: it counts against
# crash_retries (lost_runs), and max_retries counts only the runs that end
# in Error (failures).  A job with max_retries = 2 whose handler always
# fails: its first run fails, its daemon is SIGKILLed during the second,
# another daemon recovers it; it still gets its two retries, so it ends in
# Error after 4 runs, 3 of them failed, with the error of its last run.
set -eu
. "${0%/*}/../lib.sh"
set_queue FLAKY record max_retries=2 retry_backoff=100ms
start_daemon a
pa=$(pool_id a)

j=$(submit FLAKY --param file="$DATA/ran" --param exit=3 \
	--param seconds=$((3 * JSV_SCALE)))
wait_for -t 30 "the second run of $j to start" eval '[ "$(runs "$j")" -ge 2 ]'
assert_eq "runs of $j before the kill" 2 "$(runs "$j")"
assert_eq "failures of $j before the kill" 1 "$(job_field "$j" failures)"
assert_eq "pool of the second run" "$pa" "$(job_field "$j" pool_id)"
kill_daemon a KILL

start_daemon b
pb=$(pool_id b)
wait_status -t 60 "$j" Error
assert_eq "runs of $j (1 failed, 1 lost, 2 retries)" 4 "$(runs "$j")"
assert_eq "attempts of $j" 4 "$(job_field "$j" attempts)"
assert_eq "failures of $j" 3 "$(job_field "$j" failures)"
assert_eq "lost runs of $j" 1 "$(job_field "$j" lost_runs)"
assert_eq "pool of the last run" "$pb" "$(job_field "$j" pool_id)"
assert_imatch "error of $j is its last run's" '(exit|status|code)[^0-9]*3([^0-9]|$)' \
	"$(job_field "$j" error)"
assert_match "job show lists the lost runs" '^lost_runs: 1$' \
	"$(ctl job show "$j")"
pass
