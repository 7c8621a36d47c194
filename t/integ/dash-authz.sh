#!/bin/bash
# Who may act: a POST without the anti-CSRF cookie or field, with a
# forged token (well-formed, wrong HMAC), the all-zeros token, another
# user's token, a cross-site Origin or Sec-Fetch-Site is refused and
# changes nothing; a user who is not in admins sees the actions disabled
# and gets 403 on POST (and on the API's PUT); readers and log_readers
# limit who reads; with nginx's authentication off (no REMOTE_USER) every
# request is refused.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

# post_raw USER COOKIE BODY URL [HEADER...]: a POST with exactly that
# Cookie header (none when empty), form body and more headers; sets CODE
# and BODY.
post_raw()
{
	local -a a=(-s -o "$JSV_TMP/raw.body" -w '%{http_code}' -X POST
		-H 'Content-Type: application/x-www-form-urlencoded'
		--data-binary "$3")
	local h
	for h in "${@:5}"; do
		a+=(-H "$h")
	done
	case $1 in
	admin) a+=(-u "admin:$ADMIN_PW") ;;
	viewer) a+=(-u "viewer:$VIEWER_PW") ;;
	esac
	[ -z "$2" ] || a+=(-H "Cookie: $2")
	CODE=$(curl "${a[@]}" -- "$4") || CODE=000
	BODY=$(cat "$JSV_TMP/raw.body")
}

# The admin's way to the confirming POST of "Pause OK".
expect_web "main page" 200 -u admin ''
click Pause --check OK
assert_eq "Pause OK leads to a confirmation page" 200 "$CODE"
printf '%s' "$BODY" >"$JSV_TMP/confirm.html"
python3 "$abs_top_srcdir/t/dash-form.py" "$JSV_TMP/confirm.html" "$WEB_URL" \
	--post >"$JSV_TMP/post.txt" || fail "no POST form on the confirmation page"
{ read -r method; read -r url; read -r body; } <"$JSV_TMP/post.txt"
assert_eq "the confirmation form's method" POST "$method"
# The token: a 32-hex field, the same value in a cookie.
field=
token=
for pair in ${body//&/ }; do
	if [[ ${pair#*=} =~ ^[0-9a-f]{32}$ ]]; then
		field=${pair%%=*}
		token=${pair#*=}
	fi
done
assert_ne "an anti-CSRF field in the form ($body)" "" "$field"
cookie=$(awk -v t="$token" '$7 == t { print $6; exit }' "$JSV_TMP/cookies.admin")
assert_ne "a cookie holding the token" "" "$cookie"
grep -q "^#HttpOnly_.*[[:space:]]$cookie[[:space:]]$token\$" "$JSV_TMP/cookies.admin" ||
	fail "the anti-CSRF cookie is not HttpOnly: $(cat "$JSV_TMP/cookies.admin")"
wrong=0123456789abcdef0123456789abcdef
other=${body//$field=$token/$field=$wrong}
none=$(printf '%s' "$body" | tr '&' '\n' | grep -v "^$field=" | paste -sd '&' -)

post_raw admin "" "$body" "$url"
assert_eq "POST without the cookie" 403 "$CODE"
post_raw admin "$cookie=$token" "$none" "$url"
assert_eq "POST without the field" 403 "$CODE"
post_raw admin "$cookie=$token" "$other" "$url"
assert_eq "POST with a wrong field" 403 "$CODE"
post_raw admin "$cookie=$wrong" "$body" "$url"
assert_eq "POST with a wrong cookie" 403 "$CODE"
# Equal, well-formed pairs are not enough: the token is the user's HMAC.
post_raw admin "$cookie=$wrong" "$other" "$url"
assert_eq "POST with a forged pair" 403 "$CODE"
zero=00000000000000000000000000000000
post_raw admin "$cookie=$zero" "${body//$field=$token/$field=$zero}" "$url"
assert_eq "POST with the all-zeros pair" 403 "$CODE"
# The viewer's own token (from the viewer's page) is not the admin's.
expect_web "main page as viewer" 200 -u viewer ''
vtoken=$(awk -v c="$cookie" '$6 == c { print $7; exit }' "$JSV_TMP/cookies.viewer")
[[ $vtoken =~ ^[0-9a-f]{32}$ ]] || fail "no anti-CSRF cookie for the viewer"
assert_ne "users get tokens of their own" "$token" "$vtoken"
post_raw admin "$cookie=$vtoken" "${body//$field=$token/$field=$vtoken}" "$url"
assert_eq "POST with another user's token" 403 "$CODE"
# Other sites: by Origin, or by Fetch Metadata without one.
post_raw admin "$cookie=$token" "$body" "$url" 'Origin: http://evil.example'
assert_eq "POST with a cross-site Origin" 403 "$CODE"
post_raw admin "$cookie=$token" "$body" "$url" 'Origin: null'
assert_eq "POST with Origin null" 403 "$CODE"
post_raw admin "$cookie=$token" "$body" "$url" 'Sec-Fetch-Site: cross-site'
assert_eq "POST with Sec-Fetch-Site cross-site" 403 "$CODE"
post_raw admin "$cookie=$token" "$body" "$url" 'Sec-Fetch-Site: same-site'
assert_eq "POST with Sec-Fetch-Site same-site" 403 "$CODE"
web -u admin -X PUT -H 'Origin: http://evil.example' \
	api/v2.0/jobservice/queues/OK -H 'Content-Type: application/json' \
	-d '{"action":"pause"}'
assert_eq "API PUT with a cross-site Origin" 403 "$CODE"
web -u admin -X PUT -H 'Sec-Fetch-Site: cross-site' \
	-H 'Content-Type: application/json' -d '{"action":"pause"}' \
	api/v2.0/jobservice/queues/OK
assert_eq "API PUT with Sec-Fetch-Site cross-site" 403 "$CODE"
assert_eq "OK not paused by refused POSTs" false "$(queue_field OK paused)"
# And the right one works, from the dashboard's own origin.
post_raw admin "$cookie=$token" "$body" "$url" \
	"Origin: http://127.0.0.1:$DASH_PORT" 'Sec-Fetch-Site: same-origin'
assert_eq "POST with the cookie and the field" 303 "$CODE"
assert_eq "OK paused" true "$(queue_field OK paused)"
ctl queue resume OK >/dev/null

# ----------------------------------------------------- a user not in admins
expect_web "main page as viewer" 200 -u viewer ''
viewer_main=$BODY
for label in 'Stop All' 'Pause All' 'Free All' Pause Resume Stop; do
	BODY=$viewer_main
	click "$label" --check OK
	assert_eq "'$label' is shown disabled to the viewer (click: $(cat "$JSV_TMP/click.err"))" 3 "$CLICK_RC"
done
# The viewer's confirmation page: 403, and nothing to confirm with.
web -u viewer "${url}?type=OK"
assert_eq "confirmation page as viewer" 403 "$CODE"
click --post
assert_match "the viewer's confirmation page has no live POST button" '^[34]$' "$CLICK_RC"
# The viewer replays the admin's form with the admin's valid pair, and
# with a pair of the viewer's own.
post_raw viewer "$cookie=$token" "$body" "$url"
assert_eq "POST as viewer" 403 "$CODE"
post_raw viewer "$cookie=$wrong" "$other" "$url"
assert_eq "POST as viewer with a consistent made-up pair" 403 "$CODE"
assert_eq "OK not paused by the viewer" false "$(queue_field OK paused)"
web -u viewer -X PUT -H 'Content-Type: application/json' -d '{"action":"pause"}' \
	api/v2.0/jobservice/queues/OK
assert_eq "API PUT as viewer" 403 "$CODE"
assert_eq "OK not paused by the viewer's PUT" false "$(queue_field OK paused)"

# ------------------------------------------------- admins = * : everyone
stop_nginx
stop_fcgi
assert_eq "jobsvc-fcgi's exit status on SIGTERM" 0 "$FCGI_RC"
start_dash '*'
web -u viewer ''
click Pause --check OK
assert_eq "with admins = *, the viewer may Pause" 0 "$CLICK_RC"

# --------------------------------------------- readers and log_readers
stop_nginx
stop_fcgi
assert_eq "jobsvc-fcgi's exit status on SIGTERM" 0 "$FCGI_RC"
job=$(submit OK)
wait_status "$job" Success
start_dash admin
expect_web "a job's page as viewer" 200 -u viewer "jobs/$job"
assert_contains "the viewer is told who reads logs" 'log_readers' "$(text)"
expect_web "a job's log as viewer" 403 -u viewer "api/v2.0/jobservice/jobs/$job/log"
assert_contains "an API error" '"FORBIDDEN"' "$BODY"
expect_web "a job's log as admin" 200 -u admin "api/v2.0/jobservice/jobs/$job/log"
stop_nginx
stop_fcgi
FCGI_CONF_EXTRA='readers = admins
log_readers = viewer' start_dash admin
expect_web "main page as viewer with readers = admins" 403 -u viewer ''
expect_web "API as viewer with readers = admins" 403 -u viewer api/v2.0/jobservice/queues
expect_web "main page as admin with readers = admins" 200 -u admin ''
expect_web "a log as admin, not in log_readers" 403 -u admin "api/v2.0/jobservice/jobs/$job/log"

# ------------------------------------------- no REMOTE_USER: refused
stop_nginx
stop_fcgi
assert_eq "jobsvc-fcgi's exit status on SIGTERM" 0 "$FCGI_RC"
start_dash admin --no-auth
for p in '' schedules workers "jobs/$job" "action/queue-pause?type=OK"; do
	expect_web "/$p without authentication" 403 "$p"
	assert_contains "/$p: the error page says why" 'authenticated users only' "$(text)"
done
for p in api/v2.0/jobservice/queues "api/v2.0/jobservice/jobs/$job/log" \
	api/v2.0/schedules; do
	expect_web "$p without authentication" 403 "$p"
	assert_contains "$p: an API error" '"FORBIDDEN"' "$BODY"
done
expect_web "the stylesheet without authentication" 200 static/style.css
post_raw "" "$cookie=$token" "$body" "http://127.0.0.1:$DASH_PORT/${url#http://*/}"
assert_eq "POST without REMOTE_USER" 403 "$CODE"
web -X PUT -H 'Content-Type: application/json' -d '{"action":"pause"}' \
	api/v2.0/jobservice/queues/OK
assert_eq "API PUT without REMOTE_USER" 403 "$CODE"
assert_eq "OK never paused" false "$(queue_field OK paused)"
# Claiming a name in an Authorization header nginx does not check grants
# nothing.
web -u admin:not-checked -X PUT -H 'Content-Type: application/json' \
	-d '{"action":"pause"}' api/v2.0/jobservice/queues/OK
assert_eq "API PUT with an unchecked Authorization header" 403 "$CODE"
expect_web "a page with an unchecked Authorization header" 403 -u admin:not-checked ''
assert_eq "OK never paused" false "$(queue_field OK paused)"
pass
