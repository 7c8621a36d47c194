#!/bin/bash
# job log prints what the handler wrote; job log ID -f follows a running job
# and ends when it does (the job runs until the test opens its gate, once
# job log -f has shown its first line).
set -eu
. "${0%/*}/../lib.sh"
start_daemon

id=$(submit GATE --param gate="$DATA/open")
wait_status "$id" Running
timeout 30 "$JSV_CTL" -s "$SOCK" job log "$id" -f >"$JSV_TMP/follow.out" \
	2>"$JSV_TMP/follow.err" &
follow=$!
wait_for "job log -f to show the start" grep -q "waiting for" "$JSV_TMP/follow.out"
touch "$DATA/open"
RC=0
wait "$follow" || RC=$?
assert_eq "job log ID -f exits when the job ends (stderr: $(cat "$JSV_TMP/follow.err"))" 0 "$RC"
OUT=$(cat "$JSV_TMP/follow.out")
assert_contains "job log ID -f saw the start" "waiting for $DATA/open" "$OUT"
assert_contains "job log ID -f saw the end" "gate opened" "$OUT"
assert_eq "status after job log -f returned" Success "$(job_status "$id")"

# A big log, more than one chunk: complete and in order.
set_queue BIGLOG "$JSV_TMP/h/biglog"
printf '#!/bin/sh\nseq 1 100000\n' >"$JSV_TMP/h/biglog"
chmod 755 "$JSV_TMP/h/biglog"
stop_daemon a
start_daemon a
id=$(submit BIGLOG)
wait_status "$id" Success
ctl job log "$id" >"$JSV_TMP/biglog.out" || fail "job log of a big log failed"
seq 1 100000 >"$JSV_TMP/biglog.want"
cmp -s "$JSV_TMP/biglog.want" "$JSV_TMP/biglog.out" ||
	fail "job log of 100000 lines differs: $(diff "$JSV_TMP/biglog.want" "$JSV_TMP/biglog.out" | head -n 5)"
expect_rc "job log of an unknown job" 1 ctl job log 0123456789abcdef01234567
pass
