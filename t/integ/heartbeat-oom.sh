#!/bin/bash
# Two daemons, each running a job, while their heartbeats cannot be written
# for three dead timeouts: first Redis is out of memory (maxmemory reached:
# submissions are refused with Redis's reason, but heartbeats must get
# through, as claims and results do), then every
# heartbeat is refused (t/faultproxy.py): when they come back, no daemon
# declares the other dead, as its own heartbeats were failing too.  Each
# job runs once.
set -eu
JSV_WORKERS=1
# A dead timeout long enough that installing the two proxies' rules one
# after the other (a Python start each) never leaves one daemon's
# heartbeats refused for a whole timeout while the other's go through:
# then declaring it dead would be right.
DT=10
JSV_HEARTBEAT=500ms
JSV_DEAD_TIMEOUT=${DT}s
. "${0%/*}/../lib.sh"
start_daemon_proxied a
start_daemon_proxied b

# two_jobs TAG: starts a long job on each daemon, j1 and j2.
two_jobs()
{
	j1=$(submit RECORD --param file="$DATA/ran" --param seconds=$((4 * DT)) --param tag="$1")
	j2=$(submit RECORD --param file="$DATA/ran" --param seconds=$((4 * DT)) --param tag="$1")
	wait_for "both $1 jobs to start" eval '[ "$(runs "$j1")" = 1 ] && [ "$(runs "$j2")" = 1 ]'
	assert_ne "pools of the two $1 jobs" "$(job_field "$j1" pool_id)" \
		"$(job_field "$j2" pool_id)"
}

# ran_once TAG IDS...: each job ends Success after one run, both pools
# Healthy.
ran_once()
{
	local tag=$1 id st
	shift
	for id in "$@"; do
		wait_status -t $((10 * DT)) "$id" Success
		assert_eq "runs of $id ($tag)" 1 "$(runs "$id")"
		assert_eq "attempts of $id ($tag)" 1 "$(job_field "$id" attempts)"
	done
	st=$(ctl -j pools | jq -r '[.[].status] | sort | join(" ")')
	assert_eq "status of the pools ($tag)" "Healthy Healthy" "$st"
	for d in a b; do
		if grep -q "recovered .* dead worker pools" "$JSV_TMP/$d.log"; then
			fail "daemon $d recovered a live pool ($tag)"
		fi
	done
}

submit_refused()
{
	run ctl submit OK
	[ "$RC" != 0 ]
}

note "Redis is out of memory"
two_jobs oom
redis_full on
wait_for "submissions to be refused for lack of memory" submit_refused
assert_match "the refusal of a submission" 'Redis refused the job: OOM' "$ERR"
sleep $((3 * DT))
redis_full off
ran_once oom "$j1" "$j2"

note "every heartbeat is refused"
two_jobs refused
proxy_rule a error:OOM 0 '^EVALSHA heartbeat ' >"$DATA/ra" &
adding=$!
proxy_rule b error:OOM 0 '^EVALSHA heartbeat ' >"$DATA/rb"
wait "$adding"
ra=$(cat "$DATA/ra")
rb=$(cat "$DATA/rb")
wait_fired a "$ra"
wait_fired b "$rb"
sleep $((3 * DT))
proxy a del "$ra" >/dev/null
proxy b del "$rb" >/dev/null
ran_once refused "$j1" "$j2"
pass
