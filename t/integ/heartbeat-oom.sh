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
. "${0%/*}/../lib.sh"
start_daemon_proxied a
start_daemon_proxied b

# two_jobs TAG: starts a job on each daemon, j1 and j2, that runs until
# ran_once TAG opens their gate.
two_jobs()
{
	j1=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/open.$1" --param tag="$1")
	j2=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/open.$1" --param tag="$1")
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
	touch "$DATA/open.$tag"
	for id in "$@"; do
		wait_status -t 20 "$id" Success
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

# beats NAME: counts the heartbeats daemon NAME sends (prints the rule).
beats()
{
	proxy_rule "$1" delay:0 0 '^EVALSHA heartbeat '
}

# Three dead timeouts (1 s) of heartbeats (200 ms), by each daemon.
wait_beats()
{
	wait_fired a "$1" 15
	wait_fired b "$2" 15
}

# unrule RULE_A RULE_B: deletes the rules of both proxies at the same time:
# a daemon whose heartbeats pass again declares the other dead if its
# heartbeats still fail a dead timeout later.
unrule()
{
	local pa pb
	proxy a del "$1" >/dev/null &
	pa=$!
	proxy b del "$2" >/dev/null &
	pb=$!
	wait "$pa" && wait "$pb" || fail "cannot delete the proxy rules $1 and $2"
}

note "Redis is out of memory"
two_jobs oom
redis_full on
wait_for "submissions to be refused for lack of memory" submit_refused
assert_match "the refusal of a submission" 'Redis refused the job: OOM' "$ERR"
ca=$(beats a)
cb=$(beats b)
wait_beats "$ca" "$cb"
unrule "$ca" "$cb"
redis_full off
ran_once oom "$j1" "$j2"

note "every heartbeat is refused"
two_jobs refused
ra=$(proxy_rule a error:OOM 0 '^EVALSHA heartbeat ')
rb=$(proxy_rule b error:OOM 0 '^EVALSHA heartbeat ')
wait_beats "$ra" "$rb"
unrule "$ra" "$rb"
ran_once refused "$j1" "$j2"
pass
