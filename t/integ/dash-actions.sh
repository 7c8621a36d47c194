#!/bin/bash
# Every dashboard action as a user without JavaScript does it: the button,
# a confirmation page naming what it will act on (and, for Free, the jobs
# it will stop), the confirming POST (with
# the anti-CSRF cookie and field), a 303 back to the page, and the one-line
# result message there; its effect is checked with jobsvc-ctl.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

main()
{
	expect_web "main page" 200 -u admin ''
}

# ------------------------------------------------------------- queue rows
ctl queue pause RECORD >/dev/null
for i in 1 2 3; do submit RECORD --param "file=$DATA/r$i" >/dev/null; done

main
act "pause OK" Pause --check OK
assert_contains "confirmation names OK" OK "$CONFIRM"
assert_imatch "message" 'Paused OK' "$(text)"
assert_eq "OK paused" true "$(queue_field OK paused)"
assert_contains "back on the dashboard" RECORD "$(text)"
assert_eq "the pause in the audit trail, for the web user" \
	"queue.pause OK admin ok (Paused OK)" \
	"$(ctl -j audit --page-size 1 | jq -r '.[0] | "\(.verb) \(.targets) \(.as_user) \(.result)"')"

main
act "resume OK" Resume --check OK
assert_imatch "message" 'Resumed OK' "$(text)"
assert_eq "OK resumed" false "$(queue_field OK paused)"

# Several rows at once.
main
act "pause two" Pause --check OK --check FAIL
assert_contains "confirmation names OK" OK "$CONFIRM"
assert_contains "confirmation names FAIL" FAIL "$CONFIRM"
assert_eq "OK paused" true "$(queue_field OK paused)"
assert_eq "FAIL paused" true "$(queue_field FAIL paused)"
main
act "resume two" Resume --check OK --check FAIL
assert_eq "OK resumed" false "$(queue_field OK paused)"
assert_eq "FAIL resumed" false "$(queue_field FAIL paused)"

pending=$(redis_cli LRANGE test:q:RECORD 0 -1 | head -n 1)
main
act "stop RECORD" Stop --check RECORD
assert_contains "confirmation names RECORD" RECORD "$CONFIRM"
assert_imatch "message" 'Stopped.*RECORD|RECORD.*stopped' "$(text)"
wait_for "RECORD to be empty" eval '[ "$(queue_field RECORD count)" = 0 ]'
[ -z "$pending" ] || wait_status "$pending" Stopped
assert_eq "stop leaves the pause" true "$(queue_field RECORD paused)"

# --------------------------------------------------------------- the cards
for i in 1 2; do submit RECORD --param "file=$DATA/s$i" >/dev/null; done
ctl queue pause EXCL >/dev/null
submit EXCL >/dev/null
main
act "Stop All" 'Stop All'
assert_imatch "Stop All confirmation" 'all' "$CONFIRM"
assert_eq "no pending job" 0 "$(ctl -j queues | jq '[.[].count] | add')"
assert_imatch "Stop All message" 'stopped' "$(text)"

ctl schedule add OK '0 0 3 * * *' >/dev/null
main
act "Pause All" 'Pause All'
assert_imatch "Pause All message" 'paused' "$(text)"
assert_eq "schedules paused" Paused "$(ctl -j status | jq -r '.schedules.status')"
main
act "Resume All" 'Resume All'
assert_imatch "Resume All message" 'resumed' "$(text)"
assert_eq "schedules running" Running "$(ctl -j status | jq -r '.schedules.status')"

# ------------------------------------------------------------------ workers
# Long enough to be stopped, not ended, on a loaded machine.
a=$(submit SLEEP --param seconds=600)
b=$(submit SLEEP --param seconds=600)
c=$(submit SLEEP --param seconds=600)
wait_status "$a" Running
wait_status "$b" Running
wait_status "$c" Running
wa=$(worker_of "$a")
main
expect_web "workers tab" 200 -u admin "$(link_to Workers)"
pool_link=$(links | awk -F '\t' -v p="$(pool_id)" 'index($2, p) || $1 == p { print $2; exit }')
expect_web "the pool's workers" 200 -u admin "$pool_link"
act "Free one worker" Free --check "$wa"
assert_contains "confirmation names the worker" "$wa" "$CONFIRM"
assert_contains "confirmation names the job it stops" "stopping SLEEP job $a?" "$CONFIRM"
assert_no_match "and no other" "$b|$c" "$CONFIRM"
assert_imatch "Free message" 'Freed 1 worker' "$(text)"
wait_status "$a" Stopped
assert_eq "b still running" Running "$(job_status "$b")"

main
act "Free All" 'Free All'
assert_contains "Free All names the jobs it stops" "stopping every running job:" "$CONFIRM"
assert_contains "Free All names job b" "SLEEP job $b" "$CONFIRM"
assert_contains "Free All names job c" "SLEEP job $c" "$CONFIRM"
assert_imatch "Free All message" 'Freed 2 workers' "$(text)"
wait_status "$b" Stopped
wait_status "$c" Stopped
wait_for "no busy worker" busy_workers_are 0

# ------------------------------------------------------------------ a job
j=$(submit SLEEP --param seconds=600)
wait_status "$j" Running
main
expect_web "workers tab" 200 -u admin "$(link_to Workers)"
expect_web "the pool's workers" 200 -u admin "$pool_link"
job_link=$(links | awk -F '\t' -v j="$j" 'index($2, j) { print $2; exit }')
expect_web "job page" 200 -u admin "$job_link"
act "Stop the job" Stop
assert_contains "confirmation names the job" "$j" "$CONFIRM"
assert_imatch "job Stop message" 'Stopp' "$(text)"
wait_status "$j" Stopped
pass
