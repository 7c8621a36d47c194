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
		action_handle(&c, route + 7);
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
