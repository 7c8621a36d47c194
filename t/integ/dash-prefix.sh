#!/bin/bash
# Any mount prefix works: with the dashboard at /jobs/ and at the root /
# (SCRIPT_NAME set as the snippet does), every link, form, static file and
# redirect stays under the prefix and answers; paths the app does not know
# are 404, and none of them moves the prefix or sends a browser off-site.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
ctl queue pause RECORD >/dev/null
submit RECORD --param n=1 >/dev/null
ctl schedule add OK '0 0 3 * * *' >/dev/null
s=$(submit SLEEP)
wait_status "$s" Running

# check_prefix PREFIX: crawls the pages one link deep from the main page.
check_prefix()
{
	local prefix=$1 ref u seen=" "
	expect_web "main page at $prefix" 200 -u admin "$prefix"
	local -a pages=("$DASH_URL")
	while read -r u; do
		pages+=("$u")
	done < <(links | cut -f2 | grep '^http://127.0.0.1' | sort -u)
	for u in "${pages[@]}"; do
		case $seen in *" $u "*) continue ;; esac
		seen+="$u "
		case $u in
		"http://127.0.0.1:$DASH_PORT$prefix"*) ;;
		*) fail "a link leaves the prefix $prefix: $u" ;;
		esac
		expect_web "GET $u" 200 -u admin "$u"
		case $(header Content-Type) in
		text/html*) ;;
		*) continue ;;
		esac
		while read -r ref; do
			case $ref in
			"" | '#'* | javascript:* | data:*) continue ;;
			/*) case $ref in
				"$prefix"*) ;;
				*) fail "$u: a reference outside $prefix: $ref" ;;
				esac ;;
			http*://*) fail "$u: an absolute URL: $ref" ;;
			esac
		done < <(refs)
		# Static files (CSS, JS) answer.
		while read -r ref; do
			case $ref in
			*.css | *.js | *.css\?* | *.js\?* | *.svg | *.png | *.ico)
				if [[ $ref == /* ]]; then
					web -u admin "$ref"
				else
					web -u admin "${u%/*}/$ref"
				fi
				assert_eq "static file $ref from $u" 200 "$CODE"
				;;
			esac
		done < <(refs)
	done
	web -u admin "/harbor/job-service-dashboard/"
	assert_eq "the default prefix is not served when mounted at $prefix" 404 "$CODE"
	expect_web "API at $prefix" 200 -u admin "${prefix}api/v2.0/jobservice/queues"
	# An action's redirect comes back under the prefix.
	expect_web "main page at $prefix" 200 -u admin "$prefix"
	click Pause --check OK
	assert_eq "Pause at $prefix leads to a confirmation page" 200 "$CODE"
	click --post
	assert_eq "confirmed POST at $prefix" 303 "$CODE"
	assert_match "redirect under $prefix" "^(http://127\.0\.0\.1:$DASH_PORT)?${prefix}" "$LOCATION"
	assert_eq "OK paused from $prefix" true "$(queue_field OK paused)"
	ctl queue resume OK >/dev/null
}

start_dash admin --prefix /jobs/
check_prefix /jobs/

# The prefix is SCRIPT_NAME's, never guessed from the path: no second
# dashboard under foo/bar/.
for p in foo/bar/ foo/bar/schedules jobs/ x/api/v2.0/jobservice/queues; do
	web -u admin "$p"
	assert_eq "unknown path /jobs/$p" 404 "$CODE"
	assert_eq "no cookie for /jobs/$p" "" "$(header Set-Cookie)"
done

stop_nginx
start_nginx --prefix /
check_prefix /
for p in //evil.example/ //evil.example/schedules /%2Fevil.example/ \
	'/\evil.example/'; do
	web -u admin "$p"
	assert_eq "unknown path $p" 404 "$CODE"
	assert_eq "no Location for $p" "" "$LOCATION"
	if refs | grep -q 'evil'; then
		fail "a link of $p leads off-site: $(refs | grep evil)"
	fi
done
pass
