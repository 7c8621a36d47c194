#!/bin/bash
# SPDX-License-Identifier: ISC
#
# One slow daemon must not stall everyone.  jobsvc-fcgi answers in several
# worker processes (workers = 4 by default): with jobsvcd stopped by
# SIGSTOP, page loads in parallel each wait on the daemon, while the
# stylesheet and the script, which never need the daemon, are answered
# meanwhile (with timeout = 30s, so that a loaded machine cannot make the
# pages time out first); after SIGCONT the pages are answered.  With the
# default timeout, such pages answer 504 with the error page after a few
# seconds, well before nginx would give up.  A worker
# killed with SIGKILL is replaced and requests go on being served; SIGTERM
# stops the supervisor and every worker.  A page whose first reads were
# answered and a later one not says that it is incomplete, and shows no
# table as if it were empty.
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"

command -v ss >/dev/null 2>&1 || skip "ss is not installed (apt-get install iproute2)"
command -v pgrep >/dev/null 2>&1 || skip "pgrep is not installed (apt-get install procps)"

start_daemon
FCGI_CONF_EXTRA='timeout = 30s'
start_dash
dpid=$(daemon_pid)

# Whatever happens, the daemon is not left stopped for the cleanup.
stall_cleanup()
{
	local rc=$?
	[ -z "$dpid" ] || kill -s CONT "$dpid" 2>/dev/null
	(exit "$rc")
	dash_cleanup
}
trap stall_cleanup EXIT

# workers: the pids of jobsvc-fcgi's workers, one a line.
workers()
{
	pgrep -P "$FCGI_PID" || true
}

nworkers_is()
{
	[ "$(workers | wc -l)" = "$1" ]
}

# pending_at_daemon: connections waiting in the stopped daemon's backlog.
pending_at_daemon()
{
	ss -xlH | awk -v p="$SOCK" '$5 == p { print $3 }'
}

pending_at_least()
{
	[ "$(pending_at_daemon)" -ge "$1" ]
}

# fetch NAME PATH: GET PATH as admin in the background; NAME.code holds
# the status once it is done (and NAME.done exists).
fetch()
{
	local name=$1 path=$2
	(
		curl -s -g --max-time 60 -u "admin:$ADMIN_PW" \
			-o "$JSV_TMP/$name.body" -w '%{http_code}' \
			-- "$DASH_URL$path" >"$JSV_TMP/$name.code" || true
		touch "$JSV_TMP/$name.done"
	) &
}

done_fetch()
{
	[ -e "$JSV_TMP/$1.done" ]
}

wait_for "jobsvc-fcgi's 4 workers (the default)" nworkers_is 4
dash_serving || fail "the dashboard does not serve: HTTP $CODE"
base=$(pending_at_daemon)
assert_eq "nothing waits at the daemon yet" 0 "$base"

# --- the daemon stops: three page loads wait on it
kill -s STOP "$dpid"
pages="queues schedules workers"
fetch queues ''
fetch schedules schedules
fetch workers workers
wait_for "the three page loads waiting on the stopped daemon" pending_at_least 3

# Meanwhile the static files are answered by the fourth worker.
web -u admin static/style.css
assert_eq "the stylesheet while the daemon is stopped" 200 "$CODE"
assert_match "it is the stylesheet" '^text/css' "$(header Content-Type)"
web -u admin static/dashboard.js
assert_eq "the script while the daemon is stopped" 200 "$CODE"
for p in $pages; do
	done_fetch "$p" &&
		fail "the $p page was answered before the stylesheet: the static files waited behind it"
done

# The daemon goes on: the waiting pages are answered.
kill -s CONT "$dpid"
for p in $pages; do
	wait_for -t 40 "the $p page to be answered after SIGCONT" done_fetch "$p"
	assert_eq "the $p page that waited for the daemon" 200 "$(cat "$JSV_TMP/$p.code")"
	rm -f "$JSV_TMP/$p.done"
done

# --- with the default timeout (3 s), pages that wait on a stopped daemon
# answer 504 with the error page, in a few seconds (nginx's own timeout is
# 60 s).
stop_fcgi
FCGI_CONF_EXTRA=
start_fcgi
wait_for "jobsvc-fcgi's 4 workers again" nworkers_is 4
dash_serving || fail "the dashboard does not serve: HTTP $CODE"
kill -s STOP "$dpid"
fetch queues ''
fetch schedules schedules
fetch workers workers
for p in $pages; do
	wait_for -t 15 "the $p page to answer while the daemon is stopped" done_fetch "$p"
	assert_eq "the $p page with the daemon stopped" 504 "$(cat "$JSV_TMP/$p.code")"
	BODY=$(cat "$JSV_TMP/$p.body")
	assert_contains "the $p page says why" "did not answer within 3 seconds" "$(text)"
	assert_contains "the $p page is the dashboard's error page" 'class="error-box"' "$BODY"
	assert_no_match "the $p page shows no table as if it were empty" \
		'<table' "$BODY"
done

# The API says so too, in its JSON error format.
web -u admin api/v2.0/jobservice/queues
assert_eq "the API with the daemon stopped" 504 "$CODE"
assert_contains "the API's error" '"code":"GATEWAY_TIMEOUT"' "$BODY"

# --- the daemon goes on: everything answers again
kill -s CONT "$dpid"
wait_for "the dashboard to serve again" dash_serving
for p in static/style.css api/v2.0/jobservice/queues schedules workers ''; do
	expect_web "/$p after SIGCONT" 200 -u admin "$p"
done
assert_contains "data again" 'Pending Jobs In Queues' "$(text)"

# --- a worker killed with SIGKILL is replaced
victim=$(workers | head -n 1)
kill -s KILL "$victim"
replaced()
{
	nworkers_is 4 && ! workers | grep -qx "$victim"
}
wait_for "the killed worker to be replaced" replaced
for i in 1 2 3 4 5 6 7 8; do
	expect_web "request $i after a worker was killed" 200 -u admin ''
done
assert_contains "the supervisor says what happened" \
	"worker $victim was killed by signal 9" "$(cat "$JSV_TMP/fcgi.log")"

# --- SIGTERM stops the supervisor and every worker
pids=$(workers)
stop_fcgi
assert_eq "jobsvc-fcgi's exit status after SIGTERM" 0 "$FCGI_RC"
for p in $pids; do
	proc_alive "$p" && fail "worker $p still runs after jobsvc-fcgi stopped"
done

# --- a daemon that answers "status" but not "queues": a proxy in front of
# it swallows the requests named on its command line.
cat >"$JSV_TMP/swallow.py" <<'PY'
import json, socket, struct, sys, threading

path, daemon, swallow = sys.argv[1], sys.argv[2], sys.argv[3:]


def back(d, c):
    while True:
        b = d.recv(65536)
        if not b:
            break
        c.sendall(b)


def serve(c):
    d = socket.socket(socket.AF_UNIX)
    d.connect(daemon)
    threading.Thread(target=back, args=(d, c), daemon=True).start()
    buf = b""
    while True:
        b = c.recv(65536)
        if not b:
            break
        buf += b
        while len(buf) >= 8:
            n = struct.unpack(">BBHI", buf[:8])[3]
            if len(buf) < 8 + n:
                break
            frame, buf = buf[:8 + n], buf[8 + n:]
            if json.loads(frame[8:]).get("cmd") not in swallow:
                d.sendall(frame)
    c.close()
    d.close()


lsn = socket.socket(socket.AF_UNIX)
lsn.bind(path)
lsn.listen(16)
while True:
    threading.Thread(target=serve, args=(lsn.accept()[0],), daemon=True).start()
PY
python3 "$JSV_TMP/swallow.py" "$JSV_TMP/swallow.sock" "$SOCK" queues &
proxy=$!
wait_for -t 60 "the proxy's socket" test -S "$JSV_TMP/swallow.sock"
real_sock=$SOCK
SOCK=$JSV_TMP/swallow.sock
start_fcgi
SOCK=$real_sock
web -u admin ''
assert_eq "a page whose second read is not answered" 504 "$CODE"
assert_contains "it shows the cards it read" "Pending Jobs In Queues" "$(text)"
assert_contains "it says it is incomplete" "This page is incomplete" "$(text)"
assert_no_match "it shows no table as if it were empty" '<table' "$BODY"
stop_fcgi
assert_eq "jobsvc-fcgi's exit status after SIGTERM" 0 "$FCGI_RC"
kill "$proxy"
pass
