#!/bin/bash
# A unique job holds its uniqueness until it ends: while it runs, and while
# it waits out its retry backoff after an Error (it is pending again), an
# identical unique job is refused; once it has ended, one is accepted.
set -eu
. "${0%/*}/../lib.sh"
set_queue RETRYU record max_retries=1 retry_backoff=3s
start_daemon

refused()
{
	expect_rc "an identical unique job while the first is $1" 1 \
		ctl submit RETRYU --unique --param file="$DATA/ran" --param fail_first=1 --param seconds=3
	assert_imatch "the refusal gives the reason" 'unique|identical|duplicate|already' "$ERR"
}

first=$(submit RETRYU --unique --param file="$DATA/ran" --param fail_first=1 --param seconds=3)
wait_for "the first run of $first" eval '[ "$(runs "$first")" = 1 ]'
refused running
wait_status -t 20 "$first" Pending
assert_eq "attempts of $first waiting for its retry" 1 "$(job_field "$first" attempts)"
refused "waiting for its retry"

wait_for -t 20 "the second run of $first" eval '[ "$(runs "$first")" = 2 ]'
refused "running again"
wait_status -t 20 "$first" Success

again=$(submit RETRYU --unique --param file="$DATA/ran" --param fail_first=1 --param seconds=3)
wait_status -t 30 "$again" Success
pass
