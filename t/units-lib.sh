# SPDX-License-Identifier: ISC
#
# t/units-lib.sh: sourced (bash) by the tests of the systemd units, from the
# source (t/integ/packaging-units.sh) and as the package installs them
# (t/integ/packaging-deb.sh).  Both set "fail" to 1 on a failure.

# verify_units MAN UNIT...: `systemd-analyze verify` accepts the units
# (paths, or names in the current directory) without a word, warnings
# included.  MAN is yes to also check that the man pages Documentation=
# names are installed.
verify_units()
{
	local man=$1 out
	shift
	out=$(systemd-analyze verify --man="$man" "$@" 2>&1) || {
		echo "FAIL: systemd-analyze verify exited $?"
		fail=1
	}
	if [ -n "$out" ]; then
		printf '%s\n' "$out"
		echo "FAIL: systemd-analyze verify complained"
		fail=1
	else
		echo "ok: systemd-analyze verify $*"
	fi
}

# check_exposure UNIT TENTHS: the exposure `systemd-analyze security` gives
# UNIT (a path or a name in the current directory) is TENTHS/10 or less
# (SPEC §8: jobsvcd.service <= 1.5, jobsvc-fcgi.service <= 0.5).
check_exposure()
{
	local unit=$1 target=$2 out level tenths

	out=$(systemd-analyze security --offline=yes --no-pager "$unit" 2>&1) || true
	level=$(printf '%s\n' "$out" |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9]*\.[0-9]\).*/\1/p')
	if [ -z "$level" ]; then
		printf '%s\n' "$out"
		echo "FAIL: $unit: no exposure level in the output"
		fail=1
		return
	fi
	tenths=$((${level%.*} * 10 + ${level#*.}))
	if [ "$tenths" -le "$target" ]; then
		echo "ok: $unit exposure $level (target <= $((target / 10)).$((target % 10)))"
	else
		printf '%s\n' "$out" | grep -v '^✓' || true
		echo "FAIL: $unit exposure $level, above $((target / 10)).$((target % 10))"
		fail=1
	fi
}
