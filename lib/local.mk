# lib/: code shared by jobsvcd, jobsvc-ctl and jobsvc-fcgi, and its tests.
noinst_LIBRARIES += lib/libjsv.a
lib_libjsv_a_SOURCES = lib/jsv.h lib/proto.h \
	lib/catalog.h lib/commands.def lib/call.h \
	lib/log.c lib/util.c lib/proto.c lib/client.c lib/catalog.c lib/call.c
lib_libjsv_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)

check_PROGRAMS += t/check_lib
TESTS += t/check_lib
t_check_lib_SOURCES = t/check_lib.c
t_check_lib_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_lib_LDADD = lib/libjsv.a $(JSONC_LIBS) $(CHECK_LIBS)

check_PROGRAMS += t/check_catalog
TESTS += t/check_catalog
t_check_catalog_SOURCES = t/check_catalog.c
t_check_catalog_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_catalog_LDADD = lib/libjsv.a $(JSONC_LIBS) $(CHECK_LIBS)

# Fuzz targets and their corpora.  In `make check` each target is linked with
# t/fuzz/replay.c, which replays the corpus named by JSV_CORPUS_DIR (or the
# directories given as arguments); `make fuzz` builds the real libFuzzer
# binaries with clang.  Another target follows the same two steps: a
# t/fuzz/replay_NAME check program, and t/fuzz/fuzz_NAME added to fuzz.
check_PROGRAMS += t/fuzz/replay_proto
TESTS += t/fuzz/replay_proto
t_fuzz_replay_proto_SOURCES = t/fuzz/replay.c t/fuzz/fuzz_proto.c
t_fuzz_replay_proto_CPPFLAGS = $(AM_CPPFLAGS) \
	-DJSV_CORPUS_DIR='"$(abs_top_srcdir)/t/fuzz/corpus/proto"'
t_fuzz_replay_proto_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
t_fuzz_replay_proto_LDADD = lib/libjsv.a $(JSONC_LIBS)
EXTRA_DIST += t/fuzz/corpus/proto

FUZZ_CC = clang
FUZZ_CFLAGS = -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined
FUZZ_COMPILE = $(FUZZ_CC) $(FUZZ_CFLAGS) $(DEFS) $(DEFAULT_INCLUDES) \
	$(AM_CPPFLAGS) $(CPPFLAGS)

.PHONY: fuzz
fuzz: t/fuzz/fuzz_proto

# The library is compiled into the target, instrumented for coverage.
t/fuzz/fuzz_proto: t/fuzz/fuzz_proto.c lib/jsv.h lib/proto.h lib/log.c \
		lib/util.c lib/proto.c
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MKDIR_P) t/fuzz && \
		echo "  FUZZCC   $@" && \
		$(FUZZ_COMPILE) $(JSONC_CFLAGS) -o $@ \
			$(srcdir)/t/fuzz/fuzz_proto.c $(srcdir)/lib/log.c \
			$(srcdir)/lib/util.c $(srcdir)/lib/proto.c \
			$(JSONC_LIBS) && \
		echo "run: $@ -max_len=4096 NEW_CORPUS_DIR $(srcdir)/t/fuzz/corpus/proto"; \
	else \
		echo "$(FUZZ_CC) not found: not building $@ (apt-get install clang)"; \
	fi
CLEANFILES += t/fuzz/fuzz_proto
