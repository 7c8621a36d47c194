# daemon/: jobsvcd.  Everything but main() is in libjobsvcd.a for the tests.
noinst_LIBRARIES += daemon/libjobsvcd.a
daemon_libjobsvcd_a_SOURCES = daemon/jobsvcd.h \
	daemon/config.c daemon/control.c daemon/job.c daemon/pool.c \
	daemon/queue.c daemon/redis.c daemon/scripts.c daemon/worker.c
daemon_libjobsvcd_a_CFLAGS = $(AM_CFLAGS) $(HIREDIS_CFLAGS) $(JSONC_CFLAGS) \
	$(SYSTEMD_CFLAGS)

JSVD_LIBS = daemon/libjobsvcd.a lib/libjsv.a $(HIREDIS_LIBS) $(JSONC_LIBS) \
	$(SYSTEMD_LIBS)

sbin_PROGRAMS += daemon/jobsvcd
daemon_jobsvcd_SOURCES = daemon/jobsvcd.c
daemon_jobsvcd_CFLAGS = $(daemon_libjobsvcd_a_CFLAGS)
daemon_jobsvcd_LDADD = $(JSVD_LIBS)

check_PROGRAMS += t/check_config
TESTS += t/check_config
t_check_config_SOURCES = t/check_config.c
t_check_config_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_config_LDADD = $(JSVD_LIBS) $(CHECK_LIBS)

dist_man5_MANS += daemon/jobsvcd.conf.5
EXTRA_DIST += packaging/jobsvcd.conf packaging/demo packaging/handlers/demo
dist_man8_MANS += daemon/jobsvcd.8
