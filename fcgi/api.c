/* SPDX-License-Identifier: ISC */
/*
 * The JSON API under <prefix>api/v2.0/, Harbor's job service API (paths,
 * methods, parameters, field names; errors as {"errors": [{"code",
 * "message"}]}), answered from the control protocol:
 *
 *	GET jobservice/pools                    pools
 *	GET jobservice/pools/{pool_id}/workers  workers ("all" for every pool)
 *	PUT jobservice/jobs/{job_id}            job.stop
 *	GET jobservice/jobs/{job_id}/log        job.log, as text/plain
 *	GET jobservice/queues                   queues
 *	PUT jobservice/queues/{job_type}        queue.stop|pause|resume
 *	GET schedules                           schedules, X-Total-Count
 *	GET schedules/{job_type}/paused         the SCHEDULER queue's state
 *
 * A PUT needs an administrator, and Content-Type application/json or an
 * X-Requested-With header: neither can come from another site's HTML form.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"

#define API_SEGMENTS 6
#define API_LOG_MAX (16 * 1024 * 1024) /* the log endpoint answers this much */
#define API_PAGE_SIZE 10 /* Harbor's default page_size */

static const char *error_code(int status)
{
	switch (status) {
	case 400:
		return "BAD_REQUEST";
	case 403:
		return "FORBIDDEN";
	case 404:
		return "NOT_FOUND";
	case 405:
		return "METHOD_NOT_ALLOWED";
	case 409:
		return "CONFLICT";
	case 413:
		return "PAYLOAD_TOO_LARGE";
	case 415:
		return "UNSUPPORTED_MEDIA_TYPE";
	case 422:
		return "UNPROCESSABLE_ENTITY";
	case 503:
		return "SERVICE_UNAVAILABLE";
	case 504:
		return "GATEWAY_TIMEOUT";
	}
	return "INTERNAL_SERVER_ERROR";
}

static void send_json(struct call *c, int status, struct json_object *o)
{
	const char *s;
	size_t len;

	s = json_object_to_json_string_length(o, JSV_JSON_TO_STRING, &len);
	c->rs->status = status;
	c->rs->ctype = "application/json";
	jsv_buf_reset(&c->rs->body);
	jsv_buf_add(&c->rs->body, s, len);
	json_object_put(o);
}

static void api_error(struct call *c, int status, const char *msg)
{
	struct json_object *o, *arr, *e;

	e = json_object_new_object();
	json_object_object_add(e, "code",
			       json_object_new_string(error_code(status)));
	json_object_object_add(e, "message", json_object_new_string(msg));
	arr = json_object_new_array();
	json_object_array_add(arr, e);
	o = json_object_new_object();
	json_object_object_add(o, "errors", arr);
	send_json(c, status, o);
}

static void call_error(struct call *c)
{
	api_error(c, call_status(c), c->err);
}

/* Copies key from a record to out when it is there (and, for times, set). */
static void copy(struct json_object *out, struct json_object *rec,
		 const char *key, bool omit_empty)
{
	struct json_object *v;

	if (!json_object_object_get_ex(rec, key, &v))
		return;
	if (omit_empty && json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) == 0)
		return;
	json_object_object_add(out, key, json_object_get(v));
}

/*
 * Sends req and answers with its records, each reduced to the keys (a key
 * starting with '?' is left out when empty), or with the error.
 */
static void list(struct call *c, struct json_object *req,
		 const char *const *keys)
{
	struct json_object *recs = NULL, *end, *arr, *o, *r;
	size_t i, j, n;

	if (call_daemon(c, req, &recs, &end) < 0) {
		call_error(c);
		return;
	}
	json_object_put(end);
	arr = json_object_new_array();
	n = recs ? json_object_array_length(recs) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(recs, i);
		o = json_object_new_object();
		for (j = 0; keys[j]; j++)
			copy(o, r, keys[j] + (keys[j][0] == '?'),
			     keys[j][0] == '?');
		json_object_array_add(arr, o);
	}
	json_object_put(recs);
	send_json(c, 200, arr);
}

static void get_pools(struct call *c)
{
	static const char *const keys[] = { "pid",	   "worker_pool_id",
					    "start_at",	   "heartbeat_at",
					    "concurrency", "host",
					    NULL };

	list(c, call_request("pools"), keys);
}

static void get_workers(struct call *c, const char *pool)
{
	static const char *const keys[] = { "id",	   "pool_id",
					    "job_name",	   "job_id",
					    "?start_at",   "check_in",
					    "?checkin_at", NULL };
	struct json_object *req;

	req = call_request("workers");
	if (strcmp(pool, "all") == 0) {
		json_object_object_add(req, "all", json_object_new_boolean(1));
	} else if (jsv_valid_id(pool)) {
		json_object_object_add(req, "pool_id",
				       json_object_new_string(pool));
	} else {
		json_object_put(req);
		api_error(c, 404, "no such worker pool");
		return;
	}
	list(c, req, keys);
}

static void get_queues(struct call *c)
{
	static const char *const keys[] = { "job_type", "count", "latency",
					    "paused", NULL };

	list(c, call_request("queues"), keys);
}

/* A positive integer query argument up to max, def when absent; -1 if bad. */
static int64_t arg_int(struct call *c, const char *key, int64_t def,
		       int64_t max)
{
	const char *s = kv_get(&c->rq->args, key);
	char *end;
	long long v;

	if (!s)
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max)
		return -1;
	return v;
}

static void get_schedules(struct call *c)
{
	static const char *const keys[] = { "id",   "vendor_type", "vendor_id",
					    "cron", "update_time", NULL };
	struct json_object *req, *recs = NULL, *end, *arr, *o;
	int64_t page, size, total;
	size_t i, j, n;

	page = arg_int(c, "page", 1, INT32_MAX);
	size = arg_int(c, "page_size", API_PAGE_SIZE, 100);
	if (page < 0 || size < 0) {
		api_error(c, 400,
			  "page must be a number from 1 on and page_size one "
			  "from 1 to 100");
		return;
	}
	req = call_request("schedules");
	json_object_object_add(req, "page", json_object_new_int64(page));
	json_object_object_add(req, "page_size", json_object_new_int64(size));
	if (call_daemon(c, req, &recs, &end) < 0) {
		call_error(c);
		return;
	}
	if (jsv_json_get_int64(end, "total", &total) != 0)
		total = 0;
	json_object_put(end);
	arr = json_object_new_array();
	n = recs ? json_object_array_length(recs) : 0;
	for (i = 0; i < n; i++) {
		o = json_object_new_object();
		for (j = 0; keys[j]; j++)
			copy(o, json_object_array_get_idx(recs, i), keys[j],
			     false);
		json_object_array_add(arr, o);
	}
	json_object_put(recs);
	response_header(c->rs, "X-Total-Count: %lld", (long long)total);
	if (page > 1 && (page - 1) * size < total + size)
		response_header(c->rs,
				"Link: <%sapi/v2.0/schedules?page=%lld&"
				"page_size=%lld>; rel=\"prev\"",
				c->rq->prefix_url, (long long)(page - 1),
				(long long)size);
	if (page * size < total)
		response_header(c->rs,
				"Link: <%sapi/v2.0/schedules?page=%lld&"
				"page_size=%lld>; rel=\"next\"",
				c->rq->prefix_url, (long long)(page + 1),
				(long long)size);
	send_json(c, 200, arr);
}

static void get_paused(struct call *c, const char *type)
{
	struct json_object *req, *end, *o;
	bool paused;

	if (strcmp(type, "all") != 0) {
		api_error(c, 400, "only the job type 'all' is supported");
		return;
	}
	req = call_request("schedules");
	json_object_object_add(req, "page_size", json_object_new_int64(1));
	if (call_daemon(c, req, NULL, &end) < 0) {
		call_error(c);
		return;
	}
	if (jsv_json_get_bool(end, "paused", &paused) != 0)
		paused = false;
	json_object_put(end);
	o = json_object_new_object();
	json_object_object_add(o, "paused", json_object_new_boolean(paused));
	send_json(c, 200, o);
}

/* The whole log, up to API_LOG_MAX bytes, as text. */
static void get_log(struct call *c, const char *id)
{
	struct json_object *req, *end, *data;
	int64_t offset = 0, next;
	size_t len;

	if (!jsv_valid_job_id(id)) {
		api_error(c, 404, "no such job");
		return;
	}
	jsv_buf_reset(&c->rs->body);
	do {
		req = call_request("job.log");
		json_object_object_add(req, "id", json_object_new_string(id));
		json_object_object_add(req, "offset",
				       json_object_new_int64(offset));
		if (call_daemon(c, req, NULL, &end) < 0) {
			call_error(c);
			return;
		}
		data = json_object_object_get(end, "data");
		len = json_object_is_type(data, json_type_string) ?
			      (size_t)json_object_get_string_len(data) :
			      0;
		jsv_buf_add(&c->rs->body, json_object_get_string(data), len);
		if (jsv_json_get_int64(end, "offset", &next) != 0 ||
		    next <= offset)
			len = 0;
		offset = next;
		json_object_put(end);
	} while (len > 0 && c->rs->body.len < API_LOG_MAX);
	c->rs->status = 200;
	c->rs->ctype = "text/plain; charset=utf-8";
}

static bool json_body_allowed(const struct request *rq)
{
	static const char json[] = "application/json";
	const char *ct = rq->content_type;

	if (rq->requested_with && *rq->requested_with)
		return true;
	return ct && strncasecmp(ct, json, sizeof(json) - 1) == 0 &&
	       (ct[sizeof(json) - 1] == '\0' || ct[sizeof(json) - 1] == ';');
}

/*
 * Checks a PUT's sender and reads its {"action": ...}: returns the action
 * (NULL when the body is empty and empty_ok), or NULL after answering
 * with an error; *answered tells the two apart.
 */
static const char *put_action(struct call *c, struct json_object **body,
			      bool empty_ok, bool *answered)
{
	const char *err, *action;

	*answered = true;
	*body = NULL;
	if (!call_admin(c)) {
		api_error(c, 403,
			  "only administrators may act on the job "
			  "service");
		return NULL;
	}
	if (!json_body_allowed(c->rq)) {
		api_error(c, 415,
			  "send Content-Type: application/json (or an "
			  "X-Requested-With header)");
		return NULL;
	}
	if (c->rq->body_len == 0 && empty_ok) {
		*answered = false;
		return NULL;
	}
	*body = jsv_json_parse(c->rq->body ? c->rq->body : "", c->rq->body_len,
			       &err);
	if (!*body) {
		api_error(c, 400, "the body must be a JSON object");
		return NULL;
	}
	if (jsv_json_get_string(*body, "action", &action) != 0) {
		api_error(c, 422, "the body needs \"action\"");
		return NULL;
	}
	*answered = false;
	return action;
}

static void put_job(struct call *c, const char *id)
{
	struct json_object *body, *req, *end;
	const char *action;
	bool answered;

	action = put_action(c, &body, true, &answered);
	if (answered)
		goto out;
	if (action && strcmp(action, "stop") != 0) {
		api_error(c, 422, "the only action on a job is stop");
		goto out;
	}
	if (!jsv_valid_job_id(id)) {
		api_error(c, 404, "no such job");
		goto out;
	}
	req = call_request("job.stop");
	json_object_object_add(req, "id", json_object_new_string(id));
	if (call_daemon(c, req, NULL, &end) < 0) {
		call_error(c);
		goto out;
	}
	json_object_put(end);
	c->rs->status = 200;
	c->rs->ctype = "application/json";
out:
	json_object_put(body);
}

static void put_queue(struct call *c, const char *type)
{
	struct json_object *body, *req, *end, *arr;
	const char *action, *cmd;
	bool answered;

	action = put_action(c, &body, false, &answered);
	if (answered)
		goto out;
	if (strcmp(action, "stop") == 0) {
		cmd = "queue.stop";
	} else if (strcmp(action, "pause") == 0) {
		cmd = "queue.pause";
	} else if (strcmp(action, "resume") == 0) {
		cmd = "queue.resume";
	} else {
		api_error(c, 422, "action must be stop, pause or resume");
		goto out;
	}
	req = call_request(cmd);
	if (strcmp(type, "all") == 0) {
		json_object_object_add(req, "all", json_object_new_boolean(1));
	} else if (jsv_valid_job_type(type)) {
		arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_string(type));
		json_object_object_add(req, "types", arr);
	} else {
		json_object_put(req);
		api_error(c, 404, "no such job type");
		goto out;
	}
	if (call_daemon(c, req, NULL, &end) < 0) {
		call_error(c);
		goto out;
	}
	json_object_put(end);
	c->rs->status = 200;
	c->rs->ctype = "application/json";
out:
	json_object_put(body);
}

/* What a path answers: its method and handler. */
enum api_route {
	R_NONE,
	R_POOLS,
	R_WORKERS,
	R_JOB,
	R_LOG,
	R_QUEUES,
	R_QUEUE,
	R_SCHEDULES,
	R_PAUSED,
};

static enum api_route match(char **seg, int n)
{
	if (n >= 2 && strcmp(seg[0], "jobservice") == 0) {
		if (n == 2 && strcmp(seg[1], "pools") == 0)
			return R_POOLS;
		if (n == 4 && strcmp(seg[1], "pools") == 0 &&
		    strcmp(seg[3], "workers") == 0)
			return R_WORKERS;
		if (n == 3 && strcmp(seg[1], "jobs") == 0)
			return R_JOB;
		if (n == 4 && strcmp(seg[1], "jobs") == 0 &&
		    strcmp(seg[3], "log") == 0)
			return R_LOG;
		if (n == 2 && strcmp(seg[1], "queues") == 0)
			return R_QUEUES;
		if (n == 3 && strcmp(seg[1], "queues") == 0)
			return R_QUEUE;
		return R_NONE;
	}
	if (n == 1 && strcmp(seg[0], "schedules") == 0)
		return R_SCHEDULES;
	if (n == 3 && strcmp(seg[0], "schedules") == 0 &&
	    strcmp(seg[2], "paused") == 0)
		return R_PAUSED;
	return R_NONE;
}

void api_handle(struct call *c, const char *sub)
{
	const char *m = c->rq->method, *rid = c->rq->request_id;
	char *copy, *seg[API_SEGMENTS], *p, *save = NULL;
	enum api_route r;
	bool get, put;
	size_t len;
	int n = 0;

	if (rid && *rid && strlen(rid) <= 128 && jsv_valid_id(rid))
		response_header(c->rs, "X-Request-Id: %s", rid);
	copy = xstrdup(sub);
	for (p = strtok_r(copy, "/", &save); p; p = strtok_r(NULL, "/", &save))
		if (n < API_SEGMENTS)
			seg[n++] = p;
		else
			n = API_SEGMENTS + 1;
	len = strlen(sub);
	r = n <= API_SEGMENTS && (len == 0 || sub[len - 1] != '/') ?
		    match(seg, n) :
		    R_NONE;
	get = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;
	put = strcmp(m, "PUT") == 0;

	if (r == R_NONE) {
		api_error(c, 404, "no such API path");
	} else if ((r == R_JOB || r == R_QUEUE) ? !put : !get) {
		response_header(c->rs, "Allow: %s",
				(r == R_JOB || r == R_QUEUE) ? "PUT" :
							       "GET, HEAD");
		api_error(c, 405, "method not allowed");
	} else if (c->rq->too_large) {
		api_error(c, 413, "the body is larger than 64 KiB");
	} else {
		switch (r) {
		case R_POOLS:
			get_pools(c);
			break;
		case R_WORKERS:
			get_workers(c, seg[2]);
			break;
		case R_JOB:
			put_job(c, seg[2]);
			break;
		case R_LOG:
			get_log(c, seg[2]);
			break;
		case R_QUEUES:
			get_queues(c);
			break;
		case R_QUEUE:
			put_queue(c, seg[2]);
			break;
		case R_SCHEDULES:
			get_schedules(c);
			break;
		case R_PAUSED:
			get_paused(c, seg[1]);
			break;
		case R_NONE:
			break;
		}
	}
	response_header(c->rs, "Cache-Control: no-store");
	free(copy);
}
