#!/bin/bash
# A large execution (20,005 jobs) is shown in one Redis call: its jobs
# counted by status, its member list paged.  Every job is on exactly one
# page, the counts are exact, and the ctl prints the counts and a page.
set -eu
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
start_daemon

ctl queue pause RECORD >/dev/null
python3 -c '
import json
for i in range(20000):
    print(json.dumps({"name": "RECORD", "parameters": {"file": "/nonexistent", "i": i},
                      "execution_id": "big"}))' >"$DATA/jobs"
ctl submit --from "$DATA/jobs" >"$DATA/ids"
for i in 1 2 3; do
	id=$(submit OK --execution big)
	echo "$id" >>"$DATA/ids"
	wait_status "$id" Success
done
for i in 1 2; do
	id=$(submit FAIL --execution big)
	echo "$id" >>"$DATA/ids"
	wait_status "$id" Error
done
assert_eq "jobs submitted" 20005 "$(wc -l <"$DATA/ids")"

js=$(ctl -j execution show big)
assert_eq "total" 20005 "$(printf '%s' "$js" | jq .total)"
assert_eq "Pending" 20000 "$(printf '%s' "$js" | jq .counts.Pending)"
assert_eq "Success" 3 "$(printf '%s' "$js" | jq .counts.Success)"
assert_eq "Error" 2 "$(printf '%s' "$js" | jq .counts.Error)"
assert_eq "status" Running "$(printf '%s' "$js" | jq -r .status)"
assert_eq "first page" 100 "$(printf '%s' "$js" | jq '.jobs | length')"
assert_eq "job show's execution_status" Running \
	"$(job_field "$(head -n 1 "$DATA/ids")" execution_status)"

run ctl execution show big
assert_eq "execution show exit" 0 "$RC"
assert_contains "counts printed" "jobs: 20005, Pending 20000, Scheduled 0, Running 0, Success 3, Error 2, Stopped 0" "$OUT"
assert_contains "page line" "page 1 of 201, 20005 jobs" "$OUT"
run ctl execution show big --page 201 --page-size 100
assert_contains "last page line" "page 201 of 201, 20005 jobs" "$OUT"
expect_rc "page size over 100" 2 ctl execution show big --page-size 101

# Every job on exactly one page.
python3 - "$SOCK" "$abs_top_srcdir" "$DATA/ids" <<'PY'
import sys, time
sys.path.insert(0, sys.argv[2] + "/t")
from peer import Peer, END, proto_version

want = set(open(sys.argv[3]).read().split())
p = Peer(sys.argv[1], proto_version(sys.argv[2]))
seen, page = [], 1
t0 = time.monotonic()
while True:
    recs, t, end = p.ask({"cmd": "execution.show", "id": "big",
                          "page": page, "page_size": 100})
    if t != END:
        sys.exit("page %d: %r" % (page, end))
    if end["total"] != 20005 or end["page"] != page:
        sys.exit("page %d: %r" % (page, {k: end[k] for k in end if k != "jobs"}))
    if not end["jobs"]:
        break
    seen += [j["id"] for j in end["jobs"]]
    page += 1
print("# %d pages in %.2f s" % (page - 1, time.monotonic() - t0))
if len(seen) != len(set(seen)):
    sys.exit("a job is on two pages")
if set(seen) != want:
    sys.exit("pages hold %d jobs, %d submitted" % (len(set(seen)), len(want)))
PY
pass
