/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's static files, compiled in from html/ and cached for a
 * year (their URLs change with the package).
 */
#include "config.h"

#include <string.h>

#include "fcgi.h"

void static_file(struct call *c, const char *name)
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
