#!/bin/bash
# Replies lost after Redis ran the script: the connection cut right after
# (t/faultproxy.py), or Redis slower than the daemon's 2 s command timeout.
# A finish whose reply is lost also claimed the worker's next job: that job
# is handed back and runs; a claim whose reply is lost is handed back too.
# Each job runs exactly once, and a lost claim does not use up an attempt.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
start_daemon_proxied a

job_claimed()
{
	[ "$(redis_cli HGET "test:job:$1" status)" = Running ]
}

# finish_lost ACTION: the reply of the finish of a job that has a job
# queued behind it on the only worker meets ACTION; both jobs end Success,
# each run once.
finish_lost()
{
	local first second rule
	rule=$(proxy_rule a "$1" 1 '^EVALSHA finish ')
	first=$(submit RECORD --param file="$DATA/ran" --param seconds=2)
	wait_for "$first to start" eval '[ "$(runs "$first")" = 1 ]'
	second=$(submit RECORD --param file="$DATA/ran")
	assert_eq "the second job waits for the only worker" Pending \
		"$(job_status "$second")"
	wait_status -t 20 "$first" Success
	wait_status -t 20 "$second" Success
	rule_fired a "$rule" || fail "the finish of $first was not sent via the rule"
	assert_eq "runs of $first ($1)" 1 "$(runs "$first")"
	assert_eq "runs of $second ($1)" 1 "$(runs "$second")"
	assert_eq "attempts of $second ($1)" 1 "$(job_field "$second" attempts)"
	# The finish sent again is recognised, not reported as discarded.
	if grep -q "job $first: result .* discarded" "$JSV_TMP/a.log"; then
		fail "the log says the recorded result of $first was discarded"
	fi
}

note "the connection is cut right after a finish ran"
finish_lost cut
note "a finish's reply comes after the command timeout"
finish_lost drop

note "the connection is cut right after claims ran"
# The daemon keeps reconnecting while every claim is cut, so the queue is
# resumed behind its back.
ctl queue pause RECORD >/dev/null
id=$(submit RECORD --param file="$DATA/ran")
rule=$(proxy_rule a cut 0 '^EVALSHA claim ')
redis_cli SREM test:paused RECORD >/dev/null
wait_for "$id to be claimed by a claim whose reply is cut" job_claimed "$id"
proxy a del "$rule" >/dev/null
wait_status -t 20 "$id" Success
assert_eq "runs of $id" 1 "$(runs "$id")"
assert_eq "attempts of $id" 1 "$(job_field "$id" attempts)"

note "a claim runs in Redis after the daemon gave up on it"
# The claim of the idle worker is held back; once the daemon has given up
# on it and its only worker runs a long job, the claim runs and takes a job
# for that worker.  No reconnection follows: the heartbeat finds the claim.
ctl queue pause RECORD >/dev/null
id=$(submit RECORD --param file="$DATA/ran")
rule=$(proxy_rule a hold 1 '^EVALSHA claim ')
wait_fired a "$rule"
long_submitted()
{
	long=$(ctl submit SLEEP --param seconds=4)
}
wait_for "a submission once the daemon has reconnected" long_submitted
wait_status "$long" Running
redis_cli SREM test:paused RECORD >/dev/null
assert_eq "held claims released" 1 "$(proxy a release)"
wait_status -t 20 "$id" Success
wait_status "$long" Success
assert_eq "runs of $id" 1 "$(runs "$id")"
assert_eq "attempts of $id" 1 "$(job_field "$id" attempts)"

note "Redis pauses for longer than the command timeout while a job ends"
first=$(submit RECORD --param file="$DATA/ran" --param seconds=1)
wait_for "$first to start" eval '[ "$(runs "$first")" = 1 ]'
second=$(submit RECORD --param file="$DATA/ran")
redis_pause 3000
wait_status -t 20 "$first" Success
wait_status -t 20 "$second" Success
assert_eq "runs of $first (pause)" 1 "$(runs "$first")"
assert_eq "runs of $second (pause)" 1 "$(runs "$second")"

assert_eq "busy workers at the end" 0 "$(ctl -j status | jq .workers.busy)"
assert_eq "claims of the pool left in Redis" 0 \
	"$(redis_cli HLEN "test:pool:$(pool_id a):jobs")"
pass
