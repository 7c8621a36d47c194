# Integration tests of schedules and the job lifecycle (issue 3); the
# test driver settings are in t/local.mk.
JSV_LIFECYCLE_TESTS = \
	t/integ/schedule-basic.sh \
	t/integ/schedule-pause.sh \
	t/integ/schedule-no-pileup.sh \
	t/integ/schedule-exactly-once.sh \
	t/integ/delayed.sh \
	t/integ/retry-backoff.sh \
	t/integ/crash-loop.sh \
	t/integ/lost-run-retries.sh \
	t/integ/retention.sh \
	t/integ/long-running.sh \
	t/integ/unique-scheduled.sh \
	t/integ/redis-config-warning.sh \
	t/integ/reload-queues.sh

TESTS += $(JSV_LIFECYCLE_TESTS)
EXTRA_DIST += $(JSV_LIFECYCLE_TESTS) t/integ/lifecycle-lib.sh \
	t/handlers/stamp t/handlers/suicide
