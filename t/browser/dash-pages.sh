#!/bin/bash
# The dashboard's newer pages and controls in a real browser
# (t/browser/dash-pages.py), with JavaScript and without: select all,
# Free naming the jobs it stops, Pause All/Resume All by state, the Audit
# page after those actions, the execution page, page links and a page past
# the last.  Skips without chromium.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
need_chromium
start_daemon
start_dash

ctl queue pause RECORD >/dev/null
submit RECORD --param n=1 >/dev/null
s=$(submit SLEEP --param seconds=600 --execution ex-b)
wait_status "$s" Running
w=$(worker_of "$s")
for i in 1 2 3 4 5 6; do ctl schedule add OK "0 $i 3 * * *" >/dev/null; done

run browser dash-pages.py --outdir "$BROWSER_SHOTS" \
	--password "$ADMIN_PW" --viewer-password "$VIEWER_PW" \
	--worker "$w" --job "$s" --execution ex-b
printf '%s\n' "$OUT" | sed 's/^/# /' >&2
assert_eq "the browser script (stderr: $ERR; stdout: $OUT)" 0 "$RC"
wait_for -t 30 "the freed worker's job $s stopped" job_has_status "$s" Stopped
assert_eq "schedules paused by the click" Paused \
	"$(ctl -j status | jq_str '.schedules.status')"
assert_eq "the queues paused by select all" "true true" \
	"$(queue_field OK paused) $(queue_field SLEEP paused)"
pass
