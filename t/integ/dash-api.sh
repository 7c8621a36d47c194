#!/bin/bash
# The JSON API under <prefix>api/v2.0/, through nginx: every path of
# Harbor's job service API (reference/harbor-v2-jobservice-api.yaml) with
# its fields, X-Total-Count, the PUT actions and their effect (seen with
# jobsvc-ctl), 403 for a user who is not an administrator, 404s, 400/422
# for bad parameters, and the errors body.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
start_daemon
start_dash

api=api/v2.0/

# is_json_array WHAT: the last body is a JSON array.
json_array()
{
	printf '%s' "$BODY" | jq -e 'type == "array"' >/dev/null ||
		fail "$1: expected a JSON array, saw '$(printf '%s' "$BODY" | head -c 400)'"
}

# errors_body WHAT: Harbor's {"errors": [{"code", "message"}]}.
errors_body()
{
	printf '%s' "$BODY" |
		jq -e '.errors | type == "array" and length > 0 and (.[0].code | type == "string") and (.[0].message | type == "string")' \
			>/dev/null ||
		fail "$1: expected an errors body, saw '$(printf '%s' "$BODY" | head -c 400)'"
}

# ---------------------------------------------------------------- queues
ctl queue pause RECORD >/dev/null
for i in 1 2 3; do
	submit RECORD --param "file=$DATA/r$i" >/dev/null
done
expect_web "GET queues" 200 -u admin "${api}jobservice/queues"
assert_match "queues Content-Type" '^application/json' "$(header Content-Type)"
json_array "GET queues"
assert_eq "queues: one per job type" "$(ctl -j queues | jq length)" \
	"$(printf '%s' "$BODY" | jq length)"
rec=$(printf '%s' "$BODY" | jq -c '.[] | select(.job_type == "RECORD")')
assert_eq "RECORD count" 3 "$(jq .count <<<"$rec")"
assert_eq "RECORD paused" true "$(jq .paused <<<"$rec")"
assert_eq "RECORD latency is a number" number "$(jq -r '.latency | type' <<<"$rec")"
assert_eq "OK paused (x-omitempty false: present)" false \
	"$(printf '%s' "$BODY" | jq '.[] | select(.job_type == "OK") | .paused')"
# The viewer reads.
expect_web "GET queues as viewer" 200 -u viewer "${api}jobservice/queues"

# PUT actions, as Harbor's UI sends them.
put_action()
{
	web -u "$1" -X PUT -H 'Content-Type: application/json' \
		-d "{\"action\":\"$3\"}" "${api}jobservice/queues/$2"
}
put_action viewer RECORD resume
assert_eq "PUT resume as viewer" 403 "$CODE"
errors_body "403 body"
assert_eq "RECORD still paused after the viewer's PUT" true "$(queue_field RECORD paused)"

put_action admin OK pause
assert_eq "PUT pause OK (body: $BODY)" 200 "$CODE"
assert_eq "OK paused through the API" true "$(queue_field OK paused)"
# The audit trail names the web user the dashboard acted for.
assert_eq "the API's pause in the audit trail" "queue.pause OK admin ok (Paused OK)" \
	"$(ctl -j audit --page-size 1 | jq -r '.[0] | "\(.verb) \(.targets) \(.as_user) \(.result)"')"
put_action admin OK resume
assert_eq "PUT resume OK" 200 "$CODE"
assert_eq "OK resumed through the API" false "$(queue_field OK paused)"

put_action admin all pause
assert_eq "PUT pause all" 200 "$CODE"
assert_eq "every queue paused" 0 "$(ctl -j queues | jq '[.[] | select(.paused == false)] | length')"
put_action admin all resume
assert_eq "PUT resume all" 200 "$CODE"
assert_eq "no queue paused" 0 "$(ctl -j queues | jq '[.[] | select(.paused)] | length')"

ctl queue pause RECORD >/dev/null
ids=$(submit RECORD --param file="$DATA/r4")
put_action admin RECORD stop
assert_eq "PUT stop RECORD" 200 "$CODE"
wait_for "RECORD queue to be empty" eval '[ "$(queue_field RECORD count)" = 0 ]'
wait_status "$ids" Stopped

put_action admin RECORD explode
assert_eq "PUT an unknown action" 422 "$CODE"
errors_body "422 body"
web -u admin -X PUT -H 'Content-Type: application/json' -d '{"action":' \
	"${api}jobservice/queues/RECORD"
assert_match "PUT a broken JSON body" '^4(00|22)$' "$CODE"
put_action admin NO_SUCH_TYPE pause
assert_eq "PUT to an unknown job type" 404 "$CODE"
errors_body "404 body"
put_action admin 'bad-type!' pause
assert_match "PUT to an invalid job type" '^4(00|04|22)$' "$CODE"

# ----------------------------------------------------------- pools, workers
expect_web "GET pools" 200 -u admin "${api}jobservice/pools"
json_array "GET pools"
pool=$(pool_id)
p=$(printf '%s' "$BODY" | jq -c --arg p "$pool" '.[] | select(.worker_pool_id == $p)')
assert_ne "our pool is listed" "" "$p"
assert_eq "pool pid" "$(daemon_pid)" "$(jq .pid <<<"$p")"
assert_eq "pool concurrency" "$JSV_WORKERS" "$(jq .concurrency <<<"$p")"
assert_match "pool start_at (date-time)" '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$(jq .start_at <<<"$p")"
assert_match "pool heartbeat_at (date-time)" '^"[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$(jq .heartbeat_at <<<"$p")"

run_id=$(submit SLEEP --param seconds=60)
wait_status "$run_id" Running
expect_web "GET workers" 200 -u admin "${api}jobservice/pools/$pool/workers"
json_array "GET workers"
assert_eq "one worker per slot" "$JSV_WORKERS" "$(printf '%s' "$BODY" | jq length)"
w=$(printf '%s' "$BODY" | jq -c --arg j "$run_id" '.[] | select(.job_id == $j)')
assert_ne "the busy worker is listed" "" "$w"
assert_eq "worker job_name" SLEEP "$(jq -r .job_name <<<"$w")"
assert_eq "worker pool_id" "$pool" "$(jq -r .pool_id <<<"$w")"
assert_eq "worker id" "$(worker_of "$run_id")" "$(jq -r '.id | tostring' <<<"$w")"
assert_match "worker start_at" '^"[0-9]{4}-' "$(jq .start_at <<<"$w")"
expect_web "GET workers of every pool" 200 -u admin "${api}jobservice/pools/all/workers"
expect_web "GET workers of an unknown pool" 404 -u admin "${api}jobservice/pools/no-such-pool/workers"
errors_body "unknown pool"

# ------------------------------------------------------------------- jobs
log_says_sleeping() { ctl job log "$run_id" | grep -q 'sleeping 60'; }
wait_for "the log to say sleeping" log_says_sleeping
expect_web "GET job log" 200 -u admin "${api}jobservice/jobs/$run_id/log"
assert_match "log Content-Type" '^text/plain' "$(header Content-Type)"
assert_contains "job log" "sleeping 60" "$BODY"
expect_web "log of an unknown job" 404 -u admin "${api}jobservice/jobs/0123456789abcdef01234567/log"
expect_web "log of a malformed job id" 404 -u admin "${api}jobservice/jobs/nope/log"

json=(-H 'Content-Type: application/json')
web -u viewer -X PUT "${json[@]}" "${api}jobservice/jobs/$run_id"
assert_eq "PUT job as viewer" 403 "$CODE"
assert_eq "job still running" Running "$(job_status "$run_id")"
# A body that is not JSON is refused (an HTML form cannot send a PUT;
# other sites are refused by Origin and Sec-Fetch-Site, dash-authz.sh).
web -u admin -X PUT -H 'Content-Type: application/x-www-form-urlencoded' \
	-d 'action=stop' "${api}jobservice/jobs/$run_id"
assert_eq "PUT job with a form's Content-Type" 415 "$CODE"
assert_eq "job still running after the form's PUT" Running "$(job_status "$run_id")"
# stopRunningJob as a client generated from the API's file sends it: no
# body, no Content-Type.
web -u admin -X PUT "${api}jobservice/jobs/$run_id"
assert_eq "bodiless PUT job (stop) as admin (body: $BODY)" 200 "$CODE"
wait_status "$run_id" Stopped
web -u admin -X PUT "${json[@]}" "${api}jobservice/jobs/0123456789abcdef01234567"
assert_eq "PUT an unknown job" 404 "$CODE"

# -------------------------------------------------------------- schedules
for i in $(seq 7); do
	ctl schedule add OK "0 0 $i * * *" --vendor-id "$i" >/dev/null
done
expect_web "GET schedules" 200 -u admin "${api}schedules"
json_array "GET schedules"
assert_eq "X-Total-Count" 7 "$(header X-Total-Count)"
assert_eq "default page size (10) holds all 7" 7 "$(printf '%s' "$BODY" | jq length)"
s=$(printf '%s' "$BODY" | jq -c '.[0]')
for f in id vendor_type vendor_id cron update_time; do
	assert_eq "schedule field $f present" true "$(jq --arg f "$f" 'has($f)' <<<"$s")"
done
assert_eq "schedule id is an integer" number "$(jq -r '.id | type' <<<"$s")"
assert_eq "vendor_type" OK "$(jq -r .vendor_type <<<"$s")"
assert_eq "cron" "0 0 1 * * *" "$(jq -r .cron <<<"$s")"

expect_web "GET schedules page 2 of size 3" 200 -u admin "${api}schedules?page=2&page_size=3"
assert_eq "page 2 size" 3 "$(printf '%s' "$BODY" | jq length)"
assert_eq "page 2 first cron" "0 0 4 * * *" "$(printf '%s' "$BODY" | jq -r '.[0].cron')"
assert_eq "X-Total-Count on page 2" 7 "$(header X-Total-Count)"
assert_contains "Link header names the next page" 'page=3' "$(header Link)"
expect_web "GET schedules page 3 of size 3" 200 -u admin "${api}schedules?page=3&page_size=3"
assert_eq "last page" 1 "$(printf '%s' "$BODY" | jq length)"
expect_web "GET schedules past the end" 200 -u admin "${api}schedules?page=9&page_size=3"
assert_eq "past the end: empty" 0 "$(printf '%s' "$BODY" | jq length)"
for bad in 'page_size=1000' 'page_size=0' 'page=0' 'page=abc' 'page_size=-5'; do
	web -u admin "${api}schedules?$bad"
	assert_eq "GET schedules?$bad" 400 "$CODE"
	errors_body "schedules?$bad"
done

expect_web "GET schedules/all/paused" 200 -u admin "${api}schedules/all/paused"
assert_eq "schedules not paused" false "$(printf '%s' "$BODY" | jq .paused)"
ctl schedules pause >/dev/null
expect_web "GET schedules/all/paused after pause" 200 -u admin "${api}schedules/all/paused"
assert_eq "schedules paused" true "$(printf '%s' "$BODY" | jq .paused)"

# --------------------------------------------------------- wrong requests
expect_web "unknown API path" 404 -u admin "${api}jobservice/nothing"
errors_body "unknown API path"
expect_web "unknown API version" 404 -u admin "api/v1.0/jobservice/queues"
web -u admin -X DELETE "${api}jobservice/queues"
assert_eq "DELETE queues" 405 "$CODE"
web -u admin -X POST -H 'Content-Type: application/json' -d '{}' "${api}jobservice/pools"
assert_eq "POST pools" 405 "$CODE"
web -u admin "${api}jobservice/jobs/$run_id"
assert_eq "GET a job (only PUT exists)" 405 "$CODE"
# X-Request-Id is echoed, as Harbor does.
web -u admin -H 'X-Request-Id: abc-123' "${api}jobservice/queues"
assert_eq "X-Request-Id echoed" abc-123 "$(header X-Request-Id)"
# Without credentials: nginx's 401.
expect_web "no credentials" 401 "${api}jobservice/queues"

dash_serving || fail "the dashboard stopped serving"
pass
