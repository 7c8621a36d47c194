#!/bin/bash
# SIGTERM ends the daemon even when Redis went away at the same time (as
# `packaging/demo stop` does): a result that cannot be written no longer
# holds the shutdown forever.  The job stays Running under the stopped
# pool, and dead-pool recovery runs it again once Redis is back.
set -eu
JSV_REDIS_AOF=1
JSV_STOP_GRACE=2s
. "${0%/*}/../lib.sh"
start_daemon a

id=$(submit RECORD --param file="$DATA/runs" --param seconds=1)
wait_status "$id" Running
stop_redis KILL
# The handler ends meanwhile: its result waits for Redis.
wait_for "the result to wait for Redis" \
	grep -q "job $id: Redis unavailable, result Success kept" "$JSV_TMP/a.log"
stop_daemon a
assert_contains "the unwritten result is reported" \
	"job $id (RECORD): result Success not written" "$(cat "$JSV_TMP/a.log")"

start_redis
assert_eq "status after the shutdown" Running "$(redis_cli HGET "test:job:$id" status)"
start_daemon b
wait_status -t 20 "$id" Success
assert_eq "runs of $id" 2 "$(grep -c "^$id " "$DATA/runs")"
pass
