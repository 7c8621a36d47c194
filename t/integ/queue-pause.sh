#!/bin/bash
# Pause keeps a queue's jobs waiting while submission goes on; other queues
# keep running; Resume runs them.
set -eu
# One worker: jobs start one after the other, so the order they ran in is
# the order the queue gave them out.
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
start_daemon

ctl queue pause RECORD >/dev/null || fail "queue pause RECORD failed"
assert_eq "paused after pause" true "$(queue_field RECORD paused)"
ids=()
for i in 1 2 3 4 5; do
	ids+=("$(submit RECORD --param file="$DATA/ran" --param i=$i)")
done
# The worker is free: a job of another queue runs...
other=$(submit OK)
wait_status "$other" Success
# ...and a RECORD job submitted after it still waits.
ids+=("$(submit RECORD --param file="$DATA/ran" --param i=6)")
other=$(submit OK)
wait_status "$other" Success
for id in "${ids[@]}"; do
	assert_eq "job $id in a paused queue" Pending "$(job_status "$id")"
done
[ ! -e "$DATA/ran" ] || fail "a job of the paused queue ran: $(cat "$DATA/ran")"
assert_eq "pending count of the paused queue" 6 "$(queue_field RECORD count)"
assert_match "latency of the paused queue" '^[0-9]+$' "$(queue_field RECORD latency)"
run ctl queues
assert_contains "queues table lists RECORD" RECORD "$OUT"

ctl queue resume RECORD >/dev/null || fail "queue resume RECORD failed"
assert_eq "paused after resume" false "$(queue_field RECORD paused)"
for id in "${ids[@]}"; do
	wait_status "$id" Success
done
assert_eq "pending count after resume" 0 "$(queue_field RECORD count)"
assert_eq "latency of an empty queue" 0 "$(queue_field RECORD latency)"
assert_eq "each job ran once" 6 "$(sort -u "$DATA/ran" | wc -l)"
assert_eq "runs in submission (FIFO) order" "1 2 3 4 5 6" \
	"$(sed 's/^[^ ]* [^ ]* //' "$DATA/ran" | jq -r .i | tr '\n' ' ' | sed 's/ $//')"

# "all" pauses every queue.
ctl queue pause all >/dev/null
assert_eq "queues paused by 'all'" "$(ctl -j queues | jq length)" \
	"$(ctl -j queues | jq '[.[] | select(.paused)] | length')"
ctl queue resume all >/dev/null
assert_eq "queues paused after resume all" 0 \
	"$(ctl -j queues | jq '[.[] | select(.paused)] | length')"
pass
