#!/bin/bash
# A queue with many pending jobs does not starve another: a single job of a
# second queue starts long before the big queue drains.
set -eu
JSV_WORKERS=2
. "${0%/*}/../lib.sh"
set_queue BIG sleep
set_queue SMALL record
start_daemon

n=200
ctl queue pause BIG >/dev/null
for i in $(seq "$n"); do
	echo '{"name": "BIG", "parameters": {"seconds": 0.1}}'
done | ctl submit --from - >/dev/null || fail "submit --from - of $n jobs failed"
assert_eq "BIG pending" "$n" "$(queue_field BIG count)"
ctl queue resume BIG >/dev/null
# Both workers busy with BIG jobs: 200 x 0.1 s on 2 workers takes ~10 s.
wait_for "both workers to be busy with BIG" busy_workers_are 2

small=$(submit SMALL --param file="$DATA/small")
wait_status -t 20 "$small" Success
left=$(queue_field BIG count)
note "BIG still had $left of $n pending when SMALL finished"
assert_int_cmp "BIG jobs still pending when the SMALL job was done" "$left" -gt 0

ctl queue stop BIG >/dev/null
pass
