/* SPDX-License-Identifier: ISC */
/*
 * Cron expressions.  The next fire time is searched for in wall time (the
 * civil time of the expression's zone, counted in seconds as if it were UTC),
 * skipping whole months, days, hours and minutes that cannot match; each
 * candidate is then mapped back to an instant, which is where daylight saving
 * time is dealt with.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "jsv.h"
#include "cron.h"

#define ZONEINFO_DIR "/usr/share/zoneinfo"
#define VIS_MAX 48 /* room for user text quoted in a message */
#define VALUE_CAP 1000000 /* bigger numbers are all equally out of range */
#define DAY 86400
#define HORIZON (5 * 366 * (int64_t)DAY) /* how far cron_next looks */
#define AFTER_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

enum field_id { F_SECOND, F_MINUTE, F_HOUR, F_MDAY, F_MONTH, F_WDAY, F_N };

/*
 * A field accepts values from min to max; '*' and "a/step" end at top, which
 * differs from max only for the day of the week (0-6, where 7 is accepted).
 */
struct field_spec {
	const char *name;
	int min, max, top;
	const char *const *names; /* the names of min, min + 1, ... */
	bool any; /* '?' is '*' */
};

static const char *const month_names[] = { "JAN", "FEB", "MAR", "APR", "MAY",
					   "JUN", "JUL", "AUG", "SEP", "OCT",
					   "NOV", "DEC", NULL };
static const char *const wday_names[] = { "SUN", "MON", "TUE", "WED",
					  "THU", "FRI", "SAT", NULL };

static const struct field_spec fields[F_N] = {
	[F_SECOND] = { "second", 0, 59, 59, NULL, false },
	[F_MINUTE] = { "minute", 0, 59, 59, NULL, false },
	[F_HOUR] = { "hour", 0, 23, 23, NULL, false },
	[F_MDAY] = { "day of month", 1, 31, 31, NULL, true },
	[F_MONTH] = { "month", 1, 12, 12, month_names, false },
	[F_WDAY] = { "day of week", 0, 7, 6, wday_names, true },
};

static const struct {
	const char *name;
	const char *expr;
} descriptors[] = {
	{ "@yearly", "0 0 0 1 1 *" },  { "@annually", "0 0 0 1 1 *" },
	{ "@monthly", "0 0 0 1 * *" }, { "@weekly", "0 0 0 * * 0" },
	{ "@daily", "0 0 0 * * *" },   { "@midnight", "0 0 0 * * *" },
	{ "@hourly", "0 0 * * * *" },
};

/* The field being parsed, for its messages. */
struct field_ctx {
	const struct field_spec *spec;
	int num; /* as written, from 1 */
	char *err;
	size_t errlen;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
	JSV_PRINTF(3, 4);
static int field_fail(const struct field_ctx *f, const char *fmt, ...)
	JSV_PRINTF(2, 3);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

static int field_fail(const struct field_ctx *f, const char *fmt, ...)
{
	char msg[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return fail(f->err, f->errlen, "field %d (%s): %s", f->num,
		    f->spec->name, msg);
}

/* len bytes of user text as they may appear in a message. */
static const char *vis(char *buf, const char *s, size_t len)
{
	char copy[VIS_MAX + 1];

	if (len > VIS_MAX)
		len = VIS_MAX;
	memcpy(copy, s, len);
	copy[len] = '\0';
	jsv_strvis(buf, VIS_MAX, copy);
	return buf;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static const char *skip_blanks(const char *s)
{
	while (is_blank(*s))
		s++;
	return s;
}

static size_t word_len(const char *s)
{
	size_t n = 0;

	while (s[n] != '\0' && !is_blank(s[n]))
		n++;
	return n;
}

/* Reads a number or a name at s[*pos] into *v. */
static int parse_value(const struct field_ctx *f, const char *s, size_t len,
		       size_t *pos, int *v)
{
	const struct field_spec *spec = f->spec;
	char buf[VIS_MAX];
	size_t start = *pos, i;
	int n = 0;

	if (start < len && is_digit(s[start])) {
		for (i = start; i < len && is_digit(s[i]); i++) {
			n = n * 10 + (s[i] - '0');
			if (n > VALUE_CAP)
				n = VALUE_CAP;
		}
		if (n < spec->min || n > spec->max)
			return field_fail(f, "%s is out of range %d-%d",
					  vis(buf, s + start, i - start),
					  spec->min, spec->max);
		*pos = i;
		*v = n;
		return 0;
	}
	for (i = start; i < len && is_alpha(s[i]); i++)
		;
	if (i == start || spec->names == NULL)
		return field_fail(f, "invalid value \"%s\"", vis(buf, s, len));
	for (n = 0; spec->names[n] != NULL; n++) {
		if (i - start == strlen(spec->names[n]) &&
		    strncasecmp(s + start, spec->names[n], i - start) == 0)
			break;
	}
	if (spec->names[n] == NULL)
		return field_fail(f, "unknown name \"%s\"",
				  vis(buf, s + start, i - start));
	*pos = i;
	*v = spec->min + n;
	return 0;
}

/*
 * Adds one list item of s (len bytes) to *bits.  *any tells whether the item
 * was '*' or '?' without a step other than 1.
 */
static int parse_item(const struct field_ctx *f, const char *s, size_t len,
		      uint64_t *bits, bool *any)
{
	const struct field_spec *spec = f->spec;
	int lo, hi, step = 1, v, r;
	bool single = false;
	char buf[VIS_MAX];
	size_t pos = 0;

	*any = false;
	if (s[0] == '*' || (s[0] == '?' && spec->any)) {
		lo = spec->min;
		hi = spec->top;
		*any = true;
		pos = 1;
	} else {
		r = parse_value(f, s, len, &pos, &lo);
		if (r < 0)
			return r;
		hi = lo;
		single = true;
		if (pos < len && s[pos] == '-') {
			pos++;
			r = parse_value(f, s, len, &pos, &hi);
			if (r < 0)
				return r;
			single = false;
			/* Sunday ends "FRI-SUN" as 7 */
			if (hi < lo && hi == spec->min && spec->max > spec->top)
				hi = spec->max;
			if (hi < lo)
				return field_fail(f,
						  "range %d-%d goes backwards",
						  lo, hi);
		}
	}
	if (pos < len && s[pos] == '/') {
		int nsteps = spec->top - spec->min + 1;
		size_t start = ++pos;

		for (step = 0; pos < len && is_digit(s[pos]); pos++) {
			step = step * 10 + (s[pos] - '0');
			if (step > VALUE_CAP)
				step = VALUE_CAP;
		}
		if (pos == start)
			return field_fail(f, "invalid value \"%s\"",
					  vis(buf, s, len));
		if (step < 1 || step > nsteps)
			return field_fail(f, "step %s is out of range 1-%d",
					  vis(buf, s + start, pos - start),
					  nsteps);
		if (single && lo < spec->top)
			hi = spec->top;
		if (step > 1)
			*any = false;
	}
	if (pos != len)
		return field_fail(f, "invalid value \"%s\"", vis(buf, s, len));
	for (v = lo; v <= hi; v += step)
		*bits |= 1ULL << v;
	return 0;
}

/* Parses one field of len bytes into *bits; *any as for parse_item. */
static int parse_field(const struct field_ctx *f, const char *s, size_t len,
		       uint64_t *bits, bool *any)
{
	char buf[VIS_MAX];
	size_t start = 0, end;
	int r;

	*bits = 0;
	do {
		for (end = start; end < len && s[end] != ','; end++)
			;
		if (end == start)
			return field_fail(f, "empty item in list \"%s\"",
					  vis(buf, s, len));
		r = parse_item(f, s + start, end - start, bits, any);
		if (r < 0)
			return r;
		start = end + 1;
	} while (end < len);
	/* only a list of one '*' leaves the field unrestricted */
	if (memchr(s, ',', len) != NULL)
		*any = false;
	return 0;
}

static int parse_fields(const char *s, struct cron *c, char *err, size_t errlen)
{
	const char *word[F_N];
	size_t wlen[F_N];
	struct field_ctx f;
	uint64_t bits[F_N];
	bool any[F_N] = { false };
	int n = 0, first, i, r;
	size_t len;

	for (s = skip_blanks(s); *s != '\0'; s = skip_blanks(s + len)) {
		len = word_len(s);
		if (n < F_N) {
			word[n] = s;
			wlen[n] = len;
		}
		n++;
	}
	if (n != F_N && n != F_N - 1)
		return fail(err, errlen, "expected 5 or 6 fields, got %d", n);

	/* five fields: the words start at the minute, the second is 0 */
	first = F_N - n;
	bits[F_SECOND] = 1;
	f.err = err;
	f.errlen = errlen;
	for (i = first; i < F_N; i++) {
		f.spec = &fields[i];
		f.num = i - first + 1;
		r = parse_field(&f, word[i - first], wlen[i - first], &bits[i],
				&any[i]);
		if (r < 0)
			return r;
	}
	c->second = bits[F_SECOND];
	c->minute = bits[F_MINUTE];
	c->hour = (uint32_t)bits[F_HOUR];
	c->mday = (uint32_t)bits[F_MDAY];
	c->month = (uint16_t)bits[F_MONTH];
	/* Sunday may be 7 */
	c->wday = (uint8_t)((bits[F_WDAY] | bits[F_WDAY] >> 7) & 0x7f);
	c->mday_any = any[F_MDAY];
	c->wday_any = any[F_WDAY];
	return 0;
}

/*
 * Whether name (len bytes) is a zone file under ZONEINFO_DIR: a relative path
 * without "..", naming a file that starts as time zone files do.
 */
static bool zone_exists(const char *name, size_t len)
{
	char path[sizeof(ZONEINFO_DIR) + CRON_TZ_MAX], magic[4];
	struct stat st;
	bool ok = false;
	size_t i;
	int fd;

	if (len == 0 || len >= CRON_TZ_MAX || name[0] == '/' ||
	    memmem(name, len, "..", 2) != NULL)
		return false;
	for (i = 0; i < len; i++) {
		if (!is_alpha(name[i]) && !is_digit(name[i]) &&
		    strchr("/_+-.", name[i]) == NULL)
			return false;
	}
	snprintf(path, sizeof(path), ZONEINFO_DIR "/%.*s", (int)len, name);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
	    read(fd, magic, sizeof(magic)) == sizeof(magic) &&
	    memcmp(magic, "TZif", sizeof(magic)) == 0)
		ok = true;
	close(fd);
	return ok;
}

int cron_parse(const char *expr, struct cron *c, char *err, size_t errlen)
{
	char buf[VIS_MAX];
	const char *s = skip_blanks(expr), *eq;
	struct cron new = { 0 };
	size_t len, i;
	int r;

	len = word_len(s);
	eq = memchr(s, '=', len);
	if (eq != NULL) {
		size_t klen = (size_t)(eq - s), zlen = len - klen - 1;

		if (!((klen == 7 && memcmp(s, "CRON_TZ", 7) == 0) ||
		      (klen == 2 && memcmp(s, "TZ", 2) == 0)))
			return fail(err, errlen,
				    "\"%s\" is not CRON_TZ=<zone> or TZ=<zone>",
				    vis(buf, s, len));
		if (zlen == 0)
			return fail(err, errlen, "missing time zone after %.*s",
				    (int)klen + 1, s);
		if (!zone_exists(eq + 1, zlen))
			return fail(err, errlen, "unknown time zone \"%s\"",
				    vis(buf, eq + 1, zlen));
		memcpy(new.tz, eq + 1, zlen);
		s = skip_blanks(s + len);
		len = word_len(s);
	}

	if (*s == '@') {
		for (i = 0; i < JSV_ARRAY_SIZE(descriptors); i++) {
			if (len == strlen(descriptors[i].name) &&
			    strncasecmp(s, descriptors[i].name, len) == 0)
				break;
		}
		if (i == JSV_ARRAY_SIZE(descriptors))
			return fail(err, errlen, "unknown descriptor \"%s\"",
				    vis(buf, s, len));
		if (*skip_blanks(s + len) != '\0')
			return fail(err, errlen, "unexpected text after %s",
				    descriptors[i].name);
		s = descriptors[i].expr;
	}
	r = parse_fields(s, &new, err, errlen);
	if (r < 0)
		return r;
	*c = new;
	return 0;
}

/*
 * The number of days from 1970-01-01 to a date of the Gregorian calendar
 * (negative before), counted in 400-year cycles starting on 0000-03-01.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy;

	if (m <= 2)
		y--;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

static int days_in_month(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30,
				    31, 31, 30, 31, 30, 31 };

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* The first value >= v in bits, or -1. */
static int next_bit(uint64_t bits, int v)
{
	if (v > 63 || (bits >> v) == 0)
		return -1;
	return v + __builtin_ctzll(bits >> v);
}

static bool day_matches(const struct cron *c, int64_t days, int mday)
{
	int wday = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
	bool dom = c->mday & (1U << mday), dow = c->wday & (1U << wday);

	if (c->mday_any || c->wday_any)
		return dom && dow;
	return dom || dow;
}

/*
 * Moves the wall time *wall forward to the first time that matches c, at or
 * after it.  Returns false when that would be after limit.
 */
static bool next_wall(const struct cron *c, int64_t *wall, int64_t limit)
{
	int mon, mday, hour, min, sec, v;
	time_t t = (time_t)*wall;
	int64_t year, days;
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL)
		return false;
	year = tm.tm_year + 1900LL;
	mon = tm.tm_mon + 1;
	mday = tm.tm_mday;
	hour = tm.tm_hour;
	min = tm.tm_min;
	sec = tm.tm_sec;
	for (;;) {
		/* carry what the steps below pushed past the end of its unit */
		if (sec > 59) {
			sec = 0;
			min++;
		}
		if (min > 59) {
			min = 0;
			hour++;
		}
		if (hour > 23) {
			hour = 0;
			mday++;
		}
		if (mday > days_in_month(year, mon)) {
			mday = 1;
			mon++;
		}
		if (mon > 12) {
			mon = 1;
			year++;
		}
		days = days_from_civil(year, mon, mday);
		if (days * DAY > limit)
			return false;

		if (!(c->month & (1U << mon))) {
			v = next_bit(c->month, mon);
			if (v < 0) {
				year++;
				v = next_bit(c->month, 1);
			}
			mon = v;
			mday = 1;
			hour = min = sec = 0;
			continue;
		}
		if (!day_matches(c, days, mday)) {
			mday++;
			hour = min = sec = 0;
			continue;
		}
		if (!(c->hour & (1U << hour))) {
			v = next_bit(c->hour, hour);
			hour = v < 0 ? 24 : v;
			min = sec = 0;
			continue;
		}
		if (!(c->minute & (1ULL << min))) {
			v = next_bit(c->minute, min);
			min = v < 0 ? 60 : v;
			sec = 0;
			continue;
		}
		if (!(c->second & (1ULL << sec))) {
			v = next_bit(c->second, sec);
			sec = v < 0 ? 60 : v;
			continue;
		}
		*wall = days * DAY + hour * 3600 + min * 60 + sec;
		return *wall <= limit;
	}
}

/* The zone's offset from UTC at instant t, in seconds. */
static int64_t utc_offset(const struct cron *c, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (c->tz[0] == '\0' || localtime_r(&tt, &tm) == NULL)
		return 0;
	return tm.tm_gmtoff;
}

/*
 * The first instant in (lo, hi] whose offset differs from lo's, or -1 when
 * hi's does not differ.
 */
static int64_t transition(const struct cron *c, int64_t lo, int64_t hi)
{
	int64_t off = utc_offset(c, lo), mid;

	if (lo >= hi || utc_offset(c, hi) == off)
		return -1;
	while (hi - lo > 1) {
		mid = lo + (hi - lo) / 2;
		if (utc_offset(c, mid) == off)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/*
 * Maps the wall time `wall` to the first instant showing it.  Returns that
 * instant if it is after `after`; otherwise -1 and in *resume the wall time
 * from which to search on, past wall times that do not exist (spring forward)
 * or whose first occurrence is not after `after` (the clocks went back).
 */
static int64_t first_instant(const struct cron *c, int64_t wall, int64_t after,
			     int64_t *resume)
{
	int64_t before = utc_offset(c, wall - DAY);
	int64_t later = utc_offset(c, wall + DAY);
	int64_t early = wall - (before > later ? before : later);
	int64_t late = wall - (before > later ? later : before);
	bool early_ok = utc_offset(c, early) == wall - early;
	bool late_ok = utc_offset(c, late) == wall - late;
	int64_t x;

	*resume = wall + 1;
	if (early_ok && early > after)
		return early;
	if (early_ok && late_ok && early != late) {
		/* the first occurrence is past: so is the rest of its hour */
		x = transition(c, early, late);
		if (x > 0)
			*resume = x - 1 + utc_offset(c, x - 1) + 1;
	} else if (!early_ok && !late_ok) {
		/* in the gap: go on from the wall time the clocks jumped to */
		x = transition(c, early, late);
		if (x > 0)
			*resume = x + utc_offset(c, x);
	} else if (late_ok && late > after) {
		return late;
	}
	if (*resume <= wall)
		*resume = wall + 1;
	return -1;
}

/* Sets TZ to the zone of c; returns what zone_leave() needs to restore it. */
static char *zone_enter(const struct cron *c)
{
	const char *old = getenv("TZ");
	char *saved = old != NULL ? xstrdup(old) : NULL;
	char tz[sizeof(ZONEINFO_DIR) + CRON_TZ_MAX + 1];

	snprintf(tz, sizeof(tz), ":" ZONEINFO_DIR "/%s", c->tz);
	setenv("TZ", tz, 1);
	tzset();
	return saved;
}

static void zone_leave(char *saved)
{
	if (saved != NULL)
		setenv("TZ", saved, 1);
	else
		unsetenv("TZ");
	tzset();
	free(saved);
}

int64_t cron_next(const struct cron *c, int64_t after)
{
	int64_t wall, limit, t = -1, resume;
	char *saved = NULL;

	if (after < 0 || after > AFTER_MAX)
		return -1;
	if (c->tz[0] != '\0')
		saved = zone_enter(c);
	wall = after + utc_offset(c, after) + 1;
	limit = wall + HORIZON;
	while (next_wall(c, &wall, limit)) {
		t = first_instant(c, wall, after, &resume);
		if (t >= 0)
			break;
		wall = resume;
	}
	if (c->tz[0] != '\0')
		zone_leave(saved);
	return t;
}
