/* SPDX-License-Identifier: ISC */
/*
 * The commands of jobsvc-ctl: one table entry per command says what request
 * to send and how its answer is shown.  Most commands send one request and
 * show its records or its END; submit and job log run their own loops.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ctl.h"

/* What of an answer a view is given. */
enum answer {
	ANSWER_END, /* the END */
	ANSWER_LIST, /* the RECORDs, as an array */
	ANSWER_PAGE, /* the END, with the RECORDs added as "records" */
};

struct command {
	const char *name; /* the request's "cmd" */
	/* adds the request's fields */
	void (*build)(const struct parse_result *res, struct json_object *req);
	enum ctl_view view;
	enum answer answer;
	/* runs a command that is not one request and its answer */
	int (*run)(struct jsv_client *c, const struct parse_result *res,
		   const struct output *out);
};

int ctl_errorf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void add_names(const struct parse_result *res, struct json_object *req,
		      const char *key)
{
	struct json_object *arr;
	size_t i;

	if (res->all) {
		json_object_object_add(req, "all", json_object_new_boolean(1));
		return;
	}
	arr = json_object_new_array();
	for (i = 0; i < res->nnames; i++)
		json_object_array_add(arr,
				      json_object_new_string(res->names[i]));
	json_object_object_add(req, key, arr);
}

static void build_types(const struct parse_result *res, struct json_object *req)
{
	add_names(res, req, "types");
}

static void build_workers(const struct parse_result *res,
			  struct json_object *req)
{
	if (res->id != NULL)
		json_object_object_add(req, "pool_id",
				       json_object_new_string(res->id));
	else
		json_object_object_add(req, "all", json_object_new_boolean(1));
}

static void build_free(const struct parse_result *res, struct json_object *req)
{
	add_names(res, req, "workers");
}

static void build_id(const struct parse_result *res, struct json_object *req)
{
	json_object_object_add(req, "id", json_object_new_string(res->id));
}

static void build_page(const struct parse_result *res, struct json_object *req)
{
	if (res->page != 0)
		json_object_object_add(req, "page",
				       json_object_new_int64(res->page));
	if (res->page_size != 0)
		json_object_object_add(req, "page_size",
				       json_object_new_int64(res->page_size));
}

static void build_execution(const struct parse_result *res,
			    struct json_object *req)
{
	build_id(res, req);
	build_page(res, req);
}

static void build_schedule(const struct parse_result *res,
			   struct json_object *req)
{
	json_object_object_add(req, "vendor_type",
			       json_object_new_string(res->type));
	json_object_object_add(req, "cron", json_object_new_string(res->cron));
	json_object_object_add(req, "vendor_id",
			       json_object_new_int64(res->vendor_id));
	json_object_object_add(req, "parameters", json_object_get(res->params));
}

static void build_schedule_id(const struct parse_result *res,
			      struct json_object *req)
{
	json_object_object_add(req, "id",
			       json_object_new_int64(res->schedule_id));
}

static struct json_object *new_request(const char *cmd)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

int ctl_request(struct jsv_client *c, struct json_object *req,
		struct json_object *records, struct json_object **end,
		char *err, size_t errlen)
{
	struct json_object *obj;
	const char *text;
	int64_t code;
	int rc;

	*end = NULL;
	rc = jsv_client_send(c, req);
	json_object_put(req);
	if (rc < 0)
		return ctl_errorf(err, errlen, "sending the request: %s",
				  strerror(-rc));
	for (;;) {
		rc = jsv_client_next(c, &obj);
		if (rc == -ECONNRESET)
			return ctl_errorf(err, errlen,
					  "the daemon closed the connection");
		if (rc < 0)
			return ctl_errorf(err, errlen, "reading the answer: %s",
					  strerror(-rc));
		switch (rc) {
		case JSV_MSG_RECORD:
			if (records == NULL)
				break;
			json_object_array_add(records, obj);
			continue;
		case JSV_MSG_END:
			*end = obj;
			return 0;
		case JSV_MSG_ERROR:
			if (jsv_json_get_string(obj, "error", &text) == 0)
				ctl_errorf(err, errlen, "%s", text);
			else if (jsv_json_get_int64(obj, "code", &code) == 0)
				ctl_errorf(err, errlen, "%s",
					   jsv_strerror((int)code));
			else
				ctl_errorf(err, errlen, "the daemon failed");
			json_object_put(obj);
			return -1;
		}
		json_object_put(obj);
		return ctl_errorf(err, errlen,
				  "unexpected frame in the answer");
	}
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/*
 * job log: asks for the log from offset 0 on until nothing is left; with -f
 * keeps polling until the job is final, showing each piece as it comes.
 * Without -f the pieces are shown as one answer.
 */
static int run_log(struct jsv_client *c, const struct parse_result *res,
		   const struct output *out)
{
	struct json_object *req, *end, *whole;
	struct jsv_buf data = { 0 };
	const char *chunk;
	char err[512];
	int64_t offset = 0, next;
	bool done = false;
	size_t len;
	int rc = 0;

	for (;;) {
		req = new_request("job.log");
		build_id(res, req);
		json_object_object_add(req, "offset",
				       json_object_new_int64(offset));
		if (ctl_request(c, req, NULL, &end, err, sizeof(err)) == -1) {
			log_warnx("%s", err);
			rc = 1;
			break;
		}
		if (jsv_json_get_int64(end, "offset", &next) != 0 ||
		    next < offset ||
		    jsv_json_get_bool(end, "done", &done) != 0 ||
		    jsv_json_get_string(end, "data", &chunk) != 0) {
			log_warnx("malformed job.log answer from the daemon");
			json_object_put(end);
			rc = 1;
			break;
		}
		len = json_object_get_string_len(
			json_object_object_get(end, "data"));
		offset = next;
		if (res->follow && (len > 0 || done))
			out->show[VIEW_LOG](end);
		else if (!res->follow)
			jsv_buf_add(&data, chunk, len);
		json_object_put(end);
		if (done || (len == 0 && !res->follow))
			break;
		if (len == 0)
			sleep_ms(CTL_POLL_MS);
	}
	if (rc == 0 && !res->follow) {
		whole = json_object_new_object();
		json_object_object_add(
			whole, "data",
			json_object_new_string_len(data.data ? data.data : "",
						   (int)data.len));
		json_object_object_add(whole, "offset",
				       json_object_new_int64(offset));
		json_object_object_add(whole, "done",
				       json_object_new_boolean(done));
		out->show[VIEW_LOG](whole);
		json_object_put(whole);
	}
	jsv_buf_free(&data);
	return rc;
}

static const struct command commands[CTL_ACTION_MAX] = {
	[CTL_STATUS] = { "status", NULL, VIEW_STATUS, ANSWER_END, NULL },
	[CTL_QUEUES] = { "queues", NULL, VIEW_QUEUES, ANSWER_LIST, NULL },
	[CTL_QUEUE_STOP] = { "queue.stop", build_types, VIEW_MESSAGE,
			     ANSWER_END, NULL },
	[CTL_QUEUE_PAUSE] = { "queue.pause", build_types, VIEW_MESSAGE,
			      ANSWER_END, NULL },
	[CTL_QUEUE_RESUME] = { "queue.resume", build_types, VIEW_MESSAGE,
			       ANSWER_END, NULL },
	[CTL_SCHEDULES] = { "schedules", build_page, VIEW_SCHEDULES,
			    ANSWER_PAGE, NULL },
	[CTL_SCHEDULES_PAUSE] = { "schedules.pause", NULL, VIEW_MESSAGE,
				  ANSWER_END, NULL },
	[CTL_SCHEDULES_RESUME] = { "schedules.resume", NULL, VIEW_MESSAGE,
				   ANSWER_END, NULL },
	[CTL_SCHEDULE_ADD] = { "schedule.add", build_schedule,
			       VIEW_SCHEDULE_ADDED, ANSWER_END, NULL },
	[CTL_SCHEDULE_DEL] = { "schedule.del", build_schedule_id, VIEW_MESSAGE,
			       ANSWER_END, NULL },
	[CTL_POOLS] = { "pools", NULL, VIEW_POOLS, ANSWER_LIST, NULL },
	[CTL_WORKERS] = { "workers", build_workers, VIEW_WORKERS, ANSWER_LIST,
			  NULL },
	[CTL_WORKER_FREE] = { "worker.free", build_free, VIEW_MESSAGE,
			      ANSWER_END, NULL },
	[CTL_SUBMIT] = { "submit", NULL, VIEW_MAX, ANSWER_END, submit_run },
	[CTL_JOB_SHOW] = { "job.show", build_id, VIEW_JOB, ANSWER_END, NULL },
	[CTL_JOB_STOP] = { "job.stop", build_id, VIEW_MESSAGE, ANSWER_END,
			   NULL },
	[CTL_JOB_LOG] = { "job.log", NULL, VIEW_LOG, ANSWER_END, run_log },
	[CTL_EXECUTION_SHOW] = { "execution.show", build_execution,
				 VIEW_EXECUTION, ANSWER_END, NULL },
};

/* Sends the command's one request and shows the answer. */
static int run_request(struct jsv_client *c, const struct parse_result *res,
		       const struct command *cmd, const struct output *out)
{
	struct json_object *req, *records = NULL, *end;
	char err[512];

	req = new_request(cmd->name);
	if (cmd->build != NULL)
		cmd->build(res, req);
	if (cmd->answer != ANSWER_END)
		records = json_object_new_array();
	if (ctl_request(c, req, records, &end, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		json_object_put(records);
		return 1;
	}
	switch (cmd->answer) {
	case ANSWER_END:
		out->show[cmd->view](end);
		break;
	case ANSWER_LIST:
		out->show[cmd->view](records);
		json_object_put(records);
		break;
	case ANSWER_PAGE:
		json_object_object_add(end, "records", records);
		out->show[cmd->view](end);
		break;
	}
	json_object_put(end);
	return 0;
}

int ctl_run(const struct parse_result *res, const char *sockpath,
	    const struct output *out)
{
	const struct command *cmd = &commands[res->action];
	struct jsv_client *c;
	char err[512];
	int rc;

	if (cmd->name == NULL)
		fatalx("no command for action %d", res->action);
	c = jsv_client_open(sockpath, CTL_TIMEOUT_MS, err, sizeof(err));
	if (c == NULL) {
		log_warnx("%s", err);
		return 1;
	}
	if (cmd->run != NULL)
		rc = cmd->run(c, res, out);
	else
		rc = run_request(c, res, cmd, out);
	jsv_client_close(c);
	return rc;
}
