#!/bin/bash
# The audit trail: every action asked of the daemon is recorded with who
# asked (user name, uid, pid, and the web user a trusted client acts for),
# the command, its targets and its result, refused ones included;
# `jobsvc-ctl audit` lists them newest first, a page at a time.  Records
# are kept for error_retention by Redis's clock, and a Redis that refuses
# the audit write does not fail the action.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../lifecycle-lib.sh"
[ "$(id -u)" = 0 ] || skip "needs root to run jobsvc-ctl as another user"
command -v setpriv >/dev/null 2>&1 || skip "setpriv (util-linux) is not installed"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed"
start_daemon

nobody_can_reach

# ask [as_nobody] JSON: sends one request through a raw peer, as root or
# as nobody, and prints the answer's last frame: "END {...}" or "ERROR {...}".
cp "$abs_top_srcdir/t/peer.py" "$JSV_TMP/bin/"
cat >"$JSV_TMP/bin/ask.py" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[0].rsplit("/", 1)[0])
from peer import Peer, END
p = Peer(sys.argv[1], int(sys.argv[2]))
_, t, o = p.ask(json.loads(sys.argv[3]))
print("END" if t == END else "ERROR", json.dumps(o))
PY
chmod 644 "$JSV_TMP/bin/peer.py" "$JSV_TMP/bin/ask.py"
version=$(awk '/^#define JSV_PROTO_VERSION / { print $3 }' "$abs_top_srcdir/lib/proto.h")
ask()
{
	local -a pre=(python3)
	if [ "$1" = as_nobody ]; then
		# the system's python: a user's (pyenv) may not be nobody's
		pre=(timeout -k 5 30 setpriv --reuid=nobody --regid="$NOBODY_GROUP"
			--clear-groups /usr/bin/python3)
		shift
	fi
	"${pre[@]}" "$JSV_TMP/bin/ask.py" "$SOCK" "$version" "$1"
}

# rec N FIELD: FIELD of the Nth newest record (from 0).
rec()
{
	ctl -j audit | jq -r ".[$1].$2 // \"\""
}

expect_rc "audit of an empty trail" 0 ctl audit
assert_match "empty trail" 'no actions recorded' "$OUT"

ctl queue pause RECORD >/dev/null
ctl queue resume RECORD >/dev/null
run as_nobody queue stop all
assert_eq "queue stop as nobody exits" 1 "$RC"
job=$(submit SLEEP)
wait_status "$job" Running
ctl job stop "$job" >/dev/null
expect_rc "job stop of a job that does not exist" 1 ctl job stop 000000000000000000000000
out=$(ask '{"cmd": "queue.pause", "types": ["OK"], "as_user": "alice"}')
assert_match "queue.pause as_user alice" '^END .*Paused OK' "$out"
ctl queue resume OK >/dev/null
# A reader may not act, for whomever it says it acts.
out=$(ask as_nobody '{"cmd": "queue.pause", "types": ["OK"], "as_user": "root"}')
assert_match "queue.pause as nobody for root" '^ERROR .*permission denied' "$out"
assert_eq "OK not paused" false "$(queue_field OK paused)"

run ctl -j audit
assert_eq "audit -j exits" 0 "$RC"
assert_eq "records" 9 "$(printf '%s\n' "$OUT" | jq length)"
# Newest first.
assert_eq "verbs, newest first" \
	"queue.pause queue.resume queue.pause job.stop job.stop submit queue.stop queue.resume queue.pause" \
	"$(printf '%s\n' "$OUT" | jq -r '[.[].verb] | join(" ")')"
nobody_uid=$(id -u nobody)
assert_eq "refused for root: uid" "$nobody_uid" "$(rec 0 uid)"
assert_eq "refused for root: user" nobody "$(rec 0 user)"
assert_eq "refused for root: as_user" root "$(rec 0 as_user)"
assert_eq "refused for root: result" "refused: not an administrator" "$(rec 0 result)"
assert_eq "resume OK: uid" 0 "$(rec 1 uid)"
assert_eq "resume OK: user" root "$(rec 1 user)"
assert_eq "resume OK: no as_user" "" "$(rec 1 as_user)"
assert_eq "pause for alice: as_user" alice "$(rec 2 as_user)"
assert_eq "pause for alice: user" root "$(rec 2 user)"
assert_eq "pause for alice: targets" OK "$(rec 2 targets)"
assert_eq "pause for alice: result" "ok (Paused OK)" "$(rec 2 result)"
assert_match "job stop of nothing: result" '^error: .*not found' "$(rec 3 result)"
assert_eq "job stop: targets" "$job" "$(rec 4 targets)"
assert_match "job stop: result" '^ok' "$(rec 4 result)"
assert_match "submit: result" '^ok' "$(rec 5 result)"
assert_eq "queue stop as nobody: user" nobody "$(rec 6 user)"
assert_eq "queue stop as nobody: targets" all "$(rec 6 targets)"
assert_eq "queue stop as nobody: result" "refused: not an administrator" "$(rec 6 result)"
assert_eq "first pause: targets" RECORD "$(rec 8 targets)"
assert_eq "first pause: result" "ok (Paused RECORD)" "$(rec 8 result)"
assert_match "time is RFC 3339" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$' "$(rec 8 time)"
assert_ne "pid of the ctl" 0 "$(rec 8 pid)"

# Paging, and the table.
run ctl -j audit --page 2 --page-size 4
assert_eq "page 2 of 4" "job.stop submit queue.stop queue.resume" \
	"$(printf '%s\n' "$OUT" | jq -r '[.[].verb] | join(" ")')"
run ctl -j audit --page 4 --page-size 4
assert_eq "a page past the end" 0 "$(printf '%s\n' "$OUT" | jq length)"
expect_rc "audit table" 0 ctl audit --page 3 --page-size 4
assert_match "table header" '^TIME +WHO +VERB +TARGETS +RESULT' "$OUT"
assert_match "table row" 'root \(uid 0, pid [0-9]+\) +queue\.pause +RECORD +ok \(Paused RECORD\)' "$OUT"
assert_match "table footer" 'page 3 of 3, 9 actions' "$OUT"
expect_rc "audit as nobody (a reader)" 0 as_nobody audit --page-size 1
assert_match "as nobody, for root" 'nobody \(uid [0-9]+, pid [0-9]+\) for root' "$OUT"

# A Redis that refuses the audit write: the action still succeeds.
redis_deny zadd
run ctl queue pause RECORD
redis_allow_all
assert_eq "queue pause with the audit write refused exits" 0 "$RC"
assert_match "its answer" 'Paused RECORD' "$OUT"
assert_eq "RECORD paused" true "$(queue_field RECORD paused)"
assert_match "the refused write is logged" 'audit trail not written' "$(cat "$JSV_TMP/a.log")"
assert_eq "not in the trail" queue.pause "$(rec 0 verb)"
assert_eq "the trail's newest is the refused one" "refused: not an administrator" "$(rec 0 result)"
ctl queue resume RECORD >/dev/null
# queue.stop is answered from a callback, and recorded then.
ctl queue stop RECORD >/dev/null
assert_eq "queue stop" "queue.stop RECORD" "$(rec 0 verb) $(rec 0 targets)"
assert_match "queue stop: result" '^ok \(' "$(rec 0 result)"

# Retention: a daemon keeping Error jobs 5 s keeps its trail as long.
stop_daemon a
JSV_MAIN_EXTRA='error_retention = 5s'
start_daemon b
chmod 666 "$SOCK"
ctl queue pause RECORD >/dev/null
t_pause=$(redis_cli TIME | head -n 1)
assert_eq "the newest record" queue.pause "$(rec 0 verb)"
trail_empty()
{
	[ "$(ctl -j audit | jq length)" = 0 ]
}
wait_for -t 60 "the trail to expire" trail_empty
assert_int_cmp "Redis's time once the trail expired, minus the last record's (error_retention 5s)" \
	$(($(redis_cli TIME | head -n 1) - t_pause)) -ge 4
ctl queue resume RECORD >/dev/null
assert_eq "a write drops the expired records" 1 "$(redis_cli ZCARD test:audit)"
assert_eq "the trail after it" queue.resume "$(ctl -j audit | jq -r '[.[].verb] | join(" ")')"
pass
