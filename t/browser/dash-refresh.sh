#!/bin/bash
# The dashboard's refresh in a real browser (t/browser/dash-refresh.py):
# an auto refresh shows new data and keeps the focus, the ticked boxes, the
# chosen page size and the last action's message; with the daemon stopped
# the page keeps its data and says it may be out of date, and says so no
# more once the daemon is back; Refresh refreshes at once.  Skips without
# chromium.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
need_chromium
start_daemon
start_dash

ctl queue pause RECORD >/dev/null
for i in 1 2; do submit RECORD --param "n=$i" >/dev/null; done
ctl schedule add OK '0 0 3 * * *' >/dev/null

cat >"$JSV_TMP/submit-one" <<SH
#!/bin/sh
exec "$JSV_CTL" -s "$SOCK" submit RECORD --param n=3 >/dev/null
SH
chmod 755 "$JSV_TMP/submit-one"

# The script asks for the daemon to stop and start on one FIFO and hears
# back on the other; both are held open here so that neither end blocks.
mkfifo "$JSV_TMP/ask" "$JSV_TMP/told"
exec 7<>"$JSV_TMP/ask" 8<>"$JSV_TMP/told"
browser dash-refresh.py --outdir "$BROWSER_SHOTS" \
	--user admin --password "$ADMIN_PW" \
	--submit-cmd "$JSV_TMP/submit-one" \
	--ask "$JSV_TMP/ask" --told "$JSV_TMP/told" \
	>"$JSV_TMP/refresh.out" 2>"$JSV_TMP/refresh.err" &
py=$!
while :; do
	if read -r -t 1 what <&7; then
		case $what in
		stop) stop_daemon a && echo stopped >&8 ;;
		start) start_daemon a && echo started >&8 ;;
		*) break ;;
		esac
	elif ! proc_alive "$py"; then
		break
	fi
done
RC=0
wait "$py" || RC=$?
sed 's/^/# /' "$JSV_TMP/refresh.out" >&2
assert_eq "the browser script (stderr: $(cat "$JSV_TMP/refresh.err"))" 0 "$RC"
assert_eq "the job the script submitted" 3 "$(queue_field RECORD count)"
pass
