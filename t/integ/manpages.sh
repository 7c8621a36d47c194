#!/bin/bash
# SPDX-License-Identifier: ISC
#
# The manual pages: jobsvcd(8), jobsvcd.conf(5), jobsvc-ctl(8) and
# jobsvc-fcgi(8) exist, `mandoc -Tlint` has nothing to say about them, and
# each reference to a jobsvc page (.Xr) names one of them with its section.
# mandoc looks references up in the system's manual database, which may be
# missing or stale and does not hold these pages: "referenced manual not
# found" is left to the second check.  Skips (77) without mandoc.
set -eu

: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"

if ! command -v mandoc >/dev/null 2>&1; then
	echo "SKIP: mandoc is not installed (apt-get install mandoc)"
	exit 77
fi

pages=(daemon/jobsvcd.8 daemon/jobsvcd.conf.5 ctl/jobsvc-ctl.8
	fcgi/jobsvc-fcgi.8)
fail=0
for p in "${pages[@]}"; do
	[ -f "$abs_top_srcdir/$p" ] || {
		echo "FAIL: $p is missing"
		fail=1
	}
done
[ "$fail" = 0 ] || exit 1

# The names the pages may refer to, "name section".
known=()
for p in "${pages[@]}"; do
	f=${p##*/}
	known+=("${f%.*} ${f##*.}")
done

cd "$abs_top_srcdir"
out=$(mandoc -Tlint "${pages[@]}" 2>&1) || true
while IFS= read -r line; do
	case $line in
	'' | *'outdated mandoc.db'* | \
		*': STYLE: referenced manual not found: Xr '*) continue ;;
	esac
	echo "FAIL: $line"
	fail=1
done <<<"$out"

# Every ".Xr jobsvc... N" names a page of the set, whatever mandoc knew.
while IFS=: read -r file lineno xr; do
	read -r _ name section _ <<<"$xr"
	ok=0
	for k in "${known[@]}"; do
		[ "$k" != "$name $section" ] || ok=1
	done
	if [ "$ok" = 0 ]; then
		echo "FAIL: $file:$lineno: .Xr $name $section is not one of the pages"
		fail=1
	fi
done < <(grep -n -H '^\.Xr jobsvc' "${pages[@]}")

[ "$fail" = 1 ] || echo "ok: mandoc -Tlint ${pages[*]}"
exit "$fail"
