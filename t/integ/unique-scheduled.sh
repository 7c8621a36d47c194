#!/bin/bash
# A unique job submitted for later holds its uniqueness while Scheduled: an
# identical unique job (now or later) is refused until it has started;
# other parameters are accepted; stopping it frees the key.  The delay
# (15 s) outlasts the checks made while the jobs wait, even on a loaded
# machine.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon

first=$(submit RECORD --unique --in 15s --param file="$DATA/u" --param k=1)
assert_eq "status of the unique delayed job" Scheduled "$(job_status "$first")"
assert_eq "its unique flag" true "$(job_field "$first" unique)"
expect_rc "an identical unique job, later, while the first is Scheduled" 1 \
	ctl submit RECORD --unique --in 15s --param file="$DATA/u" --param k=1
assert_imatch "the refusal gives the reason" 'unique|identical|duplicate|already' "$ERR"
expect_rc "an identical unique job, now, while the first is Scheduled" 1 \
	ctl submit RECORD --unique --param file="$DATA/u" --param k=1
assert_imatch "the refusal gives the reason" 'unique|identical|duplicate|already' "$ERR"
other=$(submit RECORD --unique --in 15s --param file="$DATA/u" --param k=2)
plain=$(submit RECORD --in 15s --param file="$DATA/u" --param k=1)

# Stopping a Scheduled unique job lets an identical one in.
st=$(submit RECORD --unique --in 60s --param file="$DATA/u" --param k=3)
expect_rc "an identical unique job while it is Scheduled" 1 \
	ctl submit RECORD --unique --in 60s --param file="$DATA/u" --param k=3
ctl job stop "$st" >/dev/null
assert_eq "status of the stopped job" Stopped "$(job_status "$st")"
st2=$(submit RECORD --unique --in 60s --param file="$DATA/u" --param k=3)
ctl job stop "$st2" >/dev/null

for id in "$first" "$other" "$plain"; do
	wait_status -t 60 "$id" Success
done
again=$(submit RECORD --unique --param file="$DATA/u" --param k=1)
wait_status "$again" Success
assert_eq "jobs run" 4 "$(lines "$DATA/u")"
pass
