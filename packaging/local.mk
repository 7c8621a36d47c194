# packaging/: systemd units, sysusers/tmpfiles, nginx snippet, configs.
#
# The install directories that configure does not know are make variables,
# to be overridden on the command line when the defaults do not fit, e.g.
#	make install systemdsystemunitdir=/lib/systemd/system
# (pkg-config --variable=systemdsystemunitdir systemd prints the system's).

systemdsystemunitdir = $(prefix)/lib/systemd/system
sysusersdir = $(prefix)/lib/sysusers.d
tmpfilesdir = $(prefix)/lib/tmpfiles.d
jsvhandlerdir = $(prefix)/lib/jobsvc/handlers
jsvconfdir = $(sysconfdir)/jobsvc
nginxsnippetdir = $(sysconfdir)/nginx/snippets

# The units name the programs and the sockets where configure put them.
JSV_UNITS = \
	packaging/systemd/jobsvcd.service \
	packaging/systemd/jobsvcd.socket \
	packaging/systemd/jobsvc-fcgi.service \
	packaging/systemd/jobsvc-fcgi.socket
systemdsystemunit_DATA = $(JSV_UNITS)
CLEANFILES += $(JSV_UNITS)
EXTRA_DIST += $(JSV_UNITS:=.in)

jsv_edit_unit = $(AM_V_GEN)$(MKDIR_P) packaging/systemd && \
	sed -e 's|@sbindir[@]|$(sbindir)|g' \
		-e 's|@runstatedir[@]|$(runstatedir)|g' \
		$(srcdir)/$@.in >$@.tmp && mv $@.tmp $@

packaging/systemd/jobsvcd.service: packaging/systemd/jobsvcd.service.in Makefile
	$(jsv_edit_unit)
packaging/systemd/jobsvcd.socket: packaging/systemd/jobsvcd.socket.in Makefile
	$(jsv_edit_unit)
packaging/systemd/jobsvc-fcgi.service: packaging/systemd/jobsvc-fcgi.service.in Makefile
	$(jsv_edit_unit)
packaging/systemd/jobsvc-fcgi.socket: packaging/systemd/jobsvc-fcgi.socket.in Makefile
	$(jsv_edit_unit)

bashcompletiondir = $(datadir)/bash-completion/completions
dist_bashcompletion_DATA = packaging/bash-completion/jobsvc-ctl

# The dashboard's user is apart, for the package that holds the dashboard.
dist_sysusers_DATA = packaging/sysusers.d/jobsvc.conf \
	packaging/sysusers.d/jobsvc-dashboard.conf
dist_tmpfiles_DATA = packaging/tmpfiles.d/jobsvc.conf \
	packaging/tmpfiles.d/jobsvc-dashboard.conf

# One example handler, and every job type of the default configuration as a
# link to it (see packaging/handlers/example: it does nothing real).
dist_jsvhandler_SCRIPTS = packaging/handlers/example
JSV_HANDLER_LINKS = garbage-collection image-scan p2p-preheat purge-audit \
	replication retention scan-data-export scheduler slack \
	system-artifact-cleanup webhook

# The example persistent handlers, in C and Python, go with the documents;
# the C one is built for the tests (t/integ/persistent-examples.sh) and the
# benchmark (t/bench/persist-bench.sh).
jsvexampledir = $(docdir)/examples
dist_jsvexample_DATA = packaging/handlers/persistent-example.c \
	packaging/handlers/persistent-example.py
check_PROGRAMS += packaging/handlers/persistent-example
packaging_handlers_persistent_example_SOURCES = \
	packaging/handlers/persistent-example.c

# Configuration files are installed only where there is none yet, and
# uninstalled only when unchanged, so that a local configuration survives
# both.  Each entry is source:directory.
JSV_CONFIGS = \
	packaging/jobsvcd.conf:$(jsvconfdir) \
	packaging/jobsvc-fcgi.conf:$(jsvconfdir) \
	packaging/nginx/jobsvc-dashboard.conf:$(nginxsnippetdir)
EXTRA_DIST += packaging/jobsvc-fcgi.conf packaging/nginx/jobsvc-dashboard.conf

install-data-local: install-jsv-configs
install-data-hook: install-jsv-handler-links
uninstall-local: uninstall-jsv-configs uninstall-jsv-handler-links

install-jsv-configs:
	@for c in $(JSV_CONFIGS); do \
		src=$(srcdir)/$${c%%:*}; dir=$(DESTDIR)$${c#*:}; \
		dst=$$dir/$${src##*/}; \
		if test -e "$$dst"; then \
			echo "$$dst exists, not overwritten"; \
		else \
			echo " $(MKDIR_P) '$$dir'"; \
			$(MKDIR_P) "$$dir" || exit 1; \
			echo " $(INSTALL_DATA) $$src '$$dst'"; \
			$(INSTALL_DATA) "$$src" "$$dst" || exit 1; \
		fi; \
	done

uninstall-jsv-configs:
	@for c in $(JSV_CONFIGS); do \
		src=$(srcdir)/$${c%%:*}; \
		dst=$(DESTDIR)$${c#*:}/$${src##*/}; \
		if cmp -s "$$src" "$$dst"; then \
			echo " rm -f '$$dst'"; rm -f "$$dst"; \
		elif test -e "$$dst"; then \
			echo "$$dst was changed, not removed"; \
		fi; \
	done

# A handler already installed under a type's name (a real one) stays.
install-jsv-handler-links:
	@cd "$(DESTDIR)$(jsvhandlerdir)" || exit 1; \
	for n in $(JSV_HANDLER_LINKS); do \
		if test -e "$$n" || test -h "$$n"; then \
			echo "$(jsvhandlerdir)/$$n exists, not replaced"; \
		else \
			echo " ln -s example '$(jsvhandlerdir)/$$n'"; \
			ln -s example "$$n" || exit 1; \
		fi; \
	done

uninstall-jsv-handler-links:
	@for n in $(JSV_HANDLER_LINKS); do \
		f="$(DESTDIR)$(jsvhandlerdir)/$$n"; \
		if test -h "$$f"; then echo " rm -f '$$f'"; rm -f "$$f"; fi; \
	done

.PHONY: install-jsv-configs uninstall-jsv-configs \
	install-jsv-handler-links uninstall-jsv-handler-links

# The Debian packages, built by packaging/build-deb from a scratch copy of
# the source with packaging/debian/ as its debian/ (see the README): "make
# deb" puts them in deb/.  DEB_BUILD_OPTIONS=nocheck leaves the tests out.
JSV_DEBIAN = changelog control copyright rules source/format \
	jobsvc.install jobsvc.docs jobsvc.lintian-overrides jobsvc.postrm \
	jobsvc-dashboard.install jobsvc-dashboard.lintian-overrides
EXTRA_DIST += packaging/build-deb $(JSV_DEBIAN:%=packaging/debian/%)

deb:
	$(srcdir)/packaging/build-deb -o deb

clean-local: clean-deb
clean-deb:
	rm -rf deb

.PHONY: deb clean-deb
