#!/bin/bash
# The Schedules tab shows each schedule's parameters, its last fire and
# its job's status linked to the job; its page links (first, previous, a
# window of numbers around the current page, next, last) lead where they
# say, and a page past the last one says so instead of an empty table.
# Pause All and Resume All: only the one that applies is enabled.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

# One schedule that fires every second, with parameters; 19 that do not.
sid=$(ctl schedule add OK '* * * * * *' --param colour=blue --param n=7)
for i in $(seq 2 20); do
	ctl schedule add CHECKIN "0 $i 0 * * *" >/dev/null
done
fired() { [ -n "$(ctl -j schedules | jq -r ".[] | select(.id == $sid) | .last_job_id")" ]; }
wait_for "schedule $sid to fire" fired
job=$(ctl -j schedules | jq -r ".[] | select(.id == $sid) | .last_job_id")
wait_status "$job" Success
ctl schedules pause >/dev/null
# its last fire may have been later than $job's; read it once paused
job=$(ctl -j schedules | jq -r ".[] | select(.id == $sid) | .last_job_id")
wait_status "$job" Success

expect_web "schedules tab" 200 -u admin schedules
page=$(text)
assert_imatch "the columns" 'Cron Parameters Create Time Next Run Last Fire Last Job' "$page"
assert_contains "the parameters" '{"colour":"blue","n":"7"}' \
	"$(printf '%s' "$BODY" | sed 's/&quot;/"/g')"
assert_match "the last fire, then the job's status" \
	"$sid OK .* [0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC Success job $job" "$page"
assert_eq "the status links to the job" "${DASH_URL}jobs/$job" "$(link_to "Success job $job")"
assert_match "a schedule that never fired" ' 2 CHECKIN .* UTC Never ' "$page"

# Pause All is off while the schedules are paused, Resume All on.
expect_web "main page" 200 -u admin ''
main=$BODY
click 'Pause All'
assert_eq "Pause All disabled while paused" 3 "$CLICK_RC"
BODY=$main
act "Resume All" 'Resume All'
assert_eq "schedules running" Running "$(ctl -j status | jq -r '.schedules.status')"
click 'Resume All'
assert_eq "Resume All disabled while running" 3 "$CLICK_RC"
click 'Pause All'
assert_eq "Pause All enabled while running ($(cat "$JSV_TMP/click.err"))" 0 "$CLICK_RC"
expect_web "main page as viewer" 200 -u viewer ''
click 'Pause All'
assert_eq "Pause All disabled for the viewer" 3 "$CLICK_RC"
click 'Resume All'
assert_eq "Resume All disabled for the viewer" 3 "$CLICK_RC"
ctl schedules pause >/dev/null

# Page links, 2 a page: 10 pages.
# pages URL: the page links of the last page, "text=N" for each, by page.
pages()
{
	links | awk -F '\t' '$2 ~ /[?&]page=/ && $2 !~ /#/ {
		match($2, /[?&]page=[0-9]+/)
		printf "%s=%s|", $1, substr($2, RSTART + 6, RLENGTH - 6) }'
}
expect_web "page 1" 200 -u admin 'schedules?page_size=2'
assert_eq "page 1's links" 'Page 2=2|Page 3=3|Next ›=2|Last »=10|' "$(pages)"
assert_contains "page 1 says where" 'Page 1 of 10 · 20 schedules' "$(text)"
assert_match "page 1 is the current one" 'aria-current="page"><span class="vh">Page </span>1<' "$BODY"
expect_web "page 10" 200 -u admin "$(link_to "Last »")"
expect_web "page 9" 200 -u admin "$(link_to '‹ Previous')"
expect_web "page 7" 200 -u admin "$(link_to 'Page 7')"
assert_eq "page 7's links" \
	'« First=1|‹ Previous=6|Page 5=5|Page 6=6|Page 8=8|Page 9=9|Next ›=8|Last »=10|' \
	"$(pages)"
assert_contains "page 7 says where" 'Page 7 of 10 · 20 schedules' "$(text)"
assert_contains "page 7's first schedule" '0 13 0 * * *' "$(text)"
expect_web "page 1 by First" 200 -u admin "$(link_to '« First')"
assert_contains "page 1 again" 'Page 1 of 10' "$(text)"
assert_contains "the page size is kept" 'page_size=2' "$(link_to 'Next ›')"

# Past the last page.
expect_web "page 11" 200 -u admin 'schedules?page=11&page_size=2'
assert_contains "page 11 says it is past the last" \
	'There is no page 11: the last page is 10 (20 schedules, 2 a page)' "$(text)"
assert_no_match "no table" '<table' "$BODY"
assert_no_match "no empty-table text" 'No schedules' "$(text)"
assert_eq "its links" 'Go to the last page, 10=10|« First=1|‹ Previous=10|Page 8=8|Page 9=9|Page 10=10|Last »=10|' "$(pages)"
pass
