#!/bin/bash
# The example persistent handlers (packaging/handlers/persistent-example.c
# and .py) run jobs one after another in one process each, logging each
# job and checking in.
set -eu
JSV_WORKERS=1
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
clear_queues
set_queue C_EXAMPLE "$abs_top_builddir/packaging/handlers/persistent-example" \
	persistent=yes
set_queue PY_EXAMPLE "$abs_top_srcdir/packaging/handlers/persistent-example.py" \
	persistent=yes
start_daemon

for type in C_EXAMPLE PY_EXAMPLE; do
	ids=()
	for i in 1 2 3; do
		ids+=("$(submit "$type" --param n="$i")")
	done
	for i in 1 2 3; do
		id=${ids[$((i - 1))]}
		wait_status "$id" Success
		assert_eq "check_in of $type job $i" working "$(job_field "$id" check_in)"
		log=$(ctl job log "$id")
		assert_contains "log of $type job $i" "$id" "$log"
		assert_contains "parameters in the log of $type job $i" "\"n\":" "$log"
		assert_no_match "other jobs in the log of $type job $i" \
			"$(printf '%s\n' "${ids[@]}" | grep -v "$id" | paste -sd '|')" "$log"
	done
	started=$(grep -c "persistent handler .* of $type: .* started" "$JSV_TMP/a.log")
	assert_eq "handlers started for 3 jobs of $type" 1 "$started"
done
pass
