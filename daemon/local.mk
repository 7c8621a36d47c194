# daemon/: jobsvcd.  Everything but main() is in libjobsvcd.a for the tests.
noinst_LIBRARIES += daemon/libjobsvcd.a
daemon_libjobsvcd_a_SOURCES = daemon/jobsvcd.h \
	daemon/config.c daemon/config_values.c daemon/config_values.h \
	daemon/contain.c daemon/job.c daemon/joblist.c daemon/pool.c \
	daemon/queue.c daemon/redis.c daemon/sched.c \
	daemon/supervise.c daemon/supervise.h daemon/worker.h \
	daemon/worker.c daemon/worker_checkin.c daemon/worker_spawn.c \
	daemon/persist.h daemon/persist.c \
	daemon/audit.c daemon/control.h daemon/control.c \
	daemon/control_audit.c daemon/control_job.c \
	daemon/control_jobs.c \
	daemon/control_queue.c daemon/control_schedule.c \
	daemon/control_status.c daemon/control_worker.c
nodist_daemon_libjobsvcd_a_SOURCES = daemon/scripts.c
JSVD_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/daemon
daemon_libjobsvcd_a_CPPFLAGS = $(JSVD_CPPFLAGS)

# The Lua scripts, each with the prelude, as C strings in script_src[].
JSVD_LUA = daemon/lua/audit.lua daemon/lua/checkin.lua daemon/lua/claim.lua \
	daemon/lua/exec_show.lua daemon/lua/index_fill.lua \
	daemon/lua/job_list.lua \
	daemon/lua/finish.lua daemon/lua/handback.lua daemon/lua/heartbeat.lua \
	daemon/lua/job_stop.lua \
	daemon/lua/pool_leave.lua daemon/lua/pool_register.lua \
	daemon/lua/promote.lua daemon/lua/purge.lua \
	daemon/lua/queue_list.lua daemon/lua/sched_add.lua \
	daemon/lua/sched_del.lua daemon/lua/sched_fire.lua \
	daemon/lua/sched_page.lua \
	daemon/lua/stop_batch.lua daemon/lua/stop_begin.lua \
	daemon/lua/submit.lua daemon/lua/worker_jobs.lua
daemon/scripts.c: daemon/lua/embed.sh daemon/lua/prelude.lua $(JSVD_LUA)
	$(AM_V_GEN)$(MKDIR_P) daemon && \
	files= && for f in $(JSVD_LUA); do files="$$files $(srcdir)/$$f"; done && \
	$(SHELL) $(srcdir)/daemon/lua/embed.sh \
		$(srcdir)/daemon/lua/prelude.lua $$files >$@.tmp && mv $@.tmp $@
BUILT_SOURCES = daemon/scripts.c
CLEANFILES += daemon/scripts.c
EXTRA_DIST += daemon/lua/embed.sh daemon/lua/prelude.lua $(JSVD_LUA)
daemon_libjobsvcd_a_CFLAGS = $(AM_CFLAGS) $(HIREDIS_CFLAGS) $(JSONC_CFLAGS) \
	$(SYSTEMD_CFLAGS)

JSVD_LIBS = daemon/libjobsvcd.a lib/libjsv.a $(HIREDIS_LIBS) $(JSONC_LIBS) \
	$(SYSTEMD_LIBS)

sbin_PROGRAMS += daemon/jobsvcd
daemon_jobsvcd_SOURCES = daemon/jobsvcd.c
daemon_jobsvcd_CPPFLAGS = $(JSVD_CPPFLAGS)
daemon_jobsvcd_CFLAGS = $(daemon_libjobsvcd_a_CFLAGS)
daemon_jobsvcd_LDADD = $(JSVD_LIBS)

check_PROGRAMS += t/check_config
TESTS += t/check_config
t_check_config_SOURCES = t/check_config.c
t_check_config_CPPFLAGS = $(JSVD_CPPFLAGS)
t_check_config_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_config_LDADD = $(JSVD_LIBS) $(CHECK_LIBS)

# The control dispatch, linked without main(): t/stub_jsvd.c stands in.
check_PROGRAMS += t/check_control
TESTS += t/check_control
t_check_control_SOURCES = t/check_control.c t/stub_jsvd.c
t_check_control_CPPFLAGS = $(JSVD_CPPFLAGS)
t_check_control_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_control_LDADD = $(JSVD_LIBS) $(CHECK_LIBS)

dist_man5_MANS += daemon/jobsvcd.conf.5
EXTRA_DIST += packaging/jobsvcd.conf packaging/demo packaging/handlers/demo
dist_man8_MANS += daemon/jobsvcd.8
