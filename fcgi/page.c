/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's pages: the three summary cards, the Job Queues, Schedules
 * and Workers tabs, the job page with the tail of its log (the audit trail
 * and the execution page are in page_more.c).
 *
 * Every page is built as one JSON object of values and rendered by the
 * templates of html/; no markup is made here.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

#define LATENCY_WARN (24 * 3600) /* a queue waiting this long is flagged */
#define POLL_SECONDS 10 /* dashboard.js reloads pages this often */
#define LOG_TAIL (64 * 1024) /* bytes of log on the job page */
#define SCHED_PAGE_DEFAULT 15
#define QUEUE_PAGE_DEFAULT 15

/* The values every page has: where it is, who looks, the last result. */
struct json_object *page_new(struct call *c, const char *title)
{
	struct json_object *pg = json_object_new_object();
	const char *msg;
	char *text;

	set_str(pg, "prefix", c->rq->prefix_url);
	set_str(pg, "title", title);
	set_str(pg, "version", PACKAGE_VERSION);
	set_str(pg, "user", c->rq->remote_user);
	set_bool(pg, "admin", call_admin(c));
	set_bool(pg, "audit_reader", call_audit_reader(c));
	set_str(pg, "csrf", csrf_token(c));
	set_int(pg, "poll", POLL_SECONDS);
	msg = kv_get(&c->rq->cookies, "jsvc_msg");
	if (msg) {
		text = url_decode(msg);
		set_str(pg, "message", text);
		free(text);
		set_cookie(c, "jsvc_msg", "", "; Max-Age=0; HttpOnly");
	}
	return pg;
}

void page_error(struct call *c, struct json_object *pg)
{
	set_str(pg, "error", c->err);
	c->rs->status = call_status(c);
	if (c->rs->status < 500)
		return;
	set_bool(pg, "loaded", false);
	set_bool(pg, "partial", json_object_object_get_ex(pg, "cards", NULL));
}

void page_send(struct call *c, const char *tmpl, struct json_object *pg)
{
	struct response *rs = c->rs;

	rs->ctype = "text/html; charset=utf-8";
	jsv_buf_reset(&rs->body);
	if (render(&rs->body, tmpl, pg) < 0) {
		log_warnx("template %s does not render", tmpl);
		rs->status = 500;
		rs->ctype = "text/plain; charset=utf-8";
		jsv_buf_reset(&rs->body);
		jsv_buf_printf(&rs->body, "500 template error\n");
	}
	response_header(rs, "Cache-Control: no-store");
	json_object_put(pg);
}

/* --------------------------------------------------------- summary cards */

static void add_cards(struct json_object *pg, struct json_object *st)
{
	struct json_object *q, *s, *w, *cards, *card;
	char num[32];
	int64_t busy, total;

	cards = json_object_new_object();
	json_object_object_get_ex(st, "queues", &q);
	json_object_object_get_ex(st, "schedules", &s);
	json_object_object_get_ex(st, "workers", &w);

	card = fields_project(queue_card_fields, q);
	json_object_object_add(
		card, "top",
		fields_project_list(queue_top_fields,
				    json_object_object_get(q, "top")));
	json_object_object_add(cards, "queues", card);

	card = fields_project(schedule_card_fields, s);
	set_bool(card, "paused",
		 strcmp(jsv_json_str(s, "status"), "Paused") == 0);
	json_object_object_add(cards, "schedules", card);

	card = fields_project(worker_card_fields, w);
	busy = jsv_json_int(w, "busy");
	total = jsv_json_int(w, "total");
	/* the donut's circle has a circumference of 100 */
	snprintf(num, sizeof(num), "%.1f",
		 total > 0 ? 100.0 * (double)busy / (double)total : 0.0);
	set_str(card, "busy_pct", num);
	snprintf(num, sizeof(num), "%.1f",
		 total > 0 ? 100.0 - 100.0 * (double)busy / (double)total :
			     100.0);
	set_str(card, "free_pct", num);
	json_object_object_add(cards, "workers", card);

	json_object_object_add(pg, "cards", cards);
}

/* Whether a queue that has waited latency seconds is flagged. */
static bool late(int64_t latency)
{
	return latency >= LATENCY_WARN;
}

int page_load_common(struct call *c, struct json_object *pg)
{
	struct json_object *st;

	if (call_daemon(c, JSV_CMD_STATUS, NULL, NULL, &st) < 0) {
		page_error(c, pg);
		return -1;
	}
	add_cards(pg, st);
	set_bool(pg, "latency_warning",
		 late(jsv_json_int(json_object_object_get(st, "queues"),
				   "latency")));
	json_object_put(st);
	set_bool(pg, "loaded", true);
	return 0;
}

int page_queue_list(struct call *c, struct json_object *pg, int64_t page,
		    int64_t size, struct json_object **recs)
{
	struct json_object *req = json_object_new_object(), *end;

	jsv_req_page(req, page, size);
	if (call_daemon(c, JSV_CMD_QUEUES, req, recs, &end) < 0) {
		page_error(c, pg);
		return -1;
	}
	json_object_put(end);
	return 0;
}

/* ----------------------------------------------------------------- tabs */

/*
 * The Job Queues tab: a page of the queues, in name order, each flagged
 * when it has waited long; the other pages are a link away (pager.c), and
 * the status card counts them all.
 */
void page_queues(struct call *c)
{
	struct json_object *pg, *recs, *rows, *rec, *row, *card;
	struct pager p = { .prefix_url = c->rq->prefix_url,
			   .route = "",
			   .noun = "queues" };
	size_t i, n;

	if (pager_args(c, QUEUE_PAGE_DEFAULT, &p.page, &p.size) < 0)
		return;
	pg = page_new(c, "Job Queues");
	set_bool(pg, "tab_queues", true);
	if (page_load_common(c, pg) < 0 ||
	    page_queue_list(c, pg, p.page, p.size, &recs) < 0)
		goto out;
	card = json_object_object_get(json_object_object_get(pg, "cards"),
				      "queues");
	p.total = jsv_json_int(card, "types");
	rows = json_object_new_array();
	n = json_object_array_length(recs);
	for (i = 0; i < n; i++) {
		rec = json_object_array_get_idx(recs, i);
		row = fields_project(queue_fields, rec);
		set_bool(row, "warn", late(jsv_json_int(rec, "latency")));
		json_object_array_add(rows, row);
	}
	json_object_put(recs);
	json_object_object_add(pg, "queue_rows", rows);
	pager_add(pg, &p);
out:
	page_send(c, "layout.html", pg);
}

void page_schedules(struct call *c)
{
	struct json_object *pg, *req, *recs = NULL, *end;
	struct pager p = { .prefix_url = c->rq->prefix_url,
			   .route = "schedules",
			   .noun = "schedules" };

	if (pager_args(c, SCHED_PAGE_DEFAULT, &p.page, &p.size) < 0)
		return;
	pg = page_new(c, "Schedules");
	set_bool(pg, "tab_schedules", true);
	if (page_load_common(c, pg) < 0)
		goto out;
	req = json_object_new_object();
	jsv_req_page(req, p.page, p.size);
	if (call_daemon(c, JSV_CMD_SCHEDULES, req, &recs, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	p.total = jsv_json_int(end, "total");
	json_object_put(end);
	json_object_object_add(pg, "schedule_rows",
			       fields_project_list(schedule_fields, recs));
	json_object_put(recs);
	pager_add(pg, &p);
out:
	page_send(c, "layout.html", pg);
}

/* The pool rows of the Workers tab; pool is the chosen one, or NULL. */
static int add_pools(struct call *c, struct json_object *pg, const char *pool)
{
	struct json_object *recs = NULL, *end, *rows, *row;
	const char *id, *status;
	size_t i, n;

	if (call_daemon(c, JSV_CMD_POOLS, NULL, &recs, &end) < 0)
		return -1;
	json_object_put(end);
	rows = fields_project_list(pool_fields, recs);
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(rows, i);
		id = jsv_json_str(row, "worker_pool_id");
		status = jsv_json_str(row, "status");
		set_bool(row, "dead", strcmp(status, "Healthy") != 0);
		set_bool(row, "chosen", pool && strcmp(pool, id) == 0);
	}
	json_object_put(recs);
	json_object_object_add(pg, "pool_rows", rows);
	return 0;
}

/* The worker rows of the chosen pool, or of all ("all"). */
static int add_workers(struct call *c, struct json_object *pg, const char *pool)
{
	struct json_object *req, *recs = NULL, *end, *rows, *row;
	size_t i, n;

	req = json_object_new_object();
	jsv_req_pool(req, pool);
	if (call_daemon(c, JSV_CMD_WORKERS, req, &recs, &end) < 0)
		return -1;
	json_object_put(end);
	rows = fields_project_list(worker_fields, recs);
	n = json_object_array_length(rows);
	for (i = 0; i < n; i++) {
		row = json_object_array_get_idx(rows, i);
		set_bool(row, "busy", *jsv_json_str(row, "job_id") != '\0');
	}
	json_object_put(recs);
	json_object_object_add(pg, "worker_rows", rows);
	return 0;
}

void page_workers(struct call *c)
{
	const char *pool = kv_get(&c->rq->args, "pool");
	struct json_object *pg;

	if (pool && strcmp(pool, "all") != 0 && !jsv_valid_id(pool)) {
		error_page(c, 400, "That is not a worker pool ID.");
		return;
	}
	pg = page_new(c, "Workers");
	set_bool(pg, "tab_workers", true);
	if (page_load_common(c, pg) < 0)
		goto out;
	if (add_pools(c, pg, pool) < 0) {
		page_error(c, pg);
		goto out;
	}
	if (!pool)
		goto out;
	set_str(pg, "pool", pool);
	set_bool(pg, "pool_all", strcmp(pool, "all") == 0);
	if (add_workers(c, pg, pool) < 0) {
		page_error(c, pg);
		goto out;
	}
	set_bool(pg, "show_workers", true);
out:
	page_send(c, "layout.html", pg);
}

/* -------------------------------------------------------------- job page */

void page_job(struct call *c, const char *id)
{
	struct json_object *pg, *req, *end;
	struct jsv_buf log = { 0 };
	const char *status;
	bool active;

	if (!jsv_valid_job_id(id)) {
		error_page(c, 404, "A job ID is 24 hexadecimal digits.");
		return;
	}
	pg = page_new(c, "Job");
	set_str(pg, "job_id", id);
	if (page_load_common(c, pg) < 0)
		goto out;
	req = json_object_new_object();
	jsv_req_id(req, id);
	if (call_daemon(c, JSV_CMD_JOB_SHOW, req, NULL, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	json_object_object_add(pg, "fields", fields_rows(end));
	fields_put(pg, job_fields, end);
	status = jsv_json_str(pg, "status");
	active = jsv_job_status_active(status);
	set_bool(pg, "active", active);
	set_int(pg, "poll", active ? POLL_SECONDS : 0);
	json_object_put(end);
	set_bool(pg, "log_reader", call_log_reader(c));
	if (!call_log_reader(c))
		goto out_job;
	if (call_job_log_tail(c, id, LOG_TAIL, &log) < 0) {
		page_error(c, pg);
		goto out;
	}
	set_str(pg, "log", log.data ? log.data : "");
	set_bool(pg, "has_log", log.len > 0);
	jsv_buf_free(&log);
out_job:
	set_bool(pg, "job_page", true);
out:
	page_send(c, "layout.html", pg);
}
