#!/bin/bash
# Retries wait out retry_backoff, doubling with each attempt up to
# retry_backoff_max (t/integ/retry-timeout.sh covers the attempt counting
# with the default backoff).  Between runs the job is Pending with the
# error of its last run.  A job that fails once and then succeeds (its
# handler keeps a state file) ends Success after 2 attempts.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/lifecycle-lib.sh"
set_queue RETRY stamp max_retries=2 retry_backoff=700ms
set_queue CAPPED stamp max_retries=4 retry_backoff=200ms retry_backoff_max=400ms
set_queue ONCE stamp max_retries=3 retry_backoff=300ms
start_daemon

# gaps FILE: the milliseconds between the starts of the runs recorded.
gaps()
{
	awk 'NR > 1 { printf "%d\n", ($3 - prev) * 1000 } { prev = $3 }' "$1"
}

r=$(submit RETRY --param file="$DATA/r" --param fail=1000)
c=$(submit CAPPED --param file="$DATA/c" --param fail=1000)
o=$(submit ONCE --param file="$DATA/o" --param fail=1)

# Between the first and the second run of RETRY (700 ms).
wait_for "the first run of $r" lines_ge "$DATA/r" 1
wait_for -t 5 "$r to wait for its retry" job_has_status "$r" Pending
assert_eq "attempts of $r waiting for its retry" 1 "$(job_field "$r" attempts)"
assert_imatch "error of $r waiting for its retry" '(exit|status|code)[^0-9]*3([^0-9]|$)' \
	"$(job_field "$r" error)"
assert_eq "RETRY pending count during the backoff" 0 "$(queue_field RETRY count)"

wait_status -t 15 "$r" Error
assert_eq "attempts of $r" 3 "$(job_field "$r" attempts)"
assert_eq "JOBSVC_ATTEMPT of its runs" "1 2 3" "$(cut -d' ' -f2 "$DATA/r" | tr '\n' ' ' | sed 's/ $//')"
mapfile -t g < <(gaps "$DATA/r")
note "RETRY gaps (ms): ${g[*]}"
assert_int_cmp "gap before the 1st retry (retry_backoff 700ms)" "${g[0]}" -ge 700
assert_int_cmp "gap before the 2nd retry (doubled: 1400ms)" "${g[1]}" -ge 1400
assert_int_cmp "gap before the 2nd retry vs the 1st" "${g[1]}" -ge "${g[0]}"

wait_status -t 15 "$c" Error
assert_eq "attempts of $c" 5 "$(job_field "$c" attempts)"
mapfile -t g < <(gaps "$DATA/c")
note "CAPPED gaps (ms): ${g[*]}"
assert_int_cmp "gap 1 (200ms)" "${g[0]}" -ge 200
assert_int_cmp "gap 2 (400ms)" "${g[1]}" -ge 400
assert_int_cmp "gap 3 (capped at 400ms)" "${g[2]}" -ge 400
assert_int_cmp "gap 4 (capped at 400ms)" "${g[3]}" -ge 400
# Without the cap, the 4th wait would be 1600 ms (slack for valgrind).
assert_int_cmp "gap 4 (capped at 400ms, would be 1600 uncapped)" "${g[3]}" \
	-lt $((1200 * JSV_SCALE))

wait_status -t 10 "$o" Success
assert_eq "attempts of a job that failed once" 2 "$(job_field "$o" attempts)"
assert_eq "runs of it" 2 "$(lines "$DATA/o")"
assert_eq "error of a job that succeeded on its retry" "" "$(job_field "$o" error)"
mapfile -t g < <(gaps "$DATA/o")
assert_int_cmp "gap before its retry (300ms)" "${g[0]}" -ge 300
pass
