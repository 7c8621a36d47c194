#!/bin/bash
# The Job Queues tab shows its queues a page at a time (15 by default, in
# name order), with the page links of the other tables: a user reaches a
# queue of page 2 by its link, sees its count, follows it to its jobs and
# acts on it from there; another page size shows them all; a page past the
# last one says so.  The API's queues still lists every queue.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
# The 10 default job types and 12 more, which sort after them: 22 queues.
for i in $(seq -w 1 12); do
	set_queue "ZZ_$i" ok
done
start_daemon
start_dash
ctl queue pause ZZ_12 >/dev/null
job=$(submit ZZ_12)
# ZZ_12's job has waited 25 hours: the banner of every page says so.
now=$(redis_cli TIME | head -n 1)
redis_cli HSET "test:job:$job" enqueue_time $((now - 25 * 3600)) >/dev/null

rows() { printf '%s' "$BODY" | grep -c 'name="type" value=' || true; }
expect_web "main page" 200 -u admin ''
assert_eq "15 queues on page 1" 15 "$(rows)"
assert_contains "page 1 says where" 'Page 1 of 2 · 22 queues' "$(text)"
assert_contains "page 1 ends with ZZ_05" 'value="ZZ_05"' "$BODY"
assert_no_match "ZZ_06 is not on page 1" 'value="ZZ_06"' "$BODY"
assert_contains "the card still counts every queue" '22 queue types' "$(text)"
assert_contains "the banner for ZZ_12 of page 2" 'waited in their queue for 24 hours' "$(text)"

expect_web "page 2" 200 -u admin "$(link_to 'Next ›')"
assert_eq "7 queues on page 2" 7 "$(rows)"
assert_contains "page 2 says where" 'Page 2 of 2 · 22 queues' "$(text)"
assert_match "ZZ_12 with its pending job, late, paused" 'ZZ_12 1 25hrs [^A-Z]*! [^A-Z]*Paused' "$(text)"
page2=$BODY
page2_url=$WEB_URL
expect_web "ZZ_12's jobs" 200 -u admin "$(link_to ZZ_12)"
assert_contains "its pending job" "$job" "$BODY"
WEB_URL=$page2_url
BODY=$page2
act "Resume ZZ_12 from page 2" Resume --check ZZ_12
assert_contains "the confirmation named it" ZZ_12 "$CONFIRM"
wait_status "$job" Success
assert_eq "ZZ_12 resumed" false "$(queue_field ZZ_12 paused)"
expect_web "main page" 200 -u admin ''
assert_no_match "no banner once ZZ_12 ran" '24 hours' "$(text)"

expect_web "25 a page" 200 -u admin '?page_size=25'
assert_eq "every queue on one page" 22 "$(rows)"
assert_contains "one page" 'Page 1 of 1 · 22 queues' "$(text)"
expect_web "page 3" 200 -u admin '?page=3'
assert_contains "page 3 says it is past the last" \
	'There is no page 3: the last page is 2 (22 queues, 15 a page)' "$(text)"
assert_no_match "no table" '<table' "$BODY"
expect_web "a bad page" 400 -u admin '?page=x'

expect_web "the API's queues" 200 -u viewer api/v2.0/jobservice/queues
assert_eq "every queue in the API" 22 "$(printf '%s' "$BODY" | jq length)"
assert_eq "ZZ_12 in the API" '{"job_type":"ZZ_12","count":0,"latency":0,"paused":false}' \
	"$(printf '%s' "$BODY" | jq -c '.[] | select(.job_type == "ZZ_12")')"
pass
