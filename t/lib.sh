# SPDX-License-Identifier: ISC
#
# t/lib.sh: sourced (bash) by every integration test in t/integ/.
#
# Sourcing it creates a private temporary directory, starts a private
# redis-server on a Unix socket in it, and installs a trap that, whatever
# happens, stops every daemon the test started (checking that each exits
# cleanly, which is what gives ASan and valgrind builds their teeth), kills
# stray handler processes and redis, and removes the directory.
#
# Knobs, all from the environment:
#   abs_top_builddir, abs_top_srcdir   set by `make check`; default: the tree
#                                      this file is in
#   JSVD, JSV_CTL                      the daemon and ctl binaries
#   JSV_VALGRIND=1                     run jobsvcd under valgrind
#   JSV_REDIS_AOF=1                    redis with appendonly (fsync always)
#   JSV_WORKERS, JSV_STOP_GRACE, JSV_HEARTBEAT, JSV_DEAD_TIMEOUT
#                                      [jobsvcd] settings of the next daemon
#   JSV_MAIN_EXTRA                     more lines for its [jobsvcd] section
#   JSV_REDIS_URL                      its redis (default: the private one)
#   JSV_SOCKET_DIR                     the next daemon runs in this directory
#                                      with a relative -s control.sock
#   JSV_KEEP=1                         keep the temporary directory
#
# Faults between a daemon and Redis: start_daemon_proxied NAME puts
# t/faultproxy.py between them, and proxy_rule NAME ... tells it what to
# break (see the functions below and t/faultproxy.py); redis_pause,
# redis_deny and redis_full make Redis itself stall or refuse commands.
#
# A test looks like:
#	set -eu
#	. "${0%/*}/../lib.sh"
#	start_daemon
#	id=$(submit OK --param a=b)
#	wait_status "$id" Success
#	pass

if [ -z "${BASH_VERSION:-}" ]; then
	echo "t/lib.sh needs bash" >&2
	exit 99
fi
set -eu

TEST_NAME=${0##*/}
TEST_NAME=${TEST_NAME%.sh}

: "${abs_top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"
: "${JSVD:=$abs_top_builddir/daemon/jobsvcd}"
: "${JSV_CTL:=$abs_top_builddir/ctl/jobsvc-ctl}"
: "${JSV_VALGRIND:=0}"
: "${JSV_REDIS_AOF:=0}"
: "${JSV_WORKERS:=4}"
: "${JSV_STOP_GRACE:=1s}"
: "${JSV_HEARTBEAT:=200ms}"
: "${JSV_DEAD_TIMEOUT:=1s}"
: "${JSV_KEEP:=0}"

# Bounded waits are multiplied by this under valgrind, which is slow.
if [ "$JSV_VALGRIND" = 1 ]; then
	: "${JSV_SCALE:=5}"
else
	: "${JSV_SCALE:=1}"
fi

# ---------------------------------------------------------------- messages

note()
{
	printf '# %s\n' "$*" >&2
}

# Prints the failure (and which daemons died meanwhile) and exits 1; the
# cleanup then shows the tails of the logs.
fail()
{
	local name
	printf 'FAIL: %s: %s\n' "$TEST_NAME" "$*" >&2
	for name in "${!DPID[@]}"; do
		our_pid "${DPID[$name]}" ||
			printf 'FAIL: %s: (jobsvcd %s is no longer running)\n' \
				"$TEST_NAME" "$name" >&2
	done
	exit 1
}

skip()
{
	printf 'SKIP: %s: %s\n' "$TEST_NAME" "$*" >&2
	exit 77
}

# pass: the test's checks all held; the cleanup may still fail it (a daemon
# that does not exit cleanly).
pass()
{
	exit 0
}

# ------------------------------------------------------------- assertions

# assert_eq WHAT EXPECTED SEEN
assert_eq()
{
	[ "$2" = "$3" ] ||
		fail "$1: expected '$2', saw '$3'"
}

# assert_ne WHAT UNEXPECTED SEEN
assert_ne()
{
	[ "$2" != "$3" ] ||
		fail "$1: expected anything but '$2'"
}

# assert_match WHAT ERE SEEN: SEEN must match the extended regex ERE.
assert_match()
{
	printf '%s\n' "$3" | grep -Eq -- "$2" ||
		fail "$1: expected a match for /$2/, saw '$3'"
}

# assert_imatch WHAT ERE SEEN: as assert_match, ignoring case.
assert_imatch()
{
	printf '%s\n' "$3" | grep -Eiq -- "$2" ||
		fail "$1: expected a match for /$2/i, saw '$3'"
}

# assert_no_match WHAT ERE SEEN
assert_no_match()
{
	if printf '%s\n' "$3" | grep -Eq -- "$2"; then
		fail "$1: expected no match for /$2/, saw '$3'"
	fi
}

# assert_contains WHAT NEEDLE HAYSTACK (fixed string)
assert_contains()
{
	case $3 in
	*"$2"*) ;;
	*) fail "$1: expected to contain '$2', saw '$3'" ;;
	esac
}

# assert_int_cmp WHAT A OP B: an integer comparison, OP as for test(1).
assert_int_cmp()
{
	[[ $2 =~ ^-?[0-9]+$ ]] || fail "$1: expected a number, saw '$2'"
	test "$2" "$3" "$4" ||
		fail "$1: expected a value $3 $4, saw $2"
}

# run CMD...: runs CMD, never fails; sets RC, OUT and ERR.
run()
{
	local o="$JSV_TMP/run.out" e="$JSV_TMP/run.err"
	RC=0
	"$@" >"$o" 2>"$e" || RC=$?
	OUT=$(cat "$o")
	ERR=$(cat "$e")
}

# expect_rc WHAT CODE CMD...: CMD must exit with CODE; sets RC, OUT, ERR.
expect_rc()
{
	local what=$1 code=$2
	shift 2
	run "$@"
	[ "$RC" = "$code" ] ||
		fail "$what: '$*' should exit $code, exited $RC (stdout '$OUT', stderr '$ERR')"
}

# ------------------------------------------------------------ bounded waits

now_us()
{
	local t=$EPOCHREALTIME
	echo "${t%.*}${t#*.}"
}

# The shortest deadline of a bounded wait, in seconds (times JSV_SCALE).
# A deadline only matters when something is broken: a wait that succeeds
# costs what it waits for, so they are all generous, for a loaded machine.
: "${JSV_WAIT_MIN:=60}"

# wait_for [-t SECONDS] DESCRIPTION CMD...: runs CMD every 50 ms until it
# succeeds; after SECONDS (at least JSV_WAIT_MIN, its default; times
# JSV_SCALE) fails naming DESCRIPTION and showing CMD's last output.
wait_for()
{
	local secs=$JSV_WAIT_MIN
	if [ "$1" = -t ]; then
		[ "$2" -le "$secs" ] || secs=$2
		shift 2
	fi
	local what=$1
	shift
	local deadline
	deadline=$(($(now_us) + secs * JSV_SCALE * 1000000))
	while :; do
		if "$@" >"$JSV_TMP/wait.out" 2>&1; then
			return 0
		fi
		if [ "$(now_us)" -gt "$deadline" ]; then
			fail "timed out after $((secs * JSV_SCALE))s waiting for $what (last output of '$*': $(head -c 2000 "$JSV_TMP/wait.out"))"
		fi
		sleep 0.05
	done
}

# ------------------------------------------------------------------- redis

REDIS_SOCK=
REDIS_PID=

redis_cli()
{
	redis-cli -s "$REDIS_SOCK" "$@"
}

redis_up()
{
	[ "$(redis-cli -s "$REDIS_SOCK" ping 2>/dev/null)" = PONG ]
}

# Starts redis-server on $JSV_TMP/redis.sock (again, after stop_redis: same
# socket, same data directory, so an AOF is replayed).
start_redis()
{
	local aof=no
	[ "$JSV_REDIS_AOF" = 1 ] && aof=yes
	REDIS_SOCK=$JSV_TMP/redis.sock
	redis-server --port 0 --unixsocket "$REDIS_SOCK" --unixsocketperm 700 \
		--save '' --appendonly "$aof" --appendfsync always \
		--dir "$JSV_TMP/redis" --daemonize no \
		--logfile "$JSV_TMP/redis.log" &
	REDIS_PID=$!
	wait_for "redis-server to answer on $REDIS_SOCK" redis_up
}

# stop_redis [SIGNAL]: default SIGKILL, the crash a daemon must survive.
stop_redis()
{
	local sig=${1:-KILL}
	[ -n "$REDIS_PID" ] || return 0
	kill -s "$sig" "$REDIS_PID" 2>/dev/null || true
	wait "$REDIS_PID" 2>/dev/null || true
	REDIS_PID=
}

# redis_pause MS: Redis runs no client's command for MS milliseconds.
redis_pause()
{
	redis_cli CLIENT PAUSE "$1" ALL >/dev/null
}

# redis_deny COMMAND...: the daemons' Redis user (default) gets NOPERM for
# these commands; redis_allow_all undoes it.
redis_deny()
{
	local c
	local -a rules=()
	for c in "$@"; do
		rules+=("-$c")
	done
	redis_cli ACL SETUSER default "${rules[@]}" >/dev/null
}

redis_allow_all()
{
	redis_cli ACL SETUSER default +@all >/dev/null
}

# redis_full on|off: maxmemory 1 byte (Redis refuses what may grow its
# memory with OOM), or no limit.
redis_full()
{
	local bytes=0
	[ "$1" = on ] && bytes=1
	redis_cli CONFIG SET maxmemory "$bytes" >/dev/null
}

# ----------------------------------------------------------- configuration

declare -a QUEUE_NAMES=()
declare -A QUEUE_CONF=()

# set_queue NAME HANDLER [KEY=VALUE...]: declares (or redefines) a job type
# for the daemons started from now on.  HANDLER is a file name in
# t/handlers/ or an absolute path.
set_queue()
{
	local name=$1 handler=$2 kv
	shift 2
	case $handler in
	/*) ;;
	*) handler=$JSV_TMP/h/$handler ;;
	esac
	local max_conc=0 retries=0 timeout=1h extra=
	for kv in "$@"; do
		case $kv in
		max_concurrency=*) max_conc=${kv#*=} ;;
		max_retries=*) retries=${kv#*=} ;;
		timeout=*) timeout=${kv#*=} ;;
		*) extra+="${kv%%=*} = ${kv#*=}"$'\n' ;;
		esac
	done
	[ -n "${QUEUE_CONF[$name]+x}" ] || QUEUE_NAMES+=("$name")
	QUEUE_CONF[$name]="[queue $name]
exec = $handler
max_concurrency = $max_conc
max_retries = $retries
timeout = $timeout
$extra"
}

# clear_queues: forget the default job types.
clear_queues()
{
	QUEUE_NAMES=()
	QUEUE_CONF=()
}

# write_conf FILE: the [jobsvcd] section from JSV_* and the declared queues.
write_conf()
{
	local q
	{
		cat <<EOF
# written by t/lib.sh for $TEST_NAME
[jobsvcd]
redis = ${JSV_REDIS_URL:-unix:${REDIS_VIA:-$REDIS_SOCK}}
namespace = test
workers = $JSV_WORKERS
log_dir = $JSV_TMP/logs
stop_grace = $JSV_STOP_GRACE
heartbeat = $JSV_HEARTBEAT
dead_timeout = $JSV_DEAD_TIMEOUT
admin_group = jobsvc-admin
EOF
		[ -z "${JSV_MAIN_EXTRA:-}" ] || printf '%s\n' "$JSV_MAIN_EXTRA"
		for q in "${QUEUE_NAMES[@]}"; do
			printf '\n%s\n' "${QUEUE_CONF[$q]}"
		done
	} >"$1"
}

# --------------------------------------------------------------- daemons

declare -A DPID=()   # name -> pid of a running daemon
declare -A DSOCK=()  # name -> control socket
declare -a DAEMON_PIDS=() # every daemon started, for the final sweep
CUR=
SOCK=

# jsvd_cmd ARGS...: the daemon command line, under valgrind if asked.
jsvd_cmd()
{
	if [ "$JSV_VALGRIND" = 1 ]; then
		printf '%s\n' valgrind -q --error-exitcode=99 --leak-check=full \
			"--log-file=$JSV_TMP/valgrind.%p.log" "$JSVD" "$@"
	else
		printf '%s\n' "$JSVD" "$@"
	fi
}

proc_alive()
{
	local st
	[ -r "/proc/$1/stat" ] || return 1
	{ read -r st <"/proc/$1/stat"; } 2>/dev/null || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

proc_gone()
{
	! proc_alive "$1"
}

# our_pid PID: PID is alive and is ours (its command line names our
# directory).  Pids are reused fast (pid_max may be 32768): never signal a
# pid we remember without this check.
# names_our_dir PID: the command line of process PID names our directory
# (bash builtins only: it runs for every process in kill_strays).
names_our_dir()
{
	local -a args
	{ mapfile -d '' -t args <"/proc/$1/cmdline"; } 2>/dev/null &&
		[[ "${args[*]}" == *"$JSV_TMP/"* ]]
}

our_pid()
{
	proc_alive "$1" && names_our_dir "$1"
}

daemon_answers()
{
	"$JSV_CTL" -s "$1" status >/dev/null 2>&1
}

# start_daemon [NAME]: writes $JSV_TMP/NAME.conf, starts jobsvcd -d on
# $JSV_TMP/NAME.sock (logging to $JSV_TMP/NAME.log) in its own session, and
# waits until `jobsvc-ctl status` answers.  NAME (default "a") becomes the
# current daemon that ctl talks to.  A daemon of that name must not be
# running; starting the same NAME again after kill_daemon reuses its socket
# path.
start_daemon()
{
	local name=${1:-a}
	[ -z "${DPID[$name]:-}" ] || fail "daemon $name is already running"
	local conf=$JSV_TMP/$name.conf sock=$JSV_TMP/$name.sock
	local dir=. arg
	local -a cmd
	if [ -n "${JSV_SOCKET_DIR:-}" ]; then
		dir=$JSV_SOCKET_DIR
		sock=$dir/control.sock
	fi
	arg=$sock
	[ "$dir" = . ] || arg=control.sock
	write_conf "$conf"
	mapfile -t cmd < <(jsvd_cmd -d -f "$conf" -s "$arg")
	echo "--- $(date '+%T.%N') start: ${cmd[*]}" >>"$JSV_TMP/$name.log"
	(cd "$dir" && exec setsid "${cmd[@]}") >>"$JSV_TMP/$name.log" 2>&1 &
	local pid=$!
	DPID[$name]=$pid
	DSOCK[$name]=$sock
	DAEMON_PIDS+=("$pid")
	local deadline
	deadline=$(($(now_us) + JSV_WAIT_MIN * JSV_SCALE * 1000000))
	until daemon_answers "$sock"; do
		if ! proc_alive "$pid"; then
			local rc=0
			wait "$pid" || rc=$?
			unset "DPID[$name]"
			fail "jobsvcd $name exited ($rc) while starting: $(tail -n 20 "$JSV_TMP/$name.log")"
		fi
		[ "$(now_us)" -lt "$deadline" ] ||
			fail "jobsvcd $name does not answer on $sock after $((JSV_WAIT_MIN * JSV_SCALE))s"
		sleep 0.05
	done
	use_daemon "$name"
}

# use_daemon NAME: ctl talks to that daemon from now on.
use_daemon()
{
	[ -n "${DSOCK[$1]:-}" ] || fail "no daemon named $1"
	CUR=$1
	SOCK=${DSOCK[$1]}
}

daemon_pid()
{
	echo "${DPID[${1:-$CUR}]}"
}

# kill_daemon NAME [SIGNAL]: sends SIGNAL (default KILL), waits for the
# process to end (bounded) and sets DAEMON_RC to its exit status.  Must run
# in the test's own shell (not in $(...)): only the parent can reap.
DAEMON_RC=
kill_daemon()
{
	local name=$1 sig=${2:-KILL}
	local pid=${DPID[$name]:-}
	[ -n "$pid" ] || fail "daemon $name is not running"
	if ! our_pid "$pid"; then
		DAEMON_RC=0
		{ wait "$pid"; } 2>/dev/null || DAEMON_RC=$?
		unset "DPID[$name]"
		fail "jobsvcd $name died before SIG$sig was sent (exit status $DAEMON_RC)"
	fi
	kill -s "$sig" "$pid" 2>/dev/null || true
	local deadline
	deadline=$(($(now_us) + JSV_WAIT_MIN * JSV_SCALE * 1000000))
	while our_pid "$pid"; do
		if [ "$(now_us)" -gt "$deadline" ]; then
			kill -s KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
			unset "DPID[$name]"
			fail "jobsvcd $name did not exit within $((JSV_WAIT_MIN * JSV_SCALE))s of SIG$sig"
		fi
		sleep 0.05
	done
	DAEMON_RC=0
	{ wait "$pid"; } 2>/dev/null || DAEMON_RC=$?
	unset "DPID[$name]"
	echo "--- $(date '+%T.%N') exited $DAEMON_RC after SIG$sig" \
		>>"$JSV_TMP/$name.log"
}

# stop_daemon NAME: SIGTERM; the daemon must exit 0 (ASan and valgrind
# report through the exit status).
stop_daemon()
{
	kill_daemon "$1" TERM
	[ "$DAEMON_RC" = 0 ] ||
		fail "jobsvcd $1 exited $DAEMON_RC after SIGTERM: $(tail -n 30 "$JSV_TMP/$1.log")$(valgrind_report)"
}

valgrind_report()
{
	local f
	for f in "$JSV_TMP"/valgrind.*.log; do
		[ -s "$f" ] || continue
		printf '\n--- %s\n' "$f"
		head -n 60 "$f"
	done
}

# ------------------------------------------------------------ fault proxy

declare -A PROXY_CTL=() # daemon name -> the control socket of its proxy

# start_daemon_proxied [NAME]: start_daemon NAME, with the daemon's Redis
# connections relayed by its own t/faultproxy.py (log: NAME.proxy.log).
start_daemon_proxied()
{
	local name=${1:-a}
	command -v python3 >/dev/null 2>&1 || skip "python3 is not installed"
	local lsock=$JSV_TMP/$name.rp.sock csock=$JSV_TMP/$name.rpc.sock
	rm -f "$csock"
	python3 "$abs_top_srcdir/t/faultproxy.py" serve "$lsock" \
		"$REDIS_SOCK" "$csock" 2>>"$JSV_TMP/$name.proxy.log" &
	disown $!
	PROXY_CTL[$name]=$csock
	# Python takes more than a minute to start on a badly loaded machine.
	wait_for -t 300 "the fault proxy of $name to listen" test -S "$csock"
	REDIS_VIA=$lsock start_daemon "$name"
}

# proxy NAME COMMAND...: a command to NAME's proxy; prints its answer.
proxy()
{
	local name=$1
	shift
	[ -n "${PROXY_CTL[$name]:-}" ] || fail "daemon $name has no proxy"
	python3 "$abs_top_srcdir/t/faultproxy.py" ctl "${PROXY_CTL[$name]}" "$@"
}

# proxy_rule NAME ACTION TIMES REGEX: adds a rule; prints its number.
proxy_rule()
{
	local n
	n=$(proxy "$1" add "$2" "$3" "$4") || fail "proxy $1: add $2 $3 $4: $n"
	echo "$n"
}

rule_fired()
{
	[ "$(proxy "$1" fired "$2")" -ge "${3:-1}" ]
}

# wait_fired NAME RULE [TIMES]: until the rule fired TIMES (default 1).
wait_fired()
{
	wait_for "rule $2 of the proxy of $1 to fire" rule_fired "$@"
}

# ----------------------------------------------------------------- jobsvc-ctl

: "${JSV_CTL_TIMEOUT:=$((30 * JSV_SCALE))}"

# ctl ARGS...: jobsvc-ctl on the current daemon's socket.
ctl()
{
	timeout -k 5 "$JSV_CTL_TIMEOUT" "$JSV_CTL" -s "$SOCK" "$@"
}

# nobody_can_reach: lets the user nobody reach the current daemon's socket
# and run a copy of jobsvc-ctl in $JSV_TMP/bin (the test runs as root):
# what a test of nobody checks is the daemon's SO_PEERCRED check, not file
# permissions.  Sets NOBODY_GROUP.  as_nobody ARGS...: that jobsvc-ctl as
# nobody on the current daemon's socket.
nobody_can_reach()
{
	NOBODY_GROUP=nogroup
	getent group nogroup >/dev/null || NOBODY_GROUP=nobody
	chmod 755 "$JSV_TMP"
	mkdir -p "$JSV_TMP/bin"
	cp "$JSV_CTL" "$JSV_TMP/bin/jobsvc-ctl"
	chmod 755 "$JSV_TMP/bin" "$JSV_TMP/bin/jobsvc-ctl"
	chmod 666 "$SOCK"
}

as_nobody()
{
	timeout -k 5 30 setpriv --reuid=nobody --regid="$NOBODY_GROUP" \
		--clear-groups "$JSV_TMP/bin/jobsvc-ctl" -s "$SOCK" "$@"
}

is_job_id()
{
	[[ $1 =~ ^[0-9a-f]{24}$ ]]
}

# submit TYPE [ARGS...]: submits one job and prints its id.
submit()
{
	local out
	out=$(ctl submit "$@") || fail "'jobsvc-ctl submit $*' failed"
	is_job_id "$out" ||
		fail "'jobsvc-ctl submit $*' should print a job id, printed '$out'"
	echo "$out"
}

# jq_str [JQ OPTIONS] FILTER: jq -r with null shown as "" and non-strings as JSON.
jq_str()
{
	local -a args=("$@")
	local filter=${args[-1]}
	unset 'args[-1]'
	jq -r "${args[@]}" \
		"$filter"' | if . == null then "" elif type == "string" then . else tojson end'
}

# job_field ID FIELD: one field of `jobsvc-ctl -j job show ID`.
job_field()
{
	local json
	json=$(ctl -j job show "$1") || return 1
	printf '%s\n' "$json" | jq_str --arg f "$2" '.[$f]'
}

job_status()
{
	job_field "$1" status
}

job_has_status()
{
	[ "$(job_status "$1")" = "$2" ]
}

# job_field_is ID FIELD VALUE
job_field_is()
{
	[ "$(job_field "$1" "$2")" = "$3" ]
}

# wait_status [-t SECONDS] ID STATUS
wait_status()
{
	local t=$JSV_WAIT_MIN
	if [ "$1" = -t ]; then
		t=$2
		shift 2
	fi
	wait_for -t "$t" "job $1 to be $2" job_has_status "$1" "$2"
}

# queue_field TYPE FIELD: from `jobsvc-ctl -j queues`.
queue_field()
{
	local json
	json=$(ctl -j queues) || return 1
	printf '%s\n' "$json" |
		jq_str --arg t "$1" --arg f "$2" '.[] | select(.job_type == $t) | .[$f]'
}

# pool_id [NAME]: the worker_pool_id of a running daemon, found by pid.
pool_id()
{
	local pid json
	pid=$(daemon_pid "${1:-$CUR}")
	json=$(ctl -j pools) || return 1
	printf '%s\n' "$json" |
		jq_str --arg pid "$pid" '.[] | select((.pid | tostring) == $pid) | .worker_pool_id'
}

# worker_of JOB_ID: the id of the worker running that job ("" if none).
worker_of()
{
	local json
	json=$(ctl -j workers all) || return 1
	printf '%s\n' "$json" |
		jq_str --arg j "$1" '[.[] | select(.job_id == $j) | .id] | first'
}

job_has_no_worker()
{
	[ -z "$(worker_of "$1")" ]
}

# runs ID [FILE]: how many runs of job ID the RECORD handler recorded in
# FILE (default $DATA/ran).
runs()
{
	grep -c "^$1 " "${2:-$DATA/ran}" 2>/dev/null || true
}

# pid_of ID [FILE]: the pid of the persistent handler (t/handlers/persist)
# that ran job ID, from its record in FILE (default $DATA/rec), one a run;
# nothing when none did.
pid_of()
{
	grep "^$1 " "${2:-$DATA/rec}" 2>/dev/null | awk '{ print $3 }'
}

# job_error_has ID TEXT: the job's error contains TEXT.
job_error_has()
{
	job_field "$1" error | grep -qF -- "$2"
}

# job_waits_unused ID: Pending with no attempt used, as a job is that a
# pool could not start.
job_waits_unused()
{
	job_has_status "$1" Pending && job_field_is "$1" attempts 0
}

busy_workers_are()
{
	[ "$(ctl -j status | jq .workers.busy)" = "$1" ]
}

# ------------------------------------------------------------------ cleanup

# Kills what a test may leave behind: every process in the session of a
# daemon we started (handlers and their children keep it, even once their
# daemon is gone) or whose command line names our directory.  A session
# whose leader is gone cannot have had its id reused while members remain;
# one whose leader is alive is ours only if the leader is our daemon.
#
# Bash builtins only, no process per process looked at: on a loaded machine
# with hundreds of processes, forks made this take minutes.
kill_strays()
{
	local -A sids=()
	local p f st pid sid
	for p in "${DAEMON_PIDS[@]}"; do
		if [ ! -e "/proc/$p" ] || our_pid "$p"; then
			sids[$p]=1
		fi
	done
	for f in /proc/[0-9]*/stat; do
		pid=${f#/proc/}
		pid=${pid%/stat}
		if [ "$pid" = $$ ] || [ "$pid" = "$BASHPID" ]; then
			continue
		fi
		{ read -r st <"$f"; } 2>/dev/null || continue
		st=${st##*) }
		# state ppid pgrp session
		read -r _ _ _ sid _ <<<"$st" || continue
		if [ -n "${sids[$sid]:-}" ] || names_our_dir "$pid"; then
			kill -s KILL "$pid" 2>/dev/null || true
		fi
	done
}

jsv_cleanup()
{
	local rc=$? name drc pid deadline f
	set +e
	trap - EXIT INT TERM HUP
	# Daemons stop gracefully: a non-zero exit (ASan, valgrind) fails a
	# test that passed so far.
	for name in "${!DPID[@]}"; do
		if our_pid "${DPID[$name]}"; then
			kill -s TERM "${DPID[$name]}" 2>/dev/null
		else
			drc=0
			{ wait "${DPID[$name]}"; } 2>/dev/null || drc=$?
			printf 'FAIL: %s: jobsvcd %s died during the test (exit status %s)\n' \
				"$TEST_NAME" "$name" "$drc" >&2
			[ "$rc" != 0 ] || rc=1
			unset "DPID[$name]"
		fi
	done
	for name in "${!DPID[@]}"; do
		# kill_daemon's fail() would exit from the trap: do it by hand.
		pid=${DPID[$name]}
		deadline=$(($(now_us) + JSV_WAIT_MIN * JSV_SCALE * 1000000))
		while our_pid "$pid" && [ "$(now_us)" -lt "$deadline" ]; do
			sleep 0.05
		done
		if our_pid "$pid"; then
			kill -s KILL "$pid" 2>/dev/null
			drc="still running $((JSV_WAIT_MIN * JSV_SCALE))s after SIGTERM"
		else
			drc=0
			{ wait "$pid"; } 2>/dev/null || drc=$?
		fi
		echo "--- $(date '+%T.%N') end of test: $drc" >>"$JSV_TMP/$name.log"
		if [ "$drc" != 0 ] && [ "$rc" = 0 ]; then
			printf 'FAIL: %s: jobsvcd %s exited %s on SIGTERM at the end of the test\n' \
				"$TEST_NAME" "$name" "$drc" >&2
			rc=1
		fi
		unset "DPID[$name]"
	done
	if [ "$rc" != 0 ] && [ "$rc" != 77 ] && [ -n "${JSV_TMP:-}" ]; then
		for f in "$JSV_TMP"/*.log; do
			[ -f "$f" ] || continue
			case $f in */valgrind.*) continue ;; esac
			printf '\n--- tail of %s\n' "$f" >&2
			tail -n 40 "$f" >&2
		done
		valgrind_report >&2
	fi
	stop_redis KILL
	[ -n "${JSV_TMP:-}" ] && kill_strays
	if [ -n "${JSV_TMP:-}" ]; then
		if [ "$JSV_KEEP" = 1 ]; then
			note "kept $JSV_TMP"
		else
			rm -rf "$JSV_TMP"
		fi
	fi
	exit "$rc"
}

# ------------------------------------------------------------------- setup

command -v redis-server >/dev/null 2>&1 || skip "redis-server is not installed"
for tool in redis-cli jq setsid timeout; do
	command -v "$tool" >/dev/null 2>&1 || fail "$tool is needed (apt-get install redis-tools jq util-linux coreutils)"
done
[ -x "$JSVD" ] || fail "no daemon at $JSVD (build first)"
[ -x "$JSV_CTL" ] || fail "no jobsvc-ctl at $JSV_CTL (build first)"
if [ "$JSV_VALGRIND" = 1 ]; then
	command -v valgrind >/dev/null 2>&1 || fail "JSV_VALGRIND=1 but valgrind is not installed"
fi

JSV_TMP=
trap jsv_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
# A short path: Unix socket paths are limited to 108 bytes.
JSV_TMP=$(mktemp -d /tmp/jsv-t.XXXXXX)
mkdir "$JSV_TMP/logs" "$JSV_TMP/redis" "$JSV_TMP/h" "$JSV_TMP/data"
cp "$abs_top_srcdir"/t/handlers/* "$JSV_TMP/h/"
chmod 755 "$JSV_TMP"/h/*
# A file handlers may write into: tests pass paths under it in parameters.
DATA=$JSV_TMP/data
chmod 777 "$DATA"

set_queue OK ok
set_queue FAIL fail
set_queue SLEEP sleep
set_queue CHECKIN checkin
set_queue SPAWNER spawner
set_queue RECORD record
set_queue ENV env
set_queue STUBBORN stubborn
set_queue EXCL excl max_concurrency=1
set_queue GATE gate

start_redis
