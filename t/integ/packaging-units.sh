#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The systemd units: `systemd-analyze verify` accepts them, and the exposure
# `systemd-analyze security` gives them stays within SPEC §8 (jobsvcd.service
# <= 1.5, jobsvc-fcgi.service <= 0.5).  The units are made from their
# templates with the programs pointed at this build (a stand-in script where
# a program is not built yet: verify only checks that it is executable).
# Skips (77) when systemd-analyze is not installed.
set -eu

: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${abs_top_builddir:=$abs_top_srcdir}"

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze is not installed (apt-get install systemd)"
	exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/jsv-units.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/sbin" "$tmp/units"

for prog in daemon/jobsvcd fcgi/jobsvc-fcgi; do
	if [ -x "$abs_top_builddir/$prog" ]; then
		ln -s "$abs_top_builddir/$prog" "$tmp/sbin/${prog#*/}"
	else
		echo "note: $prog is not built, verifying with a stand-in"
		printf '#!/bin/sh\nexit 1\n' >"$tmp/sbin/${prog#*/}"
		chmod 755 "$tmp/sbin/${prog#*/}"
	fi
done

units=(jobsvcd.socket jobsvcd.service jobsvc-fcgi.socket jobsvc-fcgi.service)
for u in "${units[@]}"; do
	sed -e "s|@sbindir@|$tmp/sbin|g" -e "s|@runstatedir@|/run|g" \
		"$abs_top_srcdir/packaging/systemd/$u.in" >"$tmp/units/$u"
	if grep -n '@[a-z]*@' "$tmp/units/$u"; then
		echo "FAIL: $u: unsubstituted template variable"
		exit 1
	fi
done

fail=0
. "$abs_top_srcdir/t/units-lib.sh"

# The man pages named by Documentation= are not installed here: --man=no.
cd "$tmp/units"
verify_units no "${units[@]}"
check_exposure jobsvcd.service 15
check_exposure jobsvc-fcgi.service 5

exit $fail
