#!/bin/bash
# Redis answers a job's result with an error (an ACL that denies scripts:
# NOPERM; BUSY, OOM, READONLY, MISCONF injected by t/faultproxy.py): the
# daemon keeps the result and writes it once Redis takes it; the job is
# not left Running, not run again, and the next job runs.  A daemon told to
# stop meanwhile exits once the result is written.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
start_daemon_proxied a

note "NOPERM: an ACL denies the scripts while a job ends"
first=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/first")
wait_for "$first to start" eval '[ "$(runs "$first")" = 1 ]'
second=$(submit RECORD --param file="$DATA/ran")
sent=$(proxy_rule a delay:0 1 '^EVALSHA finish ')
redis_deny evalsha eval
touch "$DATA/first"
wait_fired a "$sent"
assert_eq "$first while its result is refused" Running \
	"$(redis_cli HGET "test:job:$first" status)"
wait_for "the result of $first to be refused again" eval \
	'[ "$(grep -c "job $first: cannot record result" "$JSV_TMP/a.log")" -ge 2 ]'
assert_eq "$first while its result is still refused" Running \
	"$(redis_cli HGET "test:job:$first" status)"
redis_allow_all
wait_status -t 20 "$first" Success
wait_status -t 20 "$second" Success
assert_eq "runs of $first" 1 "$(runs "$first")"
assert_eq "runs of $second" 1 "$(runs "$second")"

for code in BUSY OOM READONLY MISCONF; do
	note "$code: the next two results are answered with $code"
	rule=$(proxy_rule a "error:$code" 2 '^EVALSHA finish ')
	id=$(submit RECORD --param file="$DATA/ran" --param fail_first=1)
	wait_status -t 20 "$id" Error
	wait_fired a "$rule" 2
	assert_eq "runs of $id ($code)" 1 "$(runs "$id")"
	assert_eq "error of $id ($code)" "exit status 3" "$(job_field "$id" error)"
	assert_eq "attempts of $id ($code)" 1 "$(job_field "$id" attempts)"
done
id=$(submit OK)
wait_status "$id" Success

note "SIGTERM while a result is refused: the daemon exits once it is written"
id=$(submit GATE --param file="$DATA/ran" --param gate="$DATA/last")
wait_for "$id to start" eval '[ "$(runs "$id")" = 1 ]'
sent=$(proxy_rule a delay:0 1 '^EVALSHA finish ')
redis_deny evalsha eval
touch "$DATA/last"
wait_fired a "$sent"
kill -s TERM "$(daemon_pid a)"
wait_for "the daemon to begin its shutdown" grep -q 'shutting down' "$JSV_TMP/a.log"
proc_alive "$(daemon_pid a)" || fail "the daemon exited with a result not written"
redis_allow_all
stop_daemon a
assert_eq "status of $id" Success "$(redis_cli HGET "test:job:$id" status)"
pass
