/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's actions: a GET asks for confirmation, a POST with the
 * user's anti-CSRF token (an HMAC of the user's name and the hour, in an
 * HttpOnly cookie and double-submitted in the form) acts
 * over the control socket and redirects back with the daemon's message in
 * a short-lived cookie.  A POST whose token has expired (a page left open
 * for hours) does nothing and asks for confirmation again, with a fresh
 * token.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"

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

void csrf_make(const unsigned char key[FCGI_SECRET_LEN], const char *user,
	       int64_t window, char out[FCGI_CSRF_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[SHA256_LEN];
	struct jsv_buf msg = { 0 };
	size_t i;

	jsv_buf_printf(&msg, "jsvc-csrf\n%s\n%lld", user ? user : "",
		       (long long)window);
	hmac_sha256(key, FCGI_SECRET_LEN, msg.data, msg.len, mac);
	jsv_buf_free(&msg);
	for (i = 0; i < FCGI_CSRF_LEN / 2; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[FCGI_CSRF_LEN] = '\0';
}

/* The comparison takes the same time wherever the tokens differ. */
static bool same_token(const char *a, const char *b)
{
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < FCGI_CSRF_LEN; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* Whether s is the user's token of window w or of the one before it. */
static bool token_recent(const unsigned char key[FCGI_SECRET_LEN],
			 const char *user, int64_t w, const char *s)
{
	char want[FCGI_CSRF_LEN + 1];
	bool now, before;

	csrf_make(key, user, w, want);
	now = same_token(s, want);
	csrf_make(key, user, w - 1, want);
	before = same_token(s, want);
	return now || before;
}

bool csrf_ok(const unsigned char key[FCGI_SECRET_LEN], const char *user,
	     int64_t now, int64_t secs, const char *cookie, const char *field)
{
	int64_t w = now / secs;
	bool cookie_ok, field_ok;

	if (!user || !is_token(cookie) || !is_token(field))
		return false;
	cookie_ok = token_recent(key, user, w, cookie);
	field_ok = token_recent(key, user, w, field);
	return cookie_ok && field_ok;
}

void set_cookie(struct call *c, const char *name, const char *value,
		const char *attrs)
{
	response_header(c->rs,
			"Set-Cookie: %s=%s; Path=%s; SameSite=Strict%s%s", name,
			value, c->rq->prefix_url, attrs,
			c->rq->https ? "; Secure" : "");
}

/*
 * The token of this user and window; the browser's cookie is replaced when
 * it holds another one (another user's, or an older window's).
 */
const char *csrf_token(struct call *c)
{
	const char *have;

	if (c->csrf[0])
		return c->csrf;
	csrf_make(c->app->secret, c->rq->remote_user,
		  (int64_t)time(NULL) / c->app->cfg->csrf_window, c->csrf);
	have = kv_get(&c->rq->cookies, "jsvc_csrf");
	if (!have || strcmp(have, c->csrf) != 0)
		set_cookie(c, "jsvc_csrf", c->csrf, "; HttpOnly");
	return c->csrf;
}

enum target {
	TARGET_NONE, /* the whole service */
	TARGET_TYPES, /* "type" repeated, or "all" */
	TARGET_WORKERS, /* "worker" repeated, or "all" */
	TARGET_JOB, /* "id" */
};

struct action {
	const char *name; /* in the path: action/NAME */
	enum jsv_cmd cmd;
	enum target target;
	const char *ask, *ask_end; /* the question around the names */
	const char *question_all;
	const char *button;
	const char *back; /* the page to return to */
};

static const struct action actions[] = {
	{ "queue-stop", JSV_CMD_QUEUE_STOP, TARGET_TYPES,
	  "Stop all waiting jobs of ", "?",
	  "Stop all waiting jobs of all queues?", "Stop", "" },
	{ "queue-pause", JSV_CMD_QUEUE_PAUSE, TARGET_TYPES, "Pause ", "?",
	  "Pause all queues?", "Pause", "" },
	{ "queue-resume", JSV_CMD_QUEUE_RESUME, TARGET_TYPES, "Resume ", "?",
	  "Resume all queues?", "Resume", "" },
	{ "schedules-pause", JSV_CMD_SCHEDULES_PAUSE, TARGET_NONE, NULL, NULL,
	  "Pause all schedules?", "Pause All", "schedules" },
	{ "schedules-resume", JSV_CMD_SCHEDULES_RESUME, TARGET_NONE, NULL, NULL,
	  "Resume all schedules?", "Resume All", "schedules" },
	{ "worker-free", JSV_CMD_WORKER_FREE, TARGET_WORKERS, "Free ",
	  ", stopping the jobs they run?",
	  "Free all workers, stopping every running job?", "Free", "workers" },
	{ "job-stop", JSV_CMD_JOB_STOP, TARGET_JOB, "Stop job ", "?", NULL,
	  "Stop", "jobs/" },
};

/* What an action acts on, read from the query or the form. */
struct targets {
	struct json_object *req; /* the request's fields */
	struct json_object *fields; /* [{name, value}] to carry in the form */
	struct jsv_buf names; /* "IMAGE_SCAN, WEBHOOK" */
	struct jsv_buf back; /* the page to return to, after the prefix */
	char question[2048];
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
	const char *all = kv_get(l, "all"), *s, *pool, **names;
	size_t i, n = 0;

	t->req = json_object_new_object();
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
		jsv_req_id(t->req, s);
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
		jsv_req_targets(t->req, a->cmd, NULL, 0, true);
		add_field(t, "all", "1");
		snprintf(t->question, sizeof(t->question), "%s",
			 a->question_all);
		return 0;
	}
	names = xcalloc(l->n + 1, sizeof(*names));
	for (i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].key, key) != 0)
			continue;
		s = l->v[i].val;
		if (a->target == TARGET_TYPES ? !jsv_valid_job_type(s) :
						!jsv_valid_id(s)) {
			snprintf(err, errlen, "\"%s\" is not a valid %s.", s,
				 a->target == TARGET_TYPES ? "job type" :
							     "worker ID");
			free(names);
			return -1;
		}
		names[n] = s;
		add_field(t, key, s);
		if (n++)
			jsv_buf_add(&t->names, ", ", 2);
		if (a->target == TARGET_WORKERS && n == 1)
			jsv_buf_add(&t->names, "worker ", 7);
		jsv_buf_add(&t->names, s, strlen(s));
	}
	jsv_req_targets(t->req, a->cmd, names, n, false);
	free(names);
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

#define FREE_NAMED_MAX 10 /* jobs named in worker-free's question */

/* Whether l names worker id. */
static bool names_worker(const struct kv_list *l, const char *id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, "worker") == 0 &&
		    strcmp(l->v[i].val, id) == 0)
			return true;
	return false;
}

/*
 * worker-free's question names the jobs it stops: those the chosen
 * workers (all of them with all=1) run now, "SLEEP job 5f0c...", the
 * first FREE_NAMED_MAX of them and how many more.  A failed look-up
 * leaves the question as it was.
 */
static void free_question(struct call *c, const struct kv_list *l,
			  struct targets *t)
{
	const char *all = kv_get(l, "all"), *job;
	struct json_object *req, *recs = NULL, *end, *w;
	struct jsv_buf jobs = { 0 };
	bool every = all && strcmp(all, "1") == 0;
	size_t i, named = 0, more = 0;

	req = json_object_new_object();
	jsv_req_pool(req, "all");
	if (call_daemon(c, JSV_CMD_WORKERS, req, &recs, &end) < 0)
		return;
	json_object_put(end);
	for (i = 0; i < json_object_array_length(recs); i++) {
		w = json_object_array_get_idx(recs, i);
		job = jsv_json_str(w, "job_id");
		if (!*job ||
		    (!every && !names_worker(l, jsv_json_str(w, "id"))))
			continue;
		if (named++ >= FREE_NAMED_MAX) {
			more++;
			continue;
		}
		jsv_buf_printf(&jobs, "%s%s job %s", named > 1 ? ", " : "",
			       jsv_json_str(w, "job_name"), job);
	}
	json_object_put(recs);
	if (more)
		jsv_buf_printf(&jobs, " and %zu more", more);
	if (every && jobs.len)
		snprintf(t->question, sizeof(t->question),
			 "Free all workers, stopping every running job: %s?",
			 jobs.data);
	else if (every)
		snprintf(t->question, sizeof(t->question),
			 "Free all workers? None runs a job now.");
	else if (jobs.len)
		snprintf(t->question, sizeof(t->question),
			 "Free %s, stopping %s?", t->names.data, jobs.data);
	else
		snprintf(t->question, sizeof(t->question),
			 "Free %s? None of them runs a job now.",
			 t->names.data);
	jsv_buf_free(&jobs);
}

/*
 * The confirmation page of action a on what l names; notice, when not
 * NULL, says why a POST was refused, and the page answers 403 whatever
 * else fails.
 */
static void action_confirm(struct call *c, const struct action *a,
			   const struct kv_list *l, const char *notice)
{
	struct targets t = { 0 };
	struct json_object *pg;
	char err[sizeof(c->err)];

	if (targets_read(a, l, &t, err, sizeof(err)) < 0) {
		error_page(c, 400, err);
		goto out;
	}
	if (a->cmd == JSV_CMD_WORKER_FREE)
		free_question(c, l, &t);
	pg = page_new(c, notice ? "Not done: confirm again" : "Confirm");
	set_str(pg, "question", t.question);
	set_str(pg, "action", a->name);
	set_str(pg, "button", a->button);
	set_str(pg, "back", t.back.data);
	json_object_object_add(pg, "fields", json_object_get(t.fields));
	set_bool(pg, "confirm", true);
	/* dashboard.js renews the token this often; see csrf_ok() */
	set_int(pg, "csrf_renew", (c->app->cfg->csrf_window + 1) / 2);
	if (!call_admin(c))
		c->rs->status = 403;
	set_str(pg, "notice", notice);
	page_load_common(c, pg);
	if (notice)
		c->rs->status = 403;
	page_send(c, "layout.html", pg);
out:
	targets_free(&t);
}

static void action_do(struct call *c, const struct action *a)
{
	struct kv_list form = { 0 };
	struct targets t = { 0 };
	struct json_object *end, *req, *pg;
	struct jsv_buf b = { 0 };
	const char *msg;
	char err[sizeof(c->err)];
	int status;

	if (!call_admin(c)) {
		error_page(c, 403,
			   "Only administrators may act on the job "
			   "service.");
		return;
	}
	if (!content_type_is(c->rq->content_type,
			     "application/x-www-form-urlencoded")) {
		error_page(c, 415, "Actions are sent as HTML forms.");
		return;
	}
	if (kv_decode_form(&form, c->rq->body, c->rq->body_len) < 0) {
		error_page(c, 400, "The form cannot be decoded.");
		goto out;
	}
	if (!csrf_ok(c->app->secret, c->rq->remote_user, (int64_t)time(NULL),
		     c->app->cfg->csrf_window,
		     kv_get(&c->rq->cookies, "jsvc_csrf"),
		     kv_get(&form, "csrf"))) {
		action_confirm(c, a, &form,
			       "The action was NOT done: the form's security "
			       "token has expired (the page was open for a "
			       "long time) or is not this browser's. Nothing "
			       "was changed; confirm below to do it now.");
		goto out;
	}
	if (targets_read(a, &form, &t, err, sizeof(err)) < 0) {
		error_page(c, 400, err);
		goto out;
	}
	req = t.req;
	t.req = NULL;
	jsv_req_as_user(req, c->rq->remote_user);
	if (call_daemon(c, a->cmd, req, NULL, &end) < 0) {
		snprintf(err, sizeof(err), "%s", c->err);
		status = call_status(c);
		pg = page_new(c, "Action failed");
		page_load_common(c, pg);
		set_str(pg, "error", err);
		c->rs->status = status;
		page_send(c, "layout.html", pg);
		goto out;
	}
	msg = jsv_json_str(end, "message");
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
void action_handle(struct call *c, const char *name)
{
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(actions); i++) {
		if (strcmp(actions[i].name, name) != 0)
			continue;
		if (strcmp(c->rq->method, "POST") == 0)
			action_do(c, &actions[i]);
		else if (strcmp(c->rq->method, "GET") == 0 ||
			 strcmp(c->rq->method, "HEAD") == 0)
			action_confirm(c, &actions[i], &c->rq->args, NULL);
		else
			method_not_allowed(c, "GET, HEAD, POST");
		return;
	}
	error_page(c, 404, "There is no such action.");
}
