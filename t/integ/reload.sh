#!/bin/bash
# SIGHUP reloads the configuration: a job type added to the file can be
# submitted afterwards; a broken file is refused and the daemon keeps
# running with the configuration it had.
set -eu
. "${0%/*}/../lib.sh"
start_daemon

expect_rc "submit of a type not configured yet" 1 ctl submit ADDED
set_queue ADDED ok
write_conf "$JSV_TMP/a.conf"
kill -s HUP "$(daemon_pid)"
wait_for "the ADDED queue to appear" eval '[ -n "$(queue_field ADDED job_type)" ]'
id=$(submit ADDED)
wait_status "$id" Success

printf 'this is not a config\n' >>"$JSV_TMP/a.conf"
kill -s HUP "$(daemon_pid)"
# The daemon keeps serving with the previous configuration.
id=$(submit ADDED)
wait_status "$id" Success
proc_alive "$(daemon_pid)" || fail "a broken config on SIGHUP killed the daemon"
wait_for "the refusal to be logged with file:line" grep -qF "$JSV_TMP/a.conf:" "$JSV_TMP/a.log"
pass
