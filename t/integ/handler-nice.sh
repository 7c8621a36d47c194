#!/bin/bash
# Handlers run handler_nice levels nicer than the daemon (5 by default, 19
# at most), so that a pool of busy handlers does not keep the daemon that
# starts their next jobs off the CPUs; a reload changes it for the next jobs.
set -eu
. "${0%/*}/../lib.sh"

# nice_of PID: the nice value of PID (field 19 of /proc/PID/stat).
nice_of()
{
	awk '{ sub(/.*\) /, ""); print $17 }' "/proc/$1/stat"
}

printf '#!/bin/sh\nawk '"'"'{ sub(/.*\\) /, ""); print "nice", $17 }'"'"' /proc/self/stat\n' \
	>"$JSV_TMP/h/nice"
chmod 755 "$JSV_TMP/h/nice"
set_queue NICE "$JSV_TMP/h/nice"
start_daemon

# job_nice: runs a NICE job and prints the nice value its handler had.
job_nice()
{
	local id
	id=$(submit NICE)
	wait_status "$id" Success
	ctl job log "$id" | awk '$1 == "nice" { print $2 }'
}

base=$(nice_of "$(daemon_pid)")
assert_eq "a handler runs 5 levels nicer than the daemon by default" \
	$((base + 5)) "$(job_nice)"
assert_eq "the daemon's own nice value is left as it was" \
	"$base" "$(nice_of "$(daemon_pid)")"

JSV_MAIN_EXTRA="handler_nice = 0"
write_conf "$JSV_TMP/a.conf"
kill -s HUP "$(daemon_pid)"
wait_for "the reload to be logged" grep -q "configuration reloaded" "$JSV_TMP/a.log"
wait_for "handlers to run at the daemon's nice value after the reload" \
	eval '[ "$(job_nice)" = "$base" ]'

JSV_MAIN_EXTRA="handler_nice = 12"
write_conf "$JSV_TMP/a.conf"
renice -n 10 -p "$(daemon_pid)" >/dev/null
kill -s HUP "$(daemon_pid)"
wait_for "handlers to run at nice 19, the lowest, not 22" \
	eval '[ "$(job_nice)" = 19 ]'
pass
