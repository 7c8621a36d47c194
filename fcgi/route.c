/* SPDX-License-Identifier: ISC */
/*
 * Where the app is mounted, which page a path names, and the dispatch of a
 * request (to the pages, the actions, the static files or the JSON API)
 * under the security headers every answer carries; the error pages.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

/* The first segments of the routes; see route_known(). */
bool route_known(const char *route)
{
	const char *id;

	if (*route == '\0' || strcmp(route, "schedules") == 0 ||
	    strcmp(route, "workers") == 0 || strcmp(route, "audit") == 0 ||
	    strcmp(route, "jobs") == 0)
		return true;
	if (strncmp(route, "jobs/", 5) == 0) {
		id = route + 5;
		return *id && !strchr(id, '/');
	}
	if (strncmp(route, "executions/", 11) == 0) {
		id = route + 11;
		return *id && !strchr(id, '/');
	}
	if (strncmp(route, "action/", 7) == 0 ||
	    strncmp(route, "static/", 7) == 0)
		return route[7] && !strchr(route + 7, '/');
	return strncmp(route, "api/v2.0/", 9) == 0;
}

int route_split(const char *path, const char *script, char **prefix,
		const char **route)
{
	size_t n = script ? strlen(script) : 0;

	if (n && script[n - 1] == '/')
		n--;
	if (n && (script[0] != '/' || script[1] == '/')) {
		*prefix = xstrdup("/");
		*route = "";
		return -1;
	}
	*prefix = xmalloc(n + 2);
	memcpy(*prefix, script, n);
	memcpy(*prefix + n, "/", 2);
	if (strncmp(path, *prefix, n + 1) != 0) {
		*route = "";
		return -1;
	}
	*route = path + n + 1;
	return 0;
}

void security_headers(struct response *rs)
{
	response_header(rs, "X-Content-Type-Options: nosniff");
	response_header(rs, "Referrer-Policy: same-origin");
	response_header(rs, "X-Frame-Options: DENY");
	response_header(rs, "Content-Security-Policy: default-src 'none'; "
			    "style-src 'self'; script-src 'self'; "
			    "img-src 'self' data:; connect-src 'self'; "
			    "form-action 'self'; base-uri 'none'; "
			    "frame-ancestors 'none'");
	response_header(rs, "Permissions-Policy: camera=(), microphone=(), "
			    "geolocation=(), payment=(), usb=(), "
			    "interest-cohort=()");
	response_header(rs, "Cross-Origin-Opener-Policy: same-origin");
}

bool same_origin(const struct request *rq)
{
	const char *scheme = rq->https ? "https://" : "http://";
	size_t n = strlen(scheme);

	if (rq->origin)
		return rq->host && *rq->host &&
		       strncmp(rq->origin, scheme, n) == 0 &&
		       strcmp(rq->origin + n, rq->host) == 0;
	return !rq->fetch_site || strcmp(rq->fetch_site, "same-origin") == 0 ||
	       strcmp(rq->fetch_site, "none") == 0;
}

/* A page with only an error: bad paths, methods, requests. */
void error_page(struct call *c, int status, const char *text)
{
	struct json_object *pg = json_object_new_object();
	char title[64];

	snprintf(title, sizeof(title), "%d %s", status, http_reason(status));
	set_str(pg, "prefix", c->rq->prefix_url);
	set_str(pg, "version", PACKAGE_VERSION);
	set_str(pg, "title", title);
	set_str(pg, "text", text);
	c->rs->status = status;
	page_send(c, "error.html", pg);
}

void method_not_allowed(struct call *c, const char *allow)
{
	response_header(c->rs, "Allow: %s", allow);
	error_page(c, 405, "This page does not answer that method.");
}

static bool is_get(const struct call *c)
{
	return strcmp(c->rq->method, "GET") == 0 ||
	       strcmp(c->rq->method, "HEAD") == 0;
}

/*
 * Whom the request is refused to, before any page or API answers: nobody
 * authenticated (nginx authenticates, so anonymous requests come from a
 * location without authentication), a user readers = does not name, a
 * change (any method but GET and HEAD) sent from another site.  Returns
 * the status and sets *why, or 0.
 */
static int guard(const struct call *c, const char **why)
{
	if (!c->rq->remote_user) {
		*why = "The dashboard answers authenticated users only.";
		return 403;
	}
	if (!call_reader(c)) {
		*why = "This user may not read the dashboard (readers in "
		       "jobsvc-fcgi.conf).";
		return 403;
	}
	if (!is_get(c) && !same_origin(c->rq)) {
		*why = "Changes are accepted from the dashboard's own pages "
		       "only (Origin, Sec-Fetch-Site).";
		return 403;
	}
	return 0;
}

void app_handle(const struct app *app, struct request *rq, struct response *rs)
{
	struct call c = { .app = app, .rq = rq, .rs = rs };
	const char *route = rq->route, *why;
	int status;

	rs->status = 200;
	security_headers(rs);

	if (!rq->outside && strncmp(route, "static/", 7) == 0 &&
	    route_known(route) && is_get(&c)) {
		/* the stylesheet and script: the error pages need them */
		static_file(&c, route + 7);
	} else if ((status = guard(&c, &why)) != 0) {
		if (strncmp(route, "api/v2.0/", 9) == 0)
			api_error(&c, status, why);
		else
			error_page(&c, status, why);
	} else if (rq->outside) {
		error_page(&c, 404, "There is no such page on the dashboard.");
	} else if (strncmp(route, "api/v2.0/", 9) == 0) {
		api_handle(&c, route + 9);
	} else if (rq->too_large) {
		error_page(&c, 413,
			   "The request's body is larger than 64 KiB.");
	} else if (!route_known(route)) {
		error_page(&c, 404, "There is no such page on the dashboard.");
	} else if (strncmp(route, "action/", 7) == 0) {
		action_handle(&c, route + 7);
	} else if (!is_get(&c)) {
		method_not_allowed(&c, "GET, HEAD");
	} else if (*route == '\0') {
		page_queues(&c);
	} else if (strcmp(route, "schedules") == 0) {
		page_schedules(&c);
	} else if (strcmp(route, "workers") == 0) {
		page_workers(&c);
	} else if (strcmp(route, "audit") == 0) {
		page_audit(&c);
	} else if (strcmp(route, "jobs") == 0) {
		page_jobs(&c);
	} else if (strncmp(route, "executions/", 11) == 0) {
		page_execution(&c, route + 11);
	} else {
		page_job(&c, route + 5);
	}
	jsv_client_close(c.client);
}
