/* SPDX-License-Identifier: ISC */
/*
 * The command catalogue's tables, made from lib/commands.def, and the one
 * check of a request's fields against them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "catalog.h"

/* Each command's fields, as a static array f_<ID> ended by a NULL name. */
/* clang-format off */
#define FIELDS_END { .name = NULL }
/* clang-format on */
#define F(name, kind, presence, min, max) \
	{ #name, JSV_KIND_##kind, JSV_##presence, (min), (max) },
#define JSV_CMD(id, name, access, answer, fields) \
	static const struct jsv_field f_##id[] = { fields FIELDS_END };
#include "commands.def"
#undef JSV_CMD
#undef F

#define JSV_READS false
#define JSV_ACTS true

static const struct jsv_command commands[JSV_CMD_MAX] = {
#define F(name, kind, presence, min, max)
#define JSV_CMD(id, wire, access, ans, flds)        \
	[JSV_CMD_##id] = { .name = (wire),          \
			   .acts = JSV_##access,    \
			   .answer = JSV_ANS_##ans, \
			   .fields = f_##id,        \
			   .nfields = JSV_ARRAY_SIZE(f_##id) - 1 },
#include "commands.def"
#undef JSV_CMD
#undef F
};

const struct jsv_command *jsv_command(enum jsv_cmd cmd)
{
	return &commands[cmd];
}

int jsv_cmd_lookup(const char *name)
{
	int i;

	for (i = 0; i < JSV_CMD_MAX; i++)
		if (strcmp(commands[i].name, name) == 0)
			return i;
	return -1;
}

struct json_object *jsv_request_new(enum jsv_cmd cmd)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd",
			       json_object_new_string(commands[cmd].name));
	return req;
}

static bool in_range(int64_t v, const struct jsv_field *f)
{
	return v >= f->min && v <= f->max;
}

/* Whether each element of the list v passes ok(). */
static bool list_ok(struct json_object *v, const struct jsv_field *f,
		    bool (*ok)(struct json_object *))
{
	size_t i, n;

	if (!json_object_is_type(v, json_type_array))
		return false;
	n = json_object_array_length(v);
	if (!in_range((int64_t)n, f))
		return false;
	for (i = 0; i < n; i++)
		if (!ok(json_object_array_get_idx(v, i)))
			return false;
	return true;
}

static bool is_job_type(struct json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       jsv_valid_job_type(json_object_get_string(v));
}

static bool is_worker_id(struct json_object *v)
{
	return json_object_is_type(v, json_type_string) &&
	       json_object_get_string_len(v) >= 1 &&
	       json_object_get_string_len(v) <= JSV_WORKER_ID_MAX;
}

static bool is_object(struct json_object *v)
{
	return json_object_is_type(v, json_type_object);
}

/* Whether v is a value of f's kind within f's bounds. */
static bool value_ok(struct json_object *v, const struct jsv_field *f)
{
	switch (f->kind) {
	case JSV_KIND_BOOL:
		return json_object_is_type(v, json_type_boolean);
	case JSV_KIND_INT:
		/* json-c keeps integers past INT64_MAX as unsigned */
		return json_object_is_type(v, json_type_int) &&
		       json_object_get_uint64(v) <= (uint64_t)INT64_MAX &&
		       in_range(json_object_get_int64(v), f);
	case JSV_KIND_STRING:
		return json_object_is_type(v, json_type_string) &&
		       in_range(json_object_get_string_len(v), f);
	case JSV_KIND_OBJECT:
		return is_object(v);
	case JSV_KIND_ID:
		return json_object_is_type(v, json_type_string) &&
		       jsv_valid_id(json_object_get_string(v));
	case JSV_KIND_JOB_ID:
		return json_object_is_type(v, json_type_string) &&
		       jsv_valid_job_id(json_object_get_string(v));
	case JSV_KIND_JOB_TYPE:
		return is_job_type(v);
	case JSV_KIND_JOB_STATUS:
		return json_object_is_type(v, json_type_string) &&
		       jsv_job_status_parse(json_object_get_string(v)) >= 0;
	case JSV_KIND_JOB_TYPES:
		return list_ok(v, f, is_job_type);
	case JSV_KIND_WORKER_IDS:
		return list_ok(v, f, is_worker_id);
	case JSV_KIND_OBJECTS:
		return list_ok(v, f, is_object);
	}
	return false;
}

/* What a value of f's kind must be, for messages. */
static void describe(char *buf, size_t len, const struct jsv_field *f)
{
	static const char *const what[] = {
		[JSV_KIND_BOOL] = "true or false",
		[JSV_KIND_INT] = "an integer",
		[JSV_KIND_STRING] = "a string",
		[JSV_KIND_OBJECT] = "a JSON object",
		[JSV_KIND_ID] = "an id (1 to 64 of A-Z a-z 0-9 _.:-)",
		[JSV_KIND_JOB_ID] = "a job id (24 hex digits)",
		[JSV_KIND_JOB_TYPE] = "a job type",
		[JSV_KIND_JOB_STATUS] =
			"a job status (Pending, Scheduled, Running, Success, Error, Stopped)",
		[JSV_KIND_JOB_TYPES] = "a list of job types",
		[JSV_KIND_WORKER_IDS] = "a list of worker ids",
		[JSV_KIND_OBJECTS] = "a list of JSON objects",
	};

	switch (f->kind) {
	case JSV_KIND_INT:
		if (f->max == INT64_MAX)
			snprintf(buf, len, "an integer from %lld",
				 (long long)f->min);
		else
			snprintf(buf, len, "an integer from %lld to %lld",
				 (long long)f->min, (long long)f->max);
		break;
	case JSV_KIND_STRING:
		snprintf(buf, len, "a string of %lld to %lld bytes",
			 (long long)f->min, (long long)f->max);
		break;
	case JSV_KIND_JOB_TYPES:
	case JSV_KIND_WORKER_IDS:
	case JSV_KIND_OBJECTS:
		snprintf(buf, len, "%s, %lld to %lld of them", what[f->kind],
			 (long long)f->min, (long long)f->max);
		break;
	default:
		snprintf(buf, len, "%s", what[f->kind]);
	}
}

static const struct jsv_field *find_field(const struct jsv_command *c,
					  const char *key)
{
	size_t i;

	for (i = 0; i < c->nfields; i++)
		if (strcmp(c->fields[i].name, key) == 0)
			return &c->fields[i];
	return NULL;
}

/* Whether a field counts as given: present, and not a false boolean. */
static bool given(struct json_object *req, const struct jsv_field *f)
{
	struct json_object *v;

	if (!json_object_object_get_ex(req, f->name, &v))
		return false;
	return !(json_object_is_type(v, json_type_boolean) &&
		 !json_object_get_boolean(v));
}

/* The presence rules of c's fields; -EINVAL with err set when broken. */
static int check_presence(struct json_object *req, const struct jsv_command *c,
			  char *err, size_t errlen)
{
	bool has_alt = false, alt_given = false;
	size_t i;

	for (i = 0; i < c->nfields; i++) {
		const struct jsv_field *f = &c->fields[i];

		if (f->presence == JSV_REQ &&
		    !json_object_object_get_ex(req, f->name, NULL)) {
			snprintf(err, errlen, "\"%s\" is missing for %s",
				 f->name, c->name);
			return -EINVAL;
		}
		if (f->presence == JSV_ALT) {
			has_alt = true;
			alt_given = alt_given || given(req, f);
		}
	}
	if (has_alt && !alt_given) {
		/* commands.def gives at most two ALT fields, e.g. types|all */
		const char *a = NULL, *b = NULL;

		for (i = 0; i < c->nfields; i++) {
			if (c->fields[i].presence != JSV_ALT)
				continue;
			if (!a)
				a = c->fields[i].name;
			else
				b = c->fields[i].name;
		}
		snprintf(err, errlen, "give \"%s\"%s%s%s for %s", a,
			 b ? " or \"" : "", b ? b : "", b ? "\"" : "", c->name);
		return -EINVAL;
	}
	return 0;
}

int jsv_request_check(struct json_object *req, enum jsv_cmd *cmd, char *err,
		      size_t errlen)
{
	const struct jsv_command *c;
	const struct jsv_field *f;
	const char *name;
	char what[96];
	int i;

	if (jsv_json_get_string(req, "cmd", &name) < 0) {
		snprintf(err, errlen, "\"cmd\" is missing");
		return -EINVAL;
	}
	i = jsv_cmd_lookup(name);
	if (i < 0) {
		snprintf(err, errlen, "unknown command \"%.64s\"", name);
		return -EINVAL;
	}
	*cmd = (enum jsv_cmd)i;
	c = &commands[i];
	json_object_object_foreach(req, key, v) {
		if (strcmp(key, "cmd") == 0)
			continue;
		f = find_field(c, key);
		if (!f) {
			snprintf(err, errlen, "unknown field \"%.64s\" for %s",
				 key, c->name);
			return -EINVAL;
		}
		if (!value_ok(v, f)) {
			describe(what, sizeof(what), f);
			snprintf(err, errlen, "\"%s\" must be %s", f->name,
				 what);
			return -EINVAL;
		}
	}
	return check_presence(req, c, err, errlen);
}
