/* SPDX-License-Identifier: ISC */
/*
 * The commands of jobsvc-ctl: one entry per command of the catalogue says
 * how its request's fields are made from the command line and how its
 * answer is shown; the catalogue gives its name and answer's shape.  Most
 * commands send one request and show its records or its END; submit and
 * job log run their own sequences of requests.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include "ctl.h"

struct command {
	/* adds the request's fields */
	void (*build)(const struct parse_result *res, struct json_object *req);
	enum ctl_view view;
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

/* The job types or worker ids of an action, or all. */
static void build_targets(const struct parse_result *res,
			  struct json_object *req)
{
	jsv_req_targets(req, res->cmd, res->names, res->nnames, res->all);
}

static void build_workers(const struct parse_result *res,
			  struct json_object *req)
{
	jsv_req_pool(req, res->id);
}

static void build_id(const struct parse_result *res, struct json_object *req)
{
	jsv_req_id(req, res->id);
}

static void build_page(const struct parse_result *res, struct json_object *req)
{
	jsv_req_page(req, res->page, res->page_size);
}

static void build_jobs(const struct parse_result *res, struct json_object *req)
{
	jsv_req_jobs(req, res->status, res->type);
	jsv_req_page(req, res->page, res->page_size);
}

static void build_execution(const struct parse_result *res,
			    struct json_object *req)
{
	jsv_req_id(req, res->id);
	jsv_req_page(req, res->page, res->page_size);
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
	jsv_req_schedule_id(req, res->schedule_id);
}

/* job log -f: each piece as it comes, as an answer of its own. */
static void show_piece(const struct jsv_log *log, const char *data, size_t len,
		       void *arg)
{
	const struct output *out = arg;
	struct json_object *piece = json_object_new_object();

	json_object_object_add(piece, "data",
			       json_object_new_string_len(data, (int)len));
	json_object_object_add(piece, "offset",
			       json_object_new_int64(log->offset));
	json_object_object_add(piece, "done",
			       json_object_new_boolean(log->done));
	out->show[VIEW_LOG](piece);
	json_object_put(piece);
}

/*
 * job log: the log from its start until nothing is left, shown as one
 * answer; with -f until the job is final, each piece shown as it comes.
 */
static int run_log(struct jsv_client *c, const struct parse_result *res,
		   const struct output *out)
{
	struct jsv_log log = { .id = res->id, .poll_ms = CTL_POLL_MS };
	struct jsv_call_err err;

	if (res->follow) {
		log.chunk = show_piece;
		log.arg = (void *)out;
	}
	if (jsv_log_read(c, &log, res->follow ? JSV_LOG_DONE : JSV_LOG_NOW,
			 &err) == -1) {
		log_warnx("%s", err.text);
		jsv_buf_free(&log.buf);
		return 1;
	}
	if (!res->follow)
		show_piece(&log, log.buf.data ? log.buf.data : "", log.buf.len,
			   (void *)out);
	jsv_buf_free(&log.buf);
	return 0;
}

static const struct command commands[JSV_CMD_MAX] = {
	[JSV_CMD_STATUS] = { NULL, VIEW_STATUS, NULL },
	[JSV_CMD_QUEUES] = { NULL, VIEW_QUEUES, NULL },
	[JSV_CMD_QUEUE_STOP] = { build_targets, VIEW_MESSAGE, NULL },
	[JSV_CMD_QUEUE_PAUSE] = { build_targets, VIEW_MESSAGE, NULL },
	[JSV_CMD_QUEUE_RESUME] = { build_targets, VIEW_MESSAGE, NULL },
	[JSV_CMD_POOLS] = { NULL, VIEW_POOLS, NULL },
	[JSV_CMD_WORKERS] = { build_workers, VIEW_WORKERS, NULL },
	[JSV_CMD_WORKER_FREE] = { build_targets, VIEW_MESSAGE, NULL },
	[JSV_CMD_SUBMIT] = { NULL, VIEW_NONE, submit_run },
	[JSV_CMD_JOB_SHOW] = { build_id, VIEW_JOB, NULL },
	[JSV_CMD_JOB_STOP] = { build_id, VIEW_MESSAGE, NULL },
	[JSV_CMD_JOB_LOG] = { NULL, VIEW_LOG, run_log },
	[JSV_CMD_EXECUTION_SHOW] = { build_execution, VIEW_EXECUTION, NULL },
	[JSV_CMD_SCHEDULES] = { build_page, VIEW_SCHEDULES, NULL },
	[JSV_CMD_SCHEDULES_PAUSE] = { NULL, VIEW_MESSAGE, NULL },
	[JSV_CMD_SCHEDULES_RESUME] = { NULL, VIEW_MESSAGE, NULL },
	[JSV_CMD_SCHEDULE_ADD] = { build_schedule, VIEW_SCHEDULE_ADDED, NULL },
	[JSV_CMD_SCHEDULE_DEL] = { build_schedule_id, VIEW_MESSAGE, NULL },
	[JSV_CMD_AUDIT] = { build_page, VIEW_AUDIT, NULL },
	[JSV_CMD_JOBS] = { build_jobs, VIEW_JOBS, NULL },
};

bool ctl_has_command(enum jsv_cmd cmd)
{
	return cmd < JSV_CMD_MAX &&
	       (commands[cmd].run != NULL || commands[cmd].view != VIEW_NONE);
}

/*
 * Sends the command's one request and shows the answer: its END, its
 * records, or for a page the END with the records added as "records".
 */
static int run_request(struct jsv_client *c, const struct parse_result *res,
		       const struct output *out)
{
	const struct command *cmd = &commands[res->cmd];
	struct json_object *req, *records, *end;
	struct jsv_call_err err;

	req = json_object_new_object();
	if (cmd->build != NULL)
		cmd->build(res, req);
	if (jsv_call(c, res->cmd, req, &records, &end, &err) == -1) {
		log_warnx("%s", err.text);
		return 1;
	}
	switch (jsv_command(res->cmd)->answer) {
	case JSV_ANS_END:
		out->show[cmd->view](end);
		break;
	case JSV_ANS_RECORDS:
		out->show[cmd->view](records);
		json_object_put(records);
		break;
	case JSV_ANS_PAGE:
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
	struct jsv_call_err err;
	struct jsv_client *c;
	int rc;

	if (!ctl_has_command(res->cmd))
		fatalx("no command %d", res->cmd);
	c = jsv_call_connect(sockpath, CTL_TIMEOUT_MS, &err);
	if (c == NULL) {
		log_warnx("%s", err.text);
		return 1;
	}
	if (commands[res->cmd].run != NULL)
		rc = commands[res->cmd].run(c, res, out);
	else
		rc = run_request(c, res, out);
	jsv_client_close(c);
	return rc;
}
