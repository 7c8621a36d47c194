#!/bin/bash
# max_concurrency = 1 holds across two daemons sharing one Redis: while one
# daemon runs a job of the type, the other does not start a second one even
# with free workers; and a stream of them never overlaps and all run.
set -eu
. "${0%/*}/../lib.sh"

# Daemon a with a single worker runs the first EXCL job...
JSV_WORKERS=1
start_daemon a
e1=$(submit EXCL --param lock="$DATA/lock1" --param seconds=60)
wait_status "$e1" Running
assert_eq "pool of e1" "$(pool_id a)" "$(job_field "$e1" pool_id)"

# ...so only daemon b, with free workers, could start a second one.
JSV_WORKERS=4
start_daemon b
e2=$(submit EXCL --param lock="$DATA/lock2" --param seconds=0.1)
sentinel=$(submit OK)
wait_status "$sentinel" Success
assert_eq "pool of a job submitted meanwhile" "$(pool_id b)" "$(job_field "$sentinel" pool_id)"
assert_eq "second EXCL job while the first runs on the other daemon" \
	Pending "$(job_status "$e2")"
ctl job stop "$e1" >/dev/null
wait_status "$e1" Stopped
wait_status "$e2" Success

# A stream of them: no two ever overlap.
n=12
ids=()
for i in $(seq "$n"); do
	ids+=("$(submit EXCL --param lock="$DATA/lock" --param seconds=0.2 --param i="$i")")
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
