/* SPDX-License-Identifier: ISC */
/*
 * Cron expressions: parsing, and the next time one fires.  Nothing here
 * talks to Redis or the event loop; the scheduler (sched.c) keeps the parsed
 * form or parses the stored text again whenever it needs a fire time.
 */
#ifndef CRON_H
#define CRON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CRON_TZ_MAX 64 /* bytes of a zone name, with its NUL */

/*
 * A parsed expression.  Bit n of a set is value n: second and minute 0-59,
 * hour 0-23, mday 1-31, month 1-12, wday 0-6 (Sunday is 0).  When mday and
 * wday are both restricted (neither flag set) a day matches if either does;
 * otherwise it must match both, as in the classic cron.
 */
struct cron {
	uint64_t second;
	uint64_t minute;
	uint32_t hour;
	uint32_t mday;
	uint16_t month;
	uint8_t wday;
	bool mday_any; /* the field was '*' or '?' */
	bool wday_any;
	char tz[CRON_TZ_MAX]; /* IANA zone name, "" for UTC */
};

/*
 * Parses expr into *c.  Accepted are Harbor's six fields (second minute hour
 * day-of-month month day-of-week) and the classic five (without the seconds,
 * which are then 0), separated by blanks, or one of the descriptors @yearly
 * (@annually), @monthly, @weekly, @daily (@midnight) and @hourly.  Each field
 * is a list, separated by ',', of '*', a value, a range "a-b", "*" or a range
 * followed by "/step", or "a/step" (from a to the field's maximum).  Months
 * may be named JAN-DEC and days of the week SUN-SAT, in any case; 7 is Sunday
 * too, and so is 0 or SUN at the end of a range ("FRI-SUN").  In the two day
 * fields '?' means '*', as in Quartz.
 *
 * The expression may start with "CRON_TZ=<zone> " or "TZ=<zone> ": it is then
 * evaluated in the wall time of that IANA zone, which must be a time zone
 * file under /usr/share/zoneinfo; otherwise in UTC.
 *
 * Returns 0, or -EINVAL with the reason in err (errlen bytes, may be 0), for
 * example "field 3 (hour): 25 is out of range 0-23" or "expected 5 or 6
 * fields, got 4"; fields are numbered as written.  On error *c is untouched.
 */
int cron_parse(const char *expr, struct cron *c, char *err, size_t errlen);

/*
 * Returns the first time at which c fires strictly after `after` (both Unix
 * seconds), or -1 when it does not fire within the following five years
 * (for example "0 0 30 2 *"), or when after is before 1970 or after 9999.
 *
 * In a zone with daylight saving time, a wall time that does not exist
 * because the clocks jump forward is skipped: "30 2 * * *" does not fire on
 * that day.  A wall time that occurs twice because the clocks go back fires
 * once, at its first occurrence: during the repeated hour nothing fires
 * again, even "* * * * *".
 *
 * A zone is applied by setting TZ for the duration of the call; TZ is then
 * restored exactly as it was, unset included.  So this must not run while
 * another thread uses the environment or local time.  Expressions in UTC do
 * not touch the environment.
 */
int64_t cron_next(const struct cron *c, int64_t after);

#endif /* CRON_H */
