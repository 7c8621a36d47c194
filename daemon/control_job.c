/* SPDX-License-Identifier: ISC */
/*
 * The control commands on jobs: submit them, show, stop and read the log of
 * one, and show an execution (the jobs submitted under one id).
 */
#include <errno.h>
#include <stdio.h>

#include "control.h"

int ctl_submit(struct ctl_req *r, struct json_object *req)
{
	struct json_object *jobs = NULL, *results, *o;
	size_t i, n, failed = 0;
	int rv;

	json_object_object_get_ex(req, "jobs", &jobs);
	rv = queue_submit(jobs, &results);
	if (rv < 0)
		return ctl_fail(r, rv, NULL);
	n = json_object_array_length(results);
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(results, i);
		if (json_object_object_get(o, "error"))
			failed++;
		ctl_record(r, json_object_get(o));
	}
	json_object_put(results);
	o = json_object_new_object();
	json_object_object_add(o, "submitted",
			       json_object_new_int64(n - failed));
	json_object_object_add(o, "failed", json_object_new_int64(failed));
	ctl_end(r, o);
	return 0;
}

/* "job <id>", for messages, in a static buffer. */
static const char *ctl_job_name(const char *id)
{
	static char buf[40];

	snprintf(buf, sizeof(buf), "job %s", id);
	return buf;
}

/* The "id" of a job request. */
static const char *ctl_job_id(struct json_object *req)
{
	return jsv_json_str(req, "id");
}

int ctl_job_show(struct ctl_req *r, struct json_object *req)
{
	struct json_object *o;
	const char *id = ctl_job_id(req);
	int rv;

	rv = job_show(id, &o);
	if (rv < 0)
		return ctl_fail(r, rv, ctl_job_name(id));
	ctl_end(r, o);
	return 0;
}

int ctl_job_stop(struct ctl_req *r, struct json_object *req)
{
	struct json_object *o;
	const char *id = ctl_job_id(req);
	char msg[128];
	int rv;

	rv = job_stop(id, msg, sizeof(msg));
	if (rv < 0)
		return ctl_fail(r, rv, rv == -EPERM ? msg : ctl_job_name(id));
	o = json_object_new_object();
	json_object_object_add(o, "message", json_object_new_string(msg));
	ctl_end(r, o);
	return 0;
}

int ctl_job_log(struct ctl_req *r, struct json_object *req)
{
	struct json_object *o;
	const char *id = ctl_job_id(req);
	int rv;

	rv = job_log(id, jsv_json_int(req, "offset"), jsv_json_int(req, "tail"),
		     &o);
	if (rv < 0)
		return ctl_fail(r, rv, ctl_job_name(id));
	ctl_end(r, o);
	return 0;
}

int ctl_execution_show(struct ctl_req *r, struct json_object *req)
{
	struct json_object *o;
	int64_t page, size;
	char msg[80];
	const char *id = ctl_job_id(req);
	int rv;

	ctl_page(req, &page, &size);
	rv = job_execution_show(id, page, size, &o);
	if (rv < 0) {
		snprintf(msg, sizeof(msg), "execution %s", id);
		return ctl_fail(r, rv, msg);
	}
	ctl_end(r, o);
	return 0;
}
