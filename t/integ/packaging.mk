# Tests of what ships: the systemd units, the demo (the README's run
# command), bash completion, the man pages, and the Debian packages built,
# linted, installed and run (as root; they skip otherwise).  The test
# driver settings are in t/local.mk.
JSV_PACKAGING_TESTS = \
	t/integ/packaging-units.sh \
	t/integ/demo.sh \
	t/integ/bash-completion.sh \
	t/integ/manpages.sh \
	t/integ/packaging-deb.sh

TESTS += $(JSV_PACKAGING_TESTS)
EXTRA_DIST += $(JSV_PACKAGING_TESTS) t/units-lib.sh
