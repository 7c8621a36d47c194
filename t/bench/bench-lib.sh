# SPDX-License-Identifier: ISC
#
# t/bench/bench-lib.sh: helpers the benchmarks share, sourced after
# t/lib.sh.

# ctl_ms N CMD...: runs `jobsvc-ctl -j CMD...` N times and prints the p50
# and p99 of its answer time in ms (jobsvc-ctl's start-up included),
# tab-separated.
ctl_ms()
{
	local n=$1 i s e
	shift
	: >"$JSV_TMP/ms"
	for ((i = 0; i < n; i++)); do
		s=$(now_us)
		ctl -j "$@" >/dev/null
		e=$(now_us)
		echo "$(((e - s) / 1000)).$((((e - s) % 1000) / 100))" >>"$JSV_TMP/ms"
	done
	python3 - "$JSV_TMP/ms" <<'PY'
import sys
ms = sorted(float(l) for l in open(sys.argv[1]) if l.strip())
p = lambda q: ms[min(len(ms) - 1, int(q * len(ms)))]
print("%.1f\t%.1f" % (p(0.50), p(0.99)))
PY
}
