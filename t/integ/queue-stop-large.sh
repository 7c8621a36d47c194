#!/bin/bash
# A queue stop of 100,000 jobs, with a second daemon on the same Redis:
# - it reports exactly 100000 (no daemon runs a second stopper on the same
#   queue, whoever runs the batches);
# - the daemon doing it goes on answering meanwhile: `status` from another
#   client is answered while the stop is still in progress;
# - stopped mid-way (SIGSTOP), the stop is finished by the other daemon once
#   its lease ran out, and when the first daemon comes back it still
#   reports exactly 100000.
set -eu
. "${0%/*}/../lib.sh"
start_daemon b
start_daemon a
n=100000

# fill: n pending RECORD jobs (the queue is paused, nothing runs).
fill()
{
	seq "$n" | awk -v f="$DATA/ran" \
		'{ printf "{\"name\": \"RECORD\", \"parameters\": {\"file\": \"%s\", \"i\": %d}}\n", f, $1 }' \
		>"$JSV_TMP/jobs.jsonl"
	# a slow machine takes long for 100,000 jobs: give the whole submit time
	JSV_CTL_TIMEOUT=$((600 * JSV_SCALE)) ctl submit --from "$JSV_TMP/jobs.jsonl" >/dev/null ||
		fail "submit --from of $n jobs failed"
	assert_eq "pending RECORD jobs" "$n" "$(queue_field RECORD count)"
}

finished()
{
	redis_cli ZCARD test:finished
}

stopping()
{
	redis_cli SCARD test:stopping
}

# all_stopped: both fills ended Stopped; shows the stops in progress.
all_stopped()
{
	local f s
	f=$(finished)
	echo "$f jobs Stopped; stops in progress:"
	for s in $(redis_cli SMEMBERS test:stopping); do
		redis_cli HGETALL "test:stop:$s" | tr '\n' ' '
	done
	redis_cli TIME | tr '\n' ' '
	[ "$f" = $((2 * n)) ]
}

more_than_n_finished()
{
	[ "$(finished)" -gt "$n" ]
}

stop_begun()
{
	[ "$(stopping)" = 1 ]
}

ctl queue pause RECORD >/dev/null
fill
ctl queue stop RECORD >"$JSV_TMP/stop1.out" 2>&1 &
stop_pid=$!
wait_for "the stop to begin" stop_begun
answered=0
while [ "$(stopping)" = 1 ]; do
	ctl status >/dev/null || fail "status failed during the stop"
	if [ "$(finished)" -lt "$n" ]; then
		answered=1
		break
	fi
done
assert_eq "status answered while the stop was in progress" 1 "$answered"
rc=0
wait "$stop_pid" || rc=$?
assert_eq "queue stop exit ($(cat "$JSV_TMP/stop1.out"))" 0 "$rc"
assert_match "queue stop count" "^Stopped $n jobs in RECORD" "$(cat "$JSV_TMP/stop1.out")"
assert_eq "jobs ended Stopped" "$n" "$(finished)"
assert_eq "pending RECORD jobs after the stop" 0 "$(queue_field RECORD count)"

# Interrupted: daemon a freezes mid-stop; b takes the stop over once a's
# lease (dead_timeout) ran out and finishes it; a, thawed, reports it all.
fill
ctl queue stop RECORD >"$JSV_TMP/stop2.out" 2>&1 &
stop_pid=$!
wait_for "the second stop to begin" more_than_n_finished
kill -s STOP "$(daemon_pid a)"
left=$((2 * n - $(finished)))
note "daemon a stopped with $left jobs left to stop"
[ "$left" -gt 0 ] || note "the stop ended before SIGSTOP: no takeover tested"
wait_for -t 30 "daemon b to finish the stop" all_stopped
assert_eq "stops in progress" 0 "$(stopping)"
[ "$left" = 0 ] || grep -q "queue stop .* finished: $n jobs stopped in all" \
	"$JSV_TMP/b.log" || fail "daemon b did not finish the stop: $(tail -n 5 "$JSV_TMP/b.log")"
kill -s CONT "$(daemon_pid a)"
rc=0
wait "$stop_pid" || rc=$?
assert_eq "interrupted queue stop exit ($(cat "$JSV_TMP/stop2.out"))" 0 "$rc"
assert_match "interrupted queue stop count" "^Stopped $n jobs in RECORD" \
	"$(cat "$JSV_TMP/stop2.out")"

ctl queue resume RECORD >/dev/null
sentinel=$(submit RECORD --param file="$DATA/sentinel")
wait_status "$sentinel" Success
[ ! -e "$DATA/ran" ] || fail "$(wc -l <"$DATA/ran") stopped jobs ran"
pass
