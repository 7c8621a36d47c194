#!/bin/bash
# The dashboard's accessibility in a real browser: every page (the three
# tabs, the audit trail, a job, an execution, a page past the last, a
# confirmation, an error; as an administrator and as a read-only user)
# passes t/browser/a11y.js (WCAG 2.2 AA: contrast of every text in the
# light and the dark scheme, one h1, a skip link first, names for every
# control, alt, lang), with JavaScript and without; the skip link
# works from the keyboard.  Screenshots of each page, light and dark, are
# left in t/browser/screenshots/ of the build tree.  Skips without chromium.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
need_chromium
start_daemon
start_dash

# Something in every table, a late queue's warning and a running job.
ctl queue pause RECORD >/dev/null
old=$(submit RECORD --param n=1)
for i in 2 3; do submit RECORD --param "n=$i" >/dev/null; done
now=$(redis_cli TIME | head -n 1)
redis_cli HSET "test:job:$old" enqueue_time $((now - 25 * 3600)) >/dev/null
s=$(submit SLEEP --param seconds=600 --execution ex-a11y)
wait_status "$s" Running
ctl schedule add OK '0 0 3 * * *' >/dev/null

a=admin:$ADMIN_PW
v=viewer:$VIEWER_PW
run browser dash-a11y.py --outdir "$BROWSER_SHOTS" \
	--page "queues:$a:" \
	--page "queues-viewer:$v:" \
	--page "schedules:$a:schedules" \
	--page "workers:$a:workers?pool=all" \
	--page "job:$a:jobs/$s" \
	--page "job-viewer:$v:jobs/$s" \
	--page "audit:$a:audit" \
	--page "execution:$a:executions/ex-a11y" \
	--page "schedules-past:$a:schedules?page=9" \
	--nojs audit --nojs execution --nojs schedules-past \
	--page "confirm:$a:action/queue-pause?type=OK" \
	--page "error:$a:no-such-page"
printf '%s\n' "$OUT" | sed 's/^/# /' >&2
assert_eq "the browser script (stderr: $ERR; stdout: $OUT)" 0 "$RC"
pass
