/* SPDX-License-Identifier: ISC */
/*
 * The command catalogue: what lib/commands.def says of each control
 * command, as tables.  The daemon checks every request against it before
 * any handler runs; jobsvc-ctl and jobsvc-fcgi name commands by their enum
 * jsv_cmd and build requests with jsv_request_new().
 */
#ifndef JSV_CATALOG_H
#define JSV_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "proto.h"

/* The bounds of paged lists: "page" from 1, "page_size" from 1. */
#define JSV_PAGE_MAX 1000000000
#define JSV_PAGE_SIZE_MAX 100
/* The longest "as_user" of an acting command. */
#define JSV_AS_USER_MAX 64
/* The longest worker id in worker.free ("<pool id>-<slot>"). */
#define JSV_WORKER_ID_MAX 80

enum jsv_cmd {
#define F(name, kind, presence, min, max)
#define JSV_CMD(id, name, access, answer, fields) JSV_CMD_##id,
#include "commands.def"
#undef JSV_CMD
#undef F
	JSV_CMD_MAX
};

/* What a command's answer is made of. */
enum jsv_answer {
	JSV_ANS_END, /* one END */
	JSV_ANS_RECORDS, /* RECORDs, then an empty END */
	JSV_ANS_PAGE, /* RECORDs, then an END with a summary */
};

/* What a field's value must be. */
enum jsv_kind {
	JSV_KIND_BOOL, /* true or false */
	JSV_KIND_INT, /* an integer from min to max */
	JSV_KIND_STRING, /* a string of min to max bytes */
	JSV_KIND_OBJECT, /* a JSON object */
	JSV_KIND_ID, /* jsv_valid_id(): execution or pool */
	JSV_KIND_JOB_ID, /* jsv_valid_job_id() */
	JSV_KIND_JOB_TYPE, /* jsv_valid_job_type() */
	JSV_KIND_JOB_STATUS, /* jsv_job_status_parse() */
	JSV_KIND_JOB_TYPES, /* a list of min to max job types */
	JSV_KIND_WORKER_IDS, /* a list of min to max worker ids */
	JSV_KIND_OBJECTS, /* a list of min to max JSON objects */
};

enum jsv_presence {
	JSV_REQ, /* always given */
	JSV_OPT, /* may be left out */
	JSV_ALT, /* at least one of the command's ALT fields is given */
};

struct jsv_field {
	const char *name;
	enum jsv_kind kind;
	enum jsv_presence presence;
	int64_t min, max;
};

struct jsv_command {
	const char *name; /* the request's "cmd" */
	bool acts; /* administrators only */
	enum jsv_answer answer;
	const struct jsv_field *fields;
	size_t nfields;
};

/* The catalogue entry of cmd, which must be below JSV_CMD_MAX. */
const struct jsv_command *jsv_command(enum jsv_cmd cmd);

/* The command whose wire name is name, or -1. */
int jsv_cmd_lookup(const char *name);

/*
 * Checks a decoded request against the catalogue: "cmd" names a command,
 * every other field is one of the command's, of its kind and within its
 * bounds, required fields are there and at least one ALT field is.  Returns
 * 0 with the command in *cmd, or -EINVAL with what is wrong in err ("unknown
 * field \"x\" for queue.stop"); *cmd is set whenever the command was known.
 */
int jsv_request_check(struct json_object *req, enum jsv_cmd *cmd, char *err,
		      size_t errlen);

/* A new request object with "cmd" set; the caller adds the fields. */
struct json_object *jsv_request_new(enum jsv_cmd cmd);

#endif /* JSV_CATALOG_H */
