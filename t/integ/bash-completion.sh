#!/bin/bash
# SPDX-License-Identifier: ISC
#
# packaging/bash-completion/jobsvc-ctl, loaded as bash-completion loads it:
# commands and keywords complete from the file, job types, schedule IDs,
# worker IDs and running jobs' IDs from the daemon named by -s.  Skips (77)
# without the bash-completion package.
set -eu
. "${0%/*}/../lib.sh"

bc=/usr/share/bash-completion/bash_completion
[ -r "$bc" ] || skip "bash-completion is not installed (apt-get install bash-completion)"

start_daemon
sched=$(ctl schedule add OK '0 0 3 * * *')
job=$(submit SLEEP --param seconds=60)
wait_status "$job" Running
worker=$(worker_of "$job")

# completions LINE: the words bash would offer at the end of LINE, sorted,
# on one line.
completions()
{
	PATH=${JSV_CTL%/*}:$PATH bash -c '
		. "$1"
		. "$2/packaging/bash-completion/jobsvc-ctl"
		read -r -a COMP_WORDS <<<"$3"
		case $3 in *" ") COMP_WORDS+=("") ;; esac
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE=$3
		COMP_POINT=${#3}
		_jobsvc_ctl jobsvc-ctl
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort | tr "\n" " "
	' completion "$bc" "$abs_top_srcdir" "$1" 2>&1 | sed 's/ $//'
}

# expect LINE WORDS: bash offers exactly WORDS at the end of LINE.
expect()
{
	assert_eq "completions of '$1'" "$2" "$(completions "$1")"
}

types=$(printf '%s\n' "${QUEUE_NAMES[@]}" | LC_ALL=C sort | tr '\n' ' ')
types=${types% }

expect "jobsvc-ctl " "audit execution job jobs pools queue queues schedule schedules status submit worker workers"
expect "jobsvc-ctl qu" "queue queues"
expect "jobsvc-ctl -" "-j -s"
expect "jobsvc-ctl -j queue " "pause resume stop"
expect "jobsvc-ctl -s $SOCK queue pause " "$types all"
expect "jobsvc-ctl -s $SOCK queue pause S" "SLEEP SPAWNER STUBBORN"
expect "jobsvc-ctl -s $SOCK submit E" "ENV EXCL"
expect "jobsvc-ctl -s $SOCK submit OK --u" "--unique"
expect "jobsvc-ctl -s $SOCK schedule del " "$sched"
expect "jobsvc-ctl -s $SOCK schedule add O" "OK"
expect "jobsvc-ctl -s $SOCK worker free $worker" "$worker"
expect "jobsvc-ctl -s $SOCK job stop " "$job"
expect "jobsvc-ctl -s $SOCK job log $job " "-f"
expect "jobsvc-ctl -s $SOCK schedules " "--page --page-size pause resume"
expect "jobsvc-ctl -s $SOCK execution show ex-1 " "--page --page-size"
expect "jobsvc-ctl -s $SOCK execution show ex-1 --page 2 --page-" "--page-size"
expect "jobsvc-ctl -s $SOCK audit " "--page --page-size"
expect "jobsvc-ctl -s $SOCK audit --page 2 " "--page --page-size"
expect "jobsvc-ctl -s $SOCK jobs " "--page --page-size --status --type"
expect "jobsvc-ctl -s $SOCK jobs --status E" "Error"
expect "jobsvc-ctl -s $SOCK jobs --status Error --type S" "SLEEP SPAWNER STUBBORN"
expect "jobsvc-ctl -s $SOCK jobs --page 2 " "--page --page-size --status --type"
# Without a daemon: the keywords still, no types.
expect "jobsvc-ctl -s $JSV_TMP/none.sock queue pause " "all"
pass
