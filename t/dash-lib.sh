# SPDX-License-Identifier: ISC
#
# t/dash-lib.sh: sourced (bash) after t/lib.sh by the dashboard tests
# (t/integ/dash-*.sh, t/browser/*.sh).  Starts jobsvc-fcgi on a Unix socket
# in the test's directory (spawn-fcgi hands it the listening socket as its
# standard input) and a private nginx on a free 127.0.0.1 port, configured
# with packaging/nginx/jobsvc-dashboard.conf (its placeholders replaced), HTTP basic
# authentication with users from $JSV_TMP/htpasswd; and offers curl helpers.
#
# Knobs, from the environment:
#   JSV_FCGI        the jobsvc-fcgi binary (default: the build tree's)
#   JSV_NGINX       nginx (default: nginx from PATH or /usr/sbin/nginx)
#   FCGI_CONF_EXTRA more lines for the [jobsvc-fcgi] section of the next
#                   start_fcgi (e.g. "timeout = 30s")
#
# Users: admin (an administrator) and viewer (not one), passwords
# $ADMIN_PW and $VIEWER_PW.
#
# A test looks like:
#	. "${0%/*}/../lib.sh"
#	. "${0%/*}/../dash-lib.sh"
#	start_daemon
#	start_dash
#	web -u admin ''                 # GET the dashboard's main page
#	assert_eq "status" 200 "$CODE"
#	assert_contains "page" "Pending Jobs" "$BODY"

: "${JSV_FCGI:=$abs_top_builddir/fcgi/jobsvc-fcgi}"
if [ -z "${JSV_NGINX:-}" ]; then
	JSV_NGINX=$(command -v nginx 2>/dev/null || echo /usr/sbin/nginx)
fi

[ -x "$JSV_FCGI" ] || fail "no jobsvc-fcgi at $JSV_FCGI (build first)"
[ -x "$JSV_NGINX" ] || fail "nginx is needed (apt-get install nginx)"
for tool in curl spawn-fcgi python3 openssl; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip "$tool is not installed (apt-get install curl spawn-fcgi python3 openssl)"
done

ADMIN_PW=admin-secret
VIEWER_PW=viewer-secret
DASH_PREFIX=/harbor/job-service-dashboard/
DASH_PORT=
DASH_URL=
FCGI_SOCK=$JSV_TMP/fcgi.sock
FCGI_PID=
NGINX_PID=
NGINX_DIR=$JSV_TMP/nginx

# ---------------------------------------------------------------- jobsvc-fcgi

# write_fcgi_conf FILE [ADMINS]: the [jobsvc-fcgi] section (admins default
# "admin"; "" for none).
write_fcgi_conf()
{
	local admins=admin
	[ $# -lt 2 ] || admins=$2
	{
		echo "# written by t/dash-lib.sh for $TEST_NAME"
		echo "[jobsvc-fcgi]"
		[ -z "$admins" ] || echo "admins = $admins"
		echo "secret_file = $JSV_TMP/fcgi.secret"
		[ -z "${FCGI_CONF_EXTRA:-}" ] || printf '%s\n' "$FCGI_CONF_EXTRA"
	} >"$1"
}

fcgi_alive()
{
	[ -n "$FCGI_PID" ] && our_pid "$FCGI_PID"
}

# start_fcgi [ADMINS]: jobsvc-fcgi for the current daemon ($SOCK), on
# $FCGI_SOCK, logging to $JSV_TMP/fcgi.log.  spawn-fcgi -n binds the socket
# and execs jobsvc-fcgi in its place, so $FCGI_PID is jobsvc-fcgi's.
start_fcgi()
{
	local conf=$JSV_TMP/fcgi.conf
	if [ $# -ge 1 ]; then
		write_fcgi_conf "$conf" "$1"
	else
		write_fcgi_conf "$conf"
	fi
	rm -f "$FCGI_SOCK"
	echo "--- $(date '+%T.%N') start jobsvc-fcgi -f $conf -s $SOCK" \
		>>"$JSV_TMP/fcgi.log"
	setsid spawn-fcgi -n -s "$FCGI_SOCK" -M 0600 -- \
		"$JSV_FCGI" -f "$conf" -s "$SOCK" >>"$JSV_TMP/fcgi.log" 2>&1 &
	FCGI_PID=$!
	wait_for "jobsvc-fcgi's socket $FCGI_SOCK" test -S "$FCGI_SOCK"
	sleep 0.05
	proc_alive "$FCGI_PID" ||
		fail "jobsvc-fcgi exited while starting: $(tail -n 20 "$JSV_TMP/fcgi.log")"
}

# stop_fcgi: SIGTERM, bounded wait; sets FCGI_RC.
FCGI_RC=
stop_fcgi()
{
	local i
	FCGI_RC=
	[ -n "$FCGI_PID" ] || return 0
	if our_pid "$FCGI_PID"; then
		kill -s TERM "$FCGI_PID" 2>/dev/null || true
		for i in $(seq 100); do
			our_pid "$FCGI_PID" || break
			sleep 0.05
		done
		our_pid "$FCGI_PID" && kill -s KILL "$FCGI_PID" 2>/dev/null
	fi
	FCGI_RC=0
	{ wait "$FCGI_PID"; } 2>/dev/null || FCGI_RC=$?
	FCGI_PID=
}

# ---------------------------------------------------------------------- nginx

free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# htpasswd_line USER PASSWORD
htpasswd_line()
{
	printf '%s:%s\n' "$1" "$(openssl passwd -apr1 "$2")"
}

# write_nginx_conf AUTH PREFIX: nginx.conf around the packaging snippet.
write_nginx_conf()
{
	local auth=$1 prefix=$2 user=
	mkdir -p "$NGINX_DIR/tmp"
	[ "$(id -u)" != 0 ] || user='user root root;'
	{
		htpasswd_line admin "$ADMIN_PW"
		htpasswd_line viewer "$VIEWER_PW"
	} >"$NGINX_DIR/htpasswd"
	sed -e "s|/etc/jobsvc/dashboard.htpasswd|$NGINX_DIR/htpasswd|" \
		-e "s|unix:/run/jobsvc/fcgi.sock|unix:$FCGI_SOCK|" \
		-e "s|/harbor/job-service-dashboard/|$prefix|g" \
		"$abs_top_srcdir/packaging/nginx/jobsvc-dashboard.conf" >"$NGINX_DIR/jobsvc.conf"
	if [ "$auth" = no ]; then
		# As the snippet says: no authentication, no REMOTE_USER:
		# jobsvc-fcgi refuses every request.
		sed -i -e '/^[[:space:]]*auth_basic/d' \
			-e '/fastcgi_param REMOTE_USER/d' "$NGINX_DIR/jobsvc.conf"
	fi
	grep -q "location $prefix" "$NGINX_DIR/jobsvc.conf" ||
		fail "packaging/nginx/jobsvc-dashboard.conf has no location for the default prefix"
	cat >"$NGINX_DIR/nginx.conf" <<EOF
# written by t/dash-lib.sh for $TEST_NAME
$user
worker_processes 1;
pid $NGINX_DIR/nginx.pid;
error_log $JSV_TMP/nginx-error.log info;
events { worker_connections 256; }
http {
	access_log $JSV_TMP/nginx-access.log;
	client_body_temp_path $NGINX_DIR/tmp/body;
	proxy_temp_path $NGINX_DIR/tmp/proxy;
	fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;
	uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;
	scgi_temp_path $NGINX_DIR/tmp/scgi;
	default_type application/octet-stream;
	server {
		listen 127.0.0.1:$DASH_PORT;
		server_name localhost;
		include $NGINX_DIR/jobsvc.conf;
	}
}
EOF
}

nginx_answers()
{
	curl -s -o /dev/null --max-time 2 "http://127.0.0.1:$DASH_PORT/"
}

# start_nginx [--no-auth] [--prefix PREFIX]: nginx in the foreground (in
# the background of the test), on a free port; retries with another port
# when a parallel test took it first.  Sets DASH_URL (ends with the prefix).
start_nginx()
{
	local auth=yes prefix=$DASH_PREFIX i
	while [ $# -gt 0 ]; do
		case $1 in
		--no-auth) auth=no ;;
		--prefix) prefix=$2; shift ;;
		*) fail "start_nginx: unknown option $1" ;;
		esac
		shift
	done
	DASH_PREFIX=$prefix
	for _ in 1 2 3 4 5; do
		DASH_PORT=$(free_port)
		write_nginx_conf "$auth" "$prefix"
		"$JSV_NGINX" -t -q -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" \
			-e "$JSV_TMP/nginx-error.log" >>"$JSV_TMP/nginx-error.log" 2>&1 ||
			fail "nginx -t refuses the configuration: $(tail -n 5 "$JSV_TMP/nginx-error.log")"
		setsid "$JSV_NGINX" -p "$NGINX_DIR" -c "$NGINX_DIR/nginx.conf" \
			-e "$JSV_TMP/nginx-error.log" -g 'daemon off;' \
			>>"$JSV_TMP/nginx-error.log" 2>&1 &
		NGINX_PID=$!
		for i in $(seq 200); do
			if nginx_answers; then
				DASH_URL=http://127.0.0.1:$DASH_PORT$prefix
				return 0
			fi
			proc_alive "$NGINX_PID" || break
			sleep 0.05
		done
		stop_nginx
	done
	fail "nginx does not start: $(tail -n 10 "$JSV_TMP/nginx-error.log")"
}

stop_nginx()
{
	[ -n "$NGINX_PID" ] || return 0
	kill -s QUIT "$NGINX_PID" 2>/dev/null || true
	for _ in $(seq 100); do
		proc_alive "$NGINX_PID" || break
		sleep 0.05
	done
	kill -s KILL "$NGINX_PID" 2>/dev/null || true
	wait "$NGINX_PID" 2>/dev/null || true
	# Workers of a killed master: same session as the master.
	pkill -KILL -s "$NGINX_PID" 2>/dev/null || true
	NGINX_PID=
}

# start_dash [ADMINS] [start_nginx options]: jobsvc-fcgi, then nginx.
start_dash()
{
	if [ $# -ge 1 ] && [ "${1#--}" = "$1" ]; then
		start_fcgi "$1"
		shift
	else
		start_fcgi
	fi
	start_nginx "$@"
}

# ------------------------------------------------------------------ requests

# web [-u USER] [-X METHOD] [-d BODY] [-H HEADER]... [-c] PATH: one request
# through nginx.  PATH is relative to the prefix ("", "api/v2.0/...") or
# absolute ("/..."). USER admin or viewer (password known), or "" for no
# credentials (the default); each user keeps a cookie jar.  Sets CODE (the
# HTTP status), BODY, HDRS (the response headers, CR removed) and
# LOCATION.  Never fails by itself.
web()
{
	local user='' method='' path url jar
	local -a args=()
	while [ $# -gt 1 ]; do
		case $1 in
		-u) user=$2; shift 2 ;;
		-X) method=$2; shift 2 ;;
		-d) args+=(--data-binary "$2"); shift 2 ;;
		-H) args+=(-H "$2"); shift 2 ;;
		*) break ;;
		esac
	done
	path=$1
	case $path in
	http://*) url=$path ;;
	/*) url=http://127.0.0.1:$DASH_PORT$path ;;
	*) url=$DASH_URL$path ;;
	esac
	case $user in
	admin) args+=(-u "admin:$ADMIN_PW") ;;
	viewer) args+=(-u "viewer:$VIEWER_PW") ;;
	"") ;;
	*:*) args+=(-u "$user") ;;
	*) fail "web: unknown user $user" ;;
	esac
	jar=$JSV_TMP/cookies.${user%%:*}
	WEB_URL=$url
	WEB_USER=$user
	[ -n "$method" ] && args+=(-X "$method")
	CODE=$(curl -s -g --max-time 20 -b "$jar" -c "$jar" \
		-D "$JSV_TMP/web.hdrs" -o "$JSV_TMP/web.body" \
		-w '%{http_code}' "${args[@]}" -- "$url") || CODE=000
	BODY=$(cat "$JSV_TMP/web.body" 2>/dev/null)
	HDRS=$(tr -d '\r' <"$JSV_TMP/web.hdrs" 2>/dev/null)
	LOCATION=$(printf '%s\n' "$HDRS" | sed -n 's/^[Ll]ocation: *//p' | tail -n 1)
}

# follow: GET the Location of the last response (as its user).
follow()
{
	[ -n "$LOCATION" ] || fail "no Location to follow (HTTP $CODE)"
	case $LOCATION in
	http://* | /*) web -u "$WEB_USER" "$LOCATION" ;;
	*) web -u "$WEB_USER" "${WEB_URL%/*}/$LOCATION" ;;
	esac
}

# click LABEL [--check VALUE]... [--set NAME=VALUE]...: submits the form of
# the button LABEL of the last page, as its user (--post instead of LABEL:
# the page's POST form).  Sets what web sets; CLICK_RC is 3 when the button
# is disabled and 4 when there is none (nothing is sent then).
click()
{
	local -a fa=()
	local method url body
	if [ "$1" = --post ]; then
		fa=(--post)
	else
		fa=(--button "$1")
	fi
	shift
	CLICK_RC=0
	printf '%s' "$BODY" >"$JSV_TMP/click.html"
	python3 "$abs_top_srcdir/t/dash-form.py" "$JSV_TMP/click.html" \
		"$WEB_URL" "${fa[@]}" "$@" >"$JSV_TMP/click.out" \
		2>"$JSV_TMP/click.err" || CLICK_RC=$?
	[ "$CLICK_RC" = 0 ] || return 0
	{ read -r method; read -r url; read -r body; } <"$JSV_TMP/click.out"
	if [ "$method" = POST ]; then
		web -u "$WEB_USER" -X POST \
			-H 'Content-Type: application/x-www-form-urlencoded' \
			-d "$body" "$url"
	else
		web -u "$WEB_USER" "$url"
	fi
}

# act WHAT LABEL [click options]: the whole action from the last page: the
# button LABEL, its confirmation page (kept in CONFIRM), the confirming
# POST, its 303 and the page it leads to (in BODY).  Fails unless each step
# answers as it should.
CONFIRM=
act()
{
	local what=$1
	shift
	click "$@"
	[ "$CLICK_RC" = 0 ] || fail "$what: cannot click: $(cat "$JSV_TMP/click.err")"
	if [ "$CODE" = 200 ]; then
		CONFIRM=$(text)
		click --post
		[ "$CLICK_RC" = 0 ] ||
			fail "$what: the confirmation page has no form to post: $(cat "$JSV_TMP/click.err"): $CONFIRM"
	else
		fail "$what: the button should lead to a confirmation page, got HTTP $CODE: $(text | head -c 400)"
	fi
	[ "$CODE" = 303 ] ||
		fail "$what: the confirmed POST should answer 303, got $CODE: $(text | head -c 400)"
	follow
	[ "$CODE" = 200 ] || fail "$what: the page after the action: HTTP $CODE"
}

# links: "text<TAB>absolute URL" for each link of the last page.
links()
{
	printf '%s' "$BODY" >"$JSV_TMP/links.html"
	python3 "$abs_top_srcdir/t/dash-form.py" "$JSV_TMP/links.html" \
		"$WEB_URL" --links
}

# link_to TEXT: the URL of the first link of the last page whose text is
# TEXT (ignoring case), or that starts with it.
link_to()
{
	local l
	l=$(links | awk -F '\t' -v t="$1" '
		tolower($1) == tolower(t) { print $2; found = 1; exit }
		!first && index(tolower($1), tolower(t)) == 1 { first = $2 }
		END { if (!found && first) print first }')
	[ -n "$l" ] || fail "no link '$1' on $WEB_URL: $(links | cut -f1 | tr '\n' '|')"
	echo "$l"
}

# refs: every href, src and action of the last page, as written.
refs()
{
	printf '%s' "$BODY" >"$JSV_TMP/links.html"
	python3 "$abs_top_srcdir/t/dash-form.py" "$JSV_TMP/links.html" \
		"$WEB_URL" --refs
}

# header NAME: a header of the last response.
header()
{
	printf '%s\n' "$HDRS" | sed -n "s/^$1: *//Ip" | tail -n 1
}

# expect_web WHAT CODE web-ARGS...: the request must answer CODE.
expect_web()
{
	local what=$1 code=$2
	shift 2
	web "$@"
	[ "$CODE" = "$code" ] ||
		fail "$what: expected HTTP $code, got $CODE: $(printf '%s' "$BODY" | head -c 600)"
}

# text: the last body with tags removed and white space squeezed, for
# assertions on what a user reads.
text()
{
	printf '%s' "$BODY" | sed -e 's/<[^>]*>/ /g' -e 's/&nbsp;/ /g' |
		tr -s ' \t\n' ' '
}

# dash_serving: the main page still answers 200 to the admin.
dash_serving()
{
	web -u admin ''
	[ "$CODE" = 200 ]
}

# --------------------------------------------------------------- the browser

# need_chromium: the browser tests (t/browser/) skip without chromium
# (JSV_CHROMIUM, or chromium from PATH).
need_chromium()
{
	: "${JSV_CHROMIUM:=$(command -v chromium || command -v chromium-browser || true)}"
	[ -n "$JSV_CHROMIUM" ] && [ -x "$JSV_CHROMIUM" ] ||
		skip "chromium is not installed (apt-get install chromium)"
}

# Where the browser tests leave their screenshots.
BROWSER_SHOTS=$abs_top_builddir/t/browser/screenshots

# browser SCRIPT ARGS...: runs t/browser/SCRIPT (bounded) on chromium with
# a fresh profile and the dashboard's URL, its log in $JSV_TMP/chromium.log.
browser()
{
	local script=$1
	shift
	mkdir -p "$JSV_TMP/profile" "$BROWSER_SHOTS"
	timeout -k 5 240 python3 "$abs_top_srcdir/t/browser/$script" \
		--chromium "$JSV_CHROMIUM" --profile "$JSV_TMP/profile" \
		--log "$JSV_TMP/chromium.log" --url "$DASH_URL" "$@"
}

# --------------------------------------------------------------------- cleanup

dash_cleanup()
{
	local rc=$?
	set +e
	stop_nginx
	if [ -n "$FCGI_PID" ] && ! our_pid "$FCGI_PID" && [ "$rc" = 0 ]; then
		printf 'FAIL: %s: jobsvc-fcgi died during the test\n' "$TEST_NAME" >&2
		rc=1
	fi
	stop_fcgi
	if [ -n "$FCGI_RC" ] && [ "$FCGI_RC" != 0 ] && [ "$rc" = 0 ]; then
		printf 'FAIL: %s: jobsvc-fcgi exited %s on SIGTERM at the end of the test\n' \
			"$TEST_NAME" "$FCGI_RC" >&2
		rc=1
	fi
	(exit "$rc")
	jsv_cleanup
}
trap dash_cleanup EXIT
