#!/bin/bash
# A job whose handler kills its own daemon (SIGKILL) is not run for ever:
# with crash_retries = 1, restarting the daemon each time it dies, the job
# ends in Error after crash_retries + 1 = 2 lost runs, with an error naming
# the worker pool that died running it; its max_retries (1) are for runs
# that end in Error and do not lengthen the loop.  The restarted daemon then
# stays up and runs other jobs.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
JSV_MAIN_EXTRA='crash_retries = 1'
set_queue CRASH suicide max_retries=1
start_daemon a

j=$(submit CRASH --param file="$DATA/runs" --param gate="$DATA/gate")
pools=()
rounds=0
while :; do
	p=$(pool_id a)
	pools+=("$p")
	rounds=$((rounds + 1))
	[ "$rounds" -le 4 ] ||
		fail "job $j still loops after $((rounds - 1)) daemon crashes ($(lines "$DATA/runs") runs)"
	# The handler kills its daemon once we know the daemon's pool.
	touch "$DATA/gate"
	reap_daemon a
	note "daemon a (pool ${pools[-1]}) died, runs so far: $(lines "$DATA/runs")"
	start_daemon a
	# The restarted daemon puts the job back (or ends it); wait until it
	# does one or the other.
	wait_for -t 10 "job $j to be recovered" eval \
		'st=$(job_status "$j"); [ "$st" = Error ] || [ "$st" = Pending ] || [ "$st" = Running ]'
	[ "$(job_status "$j")" != Error ] || break
done

assert_eq "runs of the crashing job (crash_retries 1 + 1)" 2 "$(lines "$DATA/runs")"
assert_eq "daemon crashes" 2 "$rounds"
assert_eq "attempts of the crashing job" 2 "$(job_field "$j" attempts)"
assert_eq "lost runs of the crashing job" 2 "$(job_field "$j" lost_runs)"
assert_eq "failures of the crashing job" 0 "$(job_field "$j" failures)"
err=$(job_field "$j" error)
assert_contains "error names the pool that died" "${pools[-1]}" "$err"
assert_imatch "error says why" 'died|restart|lost|crash' "$err"

# The daemon stays up and does not run the job again.
ok=$(submit OK)
wait_status "$ok" Success
our_pid "$(daemon_pid a)" || fail "the daemon died again"
assert_eq "status of the crashing job" Error "$(job_status "$j")"
assert_eq "runs of the crashing job at the end" 2 "$(lines "$DATA/runs")"
pass
