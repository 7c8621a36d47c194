#!/bin/bash
# --unique refuses a second identical job (same type, same parameters) while
# the first is pending; different parameters, a non-unique submission, or a
# finished first job do not count.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

ctl queue pause RECORD >/dev/null
first=$(submit RECORD --unique --param file="$DATA/ran" --param k=1)
expect_rc "duplicate unique submit" 1 ctl submit RECORD --unique --param file="$DATA/ran" --param k=1
assert_ne "error for a duplicate" "" "$ERR"
assert_imatch "error names the reason" 'unique|identical|duplicate|already' "$ERR"
other=$(submit RECORD --unique --param file="$DATA/ran" --param k=2)
plain=$(submit RECORD --param file="$DATA/ran" --param k=1)
assert_eq "pending count" 3 "$(queue_field RECORD count)"
assert_eq "unique flag" true "$(job_field "$first" unique)"

ctl queue resume RECORD >/dev/null
for id in "$first" "$other" "$plain"; do
	wait_status "$id" Success
done
again=$(submit RECORD --unique --param file="$DATA/ran" --param k=1)
wait_status "$again" Success
assert_eq "jobs run" 4 "$(wc -l <"$DATA/ran")"
pass
