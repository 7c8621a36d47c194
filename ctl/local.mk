# ctl/: jobsvc-ctl.  Everything but main() is in libctl.a for the tests.
noinst_LIBRARIES += ctl/libctl.a
ctl_libctl_a_SOURCES = ctl/ctl.h ctl/parser.c ctl/ctl.c ctl/submit.c \
	ctl/output_table.c ctl/output_json.c
CTL_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/ctl
ctl_libctl_a_CPPFLAGS = $(CTL_CPPFLAGS)
ctl_libctl_a_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)

CTL_LIBS = ctl/libctl.a lib/libjsv.a $(JSONC_LIBS)

bin_PROGRAMS += ctl/jobsvc-ctl
ctl_jobsvc_ctl_SOURCES = ctl/jobsvc-ctl.c
ctl_jobsvc_ctl_CPPFLAGS = $(CTL_CPPFLAGS)
ctl_jobsvc_ctl_CFLAGS = $(AM_CFLAGS) $(JSONC_CFLAGS)
ctl_jobsvc_ctl_LDADD = $(CTL_LIBS)
dist_man8_MANS += ctl/jobsvc-ctl.8

check_PROGRAMS += t/check_ctl_parser
TESTS += t/check_ctl_parser
t_check_ctl_parser_SOURCES = t/check_ctl_parser.c
t_check_ctl_parser_CPPFLAGS = $(CTL_CPPFLAGS)
t_check_ctl_parser_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) $(JSONC_CFLAGS)
t_check_ctl_parser_LDADD = $(CTL_LIBS) $(CHECK_LIBS)
