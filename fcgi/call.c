/* SPDX-License-Identifier: ISC */
/*
 * The daemon call: a request over the control socket (opened on demand,
 * once per HTTP request), its records and END collected, and a failure
 * mapped to the HTTP status it is answered with.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fcgi.h"

struct json_object *call_request(const char *cmd)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

static int call_fail(struct call *c, int code, const char *fmt, ...)
	JSV_PRINTF(3, 4);

static int call_fail(struct call *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->code = code;
	jsv_client_close(c->client);
	c->client = NULL;
	return -1;
}

int call_daemon(struct call *c, struct json_object *req,
		struct json_object **records, struct json_object **end)
{
	struct json_object *obj;
	const char *text;
	char err[256];
	int64_t code;
	int r;

	*end = NULL;
	if (!c->client) {
		c->client = jsv_client_open(c->app->socket, FCGI_TIMEOUT_MS,
					    err, sizeof(err));
		if (!c->client) {
			json_object_put(req);
			return call_fail(c, JSV_E_MAX,
					 "The job service daemon cannot be "
					 "reached (%s).",
					 err);
		}
	}
	r = jsv_client_send(c->client, req);
	json_object_put(req);
	if (r < 0)
		return call_fail(c, JSV_E_MAX,
				 "Sending to the job service daemon failed: "
				 "%s.",
				 strerror(-r));
	for (;;) {
		r = jsv_client_next(c->client, &obj);
		if (r < 0)
			return call_fail(c, JSV_E_MAX,
					 "The job service daemon did not "
					 "answer: %s.",
					 strerror(-r));
		if (r == JSV_MSG_RECORD && records) {
			if (!*records)
				*records = json_object_new_array();
			json_object_array_add(*records, obj);
			continue;
		}
		if (r == JSV_MSG_END) {
			*end = obj;
			return 0;
		}
		if (r == JSV_MSG_ERROR) {
			if (jsv_json_get_int64(obj, "code", &code) != 0 ||
			    code <= 0 || code >= JSV_E_MAX)
				code = JSV_E_INTERNAL;
			if (jsv_json_get_string(obj, "error", &text) != 0)
				text = jsv_strerror((int)code);
			c->code = (int)code;
			snprintf(c->err, sizeof(c->err), "%s", text);
			json_object_put(obj);
			return -1;
		}
		json_object_put(obj);
	}
}

int call_status(const struct call *c)
{
	switch (c->code) {
	case JSV_E_INVAL:
		return 400;
	case JSV_E_PERM:
		return 403;
	case JSV_E_NOENT:
	case JSV_E_TYPE:
		return 404;
	case JSV_E_UNIQUE:
	case JSV_E_STATE:
		return 409;
	case JSV_E_REDIS:
	case JSV_E_BUSY:
	case JSV_E_MAX:
		return 503;
	}
	return 500;
}

bool call_admin(const struct call *c)
{
	return config_is_admin(c->app->cfg, c->rq->remote_user);
}

int call_job_log(struct call *c, const char *id, int64_t offset,
		 struct jsv_buf *data, int64_t *next)
{
	struct json_object *req, *end, *d;

	req = call_request("job.log");
	set_str(req, "id", id);
	set_int(req, "offset", offset);
	if (call_daemon(c, req, NULL, &end) < 0)
		return -1;
	d = json_object_object_get(end, "data");
	if (json_object_is_type(d, json_type_string) &&
	    json_object_get_string_len(d) > 0) {
		if (data)
			jsv_buf_add(data, json_object_get_string(d),
				    (size_t)json_object_get_string_len(d));
		*next = get_int(end, "offset");
	} else {
		*next = -1;
	}
	json_object_put(end);
	return 0;
}
