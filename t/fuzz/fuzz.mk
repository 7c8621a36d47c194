# Fuzz targets for the daemon's parsers (config, cron), following lib/local.mk.
check_PROGRAMS += t/fuzz/replay_cron t/fuzz/replay_config
TESTS += t/fuzz/replay_cron t/fuzz/replay_config

t_fuzz_replay_cron_SOURCES = t/fuzz/replay.c t/fuzz/fuzz_cron.c
t_fuzz_replay_cron_CPPFLAGS = $(JSVD_CPPFLAGS) \
	-DJSV_CORPUS_DIR='"$(abs_top_srcdir)/t/fuzz/corpus/cron"'
t_fuzz_replay_cron_LDADD = daemon/libcron.a lib/libjsv.a
EXTRA_DIST += t/fuzz/corpus/cron

t_fuzz_replay_config_SOURCES = t/fuzz/replay.c t/fuzz/fuzz_config.c
t_fuzz_replay_config_CPPFLAGS = $(JSVD_CPPFLAGS) \
	-DJSV_CORPUS_DIR='"$(abs_top_srcdir)/t/fuzz/corpus/config"'
t_fuzz_replay_config_LDADD = $(JSVD_LIBS)
EXTRA_DIST += t/fuzz/corpus/config

fuzz: t/fuzz/fuzz_cron t/fuzz/fuzz_config

t/fuzz/fuzz_cron: t/fuzz/fuzz_cron.c daemon/cron.h daemon/cron.c lib/jsv.h \
		lib/log.c lib/util.c
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MKDIR_P) t/fuzz && \
		echo "  FUZZCC   $@" && \
		$(FUZZ_COMPILE) -I$(srcdir)/daemon -o $@ $(srcdir)/t/fuzz/fuzz_cron.c \
			$(srcdir)/daemon/cron.c $(srcdir)/lib/log.c \
			$(srcdir)/lib/util.c && \
		echo "run: $@ -max_len=256 NEW_CORPUS_DIR $(srcdir)/t/fuzz/corpus/cron"; \
	else \
		echo "$(FUZZ_CC) not found: not building $@ (apt-get install clang)"; \
	fi

t/fuzz/fuzz_config: t/fuzz/fuzz_config.c daemon/jobsvcd.h daemon/config.c \
		daemon/config_values.h daemon/config_values.c \
		lib/jsv.h lib/log.c lib/util.c
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MKDIR_P) t/fuzz && \
		echo "  FUZZCC   $@" && \
		$(FUZZ_COMPILE) -I$(srcdir)/daemon -o $@ \
			$(srcdir)/t/fuzz/fuzz_config.c \
			$(srcdir)/daemon/config.c \
			$(srcdir)/daemon/config_values.c $(srcdir)/lib/log.c \
			$(srcdir)/lib/util.c && \
		echo "run: $@ -max_len=8192 NEW_CORPUS_DIR $(srcdir)/t/fuzz/corpus/config"; \
	else \
		echo "$(FUZZ_CC) not found: not building $@ (apt-get install clang)"; \
	fi
CLEANFILES += t/fuzz/fuzz_cron t/fuzz/fuzz_config

# The control dispatch (daemon/control.c) with the daemon's library, without
# main() (t/stub_jsvd.c) and without Redis.
check_PROGRAMS += t/fuzz/replay_control
TESTS += t/fuzz/replay_control
t_fuzz_replay_control_SOURCES = t/fuzz/replay.c t/fuzz/fuzz_control.c \
	t/stub_jsvd.c
t_fuzz_replay_control_CPPFLAGS = $(JSVD_CPPFLAGS) \
	-DJSV_CORPUS_DIR='"$(abs_top_srcdir)/t/fuzz/corpus/control"'
t_fuzz_replay_control_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
t_fuzz_replay_control_LDADD = $(JSVD_LIBS)
EXTRA_DIST += t/fuzz/corpus/control

fuzz: t/fuzz/fuzz_control

# The whole daemon library is compiled into the target, for coverage.
FUZZ_CONTROL_SRCS = t/fuzz/fuzz_control.c t/stub_jsvd.c \
	$(daemon_libjobsvcd_a_SOURCES) $(lib_libjsv_a_SOURCES)
t/fuzz/fuzz_control: $(FUZZ_CONTROL_SRCS) daemon/scripts.c
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MKDIR_P) t/fuzz && \
		echo "  FUZZCC   $@" && \
		srcs= && for f in $(FUZZ_CONTROL_SRCS); do \
			case $$f in *.c) srcs="$$srcs $(srcdir)/$$f" ;; esac; \
		done && \
		$(FUZZ_COMPILE) -I$(srcdir)/daemon $(HIREDIS_CFLAGS) \
			$(JSONC_CFLAGS) $(SYSTEMD_CFLAGS) -o $@ $$srcs \
			daemon/scripts.c \
			$(HIREDIS_LIBS) $(JSONC_LIBS) $(SYSTEMD_LIBS) && \
		echo "run: $@ -max_len=4096 NEW_CORPUS_DIR $(srcdir)/t/fuzz/corpus/control"; \
	else \
		echo "$(FUZZ_CC) not found: not building $@ (apt-get install clang)"; \
	fi
CLEANFILES += t/fuzz/fuzz_control
