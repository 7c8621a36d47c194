/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-fcgi: the dashboard and JSON API of the job service, a FastCGI
 * responder behind nginx.  main() (jobsvc-fcgi.c) accepts requests and hands
 * each one, as a struct request, to app_handle(), which fills a struct
 * response; everything but main() is in libfcgiapp.a for the tests.
 *
 *	request.c  CGI parameters, query/form/cookie decoding, limits
 *	route.c    the prefix and path dispatch, security headers, error pages
 *	call.c     the daemon call (lib's jsv_call), errors mapped to HTTP
 *	fields.c   the field tables: records projected for pages and the API
 *	page.c     the HTML pages: cards, queues, schedules, workers, a job
 *	page_more.c the audit trail and execution pages
 *	pager.c    the page links of every paged table
 *	action.c   the actions: confirmation, POST, CSRF token and cookies
 *	static.c   the static files
 *	api.c      the JSON API under <prefix>api/v2.0/
 *	render.c   the templates of html/ and the one HTML escaper
 *	config.c   the [jobsvc-fcgi] INI file
 *	hmac.c     SHA-256 and HMAC-SHA256, for the anti-CSRF token
 */
#ifndef FCGI_H
#define FCGI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>

#include "jsv.h"
#include "proto.h"
#include "call.h"

#define FCGI_BODY_MAX (64 * 1024) /* request bodies; larger ones get 413 */
#define FCGI_PAIRS_MAX 256 /* pairs in one query, form or cookie header */
#define FCGI_CSRF_LEN 32 /* hex characters of the anti-CSRF token */
#define FCGI_CSRF_WINDOW 3600 /* seconds a token is made for, by default */
#define FCGI_CSRF_WINDOW_MAX (24 * 3600)
#define FCGI_SECRET_LEN 32 /* bytes of the key of the anti-CSRF tokens */
#define FCGI_SECRET_FILE "/var/lib/jobsvc-fcgi/secret"
/*
 * The default of each wait on the control socket (timeout =): a daemon
 * silent this long gets the request a 504.  Longer than the daemon's own
 * 2 s Redis command timeout, so that Redis trouble is the daemon's answer
 * (503), not a timeout; the maximum stays below nginx's default 60 s
 * fastcgi_read_timeout.
 */
#define FCGI_TIMEOUT_MS 3000
#define FCGI_TIMEOUT_MAX_MS 30000
#define FCGI_WORKERS_DEFAULT 4 /* processes answering requests */
#define FCGI_WORKERS_MAX 64

/* request.c */

struct kv {
	char *key;
	char *val;
};

/* Decoded pairs in the order they came; keys may repeat. */
struct kv_list {
	struct kv *v;
	size_t n;
	size_t cap;
};

/*
 * Decodes len bytes of application/x-www-form-urlencoded text (a query
 * string or a form body) and appends the pairs to l: '+' is a space, %XX a
 * byte, a pair without '=' has an empty value, empty pairs ("a&&b") are
 * skipped.  Returns 0, or -EINVAL for a bad escape, a decoded NUL or invalid
 * UTF-8, -E2BIG for more than FCGI_PAIRS_MAX pairs; l keeps what was decoded
 * before the error.
 */
int kv_decode_form(struct kv_list *l, const char *s, size_t len);

/*
 * Decodes a Cookie header ("a=1; b=2") into l, values taken literally (no
 * percent-decoding, surrounding double quotes removed).  Pairs without '='
 * are skipped, as browsers send them; -E2BIG past FCGI_PAIRS_MAX pairs.
 */
int kv_decode_cookies(struct kv_list *l, const char *s);

/* The first value of key, or NULL. */
const char *kv_get(const struct kv_list *l, const char *key);

/*
 * The first value of key as a number from 1 to max: def when key is
 * absent (or empty, when empty_is_def), -1 when it is anything else.
 */
int64_t kv_get_count(const struct kv_list *l, const char *key, int64_t def,
		     int64_t max, bool empty_is_def);
void kv_free(struct kv_list *l);

/*
 * Appends s percent-encoded: everything but A-Z a-z 0-9 "-._~" is %XX, and
 * '/' too unless keep_slash.  The result is safe in a URL, a header and a
 * cookie value.
 */
void url_encode(struct jsv_buf *b, const char *s, bool keep_slash);

/* Percent-decodes s ('+' stays), as the query decoder does; NULL if bad. */
char *url_decode(const char *s);

struct request {
	const char *method;
	char *path; /* the decoded path, from DOCUMENT_URI or REQUEST_URI */
	char *prefix; /* where the app is mounted, ends with '/' */
	char *prefix_url; /* the prefix percent-encoded, for links and headers */
	const char *route; /* the path after the prefix */
	const char *query; /* the raw QUERY_STRING */
	const char *remote_user; /* NULL when nginx authenticated nobody */
	const char *content_type;
	const char *requested_with; /* X-Requested-With */
	const char *request_id; /* X-Request-Id, echoed by the API */
	const char *origin; /* the Origin header */
	const char *fetch_site; /* Sec-Fetch-Site */
	const char *host; /* the Host header */
	bool https;
	struct kv_list args; /* the query */
	struct kv_list cookies;
	const char *body; /* CONTENT_LENGTH bytes, not terminated */
	size_t body_len;
	bool too_large; /* the body was over FCGI_BODY_MAX and not read */
	bool outside; /* the path is not under the prefix: a 404 */
};

/*
 * Fills rq from the FastCGI parameters (envp, "NAME=value" strings, which
 * must outlive rq) and the body.  Returns 0, or an HTTP status (400) with
 * the reason in err when the path or the query cannot be decoded.
 */
int request_init(struct request *rq, char *const *envp, const char *body,
		 size_t body_len, char *err, size_t errlen);
void request_free(struct request *rq);

/*
 * Whether the Content-Type ctype is the media type type (lower case), with
 * or without parameters.
 */
bool content_type_is(const char *ctype, const char *type);

/* The value of parameter name in envp, or NULL. */
const char *param_get(char *const *envp, const char *name);

struct response {
	int status;
	const char *ctype;
	struct jsv_buf head; /* more header lines, each ending in "\r\n" */
	struct jsv_buf body;
};

void response_header(struct response *rs, const char *fmt, ...)
	JSV_PRINTF(2, 3);
void response_free(struct response *rs);
/* "Not Found" for 404 and so on; "" for codes it does not know. */
const char *http_reason(int status);

/* config.c */

/*
 * Who may do something: named REMOTE_USER names, every authenticated user
 * (*), or the administrators (admins).
 */
struct user_list {
	char **names;
	size_t n;
	bool everyone;
	bool admins;
};

struct fcgi_config {
	char **admins; /* REMOTE_USER names that may act */
	size_t nadmins;
	bool everyone; /* admins = * : every authenticated user */
	struct user_list readers; /* who may read; default everyone */
	struct user_list log_readers; /* who may read job logs; default admins */
	struct user_list audit_readers; /* who may read the audit; admins */
	char *secret_file; /* the key of the anti-CSRF tokens */
	int64_t csrf_window; /* seconds a token is made for, 1..MAX */
	unsigned workers; /* processes answering requests, 1..FCGI_WORKERS_MAX */
	int timeout_ms; /* each wait on the daemon, 1 s..FCGI_TIMEOUT_MAX_MS */
};

/*
 * Parses the INI text of file name (used in messages) into cfg: section
 * [jobsvc-fcgi], the keys config.c lists.  Returns 0, or -EINVAL with
 * "name:line: what" in err; cfg then holds nothing.
 */
int config_parse(struct fcgi_config *cfg, const char *name, const char *text,
		 size_t len, char *err, size_t errlen);

/*
 * Reads and parses the file at path.  A missing file is an empty
 * configuration when optional, an error otherwise.
 */
int config_load(struct fcgi_config *cfg, const char *path, bool optional,
		char *err, size_t errlen);
bool config_is_admin(const struct fcgi_config *cfg, const char *user);
/* Whether user (NULL: anonymous, never) is one of l. */
bool config_in_list(const struct fcgi_config *cfg, const struct user_list *l,
		    const char *user);
void config_free(struct fcgi_config *cfg);

/*
 * Reads the anti-CSRF key from path, or creates the file (mode 0600) with
 * FCGI_SECRET_LEN random bytes when it is missing.  Returns 0, or a
 * negative errno with the reason in err.
 */
int secret_load(const char *path, unsigned char key[FCGI_SECRET_LEN], char *err,
		size_t errlen);

/* hmac.c */

#define SHA256_LEN 32
#define SHA256_BLOCK 64

struct sha256 {
	uint32_t h[8];
	uint64_t total; /* bytes hashed */
	unsigned char buf[SHA256_BLOCK];
	size_t used;
};

void sha256_init(struct sha256 *s);
void sha256_update(struct sha256 *s, const void *data, size_t len);
void sha256_final(struct sha256 *s, unsigned char out[SHA256_LEN]);
void hmac_sha256(const void *key, size_t keylen, const void *msg, size_t msglen,
		 unsigned char out[SHA256_LEN]);

/* render.c */

/* Appends len bytes of s with & < > " ' replaced by entities. */
void html_escape(struct jsv_buf *b, const char *s, size_t len);

struct tmpl {
	const char *name; /* the file's name in html/, e.g. "layout.html" */
	const char *data;
	size_t len;
};

/* The embedded files of html/ (templates.c, generated by fcgi/embed.sh). */
extern const struct tmpl tmpl_files[];
extern const size_t tmpl_nfiles;

const struct tmpl *tmpl_find(const char *name);

/*
 * Renders template text with the values of ctx, a JSON object.  The text
 * holds markup and slots:
 *	{{name}}              the value, HTML-escaped (missing: nothing)
 *	{{#name}}..{{/name}}  for each element of an array, once for an object
 *	                      or another true value, never for a missing,
 *	                      false, null, 0, "" or empty value
 *	{{^name}}..{{/name}}  once when the value is missing, false or empty
 *	{{>file}}             another template, in the same context
 *	{{.}}                 the current element itself
 * A name is looked up in the current element, then in the enclosing ones.
 * Returns 0, or -EINVAL for an unbalanced section or an unknown partial
 * (what was rendered so far stays in out).
 */
int render_text(struct jsv_buf *out, const char *text, size_t len,
		struct json_object *ctx);
int render(struct jsv_buf *out, const char *name, struct json_object *ctx);

/* route.c */

struct app {
	const char *socket; /* the daemon's control socket */
	const struct fcgi_config *cfg;
	unsigned char secret[FCGI_SECRET_LEN]; /* the anti-CSRF tokens' key */
};

#define FCGI_E_TIMEOUT (JSV_E_MAX + 1)

/* One request being answered: its daemon connection is opened on demand. */
struct call {
	const struct app *app;
	struct request *rq;
	struct response *rs;
	struct jsv_client *client;
	/*
	 * After a failure: a jsv_err, JSV_E_MAX when unreachable,
	 * FCGI_E_TIMEOUT when it did not answer in time.
	 */
	int code;
	char err[640]; /* the daemon's text, or a sentence around a local one */
	char csrf[FCGI_CSRF_LEN + 1]; /* the token of this browser, or "" */
};

/*
 * Splits rq->path into prefix and route.  The prefix is where nginx mounts
 * the app, SCRIPT_NAME (script, NULL or "" for "/") with a '/' added when
 * it lacks one.  Returns 0, or -1 when the path is not under the prefix
 * (a 404; *route is then "") or the prefix is not a path starting with a
 * single '/' (*prefix is then "/").
 */
int route_split(const char *path, const char *script, char **prefix,
		const char **route);

/*
 * The headers every answer carries: no sniffing, no framing, no referrer
 * off the site, the Content-Security-Policy, Permissions-Policy and
 * Cross-Origin-Opener-Policy.
 */
void security_headers(struct response *rs);

/*
 * Whether a request that changes something comes from the app's own pages:
 * its Origin is the request's own scheme://host, or, without an Origin,
 * Sec-Fetch-Site is absent, same-origin or none.
 */
bool same_origin(const struct request *rq);

/* Whether route (the path after the prefix) names a page of the app. */
bool route_known(const char *route);

/* Answers one request. */
void app_handle(const struct app *app, struct request *rq, struct response *rs);

/* Answers with a page that only says status and text. */
void error_page(struct call *c, int status, const char *text);

/* Answers 405 with an Allow header listing allow. */
void method_not_allowed(struct call *c, const char *allow);

/* call.c */

/*
 * Sends command cmd with the fields of req (consumed; NULL for none) over
 * the call's connection, opened on first use, and collects the answer as
 * jsv_call() does: the END in *end, the records in *records (the caller
 * puts both).  Returns 0, or -1 with c->code and c->err (a local failure
 * is JSV_E_MAX).
 */
int call_daemon(struct call *c, enum jsv_cmd cmd, struct json_object *req,
		struct json_object **records, struct json_object **end);
/* Appends job id's log, as much as there is now up to max bytes, to out. */
int call_job_log(struct call *c, const char *id, size_t max,
		 struct jsv_buf *out);
/* Appends the last tail bytes or so of job id's log to out. */
int call_job_log_tail(struct call *c, const char *id, size_t tail,
		      struct jsv_buf *out);
/* The HTTP status for a failed call. */
int call_status(const struct call *c);
bool call_admin(const struct call *c);
/* Whether the user may read the dashboard, and the jobs' logs. */
bool call_reader(const struct call *c);
bool call_log_reader(const struct call *c);
bool call_audit_reader(const struct call *c);

/* fields.c */

/* What a field holds, and so how people are shown it. */
enum field_kind {
	FIELD_TEXT,
	FIELD_INT,
	FIELD_BOOL,
	FIELD_TIME, /* RFC 3339; for people "2026-11-29 05:37:45 UTC" */
	FIELD_LATENCY, /* seconds; for people "2hrs 3min 4sec" */
	FIELD_VENDOR_ID, /* a number; for people empty when -1 (the system's) */
	FIELD_JSON, /* any value; for people its JSON text, "" when absent */
};

/* Where a record is shown; also the flags of a field's views. */
enum field_view {
	FIELD_PAGE = 1 << 0, /* on the dashboard, for people */
	FIELD_API = 1 << 1, /* in the JSON API, as the daemon gave it */
};
#define FIELD_API_OPTIONAL (1u << 2) /* left out of the API when "" */

struct field {
	const char *name; /* the same in the record, the page and the API */
	enum field_kind kind;
	unsigned int views; /* FIELD_PAGE, FIELD_API, FIELD_API_OPTIONAL */
};

/* The fields of each kind of record, each table ended by { 0 }. */
extern const struct field pool_fields[], worker_fields[], queue_fields[],
	schedule_fields[], job_fields[], audit_fields[], execution_fields[],
	execution_job_fields[], job_list_fields[];
/* The parts of the status record that the summary cards show. */
extern const struct field queue_card_fields[], queue_top_fields[],
	schedule_card_fields[], worker_card_fields[];

/*
 * Adds to out the fields of table that pages show, from rec, each formatted
 * by its kind for people, "" or 0 when rec lacks it (rec may be NULL).
 */
void fields_put(struct json_object *out, const struct field *table,
		struct json_object *rec);
/* The same into a new object. */
struct json_object *fields_project(const struct field *table,
				   struct json_object *rec);
/* Each record of the array recs projected; a new array (empty: recs NULL). */
struct json_object *fields_project_list(const struct field *table,
					struct json_object *recs);

/*
 * Appends to b the records of recs for the API, as a JSON array: of each
 * record the fields of table that the API shows, as the daemon gave them,
 * those it lacks (and FIELD_API_OPTIONAL ones that are "") left out.  The
 * text is json-c's with JSV_JSON_TO_STRING, written without building an
 * object per record.
 */
void fields_api_json(struct jsv_buf *b, const struct field *table,
		     struct json_object *recs);

/*
 * Every field of rec as [{name, value}], a string as it is and any other
 * value as JSON text: the job page's table.
 */
struct json_object *fields_rows(struct json_object *rec);

/* Sets key in o; a NULL val is "". */
void set_str(struct json_object *o, const char *key, const char *val);
void set_int(struct json_object *o, const char *key, int64_t val);
void set_bool(struct json_object *o, const char *key, bool val);

/* page.c */

/* A new page context: where it is, who looks, the last action's result. */
struct json_object *page_new(struct call *c, const char *title);

/*
 * Puts the failed call's error on page pg and its status on the answer;
 * when the daemon failed (5xx) the tab's table is left out, since it would
 * show what was not read as empty, and a page with cards says it is partial.
 */
void page_error(struct call *c, struct json_object *pg);

/* Answers with template tmpl rendered from pg (consumed). */
void page_send(struct call *c, const char *tmpl, struct json_object *pg);

/*
 * Puts on pg what every dashboard page shows: the cards and the latency
 * warning.  -1 after a failed call, whose error is then on pg.
 */
int page_load_common(struct call *c, struct json_object *pg);
/*
 * The records of the queues command in *recs (the caller puts them): the
 * queues of page page of size, or all of them when both are 0.  -1 after
 * a failed call, whose error is then on pg.
 */
int page_queue_list(struct call *c, struct json_object *pg, int64_t page,
		    int64_t size, struct json_object **recs);

void page_queues(struct call *c);
void page_schedules(struct call *c);
void page_workers(struct call *c);
void page_job(struct call *c, const char *id);

/* page_jobs.c */

/*
 * The filters of a list of jobs from the query: "status" (any case, made
 * the status's own name) and "type", each NULL when absent or empty.
 * Returns 0, or -1 with what is wrong in *why.
 */
int jobs_filter(const struct kv_list *args, const char **status,
		const char **type, const char **why);
/*
 * The query that keeps the filters on a link to another page:
 * "status=S&type=T&", each part left out when NULL; into q (made "" first).
 */
void jobs_query(struct jsv_buf *q, const char *status, const char *type);
/* jobs?status=S&type=T&page=N&page_size=N: a page of jobs, newest first. */
void page_jobs(struct call *c);

/* page_more.c */

void page_audit(struct call *c);
void page_execution(struct call *c, const char *id);

/* pager.c */

/* A paged table's place: what pager_add() makes its links of. */
struct pager {
	const char *prefix_url; /* the app's prefix, as in links */
	const char *route; /* the page's path after the prefix: "schedules" */
	/*
	 * The page's other query values, name and value in turn, ended by a
	 * NULL name; NULL or empty values are left out.  NULL for none.
	 */
	const char *const *args;
	const char *noun; /* what the table lists: "schedules" */
	int64_t page, size, total;
};

/*
 * Reads the page and page_size of the query (page_size def when absent).
 * Returns 0, or -1 after answering 400 when either is not a valid count.
 */
int pager_args(struct call *c, int64_t def_size, int64_t *page, int64_t *size);

/*
 * Adds "pager" to pg for html/pager.html: links to the first, previous,
 * next and last pages and to a window of pages around the current one,
 * the page sizes, and "out_of_range" (also on pg itself, so that the page
 * can leave its empty table out) when the page is past the last one.
 */
void pager_add(struct json_object *pg, const struct pager *p);

/* action.c */

/*
 * The anti-CSRF token of user for time window (the time divided by the
 * window's length, csrf_window): the first FCGI_CSRF_LEN hex digits of the
 * HMAC-SHA256, keyed with key, of the user's name and the window.
 */
void csrf_make(const unsigned char key[FCGI_SECRET_LEN], const char *user,
	       int64_t window, char out[FCGI_CSRF_LEN + 1]);

/*
 * Whether the form's token field and the cookie are both the user's, each
 * of the window of time now (windows of secs seconds) or the one before
 * it: a token is good for one to two windows after its page was made, and
 * a form stays good when another page has since replaced the cookie with
 * the next window's token.
 */
bool csrf_ok(const unsigned char key[FCGI_SECRET_LEN], const char *user,
	     int64_t now, int64_t secs, const char *cookie, const char *field);

/* The user's anti-CSRF token, set as a cookie when the browser lacks it. */
const char *csrf_token(struct call *c);

/* Sets a cookie for the app's prefix; attrs is "" or "; Attr..." */
void set_cookie(struct call *c, const char *name, const char *value,
		const char *attrs);

/* action/NAME: GET and HEAD ask for confirmation, POST acts. */
void action_handle(struct call *c, const char *name);

/* static.c */

/* static/NAME: one of the embedded static files, or 404. */
void static_file(struct call *c, const char *name);

/* api.c */

/* Answers with the API's error object. */
void api_error(struct call *c, int status, const char *msg);

/* Answers a request whose route starts with "api/v2.0/"; sub is the rest. */
void api_handle(struct call *c, const char *sub);

#endif /* FCGI_H */
