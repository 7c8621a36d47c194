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
set_queue CAPPED stamp max_retries=6 retry_backoff=100ms retry_backoff_max=200ms
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

# Between the first and the second run of RETRY (2 s).
wait_for "the first run of $r" lines_ge "$DATA/r" 1
wait_for "$r to wait for its retry" job_has_status "$r" Pending
assert_eq "attempts of $r waiting for its retry" 1 "$(job_field "$r" attempts)"
assert_imatch "error of $r waiting for its retry" '(exit|status|code)[^0-9]*3([^0-9]|$)' \
	"$(job_field "$r" error)"
assert_eq "RETRY pending count during the backoff" 0 "$(queue_field RETRY count)"

wait_status -t 30 "$r" Error
assert_eq "attempts of $r" 3 "$(job_field "$r" attempts)"
assert_eq "JOBSVC_ATTEMPT of its runs" "1 2 3" "$(cut -d' ' -f2 "$DATA/r" | tr '\n' ' ' | sed 's/ $//')"
mapfile -t g < <(gaps "$DATA/r")
note "RETRY gaps (ms): ${g[*]}"
# A run starts no earlier than its backoff after the end of the run before
# (Redis's clock and the handlers' are the host's).
assert_int_cmp "gap before the 1st retry (retry_backoff 2s)" "${g[0]}" -ge 2000
assert_int_cmp "gap before the 2nd retry (doubled: 4s)" "${g[1]}" -ge 4000

wait_status -t 30 "$c" Error
assert_eq "attempts of $c" 7 "$(job_field "$c" attempts)"
mapfile -t g < <(gaps "$DATA/c")
note "CAPPED gaps (ms): ${g[*]}"
assert_int_cmp "gap 1 (100ms)" "${g[0]}" -ge 100
assert_int_cmp "gap 2 (200ms)" "${g[1]}" -ge 200
for i in 2 3 4 5; do
	assert_int_cmp "gap $((i + 1)) (capped at 200ms)" "${g[$i]}" -ge 200
done
# Uncapped, the waits would have been 400, 800, 1600 and 3200 ms: 6 s in
# all, against 800 ms capped.  Even a slow machine starts 4 runs of a
# shell script in less than the 5.2 s between the two.
total=$((g[2] + g[3] + g[4] + g[5]))
assert_int_cmp "gaps 3 to 6 in all (800ms capped, 6000ms uncapped)" "$total" \
	-lt $((6000 * JSV_SCALE))

wait_status -t 10 "$o" Success
assert_eq "attempts of a job that failed once" 2 "$(job_field "$o" attempts)"
assert_eq "runs of it" 2 "$(lines "$DATA/o")"
assert_eq "error of a job that succeeded on its retry" "" "$(job_field "$o" error)"
mapfile -t g < <(gaps "$DATA/o")
assert_int_cmp "gap before its retry (300ms)" "${g[0]}" -ge 300
pass
