/* SPDX-License-Identifier: ISC */
/*
 * Allocation wrappers, growable buffers, and the parsers and formatters for
 * the values users type and read: durations, times, job types and ids.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsv.h"

/*
 * The allocation wrappers never return NULL: a zero size is rounded up to one
 * byte so that even malloc(0) yields a unique pointer, and any failure is
 * fatal.
 */
void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		fatal("xmalloc %zu bytes", size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p;

	if (!nmemb || !size)
		nmemb = size = 1;
	p = calloc(nmemb, size);
	if (!p)
		fatal("xcalloc %zu * %zu bytes", nmemb, size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	if (!nmemb || !size)
		nmemb = size = 1;
	p = reallocarray(ptr, nmemb, size);
	if (!p)
		fatal("xreallocarray %zu * %zu bytes", nmemb, size);
	return p;
}

char *xstrdup(const char *s)
{
	char *p = strdup(s);

	if (!p)
		fatal("xstrdup");
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = strndup(s, n);

	if (!p)
		fatal("xstrndup");
	return p;
}

int xasprintf(char **ret, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(ret, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatal("xasprintf");
	return n;
}

/* Makes room for need more bytes plus the terminating NUL. */
static void buf_grow(struct jsv_buf *b, size_t need)
{
	size_t cap;

	if (need >= SIZE_MAX - b->len)
		fatalx("jsv_buf: size overflow");
	if (b->data && b->len + need < b->cap)
		return;
	cap = b->cap ? b->cap : 256;
	while (cap <= b->len + need) {
		if (cap > SIZE_MAX / 2) {
			cap = b->len + need + 1;
			break;
		}
		cap *= 2;
	}
	b->data = xreallocarray(b->data, 1, cap);
	b->cap = cap;
}

void jsv_buf_add(struct jsv_buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void jsv_buf_vprintf(struct jsv_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	int n;

	buf_grow(b, 0);
	va_copy(ap2, ap);
	n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		fatal("jsv_buf_vprintf");
	if ((size_t)n >= b->cap - b->len) {
		buf_grow(b, (size_t)n);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
	}
	b->len += (size_t)n;
}

void jsv_buf_printf(struct jsv_buf *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	jsv_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void jsv_buf_consume(struct jsv_buf *b, size_t len)
{
	if (len >= b->len) {
		jsv_buf_reset(b);
		return;
	}
	memmove(b->data, b->data + len, b->len - len);
	b->len -= len;
	b->data[b->len] = '\0';
}

void jsv_buf_reset(struct jsv_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void jsv_buf_free(struct jsv_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/*
 * Length of the valid UTF-8 sequence at s (at most avail bytes): 1 to 4, 0 if
 * the bytes are not valid UTF-8 (overlong forms, surrogates and code points
 * above U+10FFFF included), or -1 if they are a valid but incomplete start.
 */
static int utf8_seq(const unsigned char *s, size_t avail)
{
	unsigned char lo = 0x80, hi = 0xbf;
	int n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;
		else if (s[0] == 0xed)
			hi = 0x9f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;
		else if (s[0] == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((size_t)i >= avail)
			return -1;
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

bool jsv_valid_utf8(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i;
	int n;

	for (i = 0; i < len; i += (size_t)n) {
		n = utf8_seq(s + i, len - i);
		if (n <= 0)
			return false;
	}
	return true;
}

size_t jsv_buf_add_utf8(struct jsv_buf *b, const void *data, size_t len,
			bool more)
{
	static const char replacement[] = "\xef\xbf\xbd";
	const unsigned char *s = data;
	size_t i = 0, start = 0;
	int n;

	while (i < len) {
		n = utf8_seq(s + i, len - i);
		if (n > 0) {
			i += (size_t)n;
			continue;
		}
		if (n < 0 && more)
			break;
		jsv_buf_add(b, s + start, i - start);
		jsv_buf_add(b, replacement, sizeof(replacement) - 1);
		start = ++i;
	}
	jsv_buf_add(b, s + start, i - start);
	return i;
}

/*
 * Durations are kept at or below INT64_MAX milliseconds so that callers may
 * add them to signed times without overflow checks of their own.
 */
int jsv_parse_duration(const char *s, uint64_t *msec)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
		/* "ms" before "m" so that the longest unit wins */
		{ "ms", 1 },
		{ "s", 1000 },
		{ "m", 60 * 1000 },
		{ "h", 60 * 60 * 1000 },
		{ "d", 24 * 60 * 60 * 1000 },
	};
	uint64_t total = 0, num, mult;
	const char *p = s;
	size_t i, ulen;
	bool bare;

	if (!s || !*s)
		return -EINVAL;
	bare = s[strspn(s, "0123456789")] == '\0';
	while (*p) {
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		for (num = 0; isdigit((unsigned char)*p); p++) {
			if (num > (UINT64_MAX - 9) / 10)
				return -ERANGE;
			num = num * 10 + (uint64_t)(*p - '0');
		}
		if (bare) {
			mult = 1000;
		} else {
			for (i = 0; i < JSV_ARRAY_SIZE(units); i++) {
				ulen = strlen(units[i].name);
				if (!strncmp(p, units[i].name, ulen))
					break;
			}
			if (i == JSV_ARRAY_SIZE(units))
				return -EINVAL;
			mult = units[i].ms;
			p += ulen;
		}
		if (num > (uint64_t)INT64_MAX / mult)
			return -ERANGE;
		num *= mult;
		if (num > (uint64_t)INT64_MAX - total)
			return -ERANGE;
		total += num;
	}
	*msec = total;
	return 0;
}

void jsv_fmt_latency(char *buf, size_t len, uint64_t sec)
{
	uint64_t h = sec / 3600, m = sec / 60 % 60, s = sec % 60;

	if (h)
		snprintf(buf, len,
			 "%" PRIu64 "hrs %" PRIu64 "min %" PRIu64 "sec", h, m,
			 s);
	else if (m)
		snprintf(buf, len, "%" PRIu64 "min %" PRIu64 "sec", m, s);
	else
		snprintf(buf, len, "%" PRIu64 "sec", s);
}

void jsv_fmt_time(char *buf, size_t len, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!len)
		return;
	buf[0] = '\0';
	if (!t || !gmtime_r(&tt, &tm))
		return;
	if (!strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

void jsv_fmt_time_people(char *buf, size_t len, const char *t)
{
	size_t n = strlen(t);

	if (!len)
		return;
	if (n < 20 || t[10] != 'T' || t[n - 1] != 'Z')
		snprintf(buf, len, "%s", t);
	else
		snprintf(buf, len, "%.10s %.*s UTC", t, (int)(n - 12), t + 11);
}

static const char *const job_statuses[JSV_JOB_STATUS_MAX] = {
	[JSV_JOB_PENDING] = "Pending", [JSV_JOB_SCHEDULED] = "Scheduled",
	[JSV_JOB_RUNNING] = "Running", [JSV_JOB_SUCCESS] = "Success",
	[JSV_JOB_ERROR] = "Error",     [JSV_JOB_STOPPED] = "Stopped",
};

const char *jsv_job_status_name(enum jsv_job_status st)
{
	if ((unsigned)st >= JSV_JOB_STATUS_MAX)
		return "";
	return job_statuses[st];
}

int jsv_job_status_parse(const char *name)
{
	int i;

	for (i = 0; i < JSV_JOB_STATUS_MAX; i++) {
		if (name && !strcmp(name, job_statuses[i]))
			return i;
	}
	return -EINVAL;
}

bool jsv_job_status_final(const char *name)
{
	int st = jsv_job_status_parse(name);

	return st == JSV_JOB_SUCCESS || st == JSV_JOB_ERROR ||
	       st == JSV_JOB_STOPPED;
}

bool jsv_job_status_active(const char *name)
{
	int st = jsv_job_status_parse(name);

	return st == JSV_JOB_PENDING || st == JSV_JOB_SCHEDULED ||
	       st == JSV_JOB_RUNNING;
}

int64_t jsv_page_count(int64_t total, int64_t size)
{
	if (total <= 0 || size <= 0)
		return 1;
	return (total - 1) / size + 1;
}

/* Reads exactly n decimal digits at *p into *val, and advances *p. */
static bool get_digits(const char **p, int n, int *val)
{
	int v = 0;

	while (n--) {
		if (!isdigit((unsigned char)**p))
			return false;
		v = v * 10 + (**p - '0');
		(*p)++;
	}
	*val = v;
	return true;
}

static int days_in_month(int year, int mon)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return mon == 2 && leap ? 29 : days[mon - 1];
}

/* "@<unix seconds>": digits only, as date(1) prints them with "+%s". */
static int parse_epoch(const char *p, int64_t *t)
{
	int64_t v = 0;

	if (!*p)
		return -EINVAL;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p) || v > (INT64_MAX - 9) / 10)
			return -EINVAL;
		v = v * 10 + (*p - '0');
	}
	*t = v;
	return 0;
}

/*
 * RFC 3339 demands the seconds and a zone ("Z" or "+hh:mm") after a 'T'; the
 * form with a space, for people, makes both optional and defaults to UTC.
 * Fractions of a second are accepted and dropped.
 */
int jsv_parse_time(const char *s, int64_t *t)
{
	int year, mon, day, hour, min, sec = 0, oh, om;
	int64_t off = 0;
	struct tm tm;
	bool rfc;
	time_t r;

	if (!s)
		return -EINVAL;
	if (*s == '@')
		return parse_epoch(s + 1, t);
	if (!get_digits(&s, 4, &year) || *s++ != '-' ||
	    !get_digits(&s, 2, &mon) || *s++ != '-' || !get_digits(&s, 2, &day))
		return -EINVAL;
	if (*s != 'T' && *s != 't' && *s != ' ')
		return -EINVAL;
	rfc = *s++ != ' ';
	if (!get_digits(&s, 2, &hour) || *s++ != ':' ||
	    !get_digits(&s, 2, &min))
		return -EINVAL;
	if (*s == ':') {
		s++;
		if (!get_digits(&s, 2, &sec))
			return -EINVAL;
		if (*s == '.') {
			if (!isdigit((unsigned char)*++s))
				return -EINVAL;
			while (isdigit((unsigned char)*s))
				s++;
		}
	} else if (rfc) {
		return -EINVAL;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		off = *s++ == '-' ? -1 : 1;
		if (!get_digits(&s, 2, &oh) || *s++ != ':' ||
		    !get_digits(&s, 2, &om) || oh > 23 || om > 59)
			return -EINVAL;
		off *= oh * 3600 + om * 60;
	} else if (rfc) {
		return -EINVAL;
	}
	if (*s || mon < 1 || mon > 12 || day < 1 ||
	    day > days_in_month(year, mon) || hour > 23 || min > 59 || sec > 60)
		return -EINVAL;

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = day;
	tm.tm_hour = hour;
	tm.tm_min = min;
	tm.tm_sec = sec; /* a leap second becomes the next minute's first */
	r = timegm(&tm);
	*t = (int64_t)r - off;
	return 0;
}

bool jsv_valid_job_type(const char *s)
{
	size_t i;

	if (!s || !(*s >= 'A' && *s <= 'Z'))
		return false;
	for (i = 0; s[i]; i++) {
		if (i == 64)
			return false;
		if (!(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_')
			return false;
	}
	return true;
}

bool jsv_valid_id(const char *s)
{
	size_t n;

	if (!s)
		return false;
	n = strlen(s);
	return n > 0 && n <= 64 && s[0] != '-' &&
	       strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_.:-") == n;
}

bool jsv_valid_job_id(const char *s)
{
	size_t i;

	if (!s)
		return false;
	for (i = 0; s[i]; i++) {
		if (i == 24)
			return false;
		if (!(s[i] >= '0' && s[i] <= '9') &&
		    !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	}
	return i == 24;
}

/* Writes the visible form of c into out, unterminated; returns its length. */
static size_t vis_char(unsigned char c, char out[4])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\n' || c == '\t' || c == '\\') {
		out[0] = '\\';
		out[1] = c == '\n' ? 'n' : c == '\t' ? 't' : '\\';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f) {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 0xf];
	return 4;
}

/*
 * Escape sequences are never cut: the output is either the whole escaped
 * text or a prefix of whole sequences followed by "...", both in dstlen - 1
 * bytes.
 */
void jsv_strvis(char *dst, size_t dstlen, const char *src)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t pos = 0, room, rest, i, n;
	char seq[4];

	if (!dstlen)
		return;
	room = dstlen - 1;
	for (; *s; s++) {
		n = vis_char(*s, seq);
		if (pos + n + 3 > room) {
			/* Near the end: does everything left still fit? */
			for (rest = 0, i = 0; s[i] && pos + rest <= room; i++)
				rest += vis_char(s[i], seq);
			if (pos + rest <= room) {
				for (; *s; s++) {
					n = vis_char(*s, seq);
					memcpy(dst + pos, seq, n);
					pos += n;
				}
				break;
			}
			n = room - pos < 3 ? room - pos : 3;
			memcpy(dst + pos, "...", n);
			pos += n;
			break;
		}
		memcpy(dst + pos, seq, n);
		pos += n;
	}
	dst[pos] = '\0';
}
