# t/: integration tests (scripts driving real redis-server and jobsvcd).
#
# Each t/integ/*.sh starts its own redis-server and daemons on private
# sockets in a temporary directory (see t/lib.sh); it skips (77) when
# redis-server is not installed.  JSV_VALGRIND=1 in the environment runs
# the daemons under valgrind.  t/bench/bench.sh is not part of `make check`.
JSV_INTEG_TESTS = \
	t/integ/submit-success.sh \
	t/integ/job-error.sh \
	t/integ/retry-timeout.sh \
	t/integ/job-log.sh \
	t/integ/checkin.sh \
	t/integ/queue-pause.sh \
	t/integ/queue-stop.sh \
	t/integ/queue-stop-waiting.sh \
	t/integ/queue-stop-large.sh \
	t/integ/job-stop.sh \
	t/integ/worker-free.sh \
	t/integ/max-concurrency.sh \
	t/integ/fairness.sh \
	t/integ/unknown-type.sh \
	t/integ/unique.sh \
	t/integ/unique-retry.sh \
	t/integ/execution.sh \
	t/integ/submit-from.sh \
	t/integ/dead-pool.sh \
	t/integ/dead-pool-restart.sh \
	t/integ/graceful-stop.sh \
	t/integ/protocol-abuse.sh \
	t/integ/non-admin.sh \
	t/integ/redis-down.sh \
	t/integ/lost-reply.sh \
	t/integ/finish-error.sh \
	t/integ/heartbeat-oom.sh \
	t/integ/config-check.sh \
	t/integ/reload.sh \
	t/integ/socket-in-use.sh \
	t/integ/contain.sh \
	t/integ/checkin-abuse.sh \
	t/integ/drain-redis-down.sh \
	t/integ/spawn-failure.sh \
	t/integ/peer-vanish.sh \
	t/integ/conn-limits.sh \
	t/integ/redis-password.sh \
	t/integ/execution-large.sh \
	t/integ/pool-identity.sh \
	t/integ/many-types.sh

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
	t/handlers/record \
	t/handlers/sleep \
	t/handlers/spawner \
	t/handlers/stubborn

TESTS += $(JSV_INTEG_TESTS)
TEST_EXTENSIONS = .sh
SH_LOG_COMPILER = bash
AM_TESTS_ENVIRONMENT = \
	abs_top_builddir='$(abs_top_builddir)'; \
	abs_top_srcdir='$(abs_top_srcdir)'; \
	export abs_top_builddir abs_top_srcdir;

EXTRA_DIST += $(JSV_INTEG_TESTS) $(JSV_TEST_HANDLERS) \
	t/lib.sh t/faultproxy.py t/peer.py t/run-tests t/bench/bench.sh \
	t/bench/stamp.c t/bench/stop-bench.sh t/bench/types-bench.sh
