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

# The daemon itself refuses to start with a bad config.
run timeout 10 "$JSVD" -d -f "$JSV_TMP/unknown.conf" -s "$JSV_TMP/bad.sock"
assert_ne "jobsvcd -d with an unknown key exits" 0 "$RC"
assert_ne "jobsvcd -d with an unknown key is not killed by timeout" 124 "$RC"
assert_contains "jobsvcd -d names file:line" "$JSV_TMP/unknown.conf:3" "$ERR$OUT"
pass
