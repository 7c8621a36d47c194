#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The Debian packages as an operator gets them: packaging/build-deb builds
# jobsvc and jobsvc-dashboard (and the source package) from a clean copy of
# the source; lintian has no error or warning about any of them (overrides
# carry their reasons); the packages hold
# what SPEC §7 lists; `dpkg -i` installs them on this machine (users,
# groups, directories, conffiles); the installed units pass
# `systemd-analyze verify` and stay within their exposure limits.  Then the
# installed programs run as the units would run them, without systemd: a
# redis-server with Debian's /etc/redis/redis.conf (127.0.0.1:6379),
# jobsvcd as the unit's User= with its ExecStart= and the packaged
# configuration, a job that runs to Success through a placeholder handler
# that says so in its log, jobsvc-fcgi under spawn-fcgi as its own user on
# the socket of jobsvc-fcgi.socket, and an nginx that includes the installed
# snippet: the dashboard answers 200 with the password, 401 without, and an
# administrator's action takes effect.  The packages are purged at the end.
#
# Skips (77) when not root, inside the package build, when the tools or the
# build dependencies are missing, when the packages are already installed
# (they would be replaced and purged) or when 127.0.0.1:6379 is taken.
# shellcheck disable=SC2317 # functions run by the trap and by wait_until
set -eu

: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"

skip()
{
	echo "SKIP: $*"
	exit 77
}

fail()
{
	echo "FAIL: $*"
	exit 1
}

[ -z "${JSV_IN_PACKAGE_BUILD:-}" ] ||
	skip "runs outside the package build (packaging/debian/rules) only"
[ "$(id -u)" = 0 ] || skip "needs root: installs the packages with dpkg -i"
for tool in dpkg-buildpackage dpkg-checkbuilddeps dh lintian \
	systemd-analyze systemd-sysusers systemd-tmpfiles setpriv \
	redis-server redis-cli nginx spawn-fcgi curl openssl python3; do
	command -v "$tool" >/dev/null 2>&1 ||
		skip "$tool is not installed (see .ci/run for the packages)"
done
[ -r /etc/redis/redis.conf ] || skip "/etc/redis/redis.conf is missing"
for p in jobsvc jobsvc-dashboard; do
	if dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null |
		grep -q ' installed$'; then
		skip "$p is installed on this machine: the test would replace and purge it"
	fi
done
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
	skip "something listens on 127.0.0.1:6379, where Debian's redis.conf puts the test's redis-server"
fi
deps=$(dpkg-checkbuilddeps "$abs_top_srcdir/packaging/debian/control" 2>&1) ||
	skip "build dependencies missing: $deps"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jsv-deb.XXXXXX")
# Daemons dropped to their users read their files here.
chmod 755 "$tmp"
declare -a started=()
policy_rc_d=

# stop_pid PID: SIGTERM, then wait until it is gone (30 s, then SIGKILL).
stop_pid()
{
	local i
	kill "$1" 2>/dev/null || return 0
	for ((i = 0; i < 300; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "# pid $1 did not stop in 30 s: killed"
	kill -KILL "$1" 2>/dev/null || true
}

purge()
{
	dpkg --purge jobsvc-dashboard jobsvc >"$tmp/purge.log" 2>&1
}

cleanup()
{
	local i
	# The last started first: nginx, jobsvc-fcgi, jobsvcd, redis-server.
	for ((i = ${#started[@]} - 1; i >= 0; i--)); do
		stop_pid "${started[i]}"
	done
	if dpkg-query -W jobsvc >/dev/null 2>&1 ||
		dpkg-query -W jobsvc-dashboard >/dev/null 2>&1; then
		purge || cat "$tmp/purge.log"
	fi
	[ -z "$policy_rc_d" ] || rm -f /usr/sbin/policy-rc.d
	rm -f /etc/jobsvc/dashboard.htpasswd /run/jobsvc/fcgi.sock
	rmdir /etc/jobsvc /run/jobsvc 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# wait_until SECONDS WHAT CMD...: CMD succeeds within SECONDS.
wait_until()
{
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 10; i++)); do
		if "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.1
	done
	fail "timed out after ${secs}s waiting for $what"
}

# ------------------------------------------------------------ build, lint

debs=$tmp/debs
# The packages are built as Debian builds them, with its default compiler:
# a CC or CFLAGS the test suite runs under (clang, sanitizers) is not
# theirs, and clang's DWARF 5 is more than Debian 12's dwz reads.
if ! env -u CC -u CFLAGS -u LDFLAGS -u CPPFLAGS \
	DEB_BUILD_OPTIONS="nocheck parallel=2" \
	"$abs_top_srcdir/packaging/build-deb" -o "$debs" >"$tmp/build.log" 2>&1; then
	tail -n 40 "$tmp/build.log"
	fail "packaging/build-deb failed"
fi
version=$(dpkg-parsechangelog -l "$abs_top_srcdir/packaging/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
core=$debs/jobsvc_${version}_$arch.deb
dash=$debs/jobsvc-dashboard_${version}_$arch.deb
if [ ! -f "$core" ] || [ ! -f "$dash" ]; then
	ls -l "$debs"
	fail "packaging/build-deb did not make jobsvc and jobsvc-dashboard"
fi
[ -f "$debs/jobsvc_$version.dsc" ] ||
	fail "packaging/build-deb did not make the source package"
echo "ok: packaging/build-deb built ${core##*/}, ${dash##*/} and jobsvc_$version.dsc"

lintian --pedantic -I "$debs"/*.changes >"$tmp/lintian.out" 2>&1 || true
grep -v 'running with root privileges' "$tmp/lintian.out" || true
if grep -E '^[EW]: |unused-override|mismatched-override' "$tmp/lintian.out"; then
	fail "lintian reports errors or warnings"
fi
echo "ok: lintian has no error or warning"

# field PACKAGE FIELD
field()
{
	dpkg-deb -f "$1" "$2"
}
contents()
{
	dpkg-deb -c "$1" | awk '{ print $6 }' | sed 's|^\./|/|'
}
for deb in "$core" "$dash"; do
	case $(field "$deb" Depends) in
	*libc6*) ;;
	*) fail "${deb##*/}: Depends without the shared libraries: $(field "$deb" Depends)" ;;
	esac
	[ -n "$(field "$deb" Description)" ] || fail "${deb##*/}: no Description"
done
case $(field "$core" Recommends) in
*redis-server*) ;;
*) fail "jobsvc does not recommend redis-server" ;;
esac
case $(field "$dash" Depends) in
*"jobsvc (= $version)"*) ;;
*) fail "jobsvc-dashboard does not depend on jobsvc (= $version)" ;;
esac
contents "$core" >"$tmp/core.files"
contents "$dash" >"$tmp/dash.files"
for f in /usr/sbin/jobsvcd /usr/bin/jobsvc-ctl /etc/jobsvc/jobsvcd.conf \
	/lib/systemd/system/jobsvcd.service /lib/systemd/system/jobsvcd.socket \
	/usr/lib/sysusers.d/jobsvc.conf /usr/lib/tmpfiles.d/jobsvc.conf \
	/usr/share/man/man8/jobsvcd.8.gz /usr/share/man/man8/jobsvc-ctl.8.gz \
	/usr/share/man/man5/jobsvcd.conf.5.gz \
	/usr/share/bash-completion/completions/jobsvc-ctl \
	/usr/lib/jobsvc/handlers/example \
	/usr/share/doc/jobsvc/examples/persistent-example.c \
	/usr/share/doc/jobsvc/examples/persistent-example.py; do
	grep -qx "$f" "$tmp/core.files" || fail "jobsvc lacks $f"
done
for f in /usr/sbin/jobsvc-fcgi /etc/jobsvc/jobsvc-fcgi.conf \
	/etc/nginx/snippets/jobsvc-dashboard.conf \
	/lib/systemd/system/jobsvc-fcgi.service \
	/lib/systemd/system/jobsvc-fcgi.socket \
	/usr/lib/sysusers.d/jobsvc-dashboard.conf \
	/usr/lib/tmpfiles.d/jobsvc-dashboard.conf \
	/usr/share/man/man8/jobsvc-fcgi.8.gz; do
	grep -qx "$f" "$tmp/dash.files" || fail "jobsvc-dashboard lacks $f"
done
echo "ok: the packages' fields and files"

# ------------------------------------------------------------------ install

# On a machine that runs systemd, the maintainer scripts would start the
# units: the test runs the programs itself, so invoke-rc.d is told not to.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\n# jobsvc test %s\nexit 101\n' "$tmp" >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	policy_rc_d=1
fi
if ! dpkg -i "$core" "$dash" >"$tmp/install.log" 2>&1; then
	cat "$tmp/install.log"
	fail "dpkg -i failed"
fi
echo "ok: dpkg -i ${core##*/} ${dash##*/}"

conffiles=$(dpkg-query -W -f='${Conffiles}\n' jobsvc jobsvc-dashboard)
for f in /etc/jobsvc/jobsvcd.conf /etc/jobsvc/jobsvc-fcgi.conf \
	/etc/nginx/snippets/jobsvc-dashboard.conf; do
	grep -q " $f " <<<"$conffiles" || fail "$f is not a conffile"
done
getent passwd jobsvc >/dev/null || fail "no user jobsvc after installation"
getent group jobsvc-admin >/dev/null || fail "no group jobsvc-admin"
getent passwd jobsvc-fcgi >/dev/null || fail "no user jobsvc-fcgi"
id -nG jobsvc-fcgi | grep -qw jobsvc-admin ||
	fail "jobsvc-fcgi is not in jobsvc-admin: $(id -nG jobsvc-fcgi)"
[ "$(stat -c '%a %U %G' /etc/jobsvc/jobsvcd.conf)" = "640 root jobsvc" ] ||
	fail "/etc/jobsvc/jobsvcd.conf is $(stat -c '%a %U %G' /etc/jobsvc/jobsvcd.conf), not 640 root jobsvc"
[ "$(stat -c %U /var/log/jobsvc/jobs)" = jobsvc ] ||
	fail "/var/log/jobsvc/jobs does not belong to jobsvc"
/usr/sbin/jobsvcd -n || fail "jobsvcd -n rejects the packaged configuration"
# Every job type's handler is installed: the placeholder.
n=0
while read -r exec; do
	[ -x "$exec" ] || fail "the handler $exec of jobsvcd.conf is not installed"
	[ "$(readlink -f "$exec")" = /usr/lib/jobsvc/handlers/example ] ||
		fail "$exec is not the placeholder handler"
	n=$((n + 1))
done < <(sed -n 's/^exec *= *//p' /etc/jobsvc/jobsvcd.conf)
[ "$n" = 11 ] || fail "jobsvcd.conf has $n job types, not the eleven of the seed"
echo "ok: conffiles, users, groups and directories"

fail=0
. "$abs_top_srcdir/t/units-lib.sh"
units=(/lib/systemd/system/jobsvcd.socket /lib/systemd/system/jobsvcd.service
	/lib/systemd/system/jobsvc-fcgi.socket
	/lib/systemd/system/jobsvc-fcgi.service)
# Documentation= names the man pages: checked when man and the pages are
# there (images may leave /usr/share/man out).
man=no
if command -v man >/dev/null 2>&1 && [ -e /usr/share/man/man8/jobsvcd.8.gz ]; then
	man=yes
fi
verify_units "$man" "${units[@]}"
check_exposure /lib/systemd/system/jobsvcd.service 15
check_exposure /lib/systemd/system/jobsvc-fcgi.service 5
[ "$fail" = 0 ] || fail "the installed units"

# ---------------------------------------------- run as the units would

systemd-sysusers >/dev/null
systemd-tmpfiles --create /usr/lib/tmpfiles.d/jobsvc.conf \
	/usr/lib/tmpfiles.d/jobsvc-dashboard.conf

# unit_key UNIT KEY: the value of KEY= in the installed UNIT.
unit_key()
{
	sed -n "s/^$2=//p" "/lib/systemd/system/$1" | tail -n 1
}

# Debian's redis-server.service: User=redis, /etc/redis/redis.conf; the
# data and log files go to the test's directory instead of the system's.
mkdir "$tmp/redis"
chown redis:redis "$tmp/redis"
setpriv --reuid=redis --regid=redis --init-groups \
	redis-server /etc/redis/redis.conf --daemonize no --supervised no \
	--dir "$tmp/redis" --logfile "$tmp/redis/redis.log" --pidfile "" \
	>/dev/null 2>&1 &
started+=($!)
redis_up()
{
	[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = PONG ]
}
wait_until 20 "redis-server on 127.0.0.1:6379" redis_up

# jobsvcd.service without systemd: its user, group, umask, working
# directory and command line.
user=$(unit_key jobsvcd.service User)
group=$(unit_key jobsvcd.service Group)
read -r -a cmd <<<"$(unit_key jobsvcd.service ExecStart)"
(
	cd /var/lib/jobsvc
	umask "$(unit_key jobsvcd.service UMask)"
	exec setpriv --reuid="$user" --regid="$group" --init-groups \
		--no-new-privs "${cmd[@]}"
) >"$tmp/jobsvcd.log" 2>&1 &
started+=($!)
if ! (wait_until 20 "jobsvcd to answer on /run/jobsvc/control.sock" \
	jobsvc-ctl status); then
	cat "$tmp/jobsvcd.log"
	exit 1
fi
echo "ok: jobsvcd runs as $user with the packaged configuration"

id=$(jobsvc-ctl submit IMAGE_SCAN --param repository=library/app)
job_done()
{
	jobsvc-ctl -j job show "$id" | grep -q '"status": "Success"'
}
if ! (wait_until 30 "job $id to end in Success" job_done); then
	jobsvc-ctl job show "$id" || true
	cat "$tmp/jobsvcd.log"
	exit 1
fi
jobsvc-ctl job log "$id" >"$tmp/job.log"
grep -q PLACEHOLDER "$tmp/job.log" || {
	cat "$tmp/job.log"
	fail "the placeholder handler's log does not say it is a placeholder"
}
echo "ok: job $id ran to Success; its log says the handler is a placeholder"

# jobsvc-fcgi.socket + jobsvc-fcgi.service, done by spawn-fcgi: the socket
# as the socket unit makes it, the program as the service's user.
printf 'admins = admin\n' >>/etc/jobsvc/jobsvc-fcgi.conf
listen=$(unit_key jobsvc-fcgi.socket ListenStream)
read -r -a cmd <<<"$(unit_key jobsvc-fcgi.service ExecStart)"
rm -f "$listen"
# (spawn-fcgi refuses "-U root": the owner is set after.)
spawn-fcgi -s "$listen" -M "$(unit_key jobsvc-fcgi.socket SocketMode)" \
	-G "$(unit_key jobsvc-fcgi.socket SocketGroup)" \
	-u "$(unit_key jobsvc-fcgi.service User)" \
	-g "$(unit_key jobsvc-fcgi.service Group)" \
	-P "$tmp/fcgi.pid" -- "${cmd[@]}" >"$tmp/fcgi.log" 2>&1 ||
	fail "spawn-fcgi: $(cat "$tmp/fcgi.log")"
started+=("$(cat "$tmp/fcgi.pid")")
chown "$(unit_key jobsvc-fcgi.socket SocketUser)" "$listen"

# nginx as Debian runs it (workers as www-data), with a server of its own
# that includes the installed snippet.
password=$(openssl rand -hex 8)
printf 'admin:%s\n' "$(openssl passwd -apr1 "$password")" \
	>/etc/jobsvc/dashboard.htpasswd
chgrp www-data /etc/jobsvc/dashboard.htpasswd
chmod 640 /etc/jobsvc/dashboard.htpasswd
port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
mkdir -p "$tmp/nginx/tmp"
chown www-data "$tmp/nginx/tmp"
cat >"$tmp/nginx/nginx.conf" <<EOF
user www-data;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections 64; }
http {
	access_log $tmp/nginx/access.log;
	client_body_temp_path $tmp/nginx/tmp/body;
	proxy_temp_path $tmp/nginx/tmp/proxy;
	fastcgi_temp_path $tmp/nginx/tmp/fastcgi;
	uwsgi_temp_path $tmp/nginx/tmp/uwsgi;
	scgi_temp_path $tmp/nginx/tmp/scgi;
	server {
		listen 127.0.0.1:$port;
		include /etc/nginx/snippets/jobsvc-dashboard.conf;
	}
}
EOF
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" ||
	fail "nginx did not start: $(cat "$tmp/nginx/error.log")"
wait_until 10 "nginx's pid file" test -s "$tmp/nginx/nginx.pid"
started+=("$(cat "$tmp/nginx/nginx.pid")")

url=http://127.0.0.1:$port/harbor/job-service-dashboard/
code=$(curl -s -o "$tmp/page.html" -w '%{http_code}' -u "admin:$password" "$url")
[ "$code" = 200 ] || {
	cat "$tmp/nginx/error.log" "$tmp/fcgi.log"
	fail "GET $url with the password: $code, not 200"
}
grep -q IMAGE_SCAN "$tmp/page.html" || fail "the dashboard does not list IMAGE_SCAN"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 401 ] || fail "GET $url without the password: $code, not 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -X PUT -u "admin:$password" \
	-H 'Content-Type: application/json' -d '{"action":"pause"}' \
	"${url}api/v2.0/jobservice/queues/WEBHOOK")
[ "$code" = 200 ] || fail "PUT queues/WEBHOOK pause as admin: $code, not 200"
jobsvc-ctl queues | awk '$1 == "WEBHOOK" && $NF == "true" { ok = 1 }
	END { exit !ok }' ||
	fail "WEBHOOK is not paused after the dashboard's action: $(jobsvc-ctl queues)"
echo "ok: the dashboard through nginx and the installed snippet: 200 with the password, 401 without, actions act"

# ---------------------------------------------------------------- purge

for ((i = ${#started[@]} - 1; i >= 0; i--)); do
	stop_pid "${started[i]}"
done
started=()
purge || {
	cat "$tmp/purge.log"
	fail "dpkg --purge failed"
}
for f in /usr/sbin/jobsvcd /usr/sbin/jobsvc-fcgi /etc/jobsvc/jobsvcd.conf \
	/etc/nginx/snippets/jobsvc-dashboard.conf /var/log/jobsvc; do
	[ ! -e "$f" ] || fail "$f is still there after dpkg --purge"
done
echo "ok: dpkg --purge removed the packages"
exit 0
