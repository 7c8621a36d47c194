#!/bin/bash
# A second daemon pointed at a control socket another daemon answers on
# refuses to start, and the first keeps serving.
set -eu
. "${0%/*}/../lib.sh"
start_daemon a
write_conf "$JSV_TMP/second.conf"
run timeout 10 "$JSVD" -d -f "$JSV_TMP/second.conf" -s "$SOCK"
assert_ne "second jobsvcd on $SOCK exits" 0 "$RC"
assert_ne "second jobsvcd is not killed by timeout" 124 "$RC"
assert_ne "second jobsvcd says why" "" "$ERR"
note "second daemon said: $ERR"
[ -S "$SOCK" ] || fail "the second daemon removed the first one's socket"
ctl status >/dev/null || fail "the first daemon stopped answering"
id=$(submit OK)
wait_status "$id" Success
pass
