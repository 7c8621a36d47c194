#!/bin/bash
# The anti-CSRF tokens of an open page in a real browser
# (t/browser/dash-csrf.py), with csrf_window made 4 seconds: dashboard.js
# renews them, so that an action confirmed in a dialog left open, or from
# a confirmation page left open, after its first token expired is done.
# Skips without chromium.
set -eu
. "${0%/*}/../lib.sh"
. "${0%/*}/../dash-lib.sh"
need_chromium
start_daemon
FCGI_CONF_EXTRA='csrf_window = 4s' start_dash

run browser dash-csrf.py --user admin --password "$ADMIN_PW" --window 4
printf '%s\n' "$OUT" | sed 's/^/# /' >&2
assert_eq "the browser script (stderr: $ERR; stdout: $OUT)" 0 "$RC"
assert_eq "OK resumed" false "$(queue_field OK paused)"
pass
