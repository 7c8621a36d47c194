#!/bin/bash
# Two daemons on one Redis both run the scheduler: a per-second schedule
# fires exactly one job per tick (no two jobs for the same tick, none
# lost), and when one daemon is SIGKILLed the other goes on firing.
#
# The daemons log each tick they fire or skip (its last job still waits)
# with the tick's time; the check reads these logs once both daemons are
# gone.  A tick may go by without a fire of its own only as the no-burst
# rule says: the daemon was so late firing the tick before that the next
# due time it computed from its clock was past it (the job fired for the
# tick before was enqueued in the second before the next tick fired), or
# the tick before was skipped.  How many ticks a loaded machine misses is
# not checked: that depends on its speed.
set -eu
JSV_WORKERS=2
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon a
start_daemon b
use_daemon a

# check_ticks SID: the logs of daemons a and b against the jobs that ran
# (file $DATA/ran) and their enqueue times (Unix seconds, Redis's clock).
check_ticks()
{
	local sid=$1 tick job out prev_tick= prev_job= j e= ok
	local -A fired=() skipped=() logged=()
	local -a lone=()

	while read -r tick out job; do
		[ -z "${fired[$tick]:-}${skipped[$tick]:-}" ] ||
			fail "tick $tick of schedule $sid handled twice: $(grep -h "tick of $tick\b" "$JSV_TMP/a.log" "$JSV_TMP/b.log")"
		if [ "$out" = fired ]; then
			fired[$tick]=$job
			logged[$job]=1
		else
			skipped[$tick]=1
		fi
	done < <(sed -nE \
		-e "s/^jobsvcd: schedule $sid fired job ([0-9a-f]+) \(RECORD\) for its tick of ([0-9]+)\$/\\2 fired \\1/p" \
		-e "s/^jobsvcd: schedule $sid: its last job still waits, its tick of ([0-9]+) fires nothing\$/\\1 skipped -/p" \
		"$JSV_TMP/a.log" "$JSV_TMP/b.log")
	assert_int_cmp "ticks fired" "${#fired[@]}" -ge 10
	note "ticks fired: ${#fired[@]}, skipped: ${#skipped[@]}"

	# Every job that ran was fired for a logged tick, but for one that
	# daemon a may have fired as it was killed, before it could log it.
	for j in $(cut -d' ' -f1 "$DATA/ran" | sort -u); do
		[ -n "${logged[$j]:-}" ] || lone+=("$j")
	done
	assert_int_cmp "jobs run that no daemon logged a tick for (${lone[*]})" \
		"${#lone[@]}" -le 1

	for tick in $(printf '%s\n' "${!fired[@]}" "${!skipped[@]}" | sort -n); do
		if [ -n "$prev_tick" ] && [ "$tick" -gt $((prev_tick + 1)) ]; then
			ok=
			if [ -n "$prev_job" ]; then
				e=$(redis_cli HGET "test:job:$prev_job" enqueue_time)
				[ "$e" -lt $((tick - 1)) ] || ok="fired late"
			else
				ok="skipped"
			fi
			for j in "${lone[@]}"; do
				e=$(redis_cli HGET "test:job:$j" enqueue_time)
				[ "$e" -lt "$prev_tick" ] || [ "$e" -gt "$tick" ] ||
					ok="its job was not logged"
			done
			[ -n "$ok" ] ||
				fail "ticks $((prev_tick + 1)) to $((tick - 1)) of schedule $sid were lost: the tick of $prev_tick fired $prev_job, enqueued at $e"
			note "ticks $((prev_tick + 1)) to $((tick - 1)) missed: the tick before was $ok"
		fi
		prev_tick=$tick
		prev_job=${fired[$tick]:-}
	done
}

# fired_ge N LOG...: the daemons' logs tell at least N fires of $sid.
fired_ge()
{
	local n=$1
	shift
	[ "$(grep -h "^jobsvcd: schedule $sid fired job " "$@" | wc -l)" \
		-ge "$n" ]
}

sid=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/ran")
wait_for "6 ticks of schedule $sid" fired_ge 6 "$JSV_TMP/a.log" "$JSV_TMP/b.log"
use_daemon b
assert_eq "schedules seen by the other daemon" 1 "$(ctl -j schedules | jq length)"

# Count fires in the logs, not jobs run: a job that daemon a was running
# when it died runs again, and its second run is not a tick of its own.
kill_daemon a KILL
n=$(grep -c "^jobsvcd: schedule $sid fired job " "$JSV_TMP/b.log" || :)
wait_for "schedule $sid to go on firing after daemon a died" \
	fired_ge $((n + 4)) "$JSV_TMP/b.log"
stop_daemon b
check_ticks "$sid"
pass
