#!/bin/bash
# A persistent handler that breaks the protocol on fd 3 ends its job in
# Error with the reason and is replaced by a fresh one; one that floods
# stdout or fd 3 does not keep the daemon from answering.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
clear_queues
set_queue PERSIST persist persistent=yes
start_daemon
rec=$DATA/rec

# broken [KEY=]TEXT WHY: a job whose handler writes TEXT on fd 3 (or as
# the handler's KEY says) ends in Error for WHY; the next job gets a fresh
# handler.
broken()
{
	local raw=$1 why=$2 id before
	case $raw in
	long_line=*) ;;
	*) raw="raw=$raw" ;;
	esac
	id=$(submit PERSIST --param record="$rec" --param "$raw")
	wait_status "$id" Error
	assert_eq "error after writing '$raw'" \
		"the persistent handler broke the protocol: $why" \
		"$(job_field "$id" error)"
	before=$(pid_of "$id")
	id=$(submit PERSIST --param record="$rec")
	wait_status "$id" Success
	assert_ne "handler after '$raw'" "$before" "$(pid_of "$id")"
}

broken 'not json
' "a line on fd 3 is not a JSON object"
broken '{"status": "Success"} trailing
' "a line on fd 3 is not a JSON object"
broken '["status"]
' "a line on fd 3 is not a JSON object"
broken '{"status": "Maybe"}
' "status is neither Success nor Error"
broken '{"status": 1}
' "status is not a string"
broken '{"check_in": ["a"]}
' "check_in is not a string"
broken '{"progress": 5}
' "a line on fd 3 has neither check_in nor status"
broken long_line=70000 "a line on fd 3 is longer than 64 KiB"

# Two status lines for one job: the second comes between jobs.
id=$(submit PERSIST --param record="$rec" --param raw='{"status": "Success"}
{"status": "Success"}
')
wait_status "$id" Success
before=$(pid_of "$id")
wait_for "the handler that wrote between jobs to be killed" proc_gone "$before"
grep -q 'wrote on fd 3 between jobs' "$JSV_TMP/a.log" ||
	fail "no warning about writing between jobs"

# A handler that never reads its stdin, given a job line larger than a pipe
# holds (64 KiB): the daemon answers, and the job's timeout ends it.
printf '#!/bin/sh\nexec sleep 600\n' >"$JSV_TMP/h/deaf"
chmod 755 "$JSV_TMP/h/deaf"
set_queue DEAF deaf persistent=yes timeout=2s
kill_daemon a TERM
start_daemon
big=$(head -c 65520 /dev/zero | tr '\0' b)
printf '{"name": "DEAF", "parameters": {"big": "%s"}}\n' "$big" >"$DATA/big.jsonl"
id=$(ctl submit --from "$DATA/big.jsonl") || fail "cannot submit a large job"
wait_status "$id" Running
ctl status >/dev/null || fail "status while the handler does not read"
wait_status "$id" Error
assert_match "error of the deaf handler" "^timeout" "$(job_field "$id" error)"

# Floods: 20 MB of output and 100000 check-ins, the daemon answering.
id=$(submit PERSIST --param flood_out=20000000 --param flood_check_ins=100000 \
	--param gate="$DATA/gate")
wait_status "$id" Running
for i in 1 2 3; do
	ctl status >/dev/null || fail "status while the handler floods"
done
touch "$DATA/gate"
wait_status "$id" Success
assert_eq "check_in after the flood" 100000 "$(job_field "$id" check_in)"
size=$(stat -c %s "$JSV_TMP/logs/$id.log")
assert_eq "log of the flood" 20000000 "$size"
pass
