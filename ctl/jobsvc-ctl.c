/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-ctl: controls jobsvcd over its control socket.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "ctl.h"

static void usage(void) JSV_NORETURN;

static void usage(void)
{
	fprintf(stderr,
		"usage: jobsvc-ctl [-j] [-s socket] command [argument ...]\n");
	exit(2);
}

int main(int argc, char *argv[])
{
	const struct output *out = &output_table;
	struct parse_result res;
	const char *sockpath;
	int ch, rc;

	log_init("jobsvc-ctl", false, 0);
	sockpath = getenv("JOBSVC_SOCKET");
	if (sockpath == NULL || sockpath[0] == '\0')
		sockpath = JSV_CONTROL_SOCKET;
	/* "+": options end at the command, whose own options follow it */
	while ((ch = getopt(argc, argv, "+js:")) != -1) {
		switch (ch) {
		case 'j':
			out = &output_json;
			break;
		case 's':
			sockpath = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc == 0)
		usage();

	if (parser_parse(argc, argv, &res) == -1) {
		log_warnx("%s", res.err);
		if (res.valid[0] != '\0')
			fprintf(stderr, "%s\n", res.valid);
		parser_free(&res);
		return 2;
	}
	rc = ctl_run(&res, sockpath, out);
	parser_free(&res);
	if (fflush(stdout) == EOF || ferror(stdout)) {
		log_warn("standard output");
		rc = 1;
	}
	return rc;
}
