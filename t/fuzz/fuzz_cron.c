/* SPDX-License-Identifier: ISC */
/*
 * Fuzz target for cron expressions: arbitrary bytes, up to the first NUL, as
 * a schedule's expression given to cron_parse, and the next fire times of
 * what it accepts from a few fixed times, daylight saving changes among them.
 * Besides crashes it checks the contract: a refusal has a reason, a fire time
 * is after the time given and nothing fires in between, and TZ is left as it
 * was.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsv.h"
#include "cron.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int64_t times[] = {
	0, /* 1970-01-01 00:00:00 UTC */
	1774745940, /* 2026-03-29 00:59:00 UTC: clocks jump in Europe */
	1792889999, /* 2026-10-25 00:59:59 UTC: and go back */
	1793514000, /* 2026-11-01 06:20:00 UTC: New York's repeated hour */
	4102444799, /* 2099-12-31 23:59:59 UTC: 2100 is no leap year */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *tz = getenv("TZ");
	char *expr, err[128];
	struct cron c;
	int64_t t;
	size_t i;

	expr = xmalloc(size + 1);
	memcpy(expr, data, size);
	expr[size] = '\0';
	err[0] = '\0';
	if (cron_parse(expr, &c, err, sizeof(err)) < 0) {
		if (err[0] == '\0' || strlen(err) >= sizeof(err))
			abort();
		free(expr);
		return 0;
	}
	for (i = 0; i < JSV_ARRAY_SIZE(times); i++) {
		t = cron_next(&c, times[i]);
		if (t == -1)
			continue;
		if (t <= times[i])
			abort();
		/* nothing fires between the time given and t */
		if (t - 1 > times[i] && cron_next(&c, t - 1) != t)
			abort();
	}
	if (getenv("TZ") != tz && (tz == NULL || getenv("TZ") == NULL ||
				   strcmp(getenv("TZ"), tz) != 0))
		abort();
	free(expr);
	return 0;
}
