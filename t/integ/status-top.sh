#!/bin/bash
# The status card's top 2 names the longest queues and never an empty one;
# `queues` and `status` count the jobs of every kind of type rightly though
# they read only the types that may have Pending jobs and the paused ones:
# a paused type, a type at its max_concurrency, a running type, and the
# declared types that never had a job (0, and still listed).
set -eu
JSV_WORKERS=2
. "${0%/*}/../lib.sh"

clear_queues
set_queue AAA ok
set_queue BBB ok
set_queue CAPPED gate max_concurrency=1
for ((i = 1; i <= 50; i++)); do
	set_queue "$(printf 'EMPTY_%02d' "$i")" ok
done
start_daemon

top()
{
	ctl -j status | jq -c '[.queues.top[] | [.job_type, .count]]'
}

card()
{
	ctl -j status | jq -c '[.queues.total, .queues.types, .queues.others]'
}

count()
{
	queue_field "$1" count
}

assert_eq "top 2 with every queue empty" '[]' "$(top)"
assert_eq "status card with every queue empty" '[0,53,0]' "$(card)"
assert_eq "types listed by queues" 53 "$(ctl -j queues | jq length)"

ctl queue pause AAA BBB >/dev/null
submit AAA >/dev/null
assert_eq "top 2 with one queue of one job" '[["AAA",1]]' "$(top)"
assert_eq "status card with one job" '[1,53,0]' "$(card)"

submit AAA >/dev/null
submit AAA >/dev/null
submit BBB >/dev/null
assert_eq "top 2 with two queues" '[["AAA",3],["BBB",1]]' "$(top)"

# CAPPED: one job running, two waiting for its slot (not paused).
c1=$(submit CAPPED --param gate="$DATA/g1")
wait_status "$c1" Running
c2=$(submit CAPPED --param gate="$DATA/g2")
c3=$(submit CAPPED --param gate="$DATA/g3")
assert_eq "CAPPED pending" 2 "$(count CAPPED)"
assert_eq "top 2 with three queues" '[["AAA",3],["CAPPED",2]]' "$(top)"
assert_eq "status card with three queues" '[6,53,1]' "$(card)"
assert_eq "AAA paused in queues" true "$(queue_field AAA paused)"
assert_eq "EMPTY_07 in queues" 0 "$(count EMPTY_07)"
assert_eq "EMPTY_07 paused in queues" false "$(queue_field EMPTY_07 paused)"

ctl queue stop AAA >/dev/null
ctl queue resume BBB >/dev/null
touch "$DATA/g1" "$DATA/g2" "$DATA/g3"
wait_status "$c3" Success
wait_for "BBB to be empty" eval '[ "$(count BBB)" = 0 ]'
assert_eq "top 2 with every queue empty again" '[]' "$(top)"
assert_eq "status card at the end" '[0,53,0]' "$(card)"
pass
