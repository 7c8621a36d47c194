#!/bin/bash
# A persistent queue keeps its handler up between jobs: every job of a
# one-worker pool runs in the same process, which gets each job as one JSON
# line on stdin and JOBSVC_PERSISTENT=1; its check-ins and status lines on
# fd 3 end each job, and what it writes on stdout and stderr goes to the log
# of the job it runs.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
clear_queues
set_queue PERSIST persist persistent=yes
start_daemon

rec=$DATA/rec
ids=()
for i in 1 2 3 4 5; do
	id=$(submit PERSIST --param record="$rec" --param out="out of job $i" \
		--param err="err of job $i" --param n="$i")
	ids+=("$id")
	wait_status "$id" Success
done
assert_eq "jobs recorded" 5 "$(wc -l <"$rec")"
assert_eq "handler processes for 5 jobs" 1 "$(awk '{ print $3 }' "$rec" | sort -u | wc -l)"
assert_eq "JOBSVC_PERSISTENT" 1 "$(awk '{ print $4 }' "$rec" | sort -u)"
assert_eq "ids on stdin" "${ids[*]}" "$(awk '{ print $1 }' "$rec" | paste -sd ' ')"
assert_eq "attempts on stdin" "1 1 1 1 1" "$(awk '{ print $2 }' "$rec" | paste -sd ' ')"

# Each job's log has its own output, and only its own.
for i in 1 2 3 4 5; do
	log=$(ctl job log "${ids[$((i - 1))]}")
	assert_contains "log of job $i" "out of job $i" "$log"
	assert_contains "stderr in the log of job $i" "err of job $i" "$log"
	assert_eq "lines in the log of job $i" 2 "$(printf '%s\n' "$log" | grep -c 'of job')"
done

# The job line: id, name, attempt, execution_id and parameters, as JSON.
cat >"$JSV_TMP/h/line" <<'PY'
#!/usr/bin/python3
import json, os, sys
fd3 = os.fdopen(3, "w", buffering=1)
for line in sys.stdin:
    job = json.loads(line)
    with open(job["parameters"]["file"], "w") as f:
        f.write(line)
    fd3.write('{"status": "Success"}\n')
PY
chmod 755 "$JSV_TMP/h/line"
set_queue LINE line persistent=yes
kill_daemon a TERM
start_daemon
id=$(submit LINE --execution ex-1 --param file="$DATA/line" --param s='a "quoted"
line')
wait_status "$id" Success
assert_eq "one line" 1 "$(wc -l <"$DATA/line")"
assert_eq "the job line" \
	"{\"id\":\"$id\",\"name\":\"LINE\",\"attempt\":1,\"execution_id\":\"ex-1\",\"parameters\":{\"file\":\"$DATA/line\",\"s\":\"a \\\"quoted\\\"\\nline\"}}" \
	"$(jq -c . "$DATA/line")"
assert_eq "keys in order" '["id","name","attempt","execution_id","parameters"]' \
	"$(jq -c keys_unsorted "$DATA/line")"

# Check-ins: the latest one is the job's, while it runs and at its end.
id=$(submit PERSIST --param check_in="step 2 of 3" --param gate="$DATA/gate")
wait_for "check_in of $id" job_field_is "$id" check_in "step 2 of 3"
assert_eq "status while checking in" Running "$(job_status "$id")"
touch "$DATA/gate"
wait_status "$id" Success
assert_eq "check_in at the end" "step 2 of 3" "$(job_field "$id" check_in)"

# {"status": "Error", "error": TEXT} ends the job in Error with that text,
# and the handler takes the next job.
id=$(submit PERSIST --param error="no such artifact" --param record="$rec")
wait_status "$id" Error
assert_eq "error of the job" "no such artifact" "$(job_field "$id" error)"
# A long error is cut at 1 KiB, on a character boundary.
id=$(submit PERSIST --param error="a$(printf 'é%.0s' $(seq 600))")
wait_status "$id" Error
assert_eq "error cut at 1024 bytes" "a$(printf 'é%.0s' $(seq 511))" "$(job_field "$id" error)"
id=$(submit PERSIST --param record="$rec")
wait_status "$id" Success
assert_eq "handlers after an Error" 1 "$(tail -n 2 "$rec" | awk '{ print $3 }' | sort -u | wc -l)"
pass
