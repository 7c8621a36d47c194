#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The README's run command, packaging/demo, with the programs of this build
# in a private directory: its last line is the dashboard line in the exact
# form scripts read; the dashboard answers there with those credentials
# (401 without); the demo jobs run; and `packaging/demo stop` returns only
# when every process it started (nginx, jobsvc-fcgi, jobsvcd with its
# handlers, redis-server) is gone.  Skips (77) without redis-server, nginx,
# spawn-fcgi, openssl or curl.
set -eu

: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
# As packaging/demo names its handlers.
src=$(cd "$abs_top_srcdir" && pwd)

for tool in redis-server nginx spawn-fcgi openssl curl python3; do
	command -v "$tool" >/dev/null 2>&1 || [ -x "/usr/sbin/$tool" ] || {
		echo "SKIP: $tool is not installed"
		exit 77
	}
done

fail()
{
	echo "FAIL: $*"
	exit 1
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jsv-demo.XXXXXX")
demo()
{
	DEMO_DIR=$tmp/run DEMO_BUILD=$abs_top_builddir DEMO_PORT=$port \
		"$src/packaging/demo" "$@"
}
trap 'demo stop >/dev/null 2>&1 || true; rm -rf "$tmp"' EXIT

port=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

demo >"$tmp/out" 2>&1 || {
	cat "$tmp/out"
	fail "packaging/demo exited $?"
}
cat "$tmp/out"
last=$(tail -n 1 "$tmp/out")
re="^Dashboard: (http://127\.0\.0\.1:$port/harbor/job-service-dashboard/) \(user admin, password ([^ ()]+)\)\$"
[[ $last =~ $re ]] || fail "the last line is not the dashboard line: '$last'"
url=${BASH_REMATCH[1]}
password=${BASH_REMATCH[2]}
echo "ok: the last line is the dashboard line"

code=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:$password" "$url")
[ "$code" = 200 ] || fail "GET $url as admin: $code, not 200"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 401 ] || fail "GET $url without credentials: $code, not 401"
code=$(curl -s -o /dev/null -w '%{http_code}' -u "admin:wrong$password" "$url")
[ "$code" = 401 ] || fail "GET $url with a wrong password: $code, not 401"
queues=$(curl -s -u "admin:$password" "${url}api/v2.0/jobservice/queues")
case $queues in
*'"job_type":"REPLICATION"'*'"paused":true'* | *'"paused":true'*'"job_type":"REPLICATION"'*) ;;
*) fail "the API does not show the demo's paused REPLICATION queue: $queues" ;;
esac
echo "ok: the dashboard answers with the printed credentials"

# What runs now, to check after the stop: the pid files' processes, and
# the demo handlers that its jobsvcd runs, with their supervisors (a job
# of 10 s or more is running).
pids=
for f in nginx fcgi jobsvcd redis; do
	pids="$pids $(cat "$tmp/run/$f.pid")"
done
handlers=
for ((i = 0; i < 200; i++)); do
	for sup in $(pgrep -P "$(cat "$tmp/run/jobsvcd.pid")" -x jobsvc-run); do
		h=$(pgrep -P "$sup" -f "$src/packaging/handlers/demo" | tr '\n' ' ')
		[ -z "$h" ] || handlers="$handlers $sup $h"
	done
	[ -z "$handlers" ] || break
	sleep 0.05
done
[ -n "$handlers" ] || fail "no demo handler runs 10 s after the demo started"

demo stop
for pid in $pids $handlers; do
	# Gone, or a zombie its parent has not reaped yet.
	if ps -o stat= -p "$pid" | grep -qv Z; then
		ps -o pid,comm,args -p "$pid" || true
		fail "process $pid still runs after 'packaging/demo stop' returned"
	fi
done
if pgrep -f -r RSDT "$tmp/run" >/dev/null; then
	pgrep -a -f -r RSDT "$tmp/run"
	fail "processes of the demo still run after 'packaging/demo stop'"
fi
echo "ok: 'packaging/demo stop' returned with every process gone"
exit 0
