/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's pages beyond the tabs: the audit trail (who did what,
 * newest first) and an execution (its aggregate status and its jobs).
 * Both are paged with pager.c; both are built as JSON and rendered by the
 * templates of html/, like the pages of page.c.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "fcgi.h"

#define AUDIT_PAGE_DEFAULT 25
#define EXECUTION_PAGE_DEFAULT 25

/*
 * Who acted, for people: the user a trusted client (the dashboard) acted
 * for, else the peer's user name, else its uid; "via" is the peer when
 * it acted for someone else, "uid N" otherwise.
 */
static void audit_who(struct json_object *row)
{
	const char *as_user = jsv_json_str(row, "as_user");
	const char *user = jsv_json_str(row, "user");
	int64_t uid = jsv_json_int(row, "uid");
	char via[128];

	if (*as_user) {
		set_str(row, "who", as_user);
		snprintf(via, sizeof(via), "via %s (uid %lld)",
			 *user ? user : "?", (long long)uid);
	} else {
		set_str(row, "who", *user ? user : "?");
		snprintf(via, sizeof(via), "uid %lld", (long long)uid);
	}
	set_str(row, "via", via);
	set_bool(row, "ok", strncmp(jsv_json_str(row, "result"), "ok", 2) == 0);
}

/*
 * <prefix>audit: the audit trail, for the users audit_readers names
 * (the administrators by default: the trail says who did what).
 */
void page_audit(struct call *c)
{
	struct json_object *pg, *req, *recs = NULL, *end, *rows;
	struct pager p = { .prefix_url = c->rq->prefix_url,
			   .route = "audit",
			   .noun = "actions" };
	size_t i;

	if (pager_args(c, AUDIT_PAGE_DEFAULT, &p.page, &p.size) < 0)
		return;
	if (!call_audit_reader(c)) {
		error_page(c, 403,
			   "Only the users audit_readers names in "
			   "jobsvc-fcgi.conf (the administrators by default) "
			   "may read the audit trail.");
		return;
	}
	pg = page_new(c, "Audit");
	set_bool(pg, "tab_audit", true);
	if (page_load_common(c, pg) < 0)
		goto out;
	req = json_object_new_object();
	jsv_req_page(req, p.page, p.size);
	if (call_daemon(c, JSV_CMD_AUDIT, req, &recs, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	p.total = jsv_json_int(end, "total");
	json_object_put(end);
	rows = fields_project_list(audit_fields, recs);
	json_object_put(recs);
	for (i = 0; i < json_object_array_length(rows); i++)
		audit_who(json_object_array_get_idx(rows, i));
	json_object_object_add(pg, "audit_rows", rows);
	pager_add(pg, &p);
out:
	page_send(c, "layout.html", pg);
}

/*
 * The execution's statuses and their counts, in the daemon's order
 * (alphabetical).
 */
static struct json_object *execution_counts(struct json_object *end)
{
	struct json_object *counts, *rows = json_object_new_array(), *row;

	if (!json_object_object_get_ex(end, "counts", &counts) ||
	    !json_object_is_type(counts, json_type_object))
		return rows;
	json_object_object_foreach(counts, status, n) {
		row = json_object_new_object();
		set_str(row, "status", status);
		set_int(row, "count", json_object_get_int64(n));
		json_object_array_add(rows, row);
	}
	return rows;
}

/* <prefix>executions/ID: an execution's status and its jobs, paged. */
void page_execution(struct call *c, const char *id)
{
	struct json_object *pg, *req, *end;
	struct jsv_buf route = { 0 };
	struct pager p = { .prefix_url = c->rq->prefix_url, .noun = "jobs" };

	if (!jsv_valid_id(id)) {
		error_page(c, 404,
			   "An execution ID is 1 to 64 letters, digits and "
			   "\"_.:-\".");
		return;
	}
	if (pager_args(c, EXECUTION_PAGE_DEFAULT, &p.page, &p.size) < 0)
		return;
	pg = page_new(c, "Execution");
	set_str(pg, "execution_id", id);
	set_bool(pg, "execution_page", true);
	if (page_load_common(c, pg) < 0)
		goto out;
	req = json_object_new_object();
	jsv_req_id(req, id);
	jsv_req_page(req, p.page, p.size);
	if (call_daemon(c, JSV_CMD_EXECUTION_SHOW, req, NULL, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	set_bool(pg, "execution_shown", true);
	fields_put(pg, execution_fields, end);
	json_object_object_add(pg, "counts", execution_counts(end));
	json_object_object_add(
		pg, "execution_jobs",
		fields_project_list(execution_job_fields,
				    json_object_object_get(end, "jobs")));
	if (!jsv_job_status_active(jsv_json_str(pg, "status")))
		set_int(pg, "poll", 0);
	p.total = jsv_json_int(end, "total");
	json_object_put(end);
	jsv_buf_add(&route, "executions/", 11);
	url_encode(&route, id, false);
	p.route = route.data;
	pager_add(pg, &p);
	jsv_buf_free(&route);
out:
	page_send(c, "layout.html", pg);
}
