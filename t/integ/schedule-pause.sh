#!/bin/bash
# `schedules pause` (Pause All) stops every schedule from firing and the
# status card says Paused; `schedules resume` fires each schedule once for
# all the ticks it missed (no burst), then they go on ticking.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
start_daemon

redis_now()
{
	redis_cli TIME | head -n 1
}

redis_time_ge()
{
	[ "$(redis_now)" -ge "$1" ]
}

# No job waits or runs.
all_idle()
{
	[ "$(ctl -j status | jq '.queues.total + .workers.busy')" = 0 ]
}

s1=$(ctl schedule add RECORD '* * * * * *' --param file="$DATA/s1")
s2=$(ctl schedule add RECORD '*/1 * * * * *' --param file="$DATA/s2")
wait_for "schedule $s1 to fire" lines_ge "$DATA/s1" 1
wait_for "schedule $s2 to fire" lines_ge "$DATA/s2" 1

expect_rc "schedules pause" 0 ctl schedules pause
assert_imatch "its message" 'paused' "$OUT"
assert_eq "status card" Paused "$(ctl -j status | jq -r .schedules.status)"
assert_match "status table" 'Schedules: 2, Paused' "$(ctl status)"
assert_imatch "summary line of the schedules table" 'paused' "$(ctl schedules | tail -n 1)"
# Jobs fired just before the pause may still be waiting or starting: let
# them run.  Then let 3 ticks go by, by Redis's clock, and let anything
# they fired run.
wait_for "the jobs fired before the pause to have run" all_idle
n1=$(lines "$DATA/s1")
n2=$(lines "$DATA/s2")
t=$(redis_now)
wait_for "3 ticks of pause" redis_time_ge $((t + 3))
wait_for "the jobs of those ticks to have run" all_idle
assert_eq "jobs of schedule $s1 fired in 3 ticks of pause" "$n1" "$(lines "$DATA/s1")"
assert_eq "jobs of schedule $s2 fired in 3 ticks of pause" "$n2" "$(lines "$DATA/s2")"

# Resume early in a second, so that the next regular tick is well apart
# from the one that fires for the missed ticks.
wait_for "the start of a second" at_start_of_second
sec=$(date +%s)
expect_rc "schedules resume" 0 ctl schedules resume
assert_imatch "its message" 'resumed' "$OUT"
wait_for "schedule $s1 to fire after resume" lines_ge "$DATA/s1" $((n1 + 1))
wait_for "schedule $s2 to fire after resume" lines_ge "$DATA/s2" $((n2 + 1))
c1=$(lines "$DATA/s1")
c2=$(lines "$DATA/s2")
if [ "$(date +%s)" = "$sec" ]; then
	assert_eq "jobs of schedule $s1 fired on resume (missed 4 ticks)" $((n1 + 1)) "$c1"
	assert_eq "jobs of schedule $s2 fired on resume (missed 4 ticks)" $((n2 + 1)) "$c2"
else
	note "the catch-up jobs took until the next second: counting by enqueue second only"
fi
assert_eq "status card after resume" Running "$(ctl -j status | jq -r .schedules.status)"
# ...and they go on ticking.
wait_for "schedule $s1 to go on firing" lines_ge "$DATA/s1" $((n1 + 3))
wait_for "schedule $s2 to go on firing" lines_ge "$DATA/s2" $((n2 + 3))

# No burst: a schedule never fired two jobs in the same second.
for f in s1 s2; do
	secs=$(for j in $(cut -d' ' -f1 "$DATA/$f"); do job_field "$j" enqueue_time; done)
	dup=$(printf '%s\n' "$secs" | sort | uniq -d)
	assert_eq "enqueue seconds fired twice by the schedule of $f" "" "$dup"
done
pass
