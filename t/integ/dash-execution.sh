#!/bin/bash
# The dashboard's execution page (<prefix>executions/ID): the aggregate
# status of the jobs submitted under one execution id, the count of each
# status, and its jobs (linked to their pages), paged; a job's page links
# to its execution.  An unknown execution is 404.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

a=$(submit OK --execution ex-1)
b=$(submit OK --execution ex-1)
c=$(submit FAIL --execution ex-1)
wait_status "$a" Success
wait_status "$b" Success
wait_status "$c" Error

# From the job's page to its execution.
expect_web "job page" 200 -u admin "jobs/$a"
assert_match "the job page names its execution" 'Execution ex-1 ?, status Error' "$(text)"
ex=$(link_to ex-1)
assert_eq "the execution's link" "${DASH_URL}executions/ex-1" "$ex"
expect_web "execution page" 200 -u admin "$ex"
page=$(text)
assert_contains "status" 'Execution ex-1 Error' "$page"
assert_contains "counts" 'Jobs: 3 · Error 1 · Success 2' "$page"
for j in "$a" "$b" "$c"; do
	assert_eq "a link to job $j" "${DASH_URL}jobs/$j" "$(link_to "$j")"
done
assert_match "job $c's row" "$c FAIL Error" "$page"
assert_match "job $a's row" "$a OK Success" "$page"

# Paged: two a page.
expect_web "page 1 of 2" 200 -u admin 'executions/ex-1?page_size=2'
assert_contains "where" 'Page 1 of 2 · 3 jobs' "$(text)"
first=$(printf '%s\n' "$a" "$b" "$c" | sort | head -n 2)
for j in $first; do assert_contains "page 1 has $j" "$j" "$(text)"; done
expect_web "page 2" 200 -u admin "$(link_to 'Next')"
third=$(printf '%s\n' "$a" "$b" "$c" | sort | tail -n 1)
assert_contains "page 2 has $third" "$third" "$(text)"
assert_contains "where" 'Page 2 of 2 · 3 jobs' "$(text)"
expect_web "page 5" 200 -u admin 'executions/ex-1?page=5&page_size=2'
assert_contains "past the last page" 'There is no page 5: the last page is 2 (3 jobs, 2 a page)' "$(text)"

# A running execution is refreshed; the viewer sees it too.
s=$(submit SLEEP --param seconds=600 --execution ex-2)
wait_status "$s" Running
expect_web "running execution as viewer" 200 -u viewer executions/ex-2
assert_contains "running" 'Execution ex-2 Running' "$(text)"
assert_match "refreshed while running" 'data-poll="[1-9]' "$BODY"
expect_web "finished execution" 200 -u admin executions/ex-1
assert_no_match "not refreshed once final" 'data-poll="[1-9]' "$BODY"

expect_web "an unknown execution" 404 -u admin executions/no-such-execution
assert_imatch "says so" 'not found' "$(text)"
assert_no_match "and shows no empty execution" 'Jobs:' "$(text)"
expect_web "not an execution id" 404 -u admin 'executions/a%20b'
expect_web "a job without an execution" 200 -u admin "jobs/$(submit OK)"
assert_no_match "no execution link" 'executions/' "$BODY"
pass
