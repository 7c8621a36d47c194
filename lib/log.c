/* SPDX-License-Identifier: ISC */
/*
 * Logging to stderr, one escaped line per message, with sd-daemon(3) level
 * prefixes when the daemon runs under systemd.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsv.h"

/* sd-daemon(3) levels */
#define LOG_PRI_ERR 3
#define LOG_PRI_WARNING 4
#define LOG_PRI_INFO 6
#define LOG_PRI_DEBUG 7

/* A formatted message longer than this is cut, then escaped. */
#define LOG_MSG_MAX 2048

static const char *log_progname = "jobsvc";
static bool log_prefixes;
static int log_verbose;

void log_init(const char *progname, bool prefixes, int verbose)
{
	log_progname = progname;
	log_prefixes = prefixes;
	log_verbose = verbose;
}

void log_setverbose(int verbose)
{
	log_verbose = verbose;
}

static void log_vline(int pri, int err, const char *fmt, va_list ap)
	JSV_PRINTF(3, 0);

/*
 * Prints one line: the message with its control characters escaped, then
 * ": strerror(err)" when err is not 0.  errno is left as it was.
 */
static void log_vline(int pri, int err, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX], vis[4 * LOG_MSG_MAX];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	jsv_strvis(vis, sizeof(vis), msg);
	if (log_prefixes)
		fprintf(stderr, "<%d>%s%s%s\n", pri, vis, err ? ": " : "",
			err ? strerror(err) : "");
	else
		fprintf(stderr, "%s: %s%s%s\n", log_progname, vis,
			err ? ": " : "", err ? strerror(err) : "");
	fflush(stderr);
	errno = saved;
}

void log_warn(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_PRI_WARNING, err, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_PRI_WARNING, 0, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_PRI_INFO, 0, fmt, ap);
	va_end(ap);
}

/* Printed only when the verbosity is 1 or more. */
void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	log_vline(LOG_PRI_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_PRI_ERR, err, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline(LOG_PRI_ERR, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
