#!/bin/bash
# The dashboard's pages through nginx show the service's data: the three
# cards (pending total, top 2 queues and Others; schedules and their
# status; busy/total workers as an SVG donut and the free count), the Job
# Queues rows, the Schedules tab paginated on the server, the worker pools
# and a pool's workers, and a job's page with its log.  Empty tables say so.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

# Empty first: no schedules, no busy worker.
expect_web "main page" 200 -u admin ''
assert_match "main page Content-Type" '^text/html' "$(header Content-Type)"
page=$(text)
assert_imatch "card: pending" 'Pending Jobs In Queues' "$page"
assert_imatch "card: schedules" 'Schedules' "$page"
assert_imatch "card: workers" 'Workers' "$page"
expect_web "schedules tab, empty" 200 -u admin "$(link_to Schedules)"
assert_imatch "empty schedules table says so" 'no schedules' "$(text)"

# Data: 9 pending jobs in three paused queues, 2 busy workers of 4,
# 20 schedules.
ctl queue pause RECORD EXCL OK >/dev/null
for i in 1 2 3 4 5; do submit RECORD --param "n=$i" >/dev/null; done
for i in 1 2 3; do submit EXCL --param "n=$i" >/dev/null; done
submit OK >/dev/null
# Long enough to outlast the test on a loaded machine.
s1=$(submit SLEEP --param seconds=600)
s2=$(submit SLEEP --param seconds=600)
wait_status "$s1" Running
wait_status "$s2" Running
for i in $(seq 20); do
	ctl schedule add CHECKIN "0 $i 0 * * *" --vendor-id "$((100 + i))" >/dev/null
done

expect_web "main page" 200 -u admin ''
main=$BODY
page=$(text)
# Card 1: the total, the top 2 queues by count, Others.
assert_match "pending total" '(^|[^0-9])9([^0-9]|$)' "$page"
assert_match "top queue RECORD with 5" 'RECORD[^A-Z]{0,40}5' "$page"
assert_match "second queue EXCL with 3" 'EXCL[^A-Z]{0,40}3' "$page"
assert_imatch "Others" 'Others' "$page"
# Card 2: 20 schedules, Running.
assert_match "schedule total" '(^|[^0-9])20([^0-9]|$)' "$page"
assert_imatch "schedules Running" 'Running' "$page"
# Card 3: busy/total as an inline SVG donut, free count.
assert_contains "donut" '<svg' "$main"
assert_match "busy/total" '2 ?/ ?4' "$page"
# Job Queues rows: type, pending count, latency, paused.
assert_match "RECORD row" 'RECORD 5 [0-9]' "$page"
assert_match "EXCL row" 'EXCL 3 [0-9]' "$page"
assert_match "SLEEP row (not paused, empty)" 'SLEEP 0 ' "$page"
assert_contains "latency format" 'sec' "$page"
# Actions are offered to an administrator.
BODY=$main
click Pause --check RECORD
assert_eq "Pause is a live button for the admin ($(cat "$JSV_TMP/click.err"))" 0 "$CLICK_RC"
assert_eq "Pause leads to a confirmation page" 200 "$CODE"
assert_contains "the confirmation names the queue" RECORD "$(text)"
assert_eq "nothing paused or resumed by the confirmation page" true "$(queue_field RECORD paused)"

# Schedules, paginated on the server: 15 a page by default.
BODY=$main
WEB_URL=$DASH_URL
sched=$(link_to Schedules)
expect_web "schedules tab" 200 -u admin "$sched"
page=$(text)
assert_imatch "schedule columns" 'Vendor Type.*Vendor ID.*Cron.*Create Time' "$page"
assert_contains "first schedule" '0 1 0 * * *' "$page"
assert_contains "15th schedule" '0 15 0 * * *' "$page"
assert_no_match "no 16th schedule on page 1" '0 16 0 \* \* \*' "$page"
assert_contains "vendor id" 101 "$page"
assert_contains "vendor type" CHECKIN "$page"
next=$(links | awk -F '\t' '$2 ~ /page=2/ { print $2; exit }')
assert_ne "a link to page 2" "" "$next"
expect_web "schedules page 2" 200 -u admin "$next"
page=$(text)
assert_contains "16th schedule on page 2" '0 16 0 * * *' "$page"
assert_contains "20th schedule on page 2" '0 20 0 * * *' "$page"
assert_no_match "not the 1st on page 2" '0 1 0 \* \* \*' "$page"
# Page sizes 15/25/50/100.
for size in 15 25 50 100; do
	assert_match "page size $size offered" "(value=\"?${size}|[^0-9]${size}[^0-9])" "$BODY"
done
big=$(links | awk -F '\t' '$2 ~ /size=25/ { print $2; exit }')
if [ -z "$big" ]; then
	click Go --set page_size=25 2>/dev/null || true
	[ "$CLICK_RC" = 0 ] || {
		sep='?'
		case $sched in *\?*) sep='&' ;; esac
		web -u admin "$sched${sep}page_size=25"
	}
else
	web -u admin "$big"
fi
assert_eq "schedules with 25 a page" 200 "$CODE"
assert_contains "20th schedule with 25 a page" '0 20 0 * * *' "$(text)"
assert_contains "1st schedule with 25 a page" '0 1 0 * * *' "$(text)"

# Workers: the pool table, then the chosen pool's workers.
pool=$(pool_id)
BODY=$main
WEB_URL=$DASH_URL
expect_web "workers tab" 200 -u admin "$(link_to Workers)"
page=$(text)
assert_contains "pool id" "$pool" "$page"
assert_contains "pool pid" "$(daemon_pid)" "$page"
assert_imatch "pool columns" 'PID.*Start At.*Heartbeat At.*Concurrency' "$page"
assert_imatch "pool status" 'Healthy' "$page"
pool_link=$(links | awk -F '\t' -v p="$pool" 'index($2, p) || $1 == p { print $2; exit }')
assert_ne "a link choosing the pool" "" "$pool_link"
expect_web "the pool's workers" 200 -u admin "$pool_link"
page=$(text)
assert_imatch "worker columns" 'Worker ID.*Job Name.*Job ID.*Started At.*Checked In At' "$page"
assert_contains "busy worker's job 1" "$s1" "$page"
assert_contains "busy worker's job 2" "$s2" "$page"
assert_contains "job name" SLEEP "$page"

# A job's page, linked from its ID: fields, execution status, log.
job_link=$(links | awk -F '\t' -v j="$s1" 'index($2, j) { print $2; exit }')
assert_ne "a link to job $s1" "" "$job_link"
log_says_sleeping() { ctl job log "$s1" | grep -q 'sleeping 600'; }
wait_for "the job's log" log_says_sleeping
expect_web "job page" 200 -u admin "$job_link"
page=$(text)
assert_contains "job page: id" "$s1" "$page"
assert_contains "job page: name" SLEEP "$page"
assert_contains "job page: status" Running "$page"
assert_contains "job page: log" 'sleeping 600' "$page"
click Stop
assert_eq "the job page offers Stop ($(cat "$JSV_TMP/click.err"))" 0 "$CLICK_RC"

# A finished job's page.
done_id=$(submit ENV)
wait_status "$done_id" Success
expect_web "finished job page" 200 -u admin "$job_link"
web -u admin "${job_link//$s1/$done_id}"
assert_eq "finished job page" 200 "$CODE"
assert_contains "finished job: status" Success "$(text)"
web -u admin "${job_link//$s1/0123456789abcdef01234567}"
assert_eq "page of an unknown job" 404 "$CODE"

# The viewer sees the same data.
expect_web "main page as viewer" 200 -u viewer ''
assert_match "viewer: RECORD row" 'RECORD 5 [0-9]' "$(text)"
pass
