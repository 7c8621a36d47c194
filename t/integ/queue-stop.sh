#!/bin/bash
# Stop on a queue removes every pending job and marks each Stopped; none of
# them ever runs, and the queue's count is 0.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

n=500
ctl queue pause RECORD >/dev/null
for i in $(seq "$n"); do
	printf '{"name": "RECORD", "parameters": {"file": "%s", "i": %d}}\n' "$DATA/ran" "$i"
done >"$JSV_TMP/jobs.jsonl"
ctl submit --from "$JSV_TMP/jobs.jsonl" >"$JSV_TMP/ids" ||
	fail "submit --from of $n jobs failed"
mapfile -t ids <"$JSV_TMP/ids"
assert_eq "ids printed by submit --from" "$n" "${#ids[@]}"
assert_eq "pending count" "$n" "$(queue_field RECORD count)"

run ctl queue stop RECORD
assert_eq "queue stop exit (stderr: $ERR)" 0 "$RC"
assert_contains "queue stop says how many jobs it stopped" "$n" "$OUT"
assert_eq "pending count after stop" 0 "$(queue_field RECORD count)"
assert_eq "total pending in status" 0 "$(ctl -j status | jq '.queues.total')"

for id in "${ids[@]}"; do
	is_job_id "$id" || fail "submit --from printed '$id' for a job"
	st=$(job_status "$id")
	[ "$st" = Stopped ] || fail "job $id of the stopped queue is $st, expected Stopped"
done

# They stay stopped once the queue runs again.
ctl queue resume RECORD >/dev/null
sentinel=$(submit RECORD --param file="$DATA/sentinel")
wait_status "$sentinel" Success
[ ! -e "$DATA/ran" ] || fail "$(wc -l <"$DATA/ran") stopped jobs ran anyway"
assert_eq "a stopped job later" Stopped "$(job_status "${ids[0]}")"

# queue stop all, on queues that are not paused.
ctl queue pause SLEEP >/dev/null
s1=$(submit SLEEP)
ctl queue stop all >/dev/null || fail "queue stop all failed"
wait_status "$s1" Stopped
assert_eq "pending over all queues after stop all" 0 "$(ctl -j status | jq '.queues.total')"
pass
