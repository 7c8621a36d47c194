/* SPDX-License-Identifier: ISC */
/*
 * Values between the daemon's records and the JSON objects the pages are
 * rendered from.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fcgi.h"

void set_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val ? val : ""));
}

void set_int(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

void set_bool(struct json_object *o, const char *key, bool val)
{
	json_object_object_add(o, key, json_object_new_boolean(val));
}

const char *get_str(struct json_object *o, const char *key)
{
	const char *s;

	return jsv_json_get_string(o, key, &s) == 0 ? s : "";
}

int64_t get_int(struct json_object *o, const char *key)
{
	int64_t v;

	return jsv_json_get_int64(o, key, &v) == 0 ? v : 0;
}

/* An RFC 3339 time as people read it: "2026-11-29 05:37:45 UTC". */
void set_time(struct json_object *o, const char *key, const char *t)
{
	char buf[64];
	size_t n = strlen(t);

	if (n < 20 || n >= sizeof(buf) - 4 || t[10] != 'T' || t[n - 1] != 'Z') {
		set_str(o, key, t);
		return;
	}
	snprintf(buf, sizeof(buf), "%.10s %.*s UTC", t, (int)(n - 12), t + 11);
	set_str(o, key, buf);
}
