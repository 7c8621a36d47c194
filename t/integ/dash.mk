# Integration tests of the dashboard (jobsvc-fcgi behind a private nginx,
# see t/dash-lib.sh) and its headless browser test (t/browser/, skipped
# without chromium); the test driver settings are in t/local.mk.
# t/bench/dash-bench.sh is not part of `make check`.
JSV_DASH_TESTS = \
	t/integ/dash-pages.sh \
	t/integ/dash-actions.sh \
	t/integ/dash-authz.sh \
	t/integ/dash-prefix.sh \
	t/integ/dash-latency.sh \
	t/integ/dash-api.sh \
	t/integ/dash-abuse.sh \
	t/integ/dash-stall.sh \
	t/browser/dash-browser.sh

TESTS += $(JSV_DASH_TESTS)
EXTRA_DIST += $(JSV_DASH_TESTS) t/dash-lib.sh t/dash-form.py \
	t/browser/cdp.py t/browser/dash-browser.py t/browser/screenshot.sh \
	t/bench/dash-bench.sh packaging/screenshot.png
