# SPDX-License-Identifier: ISC
#
# t/lifecycle-lib.sh: sourced after t/lib.sh by the tests of
# schedules and the job lifecycle.  It adds:
#
#   lines FILE          the number of lines of FILE, 0 when it is missing
#   lines_ge FILE N     FILE has at least N lines
#   epoch TIME          an RFC 3339 time as Unix seconds
#   job_gone ID         `job show ID` says the job does not exist
#   reap_daemon NAME    waits (bounded) for daemon NAME to die on its own,
#                       reaps it and forgets it
#   last_job SID        the id of the last job schedule SID fired
#   sched_field SID F   one field of schedule SID in `-j schedules`
#   at_start_of_second  true during the first 50-300 ms of a second

lines()
{
	if [ -e "$1" ]; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

lines_ge()
{
	[ "$(lines "$1")" -ge "$2" ]
}

epoch()
{
	[ -n "$1" ] || fail "epoch: empty time"
	date -u -d "$1" +%s
}

job_gone()
{
	local rc=0
	ctl job show "$1" >/dev/null 2>"$JSV_TMP/job_gone.err" || rc=$?
	[ "$rc" = 1 ] && grep -qi 'not found' "$JSV_TMP/job_gone.err"
}

reap_daemon()
{
	local name=$1 pid=${DPID[$1]:-}
	[ -n "$pid" ] || fail "daemon $name is not running"
	wait_for "jobsvcd $name ($pid) to die" proc_gone "$pid"
	DAEMON_RC=0
	{ wait "$pid"; } 2>/dev/null || DAEMON_RC=$?
	unset "DPID[$name]"
	echo "--- $(date '+%T.%N') died on its own, exit status $DAEMON_RC" \
		>>"$JSV_TMP/$name.log"
}

sched_field()
{
	local json
	json=$(ctl -j schedules) || return 1
	printf '%s\n' "$json" |
		jq_str --argjson id "$1" --arg f "$2" '.[] | select(.id == $id) | .[$f]'
}

last_job()
{
	sched_field "$1" last_job_id
}

at_start_of_second()
{
	local t=$EPOCHREALTIME ms
	ms=${t#*.}
	ms=$((10#${ms:0:3}))
	[ "$ms" -ge 50 ] && [ "$ms" -le 300 ]
}
