#!/bin/bash
# Retries wait out retry_backoff, doubling with each attempt up to
# retry_backoff_max (t/integ/retry-timeout.sh covers the attempt counting
# with the default backoff).  Between runs the job is Pending with the
# error of its last run.  A job that fails once and then succeeds (its
# handler keeps a state file) ends Success after 2 attempts.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
set_queue RETRY stamp max_retries=2 retry_backoff=2s
set_queue CAPPED stamp max_retries=8 retry_backoff=100ms retry_backoff_max=200ms
set_queue HELD stamp max_retries=1 retry_backoff=1h
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
h=$(submit HELD --param file="$DATA/h" --param fail=1000)

# Between the first and the second run of HELD (an hour: the test sees
# that state however slow the machine).
wait_for "the first run of $h" lines_ge "$DATA/h" 1
wait_for "$h to wait for its retry" job_has_status "$h" Pending
assert_eq "attempts of $h waiting for its retry" 1 "$(job_field "$h" attempts)"
assert_imatch "error of $h waiting for its retry" '(exit|status|code)[^0-9]*3([^0-9]|$)' \
	"$(job_field "$h" error)"
assert_eq "HELD pending count during the backoff" 0 "$(queue_field HELD count)"
assert_eq "runs of $h" 1 "$(lines "$DATA/h")"

wait_status -t 60 "$r" Error
assert_eq "attempts of $r" 3 "$(job_field "$r" attempts)"
assert_eq "JOBSVC_ATTEMPT of its runs" "1 2 3" "$(cut -d' ' -f2 "$DATA/r" | tr '\n' ' ' | sed 's/ $//')"
mapfile -t g < <(gaps "$DATA/r")
note "RETRY gaps (ms): ${g[*]}"
# A run starts no earlier than its backoff after the end of the run before
# (Redis's clock and the handlers' are the host's).
assert_int_cmp "gap before the 1st retry (retry_backoff 2s)" "${g[0]}" -ge 2000
assert_int_cmp "gap before the 2nd retry (doubled: 4s)" "${g[1]}" -ge 4000

wait_status -t 60 "$c" Error
assert_eq "attempts of $c" 9 "$(job_field "$c" attempts)"
mapfile -t g < <(gaps "$DATA/c")
note "CAPPED gaps (ms): ${g[*]}"
assert_int_cmp "gap 1 (100ms)" "${g[0]}" -ge 100
assert_int_cmp "gap 2 (200ms)" "${g[1]}" -ge 200
for i in 2 3 4 5 6 7; do
	assert_int_cmp "gap $((i + 1)) (capped at 200ms)" "${g[$i]}" -ge 200
done
# Uncapped, the last wait would have been 12.8 s; capped, the last gap is
# 200 ms and one run of a shell script.
assert_int_cmp "gap 8 (200ms capped, 12800ms uncapped)" "${g[7]}" \
	-lt $((12800 * JSV_SCALE))

wait_status -t 60 "$o" Success
assert_eq "attempts of a job that failed once" 2 "$(job_field "$o" attempts)"
assert_eq "runs of it" 2 "$(lines "$DATA/o")"
assert_eq "error of a job that succeeded on its retry" "" "$(job_field "$o" error)"
mapfile -t g < <(gaps "$DATA/o")
assert_int_cmp "gap before its retry (300ms)" "${g[0]}" -ge 300
pass
