#!/bin/bash
# Finding a job on the dashboard, through nginx and without JavaScript (as
# curl and a form-submitting script see it): the Jobs page lists jobs
# newest first with links to their pages, filtered by status and type
# (links, and a form), a page at a time with Previous and Next keeping the
# filters; the Job Queues rows link to their pending jobs and every page's
# queues card to the recent Error and Stopped jobs; bad filters are 400;
# read-only users read it, anonymous ones are refused (nginx's 401,
# and 403 from a location without authentication).  And the API's
# extension, GET api/v2.0/jobservice/jobs, with X-Total-Count and Link.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

# rows: the job ids of the last page's table, in order.
rows()
{
	links | cut -f 1 | grep -E '^[0-9a-f]{24}$' | xargs
}

ctl queue pause RECORD >/dev/null
r=()
for i in 1 2 3 4 5; do
	r+=("$(submit RECORD --param "n=$i")")
done
bad=$(submit FAIL)
wait_status "$bad" Error
st=$(submit RECORD --param n=6)
ctl job stop "$st" >/dev/null

# The Jobs tab: every job, newest first, each linked to its page.
expect_web "the Jobs page" 200 -u admin jobs
assert_eq "Jobs page rows, newest first" \
	"$st $bad ${r[4]} ${r[3]} ${r[2]} ${r[1]} ${r[0]}" "$(rows)"
assert_contains "the page says how many" "Page 1 of 1 · 7 jobs" "$(text)"
assert_eq "a row links to its job page" "$DASH_URL""jobs/$bad" "$(link_to "$bad")"
web -u admin "$(link_to "$bad")"
assert_eq "the job page of a listed job" 200 "$CODE"
assert_contains "the job page shows its status" "Error" "$(text)"

# Filters, by link and by the form (a GET, so without JavaScript too).
web -u admin jobs
web -u admin "$(link_to Error)"
assert_eq "Error link" 200 "$CODE"
assert_eq "Error jobs" "$bad" "$(rows)"
click Show --set status=Pending --set type=RECORD
assert_eq "the filter form" 200 "$CODE"
assert_match "the form's URL" 'jobs\?(.*&)?status=Pending&' "$WEB_URL"
assert_match "the form's URL" '[?&]type=RECORD(&|$)' "$WEB_URL"
assert_eq "Pending RECORD jobs" "${r[4]} ${r[3]} ${r[2]} ${r[1]} ${r[0]}" "$(rows)"
expect_web "status in lower case" 200 -u admin 'jobs?status=stopped'
assert_eq "Stopped jobs" "$st" "$(rows)"
expect_web "a type with no jobs" 200 -u admin 'jobs?type=OK'
assert_contains "no jobs" "No jobs" "$(text)"

# Paging keeps the filters.
expect_web "page 1 of Pending RECORD" 200 -u admin \
	'jobs?status=Pending&type=RECORD&page_size=2'
assert_eq "page 1" "${r[4]} ${r[3]}" "$(rows)"
assert_contains "page 1 of 3" "Page 1 of 3 · 5 jobs" "$(text)"
web -u admin "$(link_to "Next ›")"
assert_eq "page 2" "${r[2]} ${r[1]}" "$(rows)"
assert_match "Next keeps the filters" 'status=Pending&type=RECORD&page=2&page_size=2' "$WEB_URL"
web -u admin "$(link_to "Next ›")"
assert_eq "page 3" "${r[0]}" "$(rows)"
web -u admin "$(link_to "‹ Previous")"
assert_eq "back to page 2" "${r[2]} ${r[1]}" "$(rows)"

# The Job Queues rows lead to their pending jobs; the queues card, on
# every page, to the recent Error and Stopped jobs.
web -u admin ''
web -u admin "$(link_to RECORD)"
assert_match "the RECORD row's link" 'jobs\?type=RECORD&status=Pending$' "$WEB_URL"
assert_eq "the RECORD row's pending jobs" "${r[4]} ${r[3]} ${r[2]} ${r[1]} ${r[0]}" "$(rows)"
for p in '' schedules workers "jobs/${r[0]}"; do
	web -u admin "$p"
	assert_match "Error jobs linked from '$p'" 'jobs\?status=Error$' "$(link_to 'Error jobs')"
	assert_match "Stopped jobs linked from '$p'" 'jobs\?status=Stopped$' "$(link_to 'Stopped jobs')"
done

# Who reads, bad filters, escaping.
expect_web "the Jobs page as a read-only user" 200 -u viewer jobs
expect_web "the Jobs page without credentials" 401 jobs
expect_web "a status that is none" 400 -u admin 'jobs?status=%3Cb%3Ex'
assert_no_match "the bad status is not echoed" '<b>x' "$BODY"
expect_web "a bad type" 400 -u admin 'jobs?type=%22%3E%3Cscript%3E'
assert_no_match "the bad type is not echoed" '<script>' "$BODY"
expect_web "a bad page" 400 -u admin 'jobs?page=0'
expect_web "a POST" 405 -u admin -X POST -d x=1 jobs
assert_match "the page's CSP" "script-src 'self'" "$(header Content-Security-Policy)"

# ------------------------------------------------------ the API's extension
api=api/v2.0/jobservice/jobs
expect_web "GET jobs" 200 -u viewer "$api"
assert_match "jobs Content-Type" '^application/json' "$(header Content-Type)"
assert_eq "X-Total-Count" 7 "$(header X-Total-Count)"
assert_eq "API jobs, newest first" "$st $bad ${r[4]} ${r[3]} ${r[2]} ${r[1]} ${r[0]}" \
	"$(printf '%s' "$BODY" | jq -r '.[].id' | xargs)"
assert_eq "an API job's fields" "$bad FAIL Error Generic 1" \
	"$(printf '%s' "$BODY" | jq -r --arg id "$bad" '.[] | select(.id == $id) | "\(.id) \(.name) \(.status) \(.kind) \(.attempts)"')"
expect_web "GET jobs by status and type" 200 -u admin "$api?status=Pending&type=RECORD&page=2&page_size=2"
assert_eq "page 2 of 2 by the API" "${r[2]} ${r[1]}" "$(printf '%s' "$BODY" | jq -r '.[].id' | xargs)"
assert_eq "X-Total-Count of the filter" 5 "$(header X-Total-Count)"
assert_contains "Link next" "<${DASH_PREFIX}${api}?status=Pending&type=RECORD&page=3&page_size=2>; rel=\"next\"" "$HDRS"
assert_contains "Link prev" "<${DASH_PREFIX}${api}?status=Pending&type=RECORD&page=1&page_size=2>; rel=\"prev\"" "$HDRS"
expect_web "GET jobs with a bad status" 400 -u admin "$api?status=Done"
assert_eq "the errors body" BAD_REQUEST "$(printf '%s' "$BODY" | jq -r '.errors[0].code')"
expect_web "GET jobs with a bad page_size" 400 -u admin "$api?page_size=101"
expect_web "PUT jobs" 405 -u admin -X PUT "$api"
expect_web "GET jobs without credentials" 401 "$api"

# A location without authentication: no REMOTE_USER, refused.
stop_nginx
stop_fcgi
start_dash admin --no-auth
expect_web "the Jobs page without a user" 403 jobs
assert_contains "the error page says why" 'authenticated users only' "$(text)"
expect_web "GET jobs without a user" 403 "$api"
assert_contains "an API error" '"FORBIDDEN"' "$BODY"
pass
