/* SPDX-License-Identifier: ISC */
/*
 * Helpers shared by jobsvcd, jobsvc-ctl and jobsvc-fcgi: logging, allocation
 * wrappers that never return NULL, growable buffers, and the small parsers and
 * formatters for the values users type and read (durations, times, names).
 */
#ifndef JSV_H
#define JSV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSV_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define JSV_NORETURN __attribute__((noreturn))
#define JSV_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* log.c */

/*
 * Messages go to stderr.  With syslog-style prefixes on (the daemon under
 * systemd) each line starts with "<N>" so journald keeps the level.  Every
 * message is one line: control characters in the formatted text are escaped,
 * so untrusted strings may be logged with "%s".  The verbosity decides whether
 * log_debug() prints.
 */
void log_init(const char *progname, bool prefixes, int verbose);
void log_setverbose(int verbose);
void log_warn(const char *fmt, ...) JSV_PRINTF(1, 2); /* adds strerror(errno) */
void log_warnx(const char *fmt, ...) JSV_PRINTF(1, 2);
void log_info(const char *fmt, ...) JSV_PRINTF(1, 2);
void log_debug(const char *fmt, ...) JSV_PRINTF(1, 2);
void fatal(const char *fmt, ...) JSV_PRINTF(1, 2) JSV_NORETURN;
void fatalx(const char *fmt, ...) JSV_PRINTF(1, 2) JSV_NORETURN;

/* util.c: allocation wrappers abort with a message on failure. */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
int xasprintf(char **ret, const char *fmt, ...) JSV_PRINTF(2, 3);

/* A growable byte buffer; data is always NUL-terminated after len. */
struct jsv_buf {
	char *data;
	size_t len;
	size_t cap;
};

void jsv_buf_add(struct jsv_buf *b, const void *data, size_t len);
void jsv_buf_printf(struct jsv_buf *b, const char *fmt, ...) JSV_PRINTF(2, 3);
void jsv_buf_vprintf(struct jsv_buf *b, const char *fmt, va_list ap)
	JSV_PRINTF(2, 0);
void jsv_buf_consume(struct jsv_buf *b,
		     size_t len); /* drop len bytes from the front */
void jsv_buf_reset(struct jsv_buf *b); /* len = 0, keeps memory */
void jsv_buf_free(struct jsv_buf *b);

/*
 * Appends data as valid UTF-8, each byte that is not part of a valid sequence
 * replaced by U+FFFD, so that text from outside (a handler's output or
 * check-in) can go into a JSON string that strict parsers accept.  With more
 * set, an incomplete sequence at the end is left for the next chunk.
 * Returns the number of bytes of data used.
 */
size_t jsv_buf_add_utf8(struct jsv_buf *b, const void *data, size_t len,
			bool more);

/*
 * Durations as users write them: a sequence of <number><unit> with units
 * ms, s, m, h, d ("500ms", "10s", "1h30m", "2d"); a bare number is seconds.
 * Returns 0 and the value in milliseconds, or -EINVAL / -ERANGE.
 */
int jsv_parse_duration(const char *s, uint64_t *msec);

/* "2hrs 3min 4sec", "0sec" for zero; days are shown as hours, as Harbor does. */
void jsv_fmt_latency(char *buf, size_t len, uint64_t sec);

/* RFC 3339 in UTC: "2026-11-29T05:37:45Z"; "" for t == 0. */
void jsv_fmt_time(char *buf, size_t len, int64_t t);

/*
 * An RFC 3339 UTC time as people read it, as the dashboard and jobsvc-ctl
 * show it: "2026-11-29T05:37:45Z" becomes "2026-11-29 05:37:45 UTC" (a
 * fraction of a second is kept).  Text in any other form (among it "", an
 * unset time) is copied as it is.
 */
void jsv_fmt_time_people(char *buf, size_t len, const char *rfc3339);

/*
 * Parses an absolute time: RFC 3339 ("2026-11-29T05:37:45Z", with an
 * optional numeric offset instead of Z), "YYYY-MM-DD HH:MM[:SS]" in UTC, or
 * "@<unix seconds>".  Returns 0 or -EINVAL.
 */
int jsv_parse_time(const char *s, int64_t *t);

/*
 * The statuses of a job (SPEC §2), in the order lists show them: waiting,
 * running, then final.  A job moves from Pending or Scheduled to Running and
 * ends in one of the final statuses; a retry makes it Pending again.
 */
enum jsv_job_status {
	JSV_JOB_PENDING,
	JSV_JOB_SCHEDULED,
	JSV_JOB_RUNNING,
	JSV_JOB_SUCCESS,
	JSV_JOB_ERROR,
	JSV_JOB_STOPPED,
	JSV_JOB_STATUS_MAX
};

/* The status's name on the wire and in Redis: "Pending", ... */
const char *jsv_job_status_name(enum jsv_job_status st);
/* The status of a name, or -EINVAL for any other text. */
int jsv_job_status_parse(const char *name);
/* Success, Error or Stopped: the job will not run again (unless retried). */
bool jsv_job_status_final(const char *name);
/* Pending, Scheduled or Running: the job still has to run or end. */
bool jsv_job_status_active(const char *name);

/*
 * The number of pages a list of total items takes at size items a page:
 * at least 1, so an empty list still has its (empty) first page.
 */
int64_t jsv_page_count(int64_t total, int64_t size);

/* A job type: 1 to 64 characters of A-Z, 0-9 and '_', starting with a letter. */
bool jsv_valid_job_type(const char *s);

/*
 * An execution, pool or worker id: 1 to 64 characters of A-Z a-z 0-9 and
 * "_.:-", not starting with '-' (so it is never taken for an option).
 */
bool jsv_valid_id(const char *s);

/* A job id: exactly 24 characters of 0-9a-f. */
bool jsv_valid_job_id(const char *s);

/*
 * Whether len bytes are well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF).  NUL is valid.
 */
bool jsv_valid_utf8(const void *data, size_t len);

/*
 * Copies src into dst (size dstlen, always terminated), escaping bytes that
 * are not printable ASCII as \n, \t, \\ or \xHH; truncates with "...".
 */
void jsv_strvis(char *dst, size_t dstlen, const char *src);

#endif /* JSV_H */
