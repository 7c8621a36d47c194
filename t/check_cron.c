/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of cron expressions (daemon/cron.c): what is accepted and the
 * message for what is not, and exact next fire times, across month and year
 * ends, leap days and daylight saving time changes.  The expected times were
 * computed with date(1), e.g. `date -u -d 2028-02-29T00:00:00Z +%s`; each is
 * commented with its wall time.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsv.h"
#include "cron.h"

/* Parses expr, which must be valid. */
static struct cron parse_ok(const char *expr)
{
	struct cron c;
	char err[128] = "";

	ck_assert_msg(cron_parse(expr, &c, err, sizeof(err)) == 0,
		      "\"%s\" refused: %s", expr, err);
	return c;
}

static int64_t next(const char *expr, int64_t after)
{
	struct cron c = parse_ok(expr);

	return cron_next(&c, after);
}

static void ck_same(const char *a, const char *b)
{
	struct cron x = parse_ok(a), y = parse_ok(b);

	ck_assert_msg(x.second == y.second && x.minute == y.minute &&
			      x.hour == y.hour && x.mday == y.mday &&
			      x.month == y.month && x.wday == y.wday &&
			      x.mday_any == y.mday_any &&
			      x.wday_any == y.wday_any &&
			      strcmp(x.tz, y.tz) == 0,
		      "\"%s\" and \"%s\" differ", a, b);
}

static const struct {
	const char *expr;
	const char *err;
} bad[] = {
	{ "", "expected 5 or 6 fields, got 0" },
	{ "1 2 3 4", "expected 5 or 6 fields, got 4" },
	{ "* * * * * * *", "expected 5 or 6 fields, got 7" },
	{ "0 0 25 * * *", "field 3 (hour): 25 is out of range 0-23" },
	{ "0 25 * * *", "field 2 (hour): 25 is out of range 0-23" },
	{ "60 * * * * *", "field 1 (second): 60 is out of range 0-59" },
	{ "* * 0 * *", "field 3 (day of month): 0 is out of range 1-31" },
	{ "* * 32 * *", "field 3 (day of month): 32 is out of range 1-31" },
	{ "* * * 13 *", "field 4 (month): 13 is out of range 1-12" },
	{ "* * * * 8", "field 5 (day of week): 8 is out of range 0-7" },
	{ "99999999999 * * * *",
	  "field 1 (minute): 99999999999 is out of range 0-59" },
	{ "x * * * *", "field 1 (minute): invalid value \"x\"" },
	{ "5x * * * *", "field 1 (minute): invalid value \"5x\"" },
	{ "1-2-3 * * * *", "field 1 (minute): invalid value \"1-2-3\"" },
	{ "*/ * * * *", "field 1 (minute): invalid value \"*/\"" },
	{ "*-5 * * * *", "field 1 (minute): invalid value \"*-5\"" },
	{ "? * * * *", "field 1 (minute): invalid value \"?\"" },
	{ "MON * * * *", "field 1 (minute): invalid value \"MON\"" },
	{ "\x01 * * * *", "field 1 (minute): invalid value \"\\x01\"" },
	{ "* * * FOO *", "field 4 (month): unknown name \"FOO\"" },
	{ "* * * JANUARY *", "field 4 (month): unknown name \"JANUARY\"" },
	{ "* * * * MON-FOO", "field 5 (day of week): unknown name \"FOO\"" },
	{ "5-2 * * * *", "field 1 (minute): range 5-2 goes backwards" },
	{ "* * * DEC-JAN *", "field 4 (month): range 12-1 goes backwards" },
	{ "* * * * SAT-MON",
	  "field 5 (day of week): range 6-1 goes backwards" },
	{ "*/0 * * * *", "field 1 (minute): step 0 is out of range 1-60" },
	{ "0 */25 * * *", "field 2 (hour): step 25 is out of range 1-24" },
	{ "* * * * */8", "field 5 (day of week): step 8 is out of range 1-7" },
	{ "1,,2 * * * *", "field 1 (minute): empty item in list \"1,,2\"" },
	{ "1, * * * *", "field 1 (minute): empty item in list \"1,\"" },
	{ "@fortnightly", "unknown descriptor \"@fortnightly\"" },
	{ "@daily 0", "unexpected text after @daily" },
	{ "CRON_TZ=Mars/Olympus * * * * *",
	  "unknown time zone \"Mars/Olympus\"" },
	{ "CRON_TZ=../../etc/passwd * * * * *",
	  "unknown time zone \"../../etc/passwd\"" },
	{ "CRON_TZ=/etc/localtime * * * * *",
	  "unknown time zone \"/etc/localtime\"" },
	{ "TZ=zone.tab * * * * *", "unknown time zone \"zone.tab\"" },
	{ "TZ=Europe * * * * *", "unknown time zone \"Europe\"" },
	{ "TZ= * * * * *", "missing time zone after TZ=" },
	{ "TZ=Europe/Berlin", "expected 5 or 6 fields, got 0" },
	{ "FOO=UTC * * * * *",
	  "\"FOO=UTC\" is not CRON_TZ=<zone> or TZ=<zone>" },
};

START_TEST(test_bad)
{
	struct cron c, before;
	char err[128];

	memset(&c, 0x5a, sizeof(c));
	before = c;
	ck_assert_int_eq(cron_parse(bad[_i].expr, &c, err, sizeof(err)),
			 -EINVAL);
	ck_assert_str_eq(err, bad[_i].err);
	ck_assert_msg(memcmp(&c, &before, sizeof(c)) == 0,
		      "*c changed by a failed parse");
}
END_TEST

START_TEST(test_err_room)
{
	struct cron c;
	char err[8];

	ck_assert_int_eq(cron_parse("1 2 3", &c, NULL, 0), -EINVAL);
	ck_assert_int_eq(cron_parse("1 2 3", &c, err, sizeof(err)), -EINVAL);
	ck_assert_str_eq(err, "expecte");
}
END_TEST

START_TEST(test_fields)
{
	struct cron c;

	/* five fields: the seconds are 0 */
	c = parse_ok("30 * * * *");
	ck_assert_uint_eq(c.second, 1);
	ck_assert_uint_eq(c.minute, 1ULL << 30);
	ck_assert_uint_eq(c.hour, 0xffffff);
	ck_assert_uint_eq(c.mday, 0xfffffffe);
	ck_assert_uint_eq(c.month, 0x1ffe);
	ck_assert_uint_eq(c.wday, 0x7f);
	ck_assert(c.mday_any && c.wday_any);
	ck_assert_str_eq(c.tz, "");

	/* six fields: the seconds come first */
	c = parse_ok("30 * * * * *");
	ck_assert_uint_eq(c.second, 1ULL << 30);
	ck_assert_uint_eq(c.minute, (1ULL << 60) - 1);

	c = parse_ok("  0\t1-10/3,20,*/25  5/10 * * *  ");
	ck_assert_uint_eq(c.second, 1);
	ck_assert_uint_eq(c.minute, 1ULL << 0 | 1ULL << 1 | 1ULL << 4 |
					    1ULL << 7 | 1ULL << 10 |
					    1ULL << 20 | 1ULL << 25 |
					    1ULL << 50);
	ck_assert_uint_eq(c.hour, 1U << 5 | 1U << 15);

	/* a step beyond the end leaves the start alone */
	c = parse_ok("*/60 * * * * *");
	ck_assert_uint_eq(c.second, 1);

	c = parse_ok("0 0 1,15 * 1-5");
	ck_assert_uint_eq(c.mday, 1U << 1 | 1U << 15);
	ck_assert_uint_eq(c.wday, 0x3e);
	ck_assert(!c.mday_any && !c.wday_any);

	/* '?' is '*' in the day fields; "*" with a step restricts */
	c = parse_ok("0 0 0 ? * */2");
	ck_assert(c.mday_any && !c.wday_any);
	ck_assert_uint_eq(c.wday, 1U << 0 | 1U << 2 | 1U << 4 | 1U << 6);
	c = parse_ok("0 0 0 */1 * ?");
	ck_assert(c.mday_any && c.wday_any);
	c = parse_ok("0 0 0 *,1 * *");
	ck_assert(!c.mday_any && c.wday_any);

	c = parse_ok("CRON_TZ=Europe/Berlin 0 0 * * *");
	ck_assert_str_eq(c.tz, "Europe/Berlin");
	c = parse_ok("TZ=America/New_York @hourly");
	ck_assert_str_eq(c.tz, "America/New_York");
	ck_assert_uint_eq(c.minute, 1);
}
END_TEST

START_TEST(test_names)
{
	ck_same("0 0 * JAN,jul Mon-fri", "0 0 * 1,7 1-5");
	ck_same("0 0 * * sun", "0 0 * * 0");
	ck_same("0 0 * * 7", "0 0 * * 0");
	ck_same("0 0 * * FRI-SUN", "0 0 * * 5,6,0");
	ck_same("0 0 * * 5-7", "0 0 * * 0,5,6");
	ck_same("0 0 * * SUN-SAT", "0 0 * * 0-6");
	ck_same("0 0 * * SUN-SUN", "0 0 * * 0");
	ck_same("0 0 * * 6-0", "0 0 * * 6,7");
	ck_same("0 0 * FEB/3 *", "0 0 * 2,5,8,11 *");
	ck_same("0 0 * * 7/2", "0 0 * * 0");
	ck_same("@yearly", "0 0 0 1 1 *");
	ck_same("@annually", "0 0 1 1 *");
	ck_same("@monthly", "0 0 1 * *");
	ck_same("@weekly", "0 0 * * SUN");
	ck_same("@DAILY", "0 0 * * *");
	ck_same("@midnight", "0 0 * * *");
	ck_same("@hourly", "0 * * * *");
}
END_TEST

START_TEST(test_month_ends)
{
	/* 2026-01-31 00:00 -> 2026-03-31 00:00: no 31st in February */
	ck_assert_int_eq(next("0 0 0 31 * *", 1769817600), 1774915200);
	/* 2026-01-31 13:00 -> 2026-02-01 12:00 */
	ck_assert_int_eq(next("0 0 12 * * *", 1769864400), 1769947200);
	/* 2026-12-31 23:59:59 -> 2027-01-01 00:00:00 */
	ck_assert_int_eq(next("* * * * * *", 1798761599), 1798761600);
	ck_assert_int_eq(next("0 0 0 1 1 *", 1798761599), 1798761600);
	/* 2026-06-01 00:00 -> 2026-12-31 23:59:59 */
	ck_assert_int_eq(next("59 59 23 31 12 *", 1780272000), 1798761599);
}
END_TEST

START_TEST(test_leap_days)
{
	/* 2025-01-01 -> 2028-02-29 */
	ck_assert_int_eq(next("0 0 0 29 2 *", 1735689600), 1835395200);
	/* 2099-03-01 -> 2104-02-29: 2100 is not a leap year */
	ck_assert_int_eq(next("0 0 0 29 2 ?", 4076006400), 4233686400);
	/* 2096-03-01: eight years to the next 29 February, too far */
	ck_assert_int_eq(next("0 0 0 29 2 ?", 3981398400), -1);
}
END_TEST

START_TEST(test_day_rule)
{
	/* both restricted: the 13th or a Friday, from Sunday 2026-02-01 */
	struct cron c = parse_ok("0 0 13 * FRI");

	ck_assert_int_eq(cron_next(&c, 1769904000), 1770336000); /* 02-06 */
	ck_assert_int_eq(cron_next(&c, 1770336000), 1770940800); /* 02-13 */
	ck_assert_int_eq(cron_next(&c, 1770940800), 1771545600); /* 02-20 */
	/* one restricted: only that one counts */
	ck_assert_int_eq(next("0 0 13 * *", 1769904000), 1770940800);
	ck_assert_int_eq(next("0 0 13 * ?", 1770940800), 1773360000);
	ck_assert_int_eq(next("0 0 * * 5", 1769904000), 1770336000);
	ck_assert_int_eq(next("0 0 0 ? * 5", 1769904000), 1770336000);
	/* 1-31 is a restriction: with Friday, every day matches */
	ck_assert_int_eq(next("0 0 1-31 * 5", 1769904000), 1769904000 + 86400);
	/* 29 February or a Monday in February, from 2026-01-01 */
	ck_assert_int_eq(next("0 0 0 29 2 1", 1767225600), 1769990400);
}
END_TEST

START_TEST(test_harbor)
{
	/* 2026-05-01 10:07:30 -> 10:15:00 -> 10:30:00 */
	struct cron c = parse_ok("0 */15 * * * *");

	ck_assert_int_eq(cron_next(&c, 1777630050), 1777630500);
	ck_assert_int_eq(cron_next(&c, 1777630500), 1777631400);
	/* 10:07:00 -> 10:07:30 -> 10:08:00 */
	c = parse_ok("*/30 * * * * *");
	ck_assert_int_eq(cron_next(&c, 1777630020), 1777630050);
	ck_assert_int_eq(cron_next(&c, 1777630050), 1777630080);
	ck_assert_int_eq(cron_next(&c, 1777630049), 1777630050);
	ck_assert_int_eq(next("* * * * * *", 1777630050), 1777630051);
	ck_assert_int_eq(next("* * * * * *", 0), 1);
}
END_TEST

START_TEST(test_dst_berlin)
{
	struct cron c;

	/* 2026-03-29 02:30 does not exist: 03-28 13:00 CET -> 03-30 02:30 */
	ck_assert_int_eq(next("CRON_TZ=Europe/Berlin 0 30 2 * * *", 1774699200),
			 1774830600);
	/* 01:59 CET -> 03:00 CEST, the first minute after the jump */
	ck_assert_int_eq(next("TZ=Europe/Berlin 0 * * * * *", 1774745940),
			 1774746000);

	/* 2026-10-25 02:30 occurs twice: it fires at 02:30 CEST only */
	c = parse_ok("CRON_TZ=Europe/Berlin 0 30 2 * * *");

	ck_assert_int_eq(cron_next(&c, 1792843200), 1792888200);
	ck_assert_int_eq(cron_next(&c, 1792888200), 1792978200); /* 10-26 */
	/* hourly: 02:00 CEST -> 03:00 CET, not 02:00 CET */
	ck_assert_int_eq(next("CRON_TZ=Europe/Berlin 0 0 * * * *", 1792886400),
			 1792893600);
}
END_TEST

START_TEST(test_dst_new_york)
{
	struct cron c;

	/* 2026-03-08 02:30 does not exist: 03-07 07:00 EST -> 03-09 02:30 */
	ck_assert_int_eq(next("CRON_TZ=America/New_York 30 2 * * *",
			      1772884800),
			 1773037800);

	/* 2026-11-01 01:30 occurs twice: fires at 01:30 EDT only */
	c = parse_ok("CRON_TZ=America/New_York 30 1 * * *");

	ck_assert_int_eq(cron_next(&c, 1793448000), 1793511000);
	ck_assert_int_eq(cron_next(&c, 1793511000), 1793601000); /* 11-02 */

	/* every minute: 01:59 EDT -> 02:00 EST, the repeated hour is skipped */
	c = parse_ok("CRON_TZ=America/New_York * * * * *");
	ck_assert_int_eq(cron_next(&c, 1793512740), 1793516400);
	/* from 01:20 EST, within the repeated hour */
	ck_assert_int_eq(cron_next(&c, 1793514000), 1793516400);
}
END_TEST

START_TEST(test_tz_restored)
{
	struct cron c = parse_ok("CRON_TZ=Europe/Berlin 0 0 * * *");
	time_t t = 1777630050; /* 2026-05-01 10:07:30 UTC */
	struct tm tm;

	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	ck_assert_int_eq(cron_next(&c, t), 1777672800); /* 05-02 00:00 CEST */
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
	localtime_r(&t, &tm);
	ck_assert_int_eq(tm.tm_gmtoff, 9 * 3600);

	unsetenv("TZ");
	tzset();
	ck_assert_int_eq(cron_next(&c, t), 1777672800);
	ck_assert_ptr_null(getenv("TZ"));

	/* UTC expressions leave the environment alone */
	setenv("TZ", "Asia/Tokyo", 1);
	c = parse_ok("0 0 * * *");
	ck_assert_int_eq(cron_next(&c, t), 1777680000); /* 05-02 00:00 UTC */
	ck_assert_str_eq(getenv("TZ"), "Asia/Tokyo");
}
END_TEST

START_TEST(test_never)
{
	struct cron c;
	int i;

	ck_assert_int_eq(next("0 0 30 2 *", 1767225600), -1);
	ck_assert_int_eq(next("0 0 31 4,6,9,11 *", 1767225600), -1);
	ck_assert_int_eq(next("CRON_TZ=Europe/Berlin 0 0 0 30 2 *", 1767225600),
			 -1);
	/* outside the times it computes */
	ck_assert_int_eq(next("* * * * *", -1), -1);
	ck_assert_int_eq(next("* * * * *", 253402300800), -1);

	/* from many starting points (speed is the benchmark's business) */
	c = parse_ok("CRON_TZ=Europe/Berlin 0 0 31 2 *");
	for (i = 0; i < 100; i++)
		ck_assert_int_eq(cron_next(&c, 1767225600 + i * 3607), -1);
}
END_TEST

static Suite *cron_suite(void)
{
	Suite *s = suite_create("cron");
	TCase *tc = tcase_create("cron");

	/* no test here is about speed: a loaded machine must not fail them */
	tcase_set_timeout(tc, 120);

	tcase_add_loop_test(tc, test_bad, 0, JSV_ARRAY_SIZE(bad));
	tcase_add_test(tc, test_err_room);
	tcase_add_test(tc, test_fields);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_month_ends);
	tcase_add_test(tc, test_leap_days);
	tcase_add_test(tc, test_day_rule);
	tcase_add_test(tc, test_harbor);
	tcase_add_test(tc, test_dst_berlin);
	tcase_add_test(tc, test_dst_new_york);
	tcase_add_test(tc, test_tz_restored);
	tcase_add_test(tc, test_never);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(cron_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
