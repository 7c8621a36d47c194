/* SPDX-License-Identifier: ISC */
/*
 * The dashboard: where the app is mounted, which page a path names, the
 * pages (three summary cards, the Job Queues, Schedules and Workers tabs,
 * the job page) and the actions (a GET confirmation page, then a POST with
 * an anti-CSRF token that acts over the control socket and redirects back).
 *
 * Every page is built as one JSON object of values and rendered by the
 * templates of html/; no markup is made here.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "fcgi.h"

#define LATENCY_WARN (24 * 3600) /* a queue waiting this long is flagged */
#define POLL_SECONDS 10 /* dashboard.js reloads pages this often */
#define LOG_TAIL (64 * 1024) /* bytes of log on the job page */
#define SCHED_PAGE_DEFAULT 15

/* ------------------------------------------------------------- routing */

/* The first segments of the routes; see route_known(). */
bool route_known(const char *route)
{
	const char *id;

	if (*route == '\0' || strcmp(route, "schedules") == 0 ||
	    strcmp(route, "workers") == 0)
		return true;
	if (strncmp(route, "jobs/", 5) == 0) {
		id = route + 5;
		return *id && !strchr(id, '/');
	}
	if (strncmp(route, "action/", 7) == 0 ||
	    strncmp(route, "static/", 7) == 0)
		return route[7] && !strchr(route + 7, '/');
	return strncmp(route, "api/v2.0/", 9) == 0;
}

void route_split(const char *path, const char *hint, char **prefix,
		 const char **route)
{
	const char *p, *last = path;
	size_t n;

	if (hint && *hint) {
		n = strlen(hint);
		if (hint[n - 1] == '/' && strncmp(path, hint, n) == 0) {
			*prefix = xstrdup(hint);
			*route = path + n;
			return;
		}
	}
	for (p = path; *p; p++) {
		if (*p != '/')
			continue;
		last = p;
		if (route_known(p + 1)) {
			*prefix = xstrndup(path, (size_t)(p - path + 1));
			*route = p + 1;
			return;
		}
	}
	*prefix = xstrndup(path, (size_t)(last - path + 1));
	*route = last + 1;
}

static bool is_token(const char *s)
{
	size_t i;

	if (!s || strlen(s) != FCGI_CSRF_LEN)
		return false;
	for (i = 0; i < FCGI_CSRF_LEN; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return false;
	return true;
}

/* The comparison takes the same time wherever the tokens differ. */
bool csrf_ok(const char *cookie, const char *field)
{
	unsigned char diff = 0;
	size_t i;

	if (!is_token(cookie) || !is_token(field))
		return false;
	for (i = 0; i < FCGI_CSRF_LEN; i++)
		diff |= (unsigned char)(cookie[i] ^ field[i]);
	return diff == 0;
}

/* ------------------------------------------------------ the control socket */

struct json_object *call_request(const char *cmd)
{
	struct json_object *req = json_object_new_object();

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	return req;
}

static int call_fail(struct call *c, int code, const char *fmt, ...)
	JSV_PRINTF(3, 4);

static int call_fail(struct call *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, sizeof(c->err), fmt, ap);
	va_end(ap);
	c->code = code;
	jsv_client_close(c->client);
	c->client = NULL;
	return -1;
}

static int call_timeout(struct call *c)
{
	return call_fail(c, FCGI_E_TIMEOUT,
			 "The job service daemon did not answer within %g "
			 "seconds; it may be overloaded or stopped.",
			 c->app->cfg->timeout_ms / 1000.0);
}

int call_daemon(struct call *c, struct json_object *req,
		struct json_object **records, struct json_object **end)
{
	struct json_object *obj;
	const char *text;
	char err[256];
	int64_t code;
	int r;

	*end = NULL;
	if (!c->client) {
		c->client = jsv_client_open(c->app->socket,
					    c->app->cfg->timeout_ms, err,
					    sizeof(err));
		if (!c->client) {
			json_object_put(req);
			return call_fail(c,
					 errno == ETIMEDOUT ? FCGI_E_TIMEOUT :
							      JSV_E_MAX,
					 "The job service daemon cannot be "
					 "reached (%s).",
					 err);
		}
	}
	r = jsv_client_send(c->client, req);
	json_object_put(req);
	if (r == -ETIMEDOUT)
		return call_timeout(c);
	if (r < 0)
		return call_fail(c, JSV_E_MAX,
				 "Sending to the job service daemon failed: "
				 "%s.",
				 strerror(-r));
	for (;;) {
		r = jsv_client_next(c->client, &obj);
		if (r == -ETIMEDOUT)
			return call_timeout(c);
		if (r < 0)
			return call_fail(c, JSV_E_MAX,
					 "The job service daemon did not "
					 "answer: %s.",
					 strerror(-r));
		if (r == JSV_MSG_RECORD && records) {
			if (!*records)
				*records = json_object_new_array();
			json_object_array_add(*records, obj);
			continue;
		}
		if (r == JSV_MSG_END) {
			*end = obj;
			return 0;
		}
		if (r == JSV_MSG_ERROR) {
			if (jsv_json_get_int64(obj, "code", &code) != 0 ||
			    code <= 0 || code >= JSV_E_MAX)
				code = JSV_E_INTERNAL;
			if (jsv_json_get_string(obj, "error", &text) != 0)
				text = jsv_strerror((int)code);
			c->code = (int)code;
			snprintf(c->err, sizeof(c->err), "%s", text);
			json_object_put(obj);
			return -1;
		}
		json_object_put(obj);
	}
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

/* ------------------------------------------------------------- helpers */

static void set_str(struct json_object *o, const char *key, const char *val)
{
	json_object_object_add(o, key, json_object_new_string(val ? val : ""));
}

static void set_int(struct json_object *o, const char *key, int64_t val)
{
	json_object_object_add(o, key, json_object_new_int64(val));
}

static void set_bool(struct json_object *o, const char *key, bool val)
{
	json_object_object_add(o, key, json_object_new_boolean(val));
}

static const char *get_str(struct json_object *o, const char *key)
{
	const char *s;

	return jsv_json_get_string(o, key, &s) == 0 ? s : "";
}

static int64_t get_int(struct json_object *o, const char *key)
{
	int64_t v;

	return jsv_json_get_int64(o, key, &v) == 0 ? v : 0;
}

/* An RFC 3339 time as people read it: "2026-11-29 05:37:45 UTC". */
static void set_time(struct json_object *o, const char *key, const char *t)
{
	char buf[64];
	size_t n = strlen(t);

	if (n < 20 || n >= sizeof(buf) - 4 || t[10] != 'T' || t[n - 1] != 'Z') {
		set_str(o, key, t);
		return;
	}
	snprintf(buf, sizeof(buf), "%.10s %.*s UTC", t, (int)(n - 12), t + 11);
	set_str(o, key, buf);
}

static void set_cookie(struct call *c, const char *name, const char *value,
		       const char *attrs)
{
	response_header(c->rs,
			"Set-Cookie: %s=%s; Path=%s; SameSite=Strict%s%s", name,
			value, c->rq->prefix_url, attrs,
			c->rq->https ? "; Secure" : "");
}

/* The browser's anti-CSRF token, made and set on its first visit. */
static const char *csrf_token(struct call *c)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char rnd[FCGI_CSRF_LEN / 2];
	const char *have;
	size_t i;

	if (c->csrf[0])
		return c->csrf;
	have = kv_get(&c->rq->cookies, "jsvc_csrf");
	if (is_token(have)) {
		memcpy(c->csrf, have, FCGI_CSRF_LEN + 1);
		return c->csrf;
	}
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		fatal("getrandom");
	for (i = 0; i < sizeof(rnd); i++) {
		c->csrf[2 * i] = hex[rnd[i] >> 4];
		c->csrf[2 * i + 1] = hex[rnd[i] & 15];
	}
	c->csrf[FCGI_CSRF_LEN] = '\0';
	set_cookie(c, "jsvc_csrf", c->csrf, "");
	return c->csrf;
}

/* The values every page has: where it is, who looks, the last result. */
static struct json_object *page_new(struct call *c, const char *title)
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

/*
 * A failed call: its error on the page.  When the daemon failed (5xx), the
 * tab's table is left out, since it would show what was not read as empty,
 * and a page that shows the cards read before the failure says so.
 */
static void page_error(struct call *c, struct json_object *pg)
{
	set_str(pg, "error", c->err);
	c->rs->status = call_status(c);
	if (c->rs->status < 500)
		return;
	set_bool(pg, "loaded", false);
	set_bool(pg, "partial", json_object_object_get_ex(pg, "cards", NULL));
}

static void send_html(struct call *c, const char *tmpl, struct json_object *pg)
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

/* A page with only an error: bad paths, methods, requests. */
static void error_page(struct call *c, int status, const char *text)
{
	struct json_object *pg = json_object_new_object();
	char title[64];

	snprintf(title, sizeof(title), "%d %s", status, http_reason(status));
	set_str(pg, "prefix", c->rq->prefix_url);
	set_str(pg, "version", PACKAGE_VERSION);
	set_str(pg, "title", title);
	set_str(pg, "text", text);
	c->rs->status = status;
	send_html(c, "error.html", pg);
}

static void method_not_allowed(struct call *c, const char *allow)
{
	response_header(c->rs, "Allow: %s", allow);
	error_page(c, 405, "This page does not answer that method.");
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
static int load_common(struct call *c, struct json_object *pg)
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

static void page_queues(struct call *c)
{
	struct json_object *pg = page_new(c, "Job Queues");

	set_bool(pg, "tab_queues", true);
	load_common(c, pg);
	send_html(c, "layout.html", pg);
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

static void page_schedules(struct call *c)
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
	if (load_common(c, pg) < 0)
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
	send_html(c, "layout.html", pg);
}

static void page_workers(struct call *c)
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
	if (load_common(c, pg) < 0)
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
	send_html(c, "layout.html", pg);
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

static void page_job(struct call *c, const char *id)
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
	if (load_common(c, pg) < 0)
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
	send_html(c, "layout.html", pg);
}

/* -------------------------------------------------------------- actions */

enum target {
	TARGET_NONE, /* the whole service */
	TARGET_TYPES, /* "type" repeated, or "all" */
	TARGET_WORKERS, /* "worker" repeated, or "all" */
	TARGET_JOB, /* "id" */
};

struct action {
	const char *name; /* in the path: action/NAME */
	const char *cmd;
	enum target target;
	const char *ask, *ask_end; /* the question around the names */
	const char *question_all;
	const char *button;
	const char *back; /* the page to return to */
};

static const struct action actions[] = {
	{ "queue-stop", "queue.stop", TARGET_TYPES, "Stop all waiting jobs of ",
	  "?", "Stop all waiting jobs of all queues?", "Stop", "" },
	{ "queue-pause", "queue.pause", TARGET_TYPES, "Pause ", "?",
	  "Pause all queues?", "Pause", "" },
	{ "queue-resume", "queue.resume", TARGET_TYPES, "Resume ", "?",
	  "Resume all queues?", "Resume", "" },
	{ "schedules-pause", "schedules.pause", TARGET_NONE, NULL, NULL,
	  "Pause all schedules?", "Pause All", "schedules" },
	{ "schedules-resume", "schedules.resume", TARGET_NONE, NULL, NULL,
	  "Resume all schedules?", "Resume All", "schedules" },
	{ "worker-free", "worker.free", TARGET_WORKERS, "Free ",
	  ", stopping the jobs they run?",
	  "Free all workers, stopping every running job?", "Free", "workers" },
	{ "job-stop", "job.stop", TARGET_JOB, "Stop job ", "?", NULL, "Stop",
	  "jobs/" },
};

/* What an action acts on, read from the query or the form. */
struct targets {
	struct json_object *req; /* the request to send */
	struct json_object *fields; /* [{name, value}] to carry in the form */
	struct jsv_buf names; /* "IMAGE_SCAN, WEBHOOK" */
	struct jsv_buf back; /* the page to return to, after the prefix */
	char question[1024];
};

static void add_field(struct targets *t, const char *name, const char *value)
{
	struct json_object *f = json_object_new_object();

	set_str(f, "name", name);
	set_str(f, "value", value);
	json_object_array_add(t->fields, f);
}

/*
 * Fills t from the pairs of l for action a.  Returns 0, or -1 with the
 * reason in err (a 400).
 */
static int targets_read(const struct action *a, const struct kv_list *l,
			struct targets *t, char *err, size_t errlen)
{
	const char *key = a->target == TARGET_TYPES ? "type" : "worker";
	const char *all = kv_get(l, "all"), *s, *pool;
	struct json_object *arr;
	size_t i, n = 0;

	t->req = call_request(a->cmd);
	t->fields = json_object_new_array();
	jsv_buf_add(&t->back, a->back, strlen(a->back));
	switch (a->target) {
	case TARGET_NONE:
		snprintf(t->question, sizeof(t->question), "%s",
			 a->question_all);
		return 0;
	case TARGET_JOB:
		s = kv_get(l, "id");
		if (!s || !jsv_valid_job_id(s)) {
			snprintf(err, errlen, "No valid job ID was given.");
			return -1;
		}
		set_str(t->req, "id", s);
		add_field(t, "id", s);
		jsv_buf_add(&t->back, s, strlen(s));
		snprintf(t->question, sizeof(t->question), "%s%s%s", a->ask, s,
			 a->ask_end);
		return 0;
	case TARGET_WORKERS:
		pool = kv_get(l, "pool");
		if (pool && (strcmp(pool, "all") == 0 || jsv_valid_id(pool))) {
			add_field(t, "pool", pool);
			jsv_buf_add(&t->back, "?pool=", 6);
			url_encode(&t->back, pool, false);
		}
		break;
	case TARGET_TYPES:
		break;
	}
	if (all && strcmp(all, "1") == 0) {
		set_bool(t->req, "all", true);
		add_field(t, "all", "1");
		snprintf(t->question, sizeof(t->question), "%s",
			 a->question_all);
		return 0;
	}
	arr = json_object_new_array();
	json_object_object_add(
		t->req, a->target == TARGET_TYPES ? "types" : "workers", arr);
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, key) != 0)
			continue;
		s = l->v[i].val;
		if (a->target == TARGET_TYPES ? !jsv_valid_job_type(s) :
						!jsv_valid_id(s)) {
			snprintf(err, errlen, "\"%s\" is not a valid %s.", s,
				 a->target == TARGET_TYPES ? "job type" :
							     "worker ID");
			return -1;
		}
		json_object_array_add(arr, json_object_new_string(s));
		add_field(t, key, s);
		if (n++)
			jsv_buf_add(&t->names, ", ", 2);
		if (a->target == TARGET_WORKERS && n == 1)
			jsv_buf_add(&t->names, "worker ", 7);
		jsv_buf_add(&t->names, s, strlen(s));
	}
	if (n == 0) {
		snprintf(err, errlen,
			 "Nothing was selected: choose one or "
			 "more %s first.",
			 a->target == TARGET_TYPES ? "queues" : "busy workers");
		return -1;
	}
	snprintf(t->question, sizeof(t->question), "%s%s%s", a->ask,
		 t->names.data, a->ask_end);
	return 0;
}

static void targets_free(struct targets *t)
{
	json_object_put(t->req);
	json_object_put(t->fields);
	jsv_buf_free(&t->names);
	jsv_buf_free(&t->back);
}

static void action_confirm(struct call *c, const struct action *a)
{
	struct targets t = { 0 };
	struct json_object *pg;
	char err[512];

	if (targets_read(a, &c->rq->args, &t, err, sizeof(err)) < 0) {
		error_page(c, 400, err);
		goto out;
	}
	pg = page_new(c, "Confirm");
	set_str(pg, "question", t.question);
	set_str(pg, "action", a->name);
	set_str(pg, "button", a->button);
	set_str(pg, "back", t.back.data);
	json_object_object_add(pg, "fields", json_object_get(t.fields));
	set_bool(pg, "confirm", true);
	if (!call_admin(c))
		c->rs->status = 403;
	load_common(c, pg);
	send_html(c, "layout.html", pg);
out:
	targets_free(&t);
}

static bool is_form(const char *ctype)
{
	static const char form[] = "application/x-www-form-urlencoded";

	return ctype && strncasecmp(ctype, form, sizeof(form) - 1) == 0 &&
	       (ctype[sizeof(form) - 1] == '\0' ||
		ctype[sizeof(form) - 1] == ';');
}

static void action_do(struct call *c, const struct action *a)
{
	struct kv_list form = { 0 };
	struct targets t = { 0 };
	struct json_object *end, *req, *pg;
	struct jsv_buf b = { 0 };
	const char *msg;
	char err[512];
	int status;

	if (!call_admin(c)) {
		error_page(c, 403,
			   "Only administrators may act on the job "
			   "service.");
		return;
	}
	if (!is_form(c->rq->content_type)) {
		error_page(c, 415, "Actions are sent as HTML forms.");
		return;
	}
	if (kv_decode_form(&form, c->rq->body, c->rq->body_len) < 0) {
		error_page(c, 400, "The form cannot be decoded.");
		goto out;
	}
	if (!csrf_ok(kv_get(&c->rq->cookies, "jsvc_csrf"),
		     kv_get(&form, "csrf"))) {
		error_page(c, 403,
			   "The form's security token does not match "
			   "this browser's: reload the page and try "
			   "again.");
		goto out;
	}
	if (targets_read(a, &form, &t, err, sizeof(err)) < 0) {
		error_page(c, 400, err);
		goto out;
	}
	req = t.req;
	t.req = NULL;
	if (call_daemon(c, req, NULL, &end) < 0) {
		snprintf(err, sizeof(err), "%s", c->err);
		status = call_status(c);
		pg = page_new(c, "Action failed");
		load_common(c, pg);
		set_str(pg, "error", err);
		c->rs->status = status;
		send_html(c, "layout.html", pg);
		goto out;
	}
	msg = get_str(end, "message");
	url_encode(&b, *msg ? msg : "Done", false);
	set_cookie(c, "jsvc_msg", b.data, "; Max-Age=60; HttpOnly");
	c->rs->status = 303;
	response_header(c->rs, "Location: %s%s", c->rq->prefix_url,
			t.back.data);
	response_header(c->rs, "Cache-Control: no-store");
	c->rs->ctype = "text/plain; charset=utf-8";
	jsv_buf_printf(&c->rs->body, "%s\n", msg);
	json_object_put(end);
out:
	jsv_buf_free(&b);
	kv_free(&form);
	targets_free(&t);
}

/* action/NAME: GET asks for confirmation, POST acts. */
static void action(struct call *c, const char *name)
{
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, name) != 0)
			continue;
		if (strcmp(c->rq->method, "POST") == 0)
			action_do(c, &actions[i]);
		else if (strcmp(c->rq->method, "GET") == 0 ||
			 strcmp(c->rq->method, "HEAD") == 0)
			action_confirm(c, &actions[i]);
		else
			method_not_allowed(c, "GET, HEAD, POST");
		return;
	}
	error_page(c, 404, "There is no such action.");
}

/* --------------------------------------------------------- static files */

static void static_file(struct call *c, const char *name)
{
	const struct tmpl *t = NULL;
	const char *ctype = NULL;

	if (strcmp(name, "style.css") == 0)
		ctype = "text/css; charset=utf-8";
	else if (strcmp(name, "dashboard.js") == 0)
		ctype = "text/javascript; charset=utf-8";
	if (ctype)
		t = tmpl_find(name);
	if (!t) {
		error_page(c, 404, "There is no such file.");
		return;
	}
	c->rs->ctype = ctype;
	response_header(c->rs, "Cache-Control: public, max-age=31536000, "
			       "immutable");
	jsv_buf_add(&c->rs->body, t->data, t->len);
}

/* ------------------------------------------------------------- dispatch */

static bool is_get(const struct call *c)
{
	return strcmp(c->rq->method, "GET") == 0 ||
	       strcmp(c->rq->method, "HEAD") == 0;
}

void app_handle(const struct app *app, struct request *rq, struct response *rs)
{
	struct call c = { .app = app, .rq = rq, .rs = rs };
	const char *route = rq->route;

	rs->status = 200;
	response_header(rs, "X-Content-Type-Options: nosniff");
	response_header(rs, "Referrer-Policy: same-origin");
	response_header(rs, "X-Frame-Options: DENY");
	response_header(rs, "Content-Security-Policy: default-src 'none'; "
			    "style-src 'self'; script-src 'self'; "
			    "img-src 'self' data:; connect-src 'self'; "
			    "form-action 'self'; base-uri 'none'; "
			    "frame-ancestors 'none'");

	if (strncmp(route, "api/v2.0/", 9) == 0) {
		api_handle(&c, route + 9);
	} else if (rq->too_large) {
		error_page(&c, 413,
			   "The request's body is larger than 64 KiB.");
	} else if (!route_known(route)) {
		error_page(&c, 404, "There is no such page on the dashboard.");
	} else if (strncmp(route, "action/", 7) == 0) {
		action(&c, route + 7);
	} else if (!is_get(&c)) {
		method_not_allowed(&c, "GET, HEAD");
	} else if (*route == '\0') {
		page_queues(&c);
	} else if (strcmp(route, "schedules") == 0) {
		page_schedules(&c);
	} else if (strcmp(route, "workers") == 0) {
		page_workers(&c);
	} else if (strncmp(route, "jobs/", 5) == 0) {
		page_job(&c, route + 5);
	} else {
		static_file(&c, route + 7);
	}
	jsv_client_close(c.client);
}
