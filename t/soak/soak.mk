# The soak test (t/soak/): faults against several daemons while thousands of
# jobs run; t/soak/soak.py says what it checks.  `make check` runs a small
# one; `make soak` a larger one (SOAK_JOBS, SOAK_SECS, SOAK_SEED and the
# other SOAK_* knobs of soak.py pass through the environment).
TESTS += t/soak/soak.sh
EXTRA_DIST += t/soak/soak.sh t/soak/soak.py t/soak/handler

soak: all
	SOAK_JOBS=$${SOAK_JOBS:-10000} SOAK_SECS=$${SOAK_SECS:-600} \
	abs_top_builddir='$(abs_top_builddir)' \
	abs_top_srcdir='$(abs_top_srcdir)' \
	python3 '$(abs_top_srcdir)/t/soak/soak.py'
.PHONY: soak
