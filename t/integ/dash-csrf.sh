#!/bin/bash
# A page left open keeps its actions working (without JavaScript, through
# nginx): a confirmation form still acts after a later page replaced the
# anti-CSRF cookie with the next hour's token (both made here with the
# key, as jobsvc-fcgi(8) says they are made); a form whose token has expired
# (csrf_window made 10 seconds, not waited for for hours) does nothing and
# answers 403 with a page that says the action was NOT done and offers it
# again with a fresh token and cookie, which then act once.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

# token_of WINDOW: the admin's token of the hour WINDOW, made with
# jobsvc-fcgi's key as jobsvc-fcgi(8) says.
token_of()
{
	python3 -c 'import hmac, hashlib, sys
key = open(sys.argv[1], "rb").read()
msg = ("jsvc-csrf\nadmin\n%s" % sys.argv[2]).encode()
print(hmac.new(key, msg, hashlib.sha256).hexdigest()[:32])' \
		"$JSV_TMP/fcgi.secret" "$1"
}

# post_pause COOKIE FIELD: the confirming POST of "Pause OK" with that
# cookie and that form field.
post_pause()
{
	CODE=$(curl -s -o "$JSV_TMP/raw.body" -w '%{http_code}' -X POST \
		-u "admin:$ADMIN_PW" -H "Cookie: jsvc_csrf=$1" \
		-H 'Content-Type: application/x-www-form-urlencoded' \
		--data-binary "type=OK&csrf=$2" -- "${DASH_URL}action/queue-pause") ||
		CODE=000
	BODY=$(cat "$JSV_TMP/raw.body")
}

# -------------------------------- another page replaced the cookie
# A form made in the hour before, its cookie replaced since by a page of
# this hour: both tokens are still good, and the form acts.
expect_web "the main page" 200 -u admin ''
assert_eq "the page's cookie is the token made as the manual says" \
	"$(token_of $(($(date +%s) / 3600)))" \
	"$(awk '$6 == "jsvc_csrf" { print $7 }' "$JSV_TMP/cookies.admin")"
for _ in 1 2; do
	hour=$(($(date +%s) / 3600))
	post_pause "$(token_of "$hour")" "$(token_of $((hour - 1)))"
	[ "$CODE" = 403 ] && [ "$hour" != $(($(date +%s) / 3600)) ] || break
done
assert_eq "a form older than the cookie acts ($(text | head -c 300))" 303 "$CODE"
assert_eq "OK paused" true "$(queue_field OK paused)"
ctl queue resume OK >/dev/null
post_pause "$(token_of $((hour - 1)))" "$(token_of "$hour")"
assert_eq "a form newer than the cookie acts" 303 "$CODE"
ctl queue resume OK >/dev/null
post_pause "$(token_of "$hour")" "$(token_of $((hour - 2)))"
assert_eq "a form of two hours before does not" 403 "$CODE"
assert_eq "OK not paused" false "$(queue_field OK paused)"

# The rest in windows of ten seconds.
stop_nginx
stop_fcgi
WINDOW=10
FCGI_CONF_EXTRA="csrf_window = ${WINDOW}s" start_dash

window()
{
	echo $(($(date +%s) / WINDOW))
}

# window_reached W: the clock is in window W or a later one.
window_reached()
{
	[ "$(window)" -ge "$1" ]
}

# token: the csrf field of the last page.
token()
{
	printf '%s' "$BODY" | sed -n 's/.*name="csrf" value="\([0-9a-f]*\)".*/\1/p'
}

# pauses: how many pauses of OK the audit trail holds.
pauses()
{
	ctl audit | grep -c ' queue\.pause  *OK ' || true
}

# ------------------------------------------- an expired token: not done
before=$(pauses)
expect_web "the confirmation of Pause OK" 200 -u admin 'action/queue-pause?type=OK'
W=$(window)
old=$(token)
wait_for -t $((3 * WINDOW)) "window $((W + 2))" window_reached $((W + 2))
click --post
refused_code=$CODE
refused=$BODY
refused_cookie=$(header Set-Cookie)
# The same action again, from that page, at once (its token is good for a
# window at least): done, once.
click --post
again_code=$CODE
BODY=$refused
assert_eq "a form whose token expired is refused" 403 "$refused_code"
assert_contains "the page says so" "The action was NOT done" "$(text)"
assert_contains "and asks again" "Pause OK?" "$(text)"
new=$(token)
assert_ne "a fresh token in the form" "" "$new"
assert_ne "a fresh token, not the expired one" "$old" "$new"
assert_contains "a fresh cookie" "jsvc_csrf=$new;" "$refused_cookie"
assert_eq "the action offered again is done" 303 "$again_code"
assert_eq "OK paused" true "$(queue_field OK paused)"
assert_eq "one pause in the audit trail" $((before + 1)) "$(pauses)"

# A refused worker-free offered again keeps its workers and its pool.
confirm_worker=$(printf 'worker=w1&worker=w2&pool=all&csrf=%032d' 0)
web -u admin -X POST -H 'Content-Type: application/x-www-form-urlencoded' \
	-d "$confirm_worker" action/worker-free
assert_eq "a worker-free with a bad token" 403 "$CODE"
assert_contains "not done" "The action was NOT done" "$(text)"
assert_contains "the same workers" "Free worker w1, w2?" "$(text)"
printf '%s' "$BODY" >"$JSV_TMP/again.html"
python3 "$abs_top_srcdir/t/dash-form.py" "$JSV_TMP/again.html" "$WEB_URL" \
	--post >"$JSV_TMP/again.txt"
assert_match "the fields offered again" \
	'^pool=all&worker=w1&worker=w2&csrf=[0-9a-f]{32}$' "$(sed -n 3p "$JSV_TMP/again.txt")"
pass
