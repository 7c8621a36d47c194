# The benchmarks (t/bench/), never part of `make check`: they measure and
# assert nothing.  `make bench` runs them all in one sitting from the build
# tree (t/bench/all.sh, whose BENCH_* sizes pass through the environment)
# and prints one table of the figures, their targets and verdicts.
EXTRA_DIST += t/bench/all.sh

bench: all
	abs_top_builddir='$(abs_top_builddir)' \
	abs_top_srcdir='$(abs_top_srcdir)' \
	bash '$(abs_top_srcdir)/t/bench/all.sh'
.PHONY: bench
