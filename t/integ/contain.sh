#!/bin/bash
# A job's processes never outlive its run: not when its handler exits, not
# when the job is stopped, and not when the daemon is killed (dead-pool
# recovery then runs the job elsewhere: two runs must never overlap).  The
# handler leaves a background child in its process group and one that left
# it (setsid).  Checked with the job supervisor alone and, where this test
# can make a delegated cgroup v2 (as systemd's Delegate=yes does), with a
# cgroup per job.
set -eu
. "${0%/*}/../lib.sh"
set_queue ESCAPE escape

escape_ready()
{
	[ -s "$1" ] && [ -s "$1.bg" ] && [ -s "$1.sid" ]
}

left_gone()
{
	proc_gone "$(cat "$1.bg")" && proc_gone "$(cat "$1.sid")"
}

# check_contained LABEL: the three ways a run ends, on daemon "a", which
# is killed at the end.
check_contained()
{
	local p=$DATA/$1 id
	id=$(submit ESCAPE --param pidfile="$p-exit" --param exit=1)
	wait_status "$id" Success
	wait_for "$1: what the handler left behind to be killed" \
		left_gone "$p-exit"

	id=$(submit ESCAPE --param pidfile="$p-stop")
	wait_for "$1: handler of $id ready" escape_ready "$p-stop"
	ctl job stop "$id" >/dev/null
	wait_status "$id" Stopped
	wait_for "$1: the stopped job's processes to be killed" \
		left_gone "$p-stop"

	id=$(submit ESCAPE --param pidfile="$p-kill")
	wait_for "$1: handler of $id ready" escape_ready "$p-kill"
	if [ -n "${CG:-}" ]; then
		assert_contains "$1: the escaped process is in the job's cgroup" \
			"$(cat "$p-kill.sid")" "$(cat "$CG/job-$id/cgroup.procs")"
	fi
	our_pid "$(cat "$p-kill.sid")" || fail "$1: the handler's setsid child is not running"
	kill_daemon a KILL
	wait_for "$1: the job's processes to die with the daemon" \
		left_gone "$p-kill"
}

start_daemon a
check_contained supervisor
assert_contains "no cgroup here" "contained by their supervisor" \
	"$(cat "$JSV_TMP/a.log")"

# A delegated cgroup: writable, marked as systemd marks one.
mnt=$(sed -n 's/^[^ ]* [^ ]* [^ ]* \/ \([^ ]*\) .* - cgroup2 .*/\1/p' \
	/proc/self/mountinfo | head -n 1)
rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
if [ -z "$mnt" ] || [ -z "$rel" ] || [ ! -w "$mnt$rel/cgroup.procs" ] ||
	! command -v python3 >/dev/null 2>&1; then
	note "no writable cgroup v2 hierarchy: cgroups not tested"
	pass
fi
home=${mnt}${rel%/}
CG=$home/jsv-$TEST_NAME-$$
mkdir "$CG" || { note "cannot make a cgroup in $home: not tested"; pass; }
# Removed once the daemons are gone, whatever happens to the test.
trap 'rc=$?; cg_remove >/dev/null 2>&1 & (exit $rc); jsv_cleanup' EXIT
cg_remove()
{
	set +e
	for _ in $(seq 300); do
		rmdir "$CG"/job-*
		rmdir "$CG" && return
		sleep 0.1
	done
}
python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.delegate", b"1")' \
	"$CG" 2>/dev/null || {
	note "cgroupfs without user xattrs: cgroups not tested"
	pass
}
echo $$ >"$CG/cgroup.procs"
start_daemon a
echo $$ >"$home/cgroup.procs"
assert_contains "the delegated cgroup is used" \
	"contained by cgroups under $CG" "$(cat "$JSV_TMP/a.log")"
check_contained cgroup
pass
