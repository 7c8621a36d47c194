#!/bin/bash
# The dashboard's Audit page (<prefix>audit): the audit trail newest first,
# each action with who (the dashboard's user, and the peer it came
# through; or jobsvc-ctl's user and uid), the verb, its targets, its result
# and when; linked from the nav for those who may read it: the
# administrators by default, whom audit_readers = can widen.  Paged with
# page links; a page past the last one says so instead of an empty table.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

expect_web "audit, empty" 200 -u admin audit
assert_imatch "an empty trail says so" 'No actions recorded' "$(text)"

# An action from the dashboard, then one from jobsvc-ctl.
expect_web "main page" 200 -u admin ''
act "pause OK" Pause --check OK
ctl queue resume OK >/dev/null
expect_web "main page" 200 -u admin ''
audit=$(link_to Audit)
expect_web "the Audit link" 200 -u admin "$audit"
assert_contains "the Audit link is the audit page" "${DASH_PREFIX}audit" "$audit"
assert_match "the nav marks Audit as the current page" \
	'<a href="[^"]*audit" class="active" aria-current="page">Audit</a>' "$BODY"
page=$(text)
me=$(id -un)
# Newest first: the resume by jobsvc-ctl, then the dashboard's pause.
assert_match "newest first: ctl's resume, then the dashboard's pause" \
	"$me uid $(id -u) queue.resume OK ok \(Resumed OK\) .* admin via [^ ]+ \(uid [0-9]+\) queue.pause OK ok \(Paused OK\)" \
	"$page"
assert_match "a time on each row" '[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} UTC admin' "$page"
assert_imatch "the columns" 'Time Who Verb Targets Result' "$page"

# A refused action is there too, with its result.
run ctl job stop 000000000000000000000000
web -u admin audit
assert_match "a failed action's result" 'job.stop 000000000000000000000000 error: ' "$(text)"

# Who may read it: not the viewer by default, and no link for them.
expect_web "main page as viewer" 200 -u viewer ''
assert_no_match "no Audit link for the viewer" '>Audit<' "$BODY"
expect_web "audit as viewer" 403 -u viewer audit
assert_imatch "why" 'audit_readers' "$(text)"
stop_nginx
stop_fcgi
FCGI_CONF_EXTRA="audit_readers = *" start_dash
expect_web "audit as viewer with audit_readers = *" 200 -u viewer audit
assert_contains "the viewer reads the trail" 'queue.pause' "$(text)"
expect_web "main page as viewer" 200 -u viewer ''
assert_eq "the viewer's Audit link" "${DASH_URL}audit" "$(link_to Audit)"

# Paged: 30 more actions make 33, 25 a page by default.
for i in $(seq 15); do
	ctl queue pause "OK" >/dev/null
	ctl queue resume "OK" >/dev/null
done
expect_web "audit page 1" 200 -u admin audit
assert_eq "25 rows on page 1" 25 "$(printf '%s' "$BODY" | grep -c '<td><code>queue\.\|<td><code>job\.')"
assert_contains "where" 'Page 1 of 2 · 33 actions' "$(text)"
expect_web "page 2 by its number" 200 -u admin "$(link_to 'Page 2')"
assert_eq "8 rows on page 2" 8 "$(printf '%s' "$BODY" | grep -c '<td><code>queue\.\|<td><code>job\.')"
assert_contains "the oldest last" 'Paused OK' "$(text | sed 's/.*queue.resume//')"
expect_web "page 3" 200 -u admin 'audit?page=3'
assert_contains "page 3 is past the last" 'There is no page 3: the last page is 2 (33 actions, 25 a page)' "$(text)"
assert_no_match "no table past the last page" '<table' "$BODY"
assert_eq "a link to the last page" "${DASH_URL}audit?page=2&page_size=25" "$(link_to 'Go to the last page')"
expect_web "bad page" 400 -u admin 'audit?page=0'
pass
