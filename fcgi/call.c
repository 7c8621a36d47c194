/* SPDX-License-Identifier: ISC */
/*
 * The daemon call: a command of the catalogue sent with jsv_call() over the
 * request's connection (opened on demand, once per HTTP request), and a
 * failure kept for the page or the API, with the HTTP status it is
 * answered with.
 */
#include "config.h"

#include <stdio.h>

#include "fcgi.h"

/*
 * Keeps the failure err in c: the daemon's refusal as it is, a wait past
 * the timeout as FCGI_E_TIMEOUT, another local failure (connecting, when
 * there is no connection yet, or later) as JSV_E_MAX; after a local failure
 * the connection goes.  Returns -1.
 */
static int call_failed(struct call *c, const struct jsv_call_err *err)
{
	if (err->status == JSV_CALL_REFUSED) {
		c->code = err->code;
		snprintf(c->err, sizeof(c->err), "%s", err->text);
		return -1;
	}
	c->code = JSV_E_MAX;
	if (err->status == JSV_CALL_TIMEOUT) {
		c->code = FCGI_E_TIMEOUT;
		snprintf(c->err, sizeof(c->err),
			 "The job service daemon did not answer within %g "
			 "seconds; it may be overloaded or stopped.",
			 c->app->cfg->timeout_ms / 1000.0);
	} else if (c->client)
		snprintf(c->err, sizeof(c->err),
			 "Talking to the job service daemon failed: %s.",
			 err->text);
	else
		snprintf(c->err, sizeof(c->err),
			 "The job service daemon cannot be reached (%s).",
			 err->text);
	jsv_client_close(c->client);
	c->client = NULL;
	return -1;
}

/* The request's connection, opened on first use; NULL after a failure. */
static struct jsv_client *call_client(struct call *c)
{
	struct jsv_call_err err;

	if (!c->client) {
		c->client = jsv_call_connect(c->app->socket,
					     c->app->cfg->timeout_ms, &err);
		if (!c->client)
			call_failed(c, &err);
	}
	return c->client;
}

int call_daemon(struct call *c, enum jsv_cmd cmd, struct json_object *req,
		struct json_object **records, struct json_object **end)
{
	struct jsv_call_err err;

	*end = NULL;
	if (records)
		*records = NULL;
	if (!call_client(c)) {
		json_object_put(req);
		return -1;
	}
	if (jsv_call(c->client, cmd, req, records, end, &err) < 0)
		return call_failed(c, &err);
	return 0;
}

int call_job_log(struct call *c, const char *id, size_t max,
		 struct jsv_buf *out)
{
	struct jsv_log log = { .id = id, .max = max };
	struct jsv_call_err err;
	int r = 0;

	if (!call_client(c))
		return -1;
	if (jsv_log_read(c->client, &log, JSV_LOG_NOW, &err) < 0)
		r = call_failed(c, &err);
	else
		jsv_buf_add(out, log.buf.data ? log.buf.data : "", log.buf.len);
	jsv_buf_free(&log.buf);
	return r;
}

int call_job_log_tail(struct call *c, const char *id, size_t tail,
		      struct jsv_buf *out)
{
	struct jsv_call_err err;

	if (!call_client(c))
		return -1;
	if (jsv_log_tail(c->client, id, tail, out, &err) < 0)
		return call_failed(c, &err);
	return 0;
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
	case FCGI_E_TIMEOUT:
		return 504;
	}
	return 500;
}

bool call_admin(const struct call *c)
{
	return config_is_admin(c->app->cfg, c->rq->remote_user);
}

bool call_reader(const struct call *c)
{
	return config_in_list(c->app->cfg, &c->app->cfg->readers,
			      c->rq->remote_user);
}

/* Log readers are readers too. */
bool call_log_reader(const struct call *c)
{
	return call_reader(c) &&
	       config_in_list(c->app->cfg, &c->app->cfg->log_readers,
			      c->rq->remote_user);
}

/* Audit readers are readers too. */
bool call_audit_reader(const struct call *c)
{
	return call_reader(c) &&
	       config_in_list(c->app->cfg, &c->app->cfg->audit_readers,
			      c->rq->remote_user);
}
