#!/bin/bash
# When the daemon itself fails to start a job (here its job supervisor,
# jobsvc-run, has gone), the job goes back to its queue with the reason,
# without using up an attempt, and runs once the supervisor is back.  A
# daemon that finds no supervisor at all refuses to start.
set -eu
. "${0%/*}/../lib.sh"
# A daemon of our own, whose supervisor (found beside it) we may take away.
mkdir "$JSV_TMP/bin"
cp "$JSVD" "$abs_top_builddir/daemon/jobsvc-run" "$JSV_TMP/bin/"
JSVD=$JSV_TMP/bin/jobsvcd
set_queue OK ok retry_backoff=200ms
start_daemon a

mv "$JSV_TMP/bin/jobsvc-run" "$JSV_TMP/bin/jobsvc-run.away"
id=$(submit OK)
wait_for "the failure in the job's error" \
	job_error_has "$id" 'could not start the job supervisor'
assert_eq "error text" \
	"could not start the job supervisor $JSV_TMP/bin/jobsvc-run: No such file or directory" \
	"$(job_field "$id" error)"
ctl queue pause OK >/dev/null
wait_for "$id to wait, with no attempt used" job_waits_unused "$id"
assert_contains "the daemon says so" "job $id (OK): not started" \
	"$(cat "$JSV_TMP/a.log")"
mv "$JSV_TMP/bin/jobsvc-run.away" "$JSV_TMP/bin/jobsvc-run"
ctl queue resume OK >/dev/null
wait_status "$id" Success
assert_eq "attempts once it could start" 1 "$(job_field "$id" attempts)"
stop_daemon a

rm "$JSV_TMP/bin/jobsvc-run"
installed=$(strings "$JSVD" | grep -m 1 '/jobsvc/jobsvc-run$' || true)
if [ -n "$installed" ] && [ -x "$installed" ]; then
	note "$installed is installed: a start without a supervisor not tested"
	pass
fi
run timeout 10 "$JSVD" -d -f "$JSV_TMP/a.conf" -s "$JSV_TMP/none.sock"
assert_eq "exit status without a supervisor" 1 "$RC"
assert_contains "the reason" "cannot execute the job supervisor" "$ERR"
[ ! -e "$JSV_TMP/none.sock" ] || fail "the control socket was left behind"
pass
