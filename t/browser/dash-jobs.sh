#!/bin/bash
# Finding a job in a real browser, with JavaScript and without (see
# t/browser/dash-jobs.py): from a Job Queues row to its pending jobs, paged,
# filtered with the form, to a job's page, and to the Error jobs from the
# queues card; the Jobs page passes the accessibility checker light and
# dark, with screenshots in t/browser/screenshots/ of the build tree, and
# its refresh shows a new job.  Skips without chromium.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
need_chromium
start_daemon
start_dash

ctl queue pause RECORD >/dev/null
pending=()
for i in 1 2 3 4; do
	pending=("$(submit RECORD --param "n=$i")" "${pending[@]}")
done
stopped=$(submit RECORD --param n=5)
ctl job stop "$stopped" >/dev/null
bad=$(submit FAIL)
wait_status "$bad" Error

cat >"$JSV_TMP/submit-one" <<SH
#!/bin/sh
exec "$JSV_CTL" -s "$SOCK" submit RECORD --param n=6 >/dev/null
SH
chmod 755 "$JSV_TMP/submit-one"

run browser dash-jobs.py --outdir "$BROWSER_SHOTS" --user admin \
	--password "$ADMIN_PW" --type RECORD \
	--pending "$(IFS=,; echo "${pending[*]}")" --stopped "$stopped" \
	--error "$bad" --submit-cmd "$JSV_TMP/submit-one"
printf '%s\n' "$OUT" | sed 's/^/# /' >&2
assert_eq "the browser script (stderr: $ERR; stdout: $OUT)" 0 "$RC"
pass
