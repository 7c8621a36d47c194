#!/bin/bash
# `jobsvc-ctl jobs`: jobs newest first, by status, by type and both, a page
# at a time; the lists follow every change of status (run, Error, a retry
# waiting out its backoff, job stop, queue stop, Scheduled, a claim handed
# back by recovery) and lose the jobs that retention deletes.  After each
# step the lists in Redis are checked against the jobs themselves: every
# job in exactly the lists of its type and status.  A database made before
# the lists (their keys deleted) gets them back when a daemon starts.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
JSV_MAIN_EXTRA='retention = 1h
error_retention = 1h'
set_queue RETRY fail max_retries=1 retry_backoff=1s
set_queue GATE gate
start_daemon

# ids [JOBS ARGS...]: the ids `jobs` lists, one a line, in order.
ids()
{
	ctl -j jobs "$@" | jq -r '.[].id'
}

# lists_match: the ix:* sorted sets hold each job in ix:all, in the lists
# of its type, of its status and of both, and in no other; nothing is in a
# list without its job.  Prints what is wrong, if anything.
lists_match()
{
	local bad
	bad=$(redis_cli EVAL '
		local p, bad = ARGV[1] .. ":", {}
		local sts = {"Pending", "Scheduled", "Running", "Success",
			"Error", "Stopped"}
		local n = 0
		for _, id in ipairs(redis.call("ZRANGE", p .. "ix:all", 0, -1)) do
			local f = redis.call("HMGET", p .. "job:" .. id, "name", "status")
			if not f[1] then
				bad[#bad + 1] = id .. " listed, no job"
			else
				n = n + 1
				if not redis.call("ZSCORE", p .. "ix:type:" .. f[1], id) then
					bad[#bad + 1] = id .. " not in its type"
				end
				for _, s in ipairs(sts) do
					local a = redis.call("ZSCORE", p .. "ix:status:" .. s, id)
					local b = redis.call("ZSCORE",
						p .. "ix:type:" .. f[1] .. ":" .. s, id)
					if (s == f[2]) ~= (a ~= false) or (s == f[2]) ~= (b ~= false) then
						bad[#bad + 1] = id .. " " .. f[2] .. " wrong in " .. s
					end
				end
			end
		end
		local keys = redis.call("KEYS", p .. "job:*")
		if #keys ~= n then
			bad[#bad + 1] = #keys .. " jobs, " .. n .. " listed"
		end
		local total = 0
		for _, s in ipairs(sts) do
			total = total + redis.call("ZCARD", p .. "ix:status:" .. s)
		end
		if total ~= n then
			bad[#bad + 1] = total .. " in the status lists, " .. n .. " jobs"
		end
		return table.concat(bad, "; ")' 0 test)
	[ -z "$bad" ] || echo "$bad"
}

check_lists()
{
	local bad
	bad=$(lists_match)
	[ -z "$bad" ] || fail "lists of jobs after $1: $bad"
}

# Newest first, by submission and by status.
ctl queue pause OK >/dev/null
a1=$(submit OK)
a2=$(submit OK)
a3=$(submit OK)
assert_eq "Pending OK jobs, newest first" "$a3 $a2 $a1" \
	"$(ids --status Pending --type OK | xargs)"
assert_eq "all jobs, newest first" "$a3 $a2 $a1" "$(ids | xargs)"
check_lists "three submissions"

# Paging, and the table with its summary.
assert_eq "page 1 of 2" "$a3 $a2" "$(ids --type OK --page-size 2 | xargs)"
assert_eq "page 2 of 2" "$a1" "$(ids --type OK --page 2 --page-size 2 | xargs)"
assert_eq "page 3 of 2" "" "$(ids --type OK --page 3 --page-size 2 | xargs)"
run ctl jobs --type OK --page 2 --page-size 2
assert_eq "jobs table rc" 0 "$RC"
assert_match "table header" 'JOB ID +JOB NAME +STATUS +ENQUEUE TIME +UPDATE TIME' "$OUT"
assert_match "table row" "$a1 +OK +Pending " "$OUT"
assert_match "table summary" 'page 2 of 2, 3 jobs' "$OUT"
rec=$(ctl -j jobs --page-size 1)
assert_eq "fields of a record" "$a3 OK Pending Generic" \
	"$(printf '%s\n' "$rec" | jq -r '.[0] | "\(.id) \(.name) \(.status) \(.kind)"')"
assert_match "enqueue_time of a record" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' \
	"$(printf '%s\n' "$rec" | jq -r '.[0].enqueue_time')"

# Filters: type, status, both.
b=$(submit FAIL)
wait_status "$b" Error
assert_eq "Error jobs" "$b" "$(ids --status Error | xargs)"
assert_eq "FAIL jobs" "$b" "$(ids --type FAIL | xargs)"
assert_eq "Error jobs of OK" "" "$(ids --status error --type OK | xargs)"
assert_eq "Pending jobs" "$a3 $a2 $a1" "$(ids --status Pending | xargs)"
check_lists "a job ended in Error"

# job stop of a Pending job; a stop makes it the newest Stopped job.
ctl job stop "$a2" >/dev/null
assert_eq "Pending OK jobs after a stop" "$a3 $a1" "$(ids --status Pending --type OK | xargs)"
assert_eq "Stopped jobs" "$a2" "$(ids --status Stopped | xargs)"
assert_eq "all jobs still by submission" "$b $a3 $a2 $a1" "$(ids | xargs)"
check_lists "job stop"

# A retry waits out its backoff Pending, then ends in Error.
r=$(submit RETRY)
wait_for "job $r to wait for its retry" job_field_is "$r" failures 1
# Listed while Pending if still Pending and not yet run again afterwards.
pending=$(ids --status Pending)
if [ "$(job_status "$r") $(job_field "$r" attempts)" = "Pending 1" ]; then
	assert_contains "Pending jobs with a retry waiting" "$r" "$pending"
else
	note "the retry of $r ran before the list was checked: not checked"
fi
check_lists "a retry waiting"
wait_status "$r" Error
assert_eq "Error jobs, newest first" "$r $b" "$(ids --status Error | xargs)"
assert_eq "Pending RETRY jobs" "" "$(ids --status Pending --type RETRY | xargs)"
check_lists "a retry ended in Error"

# Scheduled, then stopped.
s=$(submit OK --in 1h)
assert_eq "Scheduled jobs" "$s" "$(ids --status Scheduled | xargs)"
check_lists "a job submitted for later"
ctl job stop "$s" >/dev/null
assert_eq "Scheduled jobs after its stop" "" "$(ids --status Scheduled | xargs)"
assert_eq "Stopped jobs, newest first" "$s $a2" "$(ids --status Stopped | xargs)"

# Running, and handed back when its pool dies.
g=$(submit GATE --params "{\"gate\": \"$JSV_TMP/gate\"}")
wait_status "$g" Running
assert_eq "Running jobs" "$g" "$(ids --status Running | xargs)"
check_lists "a running job"
kill_daemon a
start_daemon a
wait_for "job $g to run again after its pool died" job_has_status "$g" Running
check_lists "recovery"
touch "$JSV_TMP/gate"
wait_status "$g" Success
assert_eq "Success jobs" "$g" "$(ids --status Success | xargs)"
check_lists "a job that ran"

# queue stop ends the waiting jobs of a type Stopped: Pending ones, a
# Scheduled one and a unique one, all in one batch, each moved from the
# lists of its own status; the unique one no longer holds its key.
s2=$(submit OK --in 1h)
u=$(submit OK --unique --param k=1)
check_lists "a unique job and one for later"
ctl queue stop OK >/dev/null
for id in "$a1" "$a3" "$s2" "$u"; do
	wait_status "$id" Stopped
done
assert_eq "Pending jobs after queue stop" "" "$(ids --status Pending | xargs)"
assert_eq "Scheduled jobs after queue stop" "" "$(ids --status Scheduled | xargs)"
assert_eq "Stopped OK jobs" \
	"$(printf '%s\n' "$a1" "$a2" "$a3" "$s" "$s2" "$u" | sort | xargs)" \
	"$(ids --status Stopped --type OK | sort | xargs)"
assert_eq "the last two Stopped OK jobs" "$s $a2" \
	"$(ids --status Stopped --type OK --page 3 --page-size 2 | xargs)"
check_lists "queue stop"
assert_eq "unique keys after queue stop" "" "$(redis_cli KEYS 'test:unique:*')"

# A database older than the lists: they are made again at start.
kill_daemon a
redis_cli EVAL 'for _, k in ipairs(redis.call("KEYS", ARGV[1] .. ":ix:*")) do
	redis.call("DEL", k) end' 0 test >/dev/null
assert_eq "lists deleted" 0 "$(redis_cli EXISTS test:ix:all)"
start_daemon a
lists_built()
{
	[ "$(redis_cli EXISTS test:ix:built)" = 1 ]
}
wait_for "the lists to be made again" lists_built
check_lists "a start without the lists"
assert_eq "Error jobs after the lists were made again" "$r $b" "$(ids --status Error | xargs)"
assert_eq "number of jobs after the lists were made again" 9 "$(ids | wc -l)"

# Retention: Success and Stopped jobs leave the lists with their jobs.
kill_daemon a
JSV_MAIN_EXTRA='retention = 2s
error_retention = 1h'
start_daemon a
wait_for -t 60 "the Success job $g to be deleted" job_gone "$g"
wait_for -t 60 "the Stopped job $a1 to be deleted" job_gone "$a1"
assert_eq "Success jobs after retention" "" "$(ids --status Success | xargs)"
# Lists made again from the jobs know their submit times to the second:
# two jobs submitted in the same second may come in either order.
if [ "$(job_field "$r" enqueue_time)" = "$(job_field "$b" enqueue_time)" ]; then
	assert_eq "all jobs after retention (submitted in the same second)" \
		"$(printf '%s\n' "$r" "$b" | sort | xargs)" "$(ids | sort | xargs)"
else
	assert_eq "all jobs after retention" "$r $b" "$(ids | xargs)"
fi
check_lists "retention"
assert_eq "Stopped list in Redis" 0 "$(redis_cli ZCARD test:ix:status:Stopped)"
assert_eq "OK lists in Redis" 0 "$(redis_cli ZCARD test:ix:type:OK)"

# Bad requests.
expect_rc "jobs --status of no status" 2 ctl jobs --status Done
expect_rc "jobs --type of a bad type" 2 ctl jobs --type 'a b'
pass
