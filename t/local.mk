# t/: integration tests (scripts driving real redis-server and jobsvcd).
#
# Every t/integ/*.sh is an integration test, found by that rule; the files
# the tests source sit in t/ (lib.sh, lifecycle-lib.sh, dash-lib.sh,
# units-lib.sh).  Each test starts its own redis-server and daemons on
# private sockets in a temporary directory (see t/lib.sh); it skips (77)
# when redis-server is not installed.  JSV_VALGRIND=1 in the environment
# runs the daemons under valgrind.  The dashboard tests (t/integ/dash-*.sh)
# run jobsvc-fcgi behind a private nginx (t/dash-lib.sh); the browser test
# (t/browser/) skips without chromium; packaging-deb.sh builds, lints,
# installs and runs the Debian packages as root and skips otherwise.
# t/bench/ is not part of `make check`.
#
# The list is made by GNU make (a define, added to TESTS by $(eval)), out of
# automake's sight: automake would take the words of the function calls for
# test names.
define JSV_INTEG_TESTS
$(patsubst $(abs_top_srcdir)/%,%,$(sort $(wildcard $(abs_top_srcdir)/t/integ/*.sh)))
endef
$(eval TESTS += $$(JSV_INTEG_TESTS))
JSV_BROWSER_TESTS = t/browser/dash-browser.sh t/browser/dash-a11y.sh \
	t/browser/dash-pages.sh \
	t/browser/dash-refresh.sh t/browser/dash-jobs.sh \
	t/browser/dash-csrf.sh

JSV_TEST_HANDLERS = \
	t/handlers/checkin \
	t/handlers/env \
	t/handlers/escape \
	t/handlers/excl \
	t/handlers/fail \
	t/handlers/flood \
	t/handlers/forkexit \
	t/handlers/gate \
	t/handlers/ok \
	t/handlers/persist \
	t/handlers/record \
	t/handlers/sleep \
	t/handlers/spawner \
	t/handlers/stamp \
	t/handlers/stubborn \
	t/handlers/suicide

TESTS += $(JSV_BROWSER_TESTS)
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = bash
# The check unit tests are about results, not speed: a loaded machine gets
# two minutes per test, not check's default of four seconds.
AM_TESTS_ENVIRONMENT = \
	abs_top_builddir='$(abs_top_builddir)'; \
	abs_top_srcdir='$(abs_top_srcdir)'; \
	CK_DEFAULT_TIMEOUT=120; \
	export abs_top_builddir abs_top_srcdir CK_DEFAULT_TIMEOUT;

EXTRA_DIST += $(JSV_INTEG_TESTS) $(JSV_BROWSER_TESTS) $(JSV_TEST_HANDLERS) \
	t/lib.sh t/lifecycle-lib.sh t/dash-lib.sh t/units-lib.sh \
	t/faultproxy.py t/peer.py t/dash-form.py t/run-tests \
	t/browser/cdp.py t/browser/dash-browser.py t/browser/screenshot.sh \
	t/browser/a11y.js t/browser/dashtest.py t/browser/dash-a11y.py \
	t/browser/dash-refresh.py t/browser/dash-pages.py \
	t/browser/dash-jobs.py t/browser/dash-csrf.py \
	t/bench/bench.sh t/bench/stamp.c t/bench/status-bench.sh \
	t/bench/stop-bench.sh t/bench/persist-bench.sh t/bench/persist-noop.c \
	t/bench/bench-lib.sh t/bench/peer-sidekiq.sh t/bench/profile.sh \
	t/bench/dash-bench.sh t/bench/types-bench.sh t/bench/fcgi-cpu.sh \
	packaging/screenshot.png \
	packaging/screenshot-jobs.png packaging/screenshot-audit.png

# The browser tests' screenshots of every page, light and dark.
clean-local: clean-screenshots
clean-screenshots:
	rm -rf t/browser/screenshots
.PHONY: clean-screenshots
