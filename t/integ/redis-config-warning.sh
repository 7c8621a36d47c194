#!/bin/bash
# jobsvcd checks the Redis settings that keep every job when it connects:
# without appendonly, with appendfsync everysec, or with an eviction policy
# it warns in its log naming the setting; with appendonly yes, appendfsync
# always and maxmemory-policy noeviction it does not.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"

# started NAME: daemon NAME logged that it started (its checks are done).
started()
{
	grep -q 'started:' "$JSV_TMP/$1.log"
}

# check_log NAME WHAT ERE: the log of daemon NAME has a line matching ERE.
check_log()
{
	grep -Eq -- "$3" "$JSV_TMP/$1.log" ||
		fail "$2: no line matching /$3/ in the log of daemon $1: $(cat "$JSV_TMP/$1.log")"
}

check_no_log()
{
	if grep -Eq -- "$3" "$JSV_TMP/$1.log"; then
		fail "$2: unexpected line in the log of daemon $1: $(grep -E -- "$3" "$JSV_TMP/$1.log")"
	fi
}

# lib.sh's Redis runs without appendonly (JSV_REDIS_AOF unset).
assert_eq "redis appendonly" no "$(redis_cli config get appendonly | tail -n 1)"
start_daemon a
wait_for "daemon a to log its start" started a
check_log a "warning about appendonly no" 'appendonly.*(yes|no)'
stop_daemon a

redis_cli config set appendonly yes >/dev/null
redis_cli config set appendfsync everysec >/dev/null
redis_cli config set maxmemory-policy allkeys-lru >/dev/null
start_daemon b
wait_for "daemon b to log its start" started b
check_log b "warning about appendfsync everysec" 'appendfsync.*(everysec|always)'
check_log b "warning about maxmemory-policy allkeys-lru" 'maxmemory-policy.*noeviction'
check_no_log b "with appendonly yes" 'appendonly (is|=|:)'
stop_daemon b

redis_cli config set appendfsync always >/dev/null
redis_cli config set maxmemory-policy noeviction >/dev/null
start_daemon c
wait_for "daemon c to log its start" started c
check_no_log c "with appendonly yes, appendfsync always and noeviction" \
	'appendonly|appendfsync|maxmemory'
id=$(submit OK)
wait_status "$id" Success
pass
