#!/bin/bash
# Bad requests get a clear 4xx and the dashboard keeps serving: unknown
# paths, bad methods, garbage and oversized form bodies, bad queries, raw
# garbage on the FastCGI socket; with jobsvcd down, pages answer 503 and
# come back with it.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

expect_web "main page" 200 -u admin ''
click Pause --check OK
assert_eq "a confirmation page" 200 "$CODE"
printf '%s' "$BODY" >"$JSV_TMP/confirm.html"
python3 "$abs_top_srcdir/t/dash-form.py" "$JSV_TMP/confirm.html" "$WEB_URL" \
	--post >"$JSV_TMP/post.txt"
{ read -r _; read -r post_url; read -r post_body; } <"$JSV_TMP/post.txt"
post_path=/${post_url#http://*/}

# 4xx WHAT CODE-ERE web-ARGS...
bad()
{
	local what=$1 ere=$2
	shift 2
	web "$@"
	assert_match "$what (body: $(printf '%s' "$BODY" | head -c 200))" "$ere" "$CODE"
	dash_serving || fail "the dashboard stopped serving after: $what"
}

bad "unknown page" '^404$' -u admin 'no/such/page'
bad "unknown page with dots" '^(400|404)$' -u admin '../../etc/passwd'
bad "encoded dots" '^(400|404)$' -u admin '%2e%2e/%2e%2e/etc/passwd'
bad "bad escape in the path" '^(400|404)$' -u admin 'jobs/%zz'
bad "NUL in the path" '^(400|404)$' -u admin 'x%00y'
bad "bad escape in the query" '^400$' -u admin '?page=%zz'
bad "NUL in the query" '^400$' -u admin '?tab=%00'
bad "invalid UTF-8 in the query" '^400$' -u admin '?tab=%ff%fe'
bad "too many query pairs" '^(400|414)$' -u admin "?$(printf 'a=1&%.0s' $(seq 300))"
# Every answer carries the security headers, the 400s of jobsvc-fcgi's
# own request decoding and the refusals included.
for p in '?page=%zz' 'x%01y' 'no/such/page'; do
	web -u admin "$p"
	assert_match "status of $p" '^4' "$CODE"
	for h in 'Content-Security-Policy' 'X-Content-Type-Options' \
		'X-Frame-Options' 'Referrer-Policy' 'Permissions-Policy' \
		'Cross-Origin-Opener-Policy'; do
		assert_ne "$h on the $CODE of $p" "" "$(header "$h")"
	done
	assert_eq "COOP on the $CODE of $p" same-origin "$(header Cross-Origin-Opener-Policy)"
	assert_contains "Permissions-Policy on the $CODE of $p" 'camera=()' "$(header Permissions-Policy)"
done
web -u admin 'x%01y'
assert_eq "a control character in the path" 400 "$CODE"
bad "DELETE on a page" '^405$' -u admin -X DELETE ''
bad "PUT on a page" '^405$' -u admin -X PUT -d x ''
bad "PATCH on the API" '^405$' -u admin -X PATCH -d '{}' api/v2.0/jobservice/queues/OK
bad "POST to a GET-only page" '^(403|404|405)$' -u admin -X POST \
	-H 'Content-Type: application/x-www-form-urlencoded' -d 'a=b' 'no/such/page'
bad "garbage form body" '^(400|403)$' -u admin -X POST \
	-H 'Content-Type: application/x-www-form-urlencoded' -d $'%%%\x01\x02&&==&%' "$post_path"
bad "binary form body" '^(400|403|415)$' -u admin -X POST \
	-H 'Content-Type: application/octet-stream' -d "$(head -c 3000 /dev/urandom | tr -d '\0')" "$post_path"
bad "form body of the wrong type" '^(400|403|415)$' -u admin -X POST \
	-H 'Content-Type: text/plain' -d "$post_body" "$post_path"
{ printf 'a='; head -c 200000 /dev/zero | tr '\0' a; } >"$JSV_TMP/big.form"
{ printf '{"action":"'; head -c 200000 /dev/zero | tr '\0' a; printf '"}'; } >"$JSV_TMP/big.json"
bad "huge form body" '^413$' -u admin -X POST \
	-H 'Content-Type: application/x-www-form-urlencoded' -d "@$JSV_TMP/big.form" "$post_path"
bad "huge API body" '^413$' -u admin -X PUT \
	-H 'Content-Type: application/json' -d "@$JSV_TMP/big.json" api/v2.0/jobservice/queues/OK
bad "API body that is not JSON" '^(400|422)$' -u admin -X PUT \
	-H 'Content-Type: application/json' -d 'pause' api/v2.0/jobservice/queues/OK
bad "API body: JSON, not an object" '^(400|422)$' -u admin -X PUT \
	-H 'Content-Type: application/json' -d '["pause"]' api/v2.0/jobservice/queues/OK
bad "API: a deep JSON body" '^(400|413|422)$' -u admin -X PUT \
	-H 'Content-Type: application/json' -d "$(printf '[%.0s' $(seq 5000))" api/v2.0/jobservice/queues/OK
bad "API: job id that is not one" '^(400|404)$' -u admin -X PUT 'api/v2.0/jobservice/jobs/..%2f..'
bad "long path" '^(400|404|414)$' -u admin "$(head -c 6000 /dev/zero | tr '\0' x)"
bad "huge cookie header" '^(400|431|494|200)$' -u admin -H "Cookie: $(printf 'c%d=1; ' $(seq 300))" ''
assert_eq "OK never paused by garbage" false "$(queue_field OK paused)"

# Raw garbage on the FastCGI socket itself.
python3 - "$FCGI_SOCK" <<'PY'
import os, socket, sys
for payload in (b"\x00" * 64, os.urandom(4096), b"\x01\x01\x00\x01\xff\xff\x00\x00"):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(3)
    s.connect(sys.argv[1])
    try:
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)
        s.recv(65536)
    except OSError:
        pass
    s.close()
# A connection that says nothing and goes away.
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.close()
PY
wait_for "the dashboard to serve after garbage on its socket" dash_serving

# A slow client does not stop the others for long (nginx buffers).
expect_web "API still answers" 200 -u admin api/v2.0/jobservice/queues

# jobsvcd down: 503 pages, then back.
stop_daemon a
web -u admin ''
assert_eq "main page with jobsvcd down" 503 "$CODE"
assert_imatch "the 503 page says why" 'jobsvcd|daemon|unavailable|job service' "$(text)"
web -u admin api/v2.0/jobservice/queues
assert_eq "API with jobsvcd down" 503 "$CODE"
web -u admin -X PUT -H 'Content-Type: application/json' -d '{"action":"pause"}' \
	api/v2.0/jobservice/queues/OK
assert_match "API PUT with jobsvcd down" '^(500|503)$' "$CODE"
start_daemon a
wait_for "the dashboard to serve again" dash_serving
assert_imatch "data again" 'Pending Jobs In Queues' "$(text)"
pass
