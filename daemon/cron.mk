# daemon/cron.c: the cron expression parser, and its unit tests.
# cron.c also goes into libjobsvcd.a for the scheduler; libcron.a lets the
# unit tests and the fuzz replay link it without Redis, json-c or systemd.
noinst_LIBRARIES += daemon/libcron.a
daemon_libcron_a_SOURCES = daemon/cron.c daemon/cron.h
daemon_libcron_a_CPPFLAGS = $(JSVD_CPPFLAGS)
daemon_libjobsvcd_a_SOURCES += daemon/cron.c daemon/cron.h

check_PROGRAMS += t/check_cron
TESTS += t/check_cron
t_check_cron_SOURCES = t/check_cron.c
t_check_cron_CPPFLAGS = $(JSVD_CPPFLAGS)
t_check_cron_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
t_check_cron_LDADD = daemon/libcron.a lib/libjsv.a $(CHECK_LIBS)
