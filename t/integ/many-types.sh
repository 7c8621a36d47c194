#!/bin/bash
# With a thousand job types declared, most of them empty, a job runs
# whichever way its type came to have work ready: a submit, a resume after
# a pause, a delayed job coming due, a retry after its backoff, a slot
# freed under max_concurrency, a reload that adds the type to a pool that
# had left its jobs to another, busy, pool.  And a type that has waiting
# jobs but went missing from what claims look at (Redis's ready set,
# emptied here behind the daemon's back) is found again.
set -eu
JSV_WORKERS=2
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"

# declare_many: the job types of daemon a.
declare_many()
{
	local i
	clear_queues
	for ((i = 1; i <= 1000; i++)); do
		set_queue "$(printf 'T_%04d' "$i")" ok
	done
	set_queue A_SUBMIT ok
	set_queue PAUSED ok
	set_queue U_DELAYED record
	set_queue V_RETRY stamp max_retries=2 retry_backoff=300ms
	set_queue CAPPED gate max_concurrency=1
	set_queue ZZ_HEAL ok
}
declare_many
start_daemon a

# Submitted.
s=$(submit A_SUBMIT)
wait_status "$s" Success
empty=$(ctl -j queues | jq '[.[] | select(.count == 0)] | length')
assert_int_cmp "empty job types in queues" "$empty" -ge 1000

# Resumed after a pause.
ctl queue pause PAUSED >/dev/null
p=$(submit PAUSED)
s=$(submit A_SUBMIT)
wait_status "$s" Success
assert_eq "status of a job of a paused type" Pending "$(job_status "$p")"
ctl queue resume PAUSED >/dev/null
wait_status "$p" Success

# Delayed, then due (in 10 s: still Scheduled when checked on a loaded
# machine).
d=$(submit U_DELAYED --in 10s --param file="$DATA/d")
assert_eq "status of a job submitted --in 10s" Scheduled "$(job_status "$d")"
wait_status -t 20 "$d" Success

# Retried after its backoff.
r=$(submit V_RETRY --param file="$DATA/r" --param fail=1)
wait_status -t 20 "$r" Success
assert_eq "attempts of a job that failed once" 2 "$(job_field "$r" attempts)"

# A slot freed under max_concurrency = 1.
c1=$(submit CAPPED --param gate="$DATA/g1")
wait_status "$c1" Running
c2=$(submit CAPPED --param gate="$DATA/g2")
s=$(submit A_SUBMIT)
wait_status "$s" Success
assert_eq "second CAPPED job while the first runs" Pending "$(job_status "$c2")"
touch "$DATA/g1"
wait_status "$c1" Success
wait_status "$c2" Running
touch "$DATA/g2"
wait_status "$c2" Success

# Added by a reload: daemon b serves NEWTYPE with its only worker busy, so
# its second job waits until daemon a serves the type too.
clear_queues
set_queue NEWTYPE gate
JSV_WORKERS=1
start_daemon b
n1=$(submit NEWTYPE --param gate="$DATA/n1")
wait_status "$n1" Running
n2=$(submit NEWTYPE --param gate="$DATA/n2")
touch "$DATA/n2"
use_daemon a
s=$(submit A_SUBMIT)
wait_status "$s" Success
assert_eq "status of a job no free pool serves" Pending "$(job_status "$n2")"
declare_many
set_queue NEWTYPE gate
write_conf "$JSV_TMP/a.conf"
kill -s HUP "$(daemon_pid)"
wait_status -t 20 "$n2" Success
assert_eq "pool of the job run after the reload" "$(pool_id a)" \
	"$(job_field "$n2" pool_id)"
touch "$DATA/n1"
wait_status "$n1" Success

# Missing from the ready set: a heartbeat puts it back.
ctl queue pause ZZ_HEAL >/dev/null
h=$(submit ZZ_HEAL)
s=$(submit A_SUBMIT)
wait_status "$s" Success
redis_cli srem test:paused ZZ_HEAL >/dev/null
redis_cli zrem test:ready ZZ_HEAL >/dev/null
wait_status -t 20 "$h" Success
pass
