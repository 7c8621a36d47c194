#!/bin/bash
# A handler's misuse of its check-in fd 3 costs the daemon nothing.  One
# that exits while its child still holds fd 3: the next job on the same
# slot checks in and succeeds (no stale pipe, no SIGPIPE), and the idle
# daemon does not spin.  One that floods fd 3 (`yes >&3`): the daemon goes
# on answering, shows the latest check-in, ends the job at its timeout, and
# stops on SIGTERM.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
set_queue FORKEXIT forkexit
set_queue FLOOD flood timeout=3s
start_daemon

# The next job waits, so that it starts as soon as the first one ends.
first=$(submit FORKEXIT)
wait_status "$first" Running
id=$(submit CHECKIN --param message="after the fork" --param seconds=1)
wait_status "$first" Success
wait_status "$id" Success
assert_eq "check-in of the next job" "after the fork" \
	"$(job_field "$id" check_in)"

# CPU time (clock ticks) the daemon used in 3 s of idleness.
cpu_ticks()
{
	local st
	st=$(cat "/proc/$(daemon_pid)/stat")
	st=${st##*) }
	# state ppid ... utime is field 14 of the whole line, 12 after "pid (comm)"
	read -r -a f <<<"$st"
	echo $((f[11] + f[12]))
}
t0=$(cpu_ticks)
sleep 3
t1=$(cpu_ticks)
hz=$(getconf CLK_TCK)
assert_int_cmp "CPU ticks of the idle daemon in 3 s" $((t1 - t0)) -lt "$hz"

# A flood: the daemon stays responsive.
id=$(submit FLOOD)
wait_status "$id" Running
wait_for "the flood's check-in" job_field_is "$id" check_in "flooding fd 3"
for _ in 1 2 3; do
	timeout 5 "$JSV_CTL" -s "$SOCK" status >/dev/null ||
		fail "status does not answer while a handler floods fd 3"
done
wait_status -t 20 "$id" Error
assert_contains "error of the flooding job" timeout "$(job_field "$id" error)"

id=$(submit FLOOD)
wait_status "$id" Running
wait_for "the flood's check-in" job_field_is "$id" check_in "flooding fd 3"
stop_daemon a
pass
