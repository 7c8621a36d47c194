#!/bin/bash
# The dashboard in a real browser: headless chromium (no npm; the DevTools
# protocol over --remote-debugging-pipe, t/browser/cdp.py) shows the cards
# and the queues, its polling picks up a new job without breaking the
# page, and ticking a queue, clicking Pause and accepting the confirmation
# pauses the queue and shows "Paused <type>".  Skips without chromium.
set -eu
. "${0%/*}/../lib.sh"
: "${JSV_CHROMIUM:=$(command -v chromium || command -v chromium-browser || true)}"
[ -n "$JSV_CHROMIUM" ] && [ -x "$JSV_CHROMIUM" ] ||
	skip "chromium is not installed (apt-get install chromium)"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

ctl queue pause RECORD >/dev/null
for i in 1 2 3; do submit RECORD --param "n=$i" >/dev/null; done
s=$(submit SLEEP)
wait_status "$s" Running
ctl schedule add OK '0 0 3 * * *' >/dev/null

# What polling must show: one more pending job, submitted by the browser
# script once the page is up.
cat >"$JSV_TMP/submit-one" <<SH
#!/bin/sh
exec "$JSV_CTL" -s "$SOCK" submit RECORD --param n=4 >/dev/null
SH
chmod 755 "$JSV_TMP/submit-one"

mkdir "$JSV_TMP/profile"
run timeout -k 5 120 python3 "$abs_top_srcdir/t/browser/dash-browser.py" \
	--chromium "$JSV_CHROMIUM" --profile "$JSV_TMP/profile" \
	--log "$JSV_TMP/chromium.log" \
	--url "$DASH_URL" --user admin --password "$ADMIN_PW" \
	--submit-cmd "$JSV_TMP/submit-one" --pause OK
printf '%s\n' "$OUT" | sed 's/^/# /' >&2
assert_eq "the browser script (stderr: $ERR; stdout: $OUT)" 0 "$RC"
assert_eq "OK paused by the click" true "$(queue_field OK paused)"
assert_eq "RECORD untouched" true "$(queue_field RECORD paused)"
assert_eq "RECORD jobs" 4 "$(queue_field RECORD count)"
pass
