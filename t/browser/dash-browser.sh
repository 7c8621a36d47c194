#!/bin/bash
# The dashboard in a real browser: headless chromium (no npm; the DevTools
# protocol over --remote-debugging-pipe, t/browser/cdp.py) shows the cards
# and the queues, its polling picks up a new job without breaking the
# page, and every action an administrator has (queue pause, stop and resume;
# job stop; pause all schedules; free a worker), done by ticking the row,
# pressing the button and accepting the confirmation, shows its message and
# does what jobsvc-ctl then reports.  Skips without chromium.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
need_chromium
start_daemon
start_dash

ctl queue pause RECORD >/dev/null
r1=$(submit RECORD --param n=1)
for i in 2 3; do submit RECORD --param "n=$i" >/dev/null; done
# Long enough to outlast the browser script on a loaded machine.
s=$(submit SLEEP --param seconds=600)
wait_status "$s" Running
w=$(worker_of "$s")
ctl schedule add OK '0 0 3 * * *' >/dev/null

# What polling must show: one more pending job, submitted by the browser
# script once the page is up.
cat >"$JSV_TMP/submit-one" <<SH
#!/bin/sh
exec "$JSV_CTL" -s "$SOCK" submit RECORD --param n=4 >/dev/null
SH
chmod 755 "$JSV_TMP/submit-one"

run browser dash-browser.py --user admin --password "$ADMIN_PW" \
	--submit-cmd "$JSV_TMP/submit-one" \
	--action ":Pause:OK:Paused OK" \
	--action "jobs/$r1:Stop::Stopped $r1" \
	--action ":Stop:RECORD:Stopped 3 jobs in RECORD" \
	--action ":Resume:RECORD:Resumed RECORD" \
	--action "schedules:Pause All::Paused all schedules" \
	--action "workers?pool=all:Free:$w:Freed 1 worker"
printf '%s\n' "$OUT" | sed 's/^/# /' >&2
assert_eq "the browser script (stderr: $ERR; stdout: $OUT)" 0 "$RC"
assert_eq "OK paused by the click" true "$(queue_field OK paused)"
assert_eq "job $r1 stopped by the click" Stopped "$(job_status "$r1")"
assert_eq "RECORD's waiting jobs stopped" 0 "$(queue_field RECORD count)"
assert_eq "RECORD resumed by the click" false "$(queue_field RECORD paused)"
assert_eq "schedules paused by the click" Paused \
	"$(ctl -j status | jq_str '.schedules.status')"
wait_for -t 30 "the freed worker's job $s stopped" job_has_status "$s" Stopped
pass
