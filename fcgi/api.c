/* SPDX-License-Identifier: ISC */
/*
 * The JSON API under <prefix>api/v2.0/, Harbor's job service API (paths,
 * methods, parameters, field names; errors as {"errors": [{"code",
 * "message"}]}), answered from the control protocol:
 *
 *	GET jobservice/pools                    JSV_CMD_POOLS
 *	GET jobservice/pools/{pool_id}/workers  JSV_CMD_WORKERS ("all": every
 *	                                        pool)
 *	PUT jobservice/jobs/{job_id}            JSV_CMD_JOB_STOP
 *	GET jobservice/jobs/{job_id}/log        JSV_CMD_JOB_LOG, as text/plain
 *	GET jobservice/queues                   JSV_CMD_QUEUES
 *	PUT jobservice/queues/{job_type}        JSV_CMD_QUEUE_STOP, _PAUSE or
 *	                                        _RESUME
 *	GET schedules                           JSV_CMD_SCHEDULES, X-Total-Count
 *	GET schedules/{job_type}/paused         the schedules' state
 *	GET jobservice/jobs                     JSV_CMD_JOBS, X-Total-Count:
 *	                                        an extension (not in Harbor's
 *	                                        API), ?status=&type=&page=
 *	                                        &page_size=, newest first
 *
 * Every request needs a reader (readers =), the log a log reader
 * (log_readers =, administrators by default), a PUT an administrator and
 * no sign of another site (route.c's same_origin(): Origin, else
 * Sec-Fetch-Site).  A PUT's body, when it has one, is JSON (a 415
 * otherwise, an extension); a bodiless PUT of a job stops it, as
 * stopRunningJob sends it.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

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

void api_error(struct call *c, int status, const char *msg)
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

/* Answers 200 with the records recs (consumed) projected through table. */
static void send_list(struct call *c, const struct field *table,
		      struct json_object *recs)
{
	c->rs->status = 200;
	c->rs->ctype = "application/json";
	jsv_buf_reset(&c->rs->body);
	fields_api_json(&c->rs->body, table, recs);
	json_object_put(recs);
}

/* Sends cmd and req and answers with its records projected through table. */
static void list(struct call *c, enum jsv_cmd cmd, struct json_object *req,
		 const struct field *table)
{
	struct json_object *recs = NULL, *end;

	if (call_daemon(c, cmd, req, &recs, &end) < 0) {
		call_error(c);
		return;
	}
	json_object_put(end);
	send_list(c, table, recs);
}

static void get_workers(struct call *c, const char *pool)
{
	struct json_object *req;

	if (strcmp(pool, "all") != 0 && !jsv_valid_id(pool)) {
		api_error(c, 404, "no such worker pool");
		return;
	}
	req = json_object_new_object();
	jsv_req_pool(req, pool);
	list(c, JSV_CMD_WORKERS, req, worker_fields);
}

/*
 * The page and page_size of a list (page_size def by default).  Returns 0,
 * or -1 after answering 400.
 */
static int page_args(struct call *c, int64_t def, int64_t *page, int64_t *size)
{
	*page = kv_get_count(&c->rq->args, "page", 1, INT32_MAX, false);
	*size = kv_get_count(&c->rq->args, "page_size", def, JSV_PAGE_SIZE_MAX,
			     false);
	if (*page < 0 || *size < 0) {
		api_error(c, 400,
			  "page must be a number from 1 on and page_size one "
			  "from 1 to 100");
		return -1;
	}
	return 0;
}

/*
 * Sends cmd with req, its page of size, and answers with its records
 * projected through table, X-Total-Count and the Link headers to the
 * previous and next pages of path (query: the other parameters, each
 * followed by '&', or "").
 */
static void list_page(struct call *c, enum jsv_cmd cmd, struct json_object *req,
		      const struct field *table, const char *path,
		      const char *query, int64_t page, int64_t size)
{
	struct json_object *recs = NULL, *end;
	static const char *const rel[] = { "prev", "next" };
	int64_t total, to[2];
	int i;

	jsv_req_page(req, page, size);
	if (call_daemon(c, cmd, req, &recs, &end) < 0) {
		call_error(c);
		return;
	}
	total = jsv_json_int(end, "total");
	json_object_put(end);
	response_header(c->rs, "X-Total-Count: %lld", (long long)total);
	to[0] = page > 1 && (page - 1) * size < total + size ? page - 1 : 0;
	to[1] = page * size < total ? page + 1 : 0;
	for (i = 0; i < 2; i++)
		if (to[i])
			response_header(c->rs,
					"Link: <%sapi/v2.0/%s?%spage=%lld&"
					"page_size=%lld>; rel=\"%s\"",
					c->rq->prefix_url, path, query,
					(long long)to[i], (long long)size,
					rel[i]);
	send_list(c, table, recs);
}

static void get_schedules(struct call *c)
{
	int64_t page, size;

	if (page_args(c, API_PAGE_SIZE, &page, &size) < 0)
		return;
	list_page(c, JSV_CMD_SCHEDULES, json_object_new_object(),
		  schedule_fields, "schedules", "", page, size);
}

static void get_jobs(struct call *c)
{
	const char *status, *type, *why;
	struct json_object *req;
	struct jsv_buf q = { 0 };
	int64_t page, size;

	if (page_args(c, API_PAGE_SIZE, &page, &size) < 0)
		return;
	if (jobs_filter(&c->rq->args, &status, &type, &why) < 0) {
		api_error(c, 400, why);
		return;
	}
	req = json_object_new_object();
	jsv_req_jobs(req, status, type);
	jobs_query(&q, status, type);
	list_page(c, JSV_CMD_JOBS, req, job_list_fields, "jobservice/jobs",
		  q.data, page, size);
	jsv_buf_free(&q);
}

static void get_paused(struct call *c, const char *type)
{
	struct json_object *req, *end, *o;
	bool paused;

	if (strcmp(type, "all") != 0) {
		api_error(c, 400, "only the job type 'all' is supported");
		return;
	}
	req = json_object_new_object();
	jsv_req_page(req, 0, 1);
	if (call_daemon(c, JSV_CMD_SCHEDULES, req, NULL, &end) < 0) {
		call_error(c);
		return;
	}
	if (jsv_json_get_bool(end, "paused", &paused) != 0)
		paused = false;
	json_object_put(end);
	o = json_object_new_object();
	set_bool(o, "paused", paused);
	send_json(c, 200, o);
}

/* The whole log, up to API_LOG_MAX bytes, as text. */
static void get_log(struct call *c, const char *id)
{
	if (!call_log_reader(c)) {
		api_error(c, 403,
			  "only the users log_readers names may read the "
			  "jobs' logs");
		return;
	}
	if (!jsv_valid_job_id(id)) {
		api_error(c, 404, "no such job");
		return;
	}
	jsv_buf_reset(&c->rs->body);
	if (call_job_log(c, id, API_LOG_MAX, &c->rs->body) < 0) {
		call_error(c);
		return;
	}
	c->rs->status = 200;
	c->rs->ctype = "text/plain; charset=utf-8";
}

static bool json_body_allowed(const struct request *rq)
{
	if (rq->requested_with && *rq->requested_with)
		return true;
	return content_type_is(rq->content_type, "application/json");
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
	if (c->rq->body_len == 0 && empty_ok) {
		*answered = false;
		return NULL;
	}
	if (!json_body_allowed(c->rq)) {
		api_error(c, 415,
			  "send the body as Content-Type: application/json");
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
	req = json_object_new_object();
	jsv_req_id(req, id);
	jsv_req_as_user(req, c->rq->remote_user);
	if (call_daemon(c, JSV_CMD_JOB_STOP, req, NULL, &end) < 0) {
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
	struct json_object *body, *req, *end;
	enum jsv_cmd cmd;
	const char *action;
	bool answered;

	action = put_action(c, &body, false, &answered);
	if (answered)
		goto out;
	if (strcmp(action, "stop") == 0) {
		cmd = JSV_CMD_QUEUE_STOP;
	} else if (strcmp(action, "pause") == 0) {
		cmd = JSV_CMD_QUEUE_PAUSE;
	} else if (strcmp(action, "resume") == 0) {
		cmd = JSV_CMD_QUEUE_RESUME;
	} else {
		api_error(c, 422, "action must be stop, pause or resume");
		goto out;
	}
	if (strcmp(type, "all") != 0 && !jsv_valid_job_type(type)) {
		api_error(c, 404, "no such job type");
		goto out;
	}
	req = json_object_new_object();
	jsv_req_type_or_all(req, cmd, type);
	jsv_req_as_user(req, c->rq->remote_user);
	if (call_daemon(c, cmd, req, NULL, &end) < 0) {
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
	R_JOBS,
	R_QUEUES,
	R_QUEUE,
	R_SCHEDULES,
	R_PAUSED,
};

#define API_PATH_SEGS 4

/* The paths, segment by segment; "*" is any one segment. */
static const struct {
	enum api_route route;
	const char *seg[API_PATH_SEGS];
} api_paths[] = {
	{ R_POOLS, { "jobservice", "pools" } },
	{ R_WORKERS, { "jobservice", "pools", "*", "workers" } },
	{ R_JOBS, { "jobservice", "jobs" } },
	{ R_JOB, { "jobservice", "jobs", "*" } },
	{ R_LOG, { "jobservice", "jobs", "*", "log" } },
	{ R_QUEUES, { "jobservice", "queues" } },
	{ R_QUEUE, { "jobservice", "queues", "*" } },
	{ R_SCHEDULES, { "schedules" } },
	{ R_PAUSED, { "schedules", "*", "paused" } },
};

static enum api_route match(char **seg, int n)
{
	const char *const *want;
	size_t i;
	int k;

	for (i = 0; i < JSV_ARRAY_SIZE(api_paths); i++) {
		want = api_paths[i].seg;
		for (k = 0; k < n && k < API_PATH_SEGS && want[k]; k++)
			if (strcmp(want[k], "*") != 0 &&
			    strcmp(want[k], seg[k]) != 0)
				break;
		if (k == n && (k == API_PATH_SEGS || !want[k]))
			return api_paths[i].route;
	}
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
			list(c, JSV_CMD_POOLS, NULL, pool_fields);
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
		case R_JOBS:
			get_jobs(c);
			break;
		case R_QUEUES:
			list(c, JSV_CMD_QUEUES, NULL, queue_fields);
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
