#!/bin/bash
# The Redis password in the configuration never reaches the log: the URL is
# logged as redis://:***@host:port.
set -eu
. "${0%/*}/../lib.sh"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
pw=Sup3rS3cretPw
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis_cli config set port "$port" >/dev/null
redis_cli config set requirepass "$pw" >/dev/null
JSV_REDIS_URL="redis://:$pw@127.0.0.1:$port"
start_daemon
job=$(submit OK)
wait_status "$job" Success
log=$(cat "$JSV_TMP/a.log")
assert_contains "the log names redis" "redis://:***@127.0.0.1:$port: connected" "$log"
assert_no_match "the log holds no password" "$pw" "$log"
# A wrong password is reported, without either password.
JSV_REDIS_URL="redis://:WrongPw4242@127.0.0.1:$port"
write_conf "$JSV_TMP/b.conf"
mapfile -t cmd < <(jsvd_cmd -d -f "$JSV_TMP/b.conf" -s "$JSV_TMP/b.sock")
"${cmd[@]}" >"$JSV_TMP/b.log" 2>&1 &
bpid=$!
DAEMON_PIDS+=("$bpid")
wait_for "b to report the refused password" grep -q 'AUTH failed' "$JSV_TMP/b.log"
kill -TERM "$bpid"
wait_for -t 20 "b to exit" proc_gone "$bpid"
rc=0
wait "$bpid" || rc=$?
assert_eq "b exits cleanly" 0 "$rc"
assert_no_match "no password in that log" "$pw|WrongPw4242" "$(cat "$JSV_TMP/b.log")"
redis_cli -a "$pw" --no-auth-warning config set requirepass "" >/dev/null
pass
