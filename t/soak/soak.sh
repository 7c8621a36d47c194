#!/bin/bash
# SPDX-License-Identifier: ISC
#
# t/soak/soak.sh: the soak test as `make check` runs it, small enough for
# a busy 2-core machine (SOAK_JOBS=1500 jobs, a 40 s nemesis).  `make soak`
# runs a larger one; t/soak/soak.py says what it checks and its knobs.
set -eu
command -v python3 >/dev/null 2>&1 || {
	echo "SKIP: soak: python3 is not installed" >&2
	exit 77
}
: "${abs_top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${SOAK_JOBS:=1500}"
: "${SOAK_SECS:=40}"
# As t/lib.sh: the seed and the problems are in the log; SOAK_KEEP=1 keeps
# the directory (ledger, daemon logs, Redis AOF).
: "${SOAK_KEEP:=0}"
export SOAK_JOBS SOAK_SECS SOAK_KEEP
exec python3 "$abs_top_srcdir/t/soak/soak.py"
