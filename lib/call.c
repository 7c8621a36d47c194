/* SPDX-License-Identifier: ISC */
/*
 * The client layer: one call with one policy for an answer's frames, the
 * request builders, and the job-log reader (call.h says the policy).
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "call.h"

static int call_fail(struct jsv_call_err *err, enum jsv_call_status status,
		     int errnum, const char *fmt, ...) JSV_PRINTF(4, 5);

static int call_fail(struct jsv_call_err *err, enum jsv_call_status status,
		     int errnum, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	err->code = 0;
	err->errnum = errnum;
	va_start(ap, fmt);
	vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return -1;
}

/* A local failure of the connection, from the negative errno r. */
static int conn_fail(struct jsv_call_err *err, int r, const char *what)
{
	switch (r) {
	case -ECONNRESET:
	case -EPIPE:
		return call_fail(err, JSV_CALL_CLOSED, -r,
				 "the daemon closed the connection");
	case -ETIMEDOUT:
		return call_fail(err, JSV_CALL_TIMEOUT, -r, "%s: %s", what,
				 strerror(-r));
	case -EPROTO:
	case -EMSGSIZE:
		return call_fail(err, JSV_CALL_PROTO, -r, "%s: %s", what,
				 strerror(-r));
	}
	return call_fail(err, JSV_CALL_IO, -r, "%s: %s", what, strerror(-r));
}

/* The daemon's ERROR frame: its code (checked) and text. */
static int refused(struct jsv_call_err *err, struct json_object *obj)
{
	const char *text;
	int64_t code;

	if (jsv_json_get_int64(obj, "code", &code) != 0 || code <= JSV_OK ||
	    code >= JSV_E_MAX)
		code = JSV_E_INTERNAL;
	if (jsv_json_get_string(obj, "error", &text) != 0)
		text = jsv_strerror((int)code);
	call_fail(err, JSV_CALL_REFUSED, 0, "%s", text);
	err->code = (int)code;
	return -1;
}

bool jsv_call_local(const struct jsv_call_err *err)
{
	return err->status != JSV_CALL_OK && err->status != JSV_CALL_REFUSED;
}

struct jsv_client *jsv_call_connect(const char *path, int timeout_ms,
				    struct jsv_call_err *err)
{
	struct jsv_client *c;

	c = jsv_client_open(path, timeout_ms, err->text, sizeof(err->text));
	if (c != NULL) {
		err->status = JSV_CALL_OK;
		return c;
	}
	err->status = errno == ETIMEDOUT ? JSV_CALL_TIMEOUT :
					   JSV_CALL_UNREACHABLE;
	err->code = 0;
	err->errnum = errno;
	return NULL;
}

int jsv_call(struct jsv_client *c, enum jsv_cmd cmd, struct json_object *req,
	     struct json_object **records, struct json_object **end,
	     struct jsv_call_err *err)
{
	const struct jsv_command *command = jsv_command(cmd);
	struct json_object *obj, *recs = NULL;
	int r;

	*end = NULL;
	if (records != NULL)
		*records = NULL;
	if (req == NULL)
		req = json_object_new_object();
	json_object_object_add(req, "cmd",
			       json_object_new_string(command->name));
	r = jsv_client_send(c, req);
	json_object_put(req);
	if (r < 0)
		return conn_fail(err, r, "sending the request");
	if (command->answer != JSV_ANS_END)
		recs = json_object_new_array();
	for (;;) {
		r = jsv_client_next(c, &obj);
		if (r < 0) {
			conn_fail(err, r, "reading the answer");
			break;
		}
		if (r == JSV_MSG_RECORD && recs != NULL) {
			json_object_array_add(recs, obj);
			continue;
		}
		if (r == JSV_MSG_END) {
			*end = obj;
			if (records != NULL)
				*records = recs;
			else
				json_object_put(recs);
			err->status = JSV_CALL_OK;
			return 0;
		}
		if (r == JSV_MSG_ERROR)
			refused(err, obj);
		else
			call_fail(err, JSV_CALL_PROTO, EPROTO,
				  "a record in the answer to %s, which has "
				  "none",
				  command->name);
		json_object_put(obj);
		break;
	}
	json_object_put(recs);
	return -1;
}

/* The name of cmd's field that lists job types or worker ids. */
static const char *list_field(enum jsv_cmd cmd)
{
	const struct jsv_command *command = jsv_command(cmd);
	size_t i;

	for (i = 0; i < command->nfields; i++) {
		if (command->fields[i].kind == JSV_KIND_JOB_TYPES ||
		    command->fields[i].kind == JSV_KIND_WORKER_IDS)
			return command->fields[i].name;
	}
	fatalx("%s takes no list of targets", command->name);
}

void jsv_req_targets(struct json_object *req, enum jsv_cmd cmd,
		     const char *const *names, size_t n, bool all)
{
	struct json_object *arr;
	size_t i;

	if (all) {
		json_object_object_add(req, "all", json_object_new_boolean(1));
		return;
	}
	arr = json_object_new_array();
	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(names[i]));
	json_object_object_add(req, list_field(cmd), arr);
}

void jsv_req_type_or_all(struct json_object *req, enum jsv_cmd cmd,
			 const char *type)
{
	jsv_req_targets(req, cmd, &type, 1, strcmp(type, "all") == 0);
}

void jsv_req_pool(struct json_object *req, const char *pool_id)
{
	if (pool_id == NULL || strcmp(pool_id, "all") == 0)
		json_object_object_add(req, "all", json_object_new_boolean(1));
	else
		json_object_object_add(req, "pool_id",
				       json_object_new_string(pool_id));
}

void jsv_req_id(struct json_object *req, const char *id)
{
	json_object_object_add(req, "id", json_object_new_string(id));
}

void jsv_req_as_user(struct json_object *req, const char *user)
{
	if (user && user[0] != '\0' && strlen(user) <= JSV_AS_USER_MAX)
		json_object_object_add(req, "as_user",
				       json_object_new_string(user));
}

void jsv_req_schedule_id(struct json_object *req, int64_t id)
{
	json_object_object_add(req, "id", json_object_new_int64(id));
}

void jsv_req_jobs(struct json_object *req, const char *status, const char *type)
{
	if (status && *status)
		json_object_object_add(req, "status",
				       json_object_new_string(status));
	if (type && *type)
		json_object_object_add(req, "type",
				       json_object_new_string(type));
}

void jsv_req_page(struct json_object *req, int64_t page, int64_t page_size)
{
	if (page != 0)
		json_object_object_add(req, "page",
				       json_object_new_int64(page));
	if (page_size != 0)
		json_object_object_add(req, "page_size",
				       json_object_new_int64(page_size));
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Asks for one chunk at log->offset; *len is its length, 0 when none. */
static int log_chunk(struct jsv_client *c, struct jsv_log *log, size_t *len,
		     struct jsv_call_err *err)
{
	struct json_object *req, *end, *data;
	int64_t next;
	bool done;

	req = json_object_new_object();
	jsv_req_id(req, log->id);
	json_object_object_add(req, "offset",
			       json_object_new_int64(log->offset));
	if (jsv_call(c, JSV_CMD_JOB_LOG, req, NULL, &end, err) == -1)
		return -1;
	data = json_object_object_get(end, "data");
	if (!json_object_is_type(data, json_type_string) ||
	    jsv_json_get_int64(end, "offset", &next) != 0 ||
	    jsv_json_get_bool(end, "done", &done) != 0 || next < log->offset) {
		json_object_put(end);
		return call_fail(err, JSV_CALL_PROTO, EPROTO,
				 "malformed job.log answer from the daemon");
	}
	*len = (size_t)json_object_get_string_len(data);
	log->offset = next;
	log->done = done;
	log->read += *len;
	if (log->chunk == NULL)
		jsv_buf_add(&log->buf, json_object_get_string(data), *len);
	else if (*len > 0 || done)
		log->chunk(log, json_object_get_string(data), *len, log->arg);
	json_object_put(end);
	return 0;
}

int jsv_log_read(struct jsv_client *c, struct jsv_log *log,
		 enum jsv_log_until until, struct jsv_call_err *err)
{
	size_t len;

	for (;;) {
		if (log_chunk(c, log, &len, err) == -1)
			return -1;
		if (until == JSV_LOG_ONE || log->done ||
		    (log->max > 0 && log->read >= log->max))
			return 0;
		if (len > 0)
			continue;
		if (until == JSV_LOG_NOW)
			return 0;
		sleep_ms(log->poll_ms);
	}
}

/* Whether the log has text at offset. */
int jsv_log_tail(struct jsv_client *c, const char *id, size_t tail,
		 struct jsv_buf *out, struct jsv_call_err *err)
{
	struct json_object *req, *end;
	struct jsv_buf text = { 0 };
	size_t skip = 0;
	int64_t size;

	if (tail == 0)
		return 0;
	if (tail > JSV_LOG_CHUNK)
		tail = JSV_LOG_CHUNK;
	req = json_object_new_object();
	jsv_req_id(req, id);
	json_object_object_add(req, "tail", json_object_new_int64(tail));
	if (jsv_call(c, JSV_CMD_JOB_LOG, req, NULL, &end, err) == -1)
		return -1;
	size = jsv_json_int(end, "size");
	jsv_buf_add(&text, jsv_json_str(end, "data"),
		    json_object_get_string_len(
			    json_object_object_get(end, "data")));
	json_object_put(end);
	/* cut: start at the next line (within 1 KiB), or a character */
	if (size > (int64_t)tail) {
		while (skip < text.len && skip < 1024 &&
		       text.data[skip] != '\n')
			skip++;
		if (skip < text.len && text.data[skip] == '\n')
			skip++;
		else
			skip = 0;
		while (skip < text.len &&
		       ((unsigned char)text.data[skip] & 0xc0) == 0x80)
			skip++;
	}
	jsv_buf_add(out, text.data ? text.data + skip : "", text.len - skip);
	jsv_buf_free(&text);
	return 0;
}
