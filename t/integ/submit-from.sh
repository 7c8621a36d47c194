#!/bin/bash
# submit --from FILE|-: one JSON object per line, one id printed per job.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

cat >"$JSV_TMP/jobs.jsonl" <<JSONL
{"name": "RECORD", "parameters": {"file": "$DATA/ran", "i": 1}}
{"name": "RECORD", "parameters": {"file": "$DATA/ran", "i": 2}, "execution_id": "bulk"}
{"name": "OK"}
JSONL
ctl submit --from "$JSV_TMP/jobs.jsonl" >"$JSV_TMP/ids" || fail "submit --from FILE failed"
mapfile -t ids <"$JSV_TMP/ids"
assert_eq "ids printed" 3 "${#ids[@]}"
for id in "${ids[@]}"; do
	is_job_id "$id" || fail "submit --from printed '$id'"
	wait_status "$id" Success
done
assert_eq "name of the third" OK "$(job_field "${ids[2]}" name)"
assert_eq "execution of the second" bulk "$(job_field "${ids[1]}" execution_id)"

# More than one request's worth (1000 jobs a request) from stdin, into a
# paused queue: every job is there, waiting (running 2500 handlers is not
# what is tested, and takes minutes on a loaded machine).
ctl queue pause OK >/dev/null
seq 2500 | sed 's/.*/{"name": "OK", "parameters": {"i": &}}/' |
	ctl submit --from - >"$JSV_TMP/ids2" || fail "submit --from - failed"
assert_eq "ids printed for 2500 jobs" 2500 "$(grep -cE '^[0-9a-f]{24}$' "$JSV_TMP/ids2")"
assert_eq "distinct ids" 2500 "$(sort -u "$JSV_TMP/ids2" | wc -l)"
assert_eq "pending jobs of the paused queue" 2500 "$(queue_field OK count)"
last=$(tail -n 1 "$JSV_TMP/ids2")
assert_eq "last job" Pending "$(job_status "$last")"
assert_eq "parameters of the last job" 2500 "$(ctl -j job show "$last" | jq .parameters.i)"
assert_eq "parameters of the first job" 1 \
	"$(ctl -j job show "$(head -n 1 "$JSV_TMP/ids2")" | jq .parameters.i)"

# A bad line: refused with its line number, exit 1.
printf '{"name": "OK"}\nnot json\n' >"$JSV_TMP/bad.jsonl"
run ctl submit --from "$JSV_TMP/bad.jsonl"
assert_eq "submit --from with a bad line exits" 1 "$RC"
assert_match "the bad line is named" '2' "$ERR"
printf '{"name": "NO_SUCH_TYPE"}\n' >"$JSV_TMP/unknown.jsonl"
run ctl submit --from "$JSV_TMP/unknown.jsonl"
assert_eq "submit --from with an unknown type exits" 1 "$RC"
assert_imatch "submit --from with an unknown type" 'unknown job type' "$ERR"
pass
