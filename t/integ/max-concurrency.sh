#!/bin/bash
# max_concurrency = 1 holds across two daemons sharing one Redis: never two
# jobs of that type at once, and all of them run.
set -eu
. "${0%/*}/../lib.sh"
start_daemon a
start_daemon b

n=12
ids=()
for i in $(seq "$n"); do
	ids+=("$(submit EXCL --param lock="$DATA/lock" --param seconds=0.2)")
done
for id in "${ids[@]}"; do
	wait_status -t 60 "$id" Success
done
[ ! -e "$DATA/lock.overlap" ] ||
	fail "jobs ran concurrently despite max_concurrency=1: $(cat "$DATA/lock.overlap")"
assert_eq "runs recorded" "$n" "$(wc -l <"$DATA/lock.ran")"
pools=$(for id in "${ids[@]}"; do job_field "$id" pool_id; done | sort -u | wc -l)
note "the $n jobs ran on $pools pool(s)"
pass
