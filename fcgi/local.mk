# fcgi/: jobsvc-fcgi, the dashboard and JSON API behind nginx.  Everything
# but main() is in libfcgiapp.a for the tests; the templates and static
# files of html/ are compiled in as fcgi/templates.c.
noinst_LIBRARIES += fcgi/libfcgiapp.a
FCGI_APP_SRC = fcgi/request.c fcgi/route.c fcgi/call.c fcgi/fields.c \
	fcgi/page.c fcgi/page_more.c fcgi/page_jobs.c fcgi/pager.c \
	fcgi/action.c fcgi/static.c fcgi/api.c fcgi/render.c \
	fcgi/config.c fcgi/hmac.c
fcgi_libfcgiapp_a_SOURCES = fcgi/fcgi.h $(FCGI_APP_SRC)
nodist_fcgi_libfcgiapp_a_SOURCES = fcgi/templates.c
FCGI_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/fcgi
fcgi_libfcgiapp_a_CPPFLAGS = $(FCGI_CPPFLAGS)
fcgi_libfcgiapp_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)

FCGI_HTML = html/layout.html html/cards.html html/queues.html \
	html/schedules.html html/workers.html html/job.html \
	html/jobs.html html/confirm.html html/error.html html/pager.html \
	html/audit.html html/execution.html html/style.css html/dashboard.js
fcgi/templates.c: fcgi/embed.sh $(FCGI_HTML)
	$(AM_V_GEN)$(MKDIR_P) fcgi && \
	files= && for f in $(FCGI_HTML); do files="$$files $(srcdir)/$$f"; done && \
	$(SHELL) $(srcdir)/fcgi/embed.sh $$files >$@.tmp && mv $@.tmp $@
BUILT_SOURCES += fcgi/templates.c
CLEANFILES += fcgi/templates.c
EXTRA_DIST += fcgi/embed.sh $(FCGI_HTML)

FCGI_APP_LIBS = fcgi/libfcgiapp.a lib/libjsv.a $(JSONC_LIBS)

sbin_PROGRAMS += fcgi/jobsvc-fcgi
fcgi_jobsvc_fcgi_SOURCES = fcgi/jobsvc-fcgi.c
fcgi_jobsvc_fcgi_CPPFLAGS = $(FCGI_CPPFLAGS)
fcgi_jobsvc_fcgi_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
fcgi_jobsvc_fcgi_LDADD = $(FCGI_APP_LIBS) $(FCGI_LIBS)
dist_man8_MANS += fcgi/jobsvc-fcgi.8

check_PROGRAMS += t/check_fcgi
TESTS += t/check_fcgi
t_check_fcgi_SOURCES = t/check_fcgi.c
t_check_fcgi_CPPFLAGS = $(FCGI_CPPFLAGS)
t_check_fcgi_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_fcgi_LDADD = $(FCGI_APP_LIBS) $(CHECK_LIBS)

# The form, query and cookie decoders and the escaper, fuzzed as in
# lib/local.mk: replayed over the corpus in `make check`, built for
# libFuzzer by `make fuzz`.
check_PROGRAMS += t/fuzz/replay_form
TESTS += t/fuzz/replay_form
t_fuzz_replay_form_SOURCES = t/fuzz/replay.c t/fuzz/fuzz_form.c
t_fuzz_replay_form_CPPFLAGS = $(FCGI_CPPFLAGS) \
	-DJSV_CORPUS_DIR='"$(abs_top_srcdir)/t/fuzz/corpus/form"'
t_fuzz_replay_form_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
t_fuzz_replay_form_LDADD = $(FCGI_APP_LIBS)
EXTRA_DIST += t/fuzz/corpus/form

fuzz: t/fuzz/fuzz_form

t/fuzz/fuzz_form: t/fuzz/fuzz_form.c fcgi/fcgi.h $(FCGI_APP_SRC) \
		fcgi/templates.c lib/jsv.h lib/proto.h lib/call.h lib/catalog.h \
		lib/commands.def lib/log.c lib/util.c lib/proto.c lib/client.c \
		lib/catalog.c lib/call.c
	@if command -v $(FUZZ_CC) >/dev/null 2>&1; then \
		$(MKDIR_P) t/fuzz && \
		echo "  FUZZCC   $@" && \
		$(FUZZ_COMPILE) -I$(srcdir)/fcgi $(JSONC_CFLAGS) -o $@ \
			$(srcdir)/t/fuzz/fuzz_form.c \
			$(FCGI_APP_SRC:%=$(srcdir)/%) \
			fcgi/templates.c $(srcdir)/lib/log.c \
			$(srcdir)/lib/util.c $(srcdir)/lib/proto.c \
			$(srcdir)/lib/client.c $(srcdir)/lib/catalog.c \
			$(srcdir)/lib/call.c $(JSONC_LIBS) && \
		echo "run: $@ -max_len=4096 NEW_CORPUS_DIR $(srcdir)/t/fuzz/corpus/form"; \
	else \
		echo "$(FUZZ_CC) not found: not building $@ (apt-get install clang)"; \
	fi
CLEANFILES += t/fuzz/fuzz_form
