/* SPDX-License-Identifier: ISC */
/*
 * The daemon's records as the pages and the JSON API show them: one table
 * per kind of record names its fields and their kinds, and one function
 * projects a record through it, for people (times, latencies and vendor ids
 * formatted, absent values as "" or 0) or for the API (the daemon's values
 * as they are, absent ones left out).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "fcgi.h"

const struct field pool_fields[] = {
	{ "pid", FIELD_INT, FIELD_PAGE | FIELD_API },
	{ "worker_pool_id", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "start_at", FIELD_TIME, FIELD_PAGE | FIELD_API },
	{ "heartbeat_at", FIELD_TIME, FIELD_PAGE | FIELD_API },
	{ "concurrency", FIELD_INT, FIELD_PAGE | FIELD_API },
	{ "host", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "status", FIELD_TEXT, FIELD_PAGE },
	{ 0 },
};

const struct field worker_fields[] = {
	{ "id", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "pool_id", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "job_name", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "job_id", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "start_at", FIELD_TIME, FIELD_PAGE | FIELD_API | FIELD_API_OPTIONAL },
	{ "check_in", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "checkin_at", FIELD_TIME,
	  FIELD_PAGE | FIELD_API | FIELD_API_OPTIONAL },
	{ 0 },
};

const struct field queue_fields[] = {
	{ "job_type", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "count", FIELD_INT, FIELD_PAGE | FIELD_API },
	{ "latency", FIELD_LATENCY, FIELD_PAGE | FIELD_API },
	{ "paused", FIELD_BOOL, FIELD_PAGE | FIELD_API },
	{ 0 },
};

const struct field schedule_fields[] = {
	{ "id", FIELD_INT, FIELD_PAGE | FIELD_API },
	{ "vendor_type", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "vendor_id", FIELD_VENDOR_ID, FIELD_PAGE | FIELD_API },
	{ "cron", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "update_time", FIELD_TIME, FIELD_API },
	{ "create_time", FIELD_TIME, FIELD_PAGE },
	{ "next_run", FIELD_TIME, FIELD_PAGE },
	{ "parameters", FIELD_JSON, FIELD_PAGE },
	{ "last_fire", FIELD_TIME, FIELD_PAGE },
	{ "last_job_id", FIELD_TEXT, FIELD_PAGE },
	{ "last_status", FIELD_TEXT, FIELD_PAGE },
	{ 0 },
};

const struct field job_fields[] = {
	{ "status", FIELD_TEXT, FIELD_PAGE },
	{ "execution_id", FIELD_TEXT, FIELD_PAGE },
	{ "execution_status", FIELD_TEXT, FIELD_PAGE },
	{ 0 },
};

const struct field audit_fields[] = {
	{ "time", FIELD_TIME, FIELD_PAGE },
	{ "user", FIELD_TEXT, FIELD_PAGE },
	{ "uid", FIELD_INT, FIELD_PAGE },
	{ "pid", FIELD_INT, FIELD_PAGE },
	{ "as_user", FIELD_TEXT, FIELD_PAGE },
	{ "verb", FIELD_TEXT, FIELD_PAGE },
	{ "targets", FIELD_TEXT, FIELD_PAGE },
	{ "result", FIELD_TEXT, FIELD_PAGE },
	{ 0 },
};

/* An execution's summary, and each of its jobs. */
const struct field execution_fields[] = {
	{ "execution_id", FIELD_TEXT, FIELD_PAGE },
	{ "status", FIELD_TEXT, FIELD_PAGE },
	{ "total", FIELD_INT, FIELD_PAGE },
	{ 0 },
};

const struct field execution_job_fields[] = {
	{ "id", FIELD_TEXT, FIELD_PAGE },
	{ "name", FIELD_TEXT, FIELD_PAGE },
	{ "status", FIELD_TEXT, FIELD_PAGE },
	{ 0 },
};

/* A job in a list of jobs (the jobs page, the API's jobs, an extension). */
const struct field job_list_fields[] = {
	{ "id", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "name", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "kind", FIELD_TEXT, FIELD_API },
	{ "status", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "enqueue_time", FIELD_TIME, FIELD_PAGE | FIELD_API },
	{ "update_time", FIELD_TIME, FIELD_PAGE | FIELD_API },
	{ "run_at", FIELD_TIME, FIELD_API | FIELD_API_OPTIONAL },
	{ "start_time", FIELD_TIME, FIELD_API | FIELD_API_OPTIONAL },
	{ "end_time", FIELD_TIME, FIELD_API | FIELD_API_OPTIONAL },
	{ "attempts", FIELD_INT, FIELD_PAGE | FIELD_API },
	{ "execution_id", FIELD_TEXT, FIELD_PAGE | FIELD_API },
	{ "schedule_id", FIELD_INT, FIELD_API },
	{ "pool_id", FIELD_TEXT, FIELD_API },
	{ "worker_id", FIELD_TEXT, FIELD_API },
	{ "error", FIELD_TEXT, FIELD_API },
	{ 0 },
};

/* The status card of the queues, and each of its top queues. */
const struct field queue_card_fields[] = {
	{ "total", FIELD_INT, FIELD_PAGE },
	{ "types", FIELD_INT, FIELD_PAGE },
	{ "others", FIELD_INT, FIELD_PAGE },
	{ 0 },
};

const struct field queue_top_fields[] = {
	{ "job_type", FIELD_TEXT, FIELD_PAGE },
	{ "count", FIELD_INT, FIELD_PAGE },
	{ 0 },
};

const struct field schedule_card_fields[] = {
	{ "total", FIELD_INT, FIELD_PAGE },
	{ "status", FIELD_TEXT, FIELD_PAGE },
	{ 0 },
};

const struct field worker_card_fields[] = {
	{ "busy", FIELD_INT, FIELD_PAGE },
	{ "total", FIELD_INT, FIELD_PAGE },
	{ "free", FIELD_INT, FIELD_PAGE },
	{ 0 },
};

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

/* Field f of rec for people. */
static void put_page(struct json_object *out, const struct field *f,
		     struct json_object *rec)
{
	char buf[256];
	int64_t v;

	switch (f->kind) {
	case FIELD_TEXT:
		set_str(out, f->name, jsv_json_str(rec, f->name));
		break;
	case FIELD_INT:
		set_int(out, f->name, jsv_json_int(rec, f->name));
		break;
	case FIELD_BOOL:
		set_bool(out, f->name,
			 json_object_get_boolean(
				 json_object_object_get(rec, f->name)));
		break;
	case FIELD_TIME:
		jsv_fmt_time_people(buf, sizeof(buf),
				    jsv_json_str(rec, f->name));
		set_str(out, f->name, buf);
		break;
	case FIELD_LATENCY:
		v = jsv_json_int(rec, f->name);
		jsv_fmt_latency(buf, sizeof(buf), v > 0 ? (uint64_t)v : 0);
		set_str(out, f->name, buf);
		break;
	case FIELD_VENDOR_ID:
		v = jsv_json_int(rec, f->name);
		snprintf(buf, sizeof(buf), "%" PRId64, v);
		set_str(out, f->name, v == JSV_VENDOR_ID_NONE ? "" : buf);
		break;
	case FIELD_JSON:
		set_str(out, f->name,
			json_object_object_get_ex(rec, f->name, NULL) ?
				json_object_to_json_string_ext(
					json_object_object_get(rec, f->name),
					JSV_JSON_TO_STRING) :
				"");
		break;
	}
}

void fields_put(struct json_object *out, const struct field *table,
		struct json_object *rec)
{
	const struct field *f;

	for (f = table; f->name; f++)
		if (f->views & FIELD_PAGE)
			put_page(out, f, rec);
}

struct json_object *fields_project(const struct field *table,
				   struct json_object *rec)
{
	struct json_object *out = json_object_new_object();

	fields_put(out, table, rec);
	return out;
}

struct json_object *fields_project_list(const struct field *table,
					struct json_object *recs)
{
	struct json_object *out = json_object_new_array();
	size_t i, n;

	n = json_object_is_type(recs, json_type_array) ?
		    json_object_array_length(recs) :
		    0;
	for (i = 0; i < n; i++)
		json_object_array_add(
			out, fields_project(table, json_object_array_get_idx(
							   recs, i)));
	return out;
}

/*
 * s as a JSON string, escaped as json-c escapes it with JSV_JSON_TO_STRING:
 * the two-character escapes, \u00xx for the other control characters,
 * '/' as it is.
 */
static void put_json_string(struct jsv_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const char *start = s, *end = s + len;
	char esc[7];
	size_t n;

	jsv_buf_add(b, "\"", 1);
	for (; s < end; s++) {
		n = 2;
		esc[0] = '\\';
		switch (*s) {
		case '\b':
			esc[1] = 'b';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '"':
		case '\\':
			esc[1] = *s;
			break;
		default:
			if ((unsigned char)*s >= ' ')
				continue;
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[(unsigned char)*s >> 4];
			esc[5] = hex[*s & 0xf];
			n = 6;
		}
		jsv_buf_add(b, start, (size_t)(s - start));
		jsv_buf_add(b, esc, n);
		start = s + 1;
	}
	jsv_buf_add(b, start, (size_t)(end - start));
	jsv_buf_add(b, "\"", 1);
}

/* v as JSON text, as json-c would write it. */
static void put_json_value(struct jsv_buf *b, struct json_object *v)
{
	const char *s;
	int64_t i;

	switch (json_object_get_type(v)) {
	case json_type_string:
		put_json_string(b, json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
		return;
	case json_type_boolean:
		if (json_object_get_boolean(v))
			jsv_buf_add(b, "true", 4);
		else
			jsv_buf_add(b, "false", 5);
		return;
	case json_type_null:
		jsv_buf_add(b, "null", 4);
		return;
	case json_type_int:
		/* INT64_MAX may stand for a larger unsigned value */
		i = json_object_get_int64(v);
		if (i != INT64_MAX) {
			jsv_buf_printf(b, "%" PRId64, i);
			return;
		}
		break;
	default:
		break;
	}
	s = json_object_to_json_string_ext(v, JSV_JSON_TO_STRING);
	jsv_buf_add(b, s, strlen(s));
}

void fields_api_json(struct jsv_buf *b, const struct field *table,
		     struct json_object *recs)
{
	struct json_object *rec, *v;
	const struct field *f;
	size_t i, n;
	bool first;

	n = json_object_is_type(recs, json_type_array) ?
		    json_object_array_length(recs) :
		    0;
	jsv_buf_add(b, "[", 1);
	for (i = 0; i < n; i++) {
		rec = json_object_array_get_idx(recs, i);
		jsv_buf_add(b, i ? ",{" : "{", i ? 2 : 1);
		first = true;
		for (f = table; f->name; f++) {
			if (!(f->views & FIELD_API) ||
			    !json_object_object_get_ex(rec, f->name, &v))
				continue;
			if ((f->views & FIELD_API_OPTIONAL) &&
			    json_object_is_type(v, json_type_string) &&
			    json_object_get_string_len(v) == 0)
				continue;
			if (!first)
				jsv_buf_add(b, ",", 1);
			first = false;
			put_json_string(b, f->name, strlen(f->name));
			jsv_buf_add(b, ":", 1);
			put_json_value(b, v);
		}
		jsv_buf_add(b, "}", 1);
	}
	jsv_buf_add(b, "]", 1);
}

struct json_object *fields_rows(struct json_object *rec)
{
	struct json_object *rows = json_object_new_array(), *row;
	const char *val;

	if (!json_object_is_type(rec, json_type_object))
		return rows;
	json_object_object_foreach(rec, key, v) {
		row = json_object_new_object();
		set_str(row, "name", key);
		if (json_object_is_type(v, json_type_string))
			val = json_object_get_string(v);
		else
			val = json_object_to_json_string_ext(
				v, JSV_JSON_TO_STRING);
		set_str(row, "value", val);
		json_object_array_add(rows, row);
	}
	return rows;
}
