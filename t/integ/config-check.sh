#!/bin/bash
# jobsvcd -n checks a configuration: 0 for a good one; an unknown key or a
# bad value is reported with file:line and a non-zero exit.
set -eu
. "${0%/*}/../lib.sh"

write_conf "$JSV_TMP/good.conf"
expect_rc "jobsvcd -n on a good config" 0 "$JSVD" -n -f "$JSV_TMP/good.conf"

# An unknown key in [jobsvcd], at a known line.
{
	printf '[jobsvcd]\n'
	printf 'redis = unix:%s\n' "$REDIS_SOCK"
	printf 'no_such_key = 1\n'
	printf '\n[queue OK]\nexec = %s\n' "$JSV_TMP/h/ok"
} >"$JSV_TMP/unknown.conf"
run "$JSVD" -n -f "$JSV_TMP/unknown.conf"
assert_ne "jobsvcd -n with an unknown key exits" 0 "$RC"
assert_contains "jobsvcd -n names file:line" "$JSV_TMP/unknown.conf:3" "$ERR$OUT"
assert_contains "jobsvcd -n names the key" "no_such_key" "$ERR$OUT"

# A bad value, in a queue section.
{
	printf '[jobsvcd]\nredis = unix:%s\n\n' "$REDIS_SOCK"
	printf '[queue OK]\nexec = %s\n' "$JSV_TMP/h/ok"
	printf 'timeout = soon\n'
} >"$JSV_TMP/badvalue.conf"
run "$JSVD" -n -f "$JSV_TMP/badvalue.conf"
assert_ne "jobsvcd -n with a bad value exits" 0 "$RC"
assert_contains "jobsvcd -n names file:line" "$JSV_TMP/badvalue.conf:6" "$ERR$OUT"

# A file that does not exist.
run "$JSVD" -n -f "$JSV_TMP/none.conf"
assert_ne "jobsvcd -n on a missing file exits" 0 "$RC"
assert_contains "jobsvcd -n names the missing file" "$JSV_TMP/none.conf" "$ERR$OUT"

# A handler that does not exist, or cannot be run.
touch "$JSV_TMP/not-executable"
{
	printf '[jobsvcd]\nredis = unix:%s\n\n' "$REDIS_SOCK"
	printf '[queue OK]\nexec = %s\n' "$JSV_TMP/h/ok"
	printf '[queue GONE]\nexec = %s\n' "$JSV_TMP/no-such-handler"
	printf '[queue PLAIN]\nexec = %s\n' "$JSV_TMP/not-executable"
} >"$JSV_TMP/exec.conf"
run "$JSVD" -n -f "$JSV_TMP/exec.conf"
assert_eq "jobsvcd -n with a missing handler exits" 1 "$RC"
assert_contains "jobsvcd -n names the missing handler" \
	"[queue GONE] exec $JSV_TMP/no-such-handler: No such file or directory" "$ERR"
assert_contains "jobsvcd -n names the handler it cannot run" \
	"[queue PLAIN] exec $JSV_TMP/not-executable: Permission denied" "$ERR"
assert_no_match "jobsvcd -n says nothing of the good handler" '\[queue OK\]' "$ERR"

# Durations out of range, and retry waits that contradict.
{
	printf '[jobsvcd]\nredis = unix:%s\nstop_grace = 2h\n\n' "$REDIS_SOCK"
	printf '[queue OK]\nexec = %s\n' "$JSV_TMP/h/ok"
	printf 'timeout = 18446744073709552ms\n'
	printf 'retry_backoff = 2h\nretry_backoff_max = 1h\n'
} >"$JSV_TMP/ranges.conf"
run "$JSVD" -n -f "$JSV_TMP/ranges.conf"
assert_eq "jobsvcd -n with durations out of range exits" 1 "$RC"
assert_contains "stop_grace" "ranges.conf:3: invalid stop_grace \"2h\": at most 1h" "$ERR"
assert_contains "timeout" "ranges.conf:7: invalid timeout \"18446744073709552ms\": at most 30d" "$ERR"
assert_contains "backoff" "ranges.conf:9: [queue OK] retry_backoff is longer than retry_backoff_max" "$ERR"

# The daemon itself refuses to start with a bad config.
run timeout 10 "$JSVD" -d -f "$JSV_TMP/unknown.conf" -s "$JSV_TMP/bad.sock"
assert_ne "jobsvcd -d with an unknown key exits" 0 "$RC"
assert_ne "jobsvcd -d with an unknown key is not killed by timeout" 124 "$RC"
assert_contains "jobsvcd -d names file:line" "$JSV_TMP/unknown.conf:3" "$ERR$OUT"
pass
