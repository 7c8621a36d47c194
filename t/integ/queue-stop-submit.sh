#!/bin/bash
# A queue stop in batches: the queue is empty at once, so jobs submitted
# to it while its batches still run wait in it and are not stopped; every
# job that was waiting when the stop was asked ends Stopped, exactly
# counted, and none runs.
set -eu
. "${0%/*}/../lib.sh"
start_daemon
n=20000

stopping()
{
	redis_cli SCARD test:stopping
}

stop_begun()
{
	[ "$(stopping)" = 1 ]
}

ctl queue pause RECORD >/dev/null
seq "$n" | awk -v f="$DATA/ran" \
	'{ printf "{\"name\": \"RECORD\", \"parameters\": {\"file\": \"%s\", \"i\": %d}}\n", f, $1 }' \
	>"$JSV_TMP/jobs.jsonl"
JSV_CTL_TIMEOUT=$((600 * JSV_SCALE)) ctl submit --from "$JSV_TMP/jobs.jsonl" \
	>"$JSV_TMP/ids" || fail "submit --from of $n jobs failed"
assert_eq "pending RECORD jobs" "$n" "$(queue_field RECORD count)"

ctl queue stop RECORD >"$JSV_TMP/stop.out" 2>&1 &
stop_pid=$!
wait_for "the stop to begin" stop_begun
new=$(submit RECORD --param file="$DATA/new")
during=$(stopping)
assert_eq "status of a job submitted during the stop" Pending "$(job_status "$new")"
[ "$during" = 1 ] ||
	note "the stop ended before the submit was answered: only its outcome is tested"
rc=0
wait "$stop_pid" || rc=$?
assert_eq "queue stop exit ($(cat "$JSV_TMP/stop.out"))" 0 "$rc"
assert_match "queue stop count" "^Stopped $n jobs in RECORD" "$(cat "$JSV_TMP/stop.out")"
assert_eq "stops in progress" 0 "$(stopping)"
assert_eq "status of the job submitted during the stop, after it" Pending \
	"$(job_status "$new")"
assert_eq "pending RECORD jobs after the stop" 1 "$(queue_field RECORD count)"
assert_eq "jobs ended Stopped" "$n" "$(redis_cli ZCARD test:finished)"
for id in $(sed -n '1p;$p' "$JSV_TMP/ids"); do
	assert_eq "status of job $id" Stopped "$(job_status "$id")"
	assert_eq "end_time of job $id set" true \
		"$(ctl -j job show "$id" | jq '.end_time != ""')"
done

ctl queue resume RECORD >/dev/null
wait_status "$new" Success
[ ! -e "$DATA/ran" ] || fail "$(wc -l <"$DATA/ran") stopped jobs ran"
pass
