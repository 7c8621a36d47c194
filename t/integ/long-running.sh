#!/bin/bash
# A job that runs much longer than the heartbeat and the dead-pool timeout
# (200 ms and 1 s here) stays Running on its worker, shown busy, the whole
# time, with a second daemon watching for dead pools: it is never taken
# back or run twice, and it ends Success after one attempt.  The handler
# runs until the test opens its gate, so what is read while it runs is
# read while it surely runs.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon b
start_daemon a

j=$(submit GATE --param gate="$DATA/open")
wait_status "$j" Running
w=$(worker_of "$j")
assert_ne "worker of the running job" "" "$w"
pa=$(pool_id a)
pb=$(pool_id b)
p=$(job_field "$j" pool_id)

# Sample for 3 dead-pool timeouts (15 heartbeats) at least.
samples=0
first_us=$(now_us)
while :; do
	assert_eq "status of the long job while it runs" Running "$(job_status "$j")"
	assert_eq "attempts of the long job while it runs" 1 "$(job_field "$j" attempts)"
	assert_eq "pool of the long job while it runs" "$p" "$(job_field "$j" pool_id)"
	wj=$(ctl -j workers all)
	assert_eq "job of worker $w" "$j" \
		"$(printf '%s\n' "$wj" | jq_str --arg w "$w" '.[] | select(.id == $w) | .job_id')"
	assert_eq "busy workers" 1 "$(printf '%s\n' "$wj" | jq '[.[] | select(.job_id != "" and .job_id != null)] | length')"
	pj=$(ctl -j pools)
	for q in "$pa" "$pb"; do
		assert_eq "status of pool $q" Healthy \
			"$(printf '%s\n' "$pj" | jq_str --arg p "$q" '.[] | select(.worker_pool_id == $p) | .status')"
	done
	samples=$((samples + 1))
	[ "$(now_us)" -lt $((first_us + 3000000)) ] || break
	sleep 0.2
done
note "$samples samples while the job ran"
touch "$DATA/open"
wait_status "$j" Success
assert_eq "final attempts of the long job" 1 "$(job_field "$j" attempts)"
assert_eq "log of its single run" 1 "$(ctl job log "$j" | grep -c 'gate opened')"
wait_for "its worker to be free" busy_workers_are 0
for n in a b; do
	if grep -qi 'recovered' "$JSV_TMP/$n.log"; then
		fail "daemon $n recovered jobs: $(grep -i recovered "$JSV_TMP/$n.log")"
	fi
done
pass
