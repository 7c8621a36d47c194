/* SPDX-License-Identifier: ISC */
/*
 * The Jobs page: the jobs of a status, a type, both or neither, newest
 * first, a page at a time (pager.c's links, which keep the filters), each
 * linked to its job page; the filters are a form that works without
 * JavaScript, and links for each status.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fcgi.h"

#define JOBS_PAGE_DEFAULT 15

int jobs_filter(const struct kv_list *args, const char **status,
		const char **type, const char **why)
{
	const char *s = kv_get(args, "status"), *t = kv_get(args, "type");
	int st;

	*status = NULL;
	*type = NULL;
	if (s && *s) {
		for (st = 0; st < JSV_JOB_STATUS_MAX; st++)
			if (strcasecmp(s, jsv_job_status_name(st)) == 0)
				*status = jsv_job_status_name(st);
		if (!*status) {
			*why = "status must be one of Pending, Scheduled, "
			       "Running, Success, Error and Stopped.";
			return -1;
		}
	}
	if (t && *t) {
		if (!jsv_valid_job_type(t)) {
			*why = "type must be a job type (A-Z, 0-9 and _).";
			return -1;
		}
		*type = t;
	}
	return 0;
}

void jobs_query(struct jsv_buf *q, const char *status, const char *type)
{
	jsv_buf_add(q, "", 0);
	if (status)
		jsv_buf_printf(q, "status=%s&", status);
	if (type)
		jsv_buf_printf(q, "type=%s&", type);
}

/*
 * The filter choices: a status link and option for each status, an
 * option for each job type of the queues records, the chosen ones marked.
 * The types are plain strings, those before the chosen one and those
 * after it, so that a thousand types cost a thousand strings, not a
 * thousand objects.
 */
static void add_filters(struct json_object *pg, const char *status,
			const char *type, struct json_object *queues)
{
	struct json_object *sts, *types, *o;
	const char *name;
	bool chosen = false;
	size_t i, n;
	int st;

	sts = json_object_new_array();
	for (st = 0; st < JSV_JOB_STATUS_MAX; st++) {
		name = jsv_job_status_name(st);
		o = json_object_new_object();
		set_str(o, "status", name);
		set_bool(o, "chosen", status && strcmp(status, name) == 0);
		json_object_array_add(sts, o);
	}
	json_object_object_add(pg, "statuses", sts);
	types = json_object_new_array();
	json_object_object_add(pg, "types", types);
	n = json_object_array_length(queues);
	for (i = 0; i < n; i++) {
		name = jsv_json_str(json_object_array_get_idx(queues, i),
				    "job_type");
		if (!chosen && type && strcmp(type, name) == 0) {
			chosen = true;
			types = json_object_new_array();
			json_object_object_add(pg, "types_after", types);
			continue;
		}
		json_object_array_add(types, json_object_new_string(name));
	}
	set_bool(pg, "type_chosen", chosen);
	set_str(pg, "filter_status", status);
	set_str(pg, "filter_type", type);
}

void page_jobs(struct call *c)
{
	struct json_object *pg, *req, *recs = NULL, *end, *queues;
	const char *status, *type, *why, *args[5];
	struct pager p = { .prefix_url = c->rq->prefix_url,
			   .route = "jobs",
			   .args = args,
			   .noun = "jobs" };
	char title[128];

	if (pager_args(c, JOBS_PAGE_DEFAULT, &p.page, &p.size) < 0)
		return;
	if (jobs_filter(&c->rq->args, &status, &type, &why) < 0) {
		error_page(c, 400, why);
		return;
	}
	args[0] = "status";
	args[1] = status;
	args[2] = "type";
	args[3] = type;
	args[4] = NULL;
	if (status || type)
		snprintf(title, sizeof(title), "%s%s%s jobs",
			 status ? status : "", status && type ? " " : "",
			 type ? type : "");
	else
		snprintf(title, sizeof(title), "Jobs");
	pg = page_new(c, title);
	set_bool(pg, "tab_jobs", true);
	if (page_load_common(c, pg) < 0 ||
	    page_queue_list(c, pg, 0, 0, &queues) < 0)
		goto out;
	add_filters(pg, status, type, queues);
	json_object_put(queues);
	req = json_object_new_object();
	jsv_req_jobs(req, status, type);
	jsv_req_page(req, p.page, p.size);
	if (call_daemon(c, JSV_CMD_JOBS, req, &recs, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	p.total = jsv_json_int(end, "total");
	json_object_put(end);
	json_object_object_add(pg, "job_rows",
			       fields_project_list(job_list_fields, recs));
	json_object_put(recs);
	pager_add(pg, &p);
out:
	page_send(c, "layout.html", pg);
}
