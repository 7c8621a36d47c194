/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's pages: the three summary cards, the Job Queues, Schedules
 * and Workers tabs, the job page with the tail of its log.
 *
 * Every page is built as one JSON object of values and rendered by the
 * templates of html/; no markup is made here.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

#define LATENCY_WARN (24 * 3600) /* a queue waiting this long is flagged */
#define POLL_SECONDS 10 /* dashboard.js reloads pages this often */
#define LOG_TAIL (64 * 1024) /* bytes of log on the job page */
#define SCHED_PAGE_DEFAULT 15

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
	struct json_object *q, *s, *w, *cards, *card, *top, *t, *e;
	char num[32];
	int64_t busy, total;
	size_t i, n;

	cards = json_object_new_object();
	json_object_object_get_ex(st, "queues", &q);
	json_object_object_get_ex(st, "schedules", &s);
	json_object_object_get_ex(st, "workers", &w);

	card = json_object_new_object();
	set_int(card, "total", get_int(q, "total"));
	set_int(card, "types", get_int(q, "types"));
	top = json_object_new_array();
	if (json_object_object_get_ex(q, "top", &t) &&
	    json_object_is_type(t, json_type_array)) {
		n = json_object_array_length(t);
		for (i = 0; i < n; i++) {
			e = json_object_new_object();
			set_str(e, "job_type",
				get_str(json_object_array_get_idx(t, i),
					"job_type"));
			set_int(e, "count",
				get_int(json_object_array_get_idx(t, i),
					"count"));
			json_object_array_add(top, e);
		}
	}
	json_object_object_add(card, "top", top);
	set_int(card, "others", get_int(q, "others"));
	json_object_object_add(cards, "queues", card);

	card = json_object_new_object();
	set_int(card, "total", get_int(s, "total"));
	set_str(card, "status", get_str(s, "status"));
	set_bool(card, "paused", strcmp(get_str(s, "status"), "Paused") == 0);
	json_object_object_add(cards, "schedules", card);

	card = json_object_new_object();
	busy = get_int(w, "busy");
	total = get_int(w, "total");
	set_int(card, "busy", busy);
	set_int(card, "total", total);
	set_int(card, "free", get_int(w, "free"));
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

/*
 * What every dashboard page shows: the cards and the latency warning, and
 * the queue rows (kept in pg as "queue_rows").  -1 after a failed call, whose
 * error is then on the page.
 */
int page_load_common(struct call *c, struct json_object *pg)
{
	struct json_object *st, *recs = NULL, *rows, *row, *r;
	char lat[64];
	bool warn_any = false, warn;
	int64_t latency;
	size_t i, n;

	if (call_daemon(c, call_request("status"), NULL, &st) < 0) {
		page_error(c, pg);
		return -1;
	}
	add_cards(pg, st);
	json_object_put(st);
	if (call_daemon(c, call_request("queues"), &recs, &st) < 0) {
		page_error(c, pg);
		return -1;
	}
	json_object_put(st);
	rows = json_object_new_array();
	n = recs ? json_object_array_length(recs) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(recs, i);
		row = json_object_new_object();
		latency = get_int(r, "latency");
		warn = latency >= LATENCY_WARN;
		warn_any |= warn;
		jsv_fmt_latency(lat, sizeof(lat),
				latency > 0 ? (uint64_t)latency : 0);
		set_str(row, "job_type", get_str(r, "job_type"));
		set_int(row, "count", get_int(r, "count"));
		set_str(row, "latency", lat);
		set_bool(row, "warn", warn);
		set_bool(row, "paused",
			 json_object_get_boolean(
				 json_object_object_get(r, "paused")));
		json_object_array_add(rows, row);
	}
	json_object_put(recs);
	json_object_object_add(pg, "queue_rows", rows);
	set_bool(pg, "latency_warning", warn_any);
	set_bool(pg, "loaded", true);
	return 0;
}

/* ----------------------------------------------------------------- tabs */

void page_queues(struct call *c)
{
	struct json_object *pg = page_new(c, "Job Queues");

	set_bool(pg, "tab_queues", true);
	page_load_common(c, pg);
	page_send(c, "layout.html", pg);
}

/*
 * A positive integer query argument within [1, max], or def when absent.
 * -1 when malformed.
 */
static int64_t arg_int(struct call *c, const char *key, int64_t def,
		       int64_t max)
{
	const char *s = kv_get(&c->rq->args, key);
	char *end;
	long long v;

	if (!s || !*s)
		return def;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 1 || v > max)
		return -1;
	return v;
}

void page_schedules(struct call *c)
{
	static const int sizes[] = { 15, 25, 50, 100 };
	struct json_object *pg, *req, *recs = NULL, *end, *rows, *row, *r;
	struct json_object *opts, *opt;
	int64_t page, size, total, pages, vid;
	char buf[64];
	size_t i, n;

	page = arg_int(c, "page", 1, INT32_MAX);
	size = arg_int(c, "page_size", SCHED_PAGE_DEFAULT, 100);
	if (page < 0 || size < 0) {
		error_page(c, 400,
			   "page must be a number from 1 on, page_size one "
			   "from 1 to 100.");
		return;
	}
	pg = page_new(c, "Schedules");
	set_bool(pg, "tab_schedules", true);
	if (page_load_common(c, pg) < 0)
		goto out;
	req = call_request("schedules");
	set_int(req, "page", page);
	set_int(req, "page_size", size);
	if (call_daemon(c, req, &recs, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	total = get_int(end, "total");
	json_object_put(end);

	rows = json_object_new_array();
	n = recs ? json_object_array_length(recs) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(recs, i);
		row = json_object_new_object();
		set_int(row, "id", get_int(r, "id"));
		set_str(row, "vendor_type", get_str(r, "vendor_type"));
		vid = get_int(r, "vendor_id");
		snprintf(buf, sizeof(buf), "%lld", (long long)vid);
		set_str(row, "vendor_id", vid == -1 ? "" : buf);
		set_str(row, "cron", get_str(r, "cron"));
		set_time(row, "create_time", get_str(r, "create_time"));
		set_time(row, "next_run", get_str(r, "next_run"));
		json_object_array_add(rows, row);
	}
	json_object_put(recs);
	json_object_object_add(pg, "schedule_rows", rows);

	pages = total > 0 ? (total + size - 1) / size : 1;
	set_int(pg, "total", total);
	set_int(pg, "page", page);
	set_int(pg, "pages", pages);
	set_int(pg, "page_size", size);
	if (page > 1)
		set_int(pg, "prev_page", page - 1);
	if (page < pages)
		set_int(pg, "next_page", page + 1);
	opts = json_object_new_array();
	for (i = 0; i < JSV_ARRAY_SIZE(sizes); i++) {
		opt = json_object_new_object();
		set_int(opt, "size", sizes[i]);
		set_bool(opt, "selected", sizes[i] == size);
		json_object_array_add(opts, opt);
	}
	json_object_object_add(pg, "page_sizes", opts);
out:
	page_send(c, "layout.html", pg);
}

void page_workers(struct call *c)
{
	struct json_object *pg, *req, *recs = NULL, *end, *rows, *row, *r;
	const char *pool = kv_get(&c->rq->args, "pool");
	const char *job;
	size_t i, n;

	if (pool && strcmp(pool, "all") != 0 && !jsv_valid_id(pool)) {
		error_page(c, 400, "That is not a worker pool ID.");
		return;
	}
	pg = page_new(c, "Workers");
	set_bool(pg, "tab_workers", true);
	if (page_load_common(c, pg) < 0)
		goto out;
	if (call_daemon(c, call_request("pools"), &recs, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	json_object_put(end);
	rows = json_object_new_array();
	n = recs ? json_object_array_length(recs) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(recs, i);
		row = json_object_new_object();
		set_str(row, "worker_pool_id", get_str(r, "worker_pool_id"));
		set_int(row, "pid", get_int(r, "pid"));
		set_str(row, "host", get_str(r, "host"));
		set_time(row, "start_at", get_str(r, "start_at"));
		set_time(row, "heartbeat_at", get_str(r, "heartbeat_at"));
		set_int(row, "concurrency", get_int(r, "concurrency"));
		set_str(row, "status", get_str(r, "status"));
		set_bool(row, "dead",
			 strcmp(get_str(r, "status"), "Healthy") != 0);
		set_bool(row, "chosen",
			 pool && strcmp(pool, get_str(r, "worker_pool_id")) ==
					 0);
		json_object_array_add(rows, row);
	}
	json_object_put(recs);
	recs = NULL;
	json_object_object_add(pg, "pool_rows", rows);
	if (!pool)
		goto out;

	set_str(pg, "pool", pool);
	set_bool(pg, "pool_all", strcmp(pool, "all") == 0);
	req = call_request("workers");
	if (strcmp(pool, "all") == 0)
		set_bool(req, "all", true);
	else
		set_str(req, "pool_id", pool);
	if (call_daemon(c, req, &recs, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	json_object_put(end);
	rows = json_object_new_array();
	n = recs ? json_object_array_length(recs) : 0;
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(recs, i);
		row = json_object_new_object();
		job = get_str(r, "job_id");
		set_str(row, "id", get_str(r, "id"));
		set_str(row, "pool_id", get_str(r, "pool_id"));
		set_str(row, "job_name", get_str(r, "job_name"));
		set_str(row, "job_id", job);
		set_bool(row, "busy", *job != '\0');
		set_time(row, "start_at", get_str(r, "start_at"));
		set_time(row, "checkin_at", get_str(r, "checkin_at"));
		set_str(row, "check_in", get_str(r, "check_in"));
		json_object_array_add(rows, row);
	}
	json_object_put(recs);
	json_object_object_add(pg, "worker_rows", rows);
	set_bool(pg, "show_workers", true);
out:
	page_send(c, "layout.html", pg);
}

/* -------------------------------------------------------------- job page */

static bool job_log_read(struct call *c, const char *id, int64_t offset,
			 struct jsv_buf *data, int64_t *next, bool *done)
{
	struct json_object *req, *end, *d;

	req = call_request("job.log");
	set_str(req, "id", id);
	set_int(req, "offset", offset);
	if (call_daemon(c, req, NULL, &end) < 0)
		return false;
	d = json_object_object_get(end, "data");
	if (data && json_object_is_type(d, json_type_string))
		jsv_buf_add(data, json_object_get_string(d),
			    (size_t)json_object_get_string_len(d));
	*next = get_int(end, "offset");
	*done = json_object_get_boolean(json_object_object_get(end, "done"));
	if (!json_object_is_type(d, json_type_string) ||
	    json_object_get_string_len(d) == 0)
		*next = -1;
	json_object_put(end);
	return true;
}

/*
 * The last LOG_TAIL bytes or so of a job's log.  The protocol reads forward
 * from an offset, so the end is first found by doubling, then halving, the
 * offset (a few requests, whatever the log's size); then the log is read
 * from one chunk before it.  False after a failed call.
 */
static bool job_log_tail(struct call *c, const char *id, struct jsv_buf *out)
{
	int64_t lo = 0, hi = LOG_TAIL, mid, next;
	struct jsv_buf data = { 0 };
	size_t skip = 0;
	bool done;
	int i;

	if (!job_log_read(c, id, 0, NULL, &next, &done))
		return false;
	if (next < 0)
		return true;
	for (;;) {
		if (!job_log_read(c, id, hi, NULL, &next, &done))
			return false;
		if (next < 0)
			break;
		lo = hi;
		hi *= 2;
	}
	while (hi - lo > LOG_TAIL) {
		mid = lo + (hi - lo) / 2;
		if (!job_log_read(c, id, mid, NULL, &next, &done))
			return false;
		if (next < 0)
			hi = mid;
		else
			lo = mid;
	}
	next = lo > LOG_TAIL ? lo - LOG_TAIL : 0;
	for (i = 0; i < 4 && next >= 0; i++)
		if (!job_log_read(c, id, next, &data, &next, &done)) {
			jsv_buf_free(&data);
			return false;
		}
	if (data.len > LOG_TAIL) {
		skip = data.len - LOG_TAIL;
		/* start at a line, or at least at a character */
		while (skip < data.len && data.data[skip - 1] != '\n' &&
		       skip - (data.len - LOG_TAIL) < 1024)
			skip++;
		while (skip < data.len &&
		       ((unsigned char)data.data[skip] & 0xc0) == 0x80)
			skip++;
	}
	jsv_buf_add(out, data.data ? data.data + skip : "", data.len - skip);
	jsv_buf_free(&data);
	return true;
}

void page_job(struct call *c, const char *id)
{
	struct json_object *pg, *req, *end, *rows, *row;
	struct jsv_buf log = { 0 };
	const char *status, *val;
	bool active;

	if (!jsv_valid_job_id(id)) {
		error_page(c, 404, "A job ID is 24 hexadecimal digits.");
		return;
	}
	pg = page_new(c, "Job");
	set_str(pg, "job_id", id);
	if (page_load_common(c, pg) < 0)
		goto out;
	req = call_request("job.show");
	set_str(req, "id", id);
	if (call_daemon(c, req, NULL, &end) < 0) {
		page_error(c, pg);
		goto out;
	}
	rows = json_object_new_array();
	json_object_object_foreach(end, key, v) {
		row = json_object_new_object();
		set_str(row, "name", key);
		if (json_object_is_type(v, json_type_string))
			val = json_object_get_string(v);
		else
			val = json_object_to_json_string_ext(
				v, JSV_JSON_TO_STRING);
		set_str(row, "value", val);
		json_object_array_add(rows, row);
	}
	json_object_object_add(pg, "fields", rows);
	status = get_str(end, "status");
	active = strcmp(status, "Pending") == 0 ||
		 strcmp(status, "Scheduled") == 0 ||
		 strcmp(status, "Running") == 0;
	set_str(pg, "status", status);
	set_bool(pg, "active", active);
	set_str(pg, "execution_status", get_str(end, "execution_status"));
	set_int(pg, "poll", active ? POLL_SECONDS : 0);
	json_object_put(end);
	if (!job_log_tail(c, id, &log)) {
		page_error(c, pg);
		goto out;
	}
	set_str(pg, "log", log.data ? log.data : "");
	set_bool(pg, "has_log", log.len > 0);
	jsv_buf_free(&log);
	set_bool(pg, "job_page", true);
out:
	page_send(c, "layout.html", pg);
}
