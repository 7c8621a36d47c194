#!/bin/bash
# Who may act: a POST without the anti-CSRF cookie or field, or with a
# wrong token, is refused and changes nothing; a user who is not in
# admins sees the actions disabled and gets 403 on POST (and on the API's
# PUT); with nginx's authentication off (no REMOTE_USER) the dashboard is
# read-only.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

# post_raw USER COOKIE BODY URL: a POST with exactly that Cookie header
# (none when empty) and form body; sets CODE and BODY.
post_raw()
{
	local -a a=(-s -o "$JSV_TMP/raw.body" -w '%{http_code}' -X POST
		-H 'Content-Type: application/x-www-form-urlencoded'
		--data-binary "$3")
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
assert_eq "OK not paused by refused POSTs" false "$(queue_field OK paused)"
# And the right one works.
post_raw admin "$cookie=$token" "$body" "$url"
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

# ------------------------------------------- no REMOTE_USER: read-only
stop_nginx
stop_fcgi
assert_eq "jobsvc-fcgi's exit status on SIGTERM" 0 "$FCGI_RC"
start_dash admin --no-auth
expect_web "main page without authentication" 200 ''
assert_imatch "still shows the data" 'Pending Jobs In Queues' "$(text)"
anon_main=$BODY
for label in 'Stop All' 'Pause All' 'Free All' Pause; do
	BODY=$anon_main
	click "$label" --check OK
	assert_eq "'$label' disabled without authentication" 3 "$CLICK_RC"
done
url2=http://127.0.0.1:$DASH_PORT/${url#http://*/}
post_raw "" "$cookie=$token" "$body" "$url2"
assert_eq "POST without REMOTE_USER" 403 "$CODE"
web -X PUT -H 'Content-Type: application/json' -d '{"action":"pause"}' \
	api/v2.0/jobservice/queues/OK
assert_eq "API PUT without REMOTE_USER" 403 "$CODE"
assert_eq "OK never paused" false "$(queue_field OK paused)"
expect_web "API GET without REMOTE_USER" 200 api/v2.0/jobservice/queues
# Claiming a name in an Authorization header nginx does not check grants
# nothing.
web -u admin:not-checked -X PUT -H 'Content-Type: application/json' \
	-d '{"action":"pause"}' api/v2.0/jobservice/queues/OK
assert_eq "API PUT with an unchecked Authorization header" 403 "$CODE"
web -u admin:not-checked ''
assert_contains "read-only with an unchecked Authorization header" 'read-only' "$BODY"
assert_eq "OK never paused" false "$(queue_field OK paused)"
pass
