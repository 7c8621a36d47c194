/* SPDX-License-Identifier: ISC */
/*
 * The page links of every paged table: first, previous, a window of page
 * numbers around the current one, next, last, the page sizes, and the
 * message for a page past the last one.  html/pager.html shows them.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fcgi.h"

#define PAGER_WINDOW 2 /* page numbers shown on each side of the current */

static const int page_sizes[] = { 15, 25, 50, 100 };

/* "<prefix><route>?name=value&" for each value of the page's query. */
static void base_add(struct jsv_buf *b, const struct pager *p)
{
	const char *const *kv;

	jsv_buf_printf(b, "%s%s?", p->prefix_url, p->route);
	for (kv = p->args; kv && kv[0]; kv += 2) {
		if (!kv[1] || !*kv[1])
			continue;
		url_encode(b, kv[0], false);
		jsv_buf_add(b, "=", 1);
		url_encode(b, kv[1], false);
		jsv_buf_add(b, "&", 1);
	}
}

/* {"n": N, "href": URL, "current": bool} for page n. */
static struct json_object *page_link(const struct pager *p, int64_t n)
{
	struct json_object *o = json_object_new_object();
	struct jsv_buf b = { 0 };

	base_add(&b, p);
	jsv_buf_printf(&b, "page=%lld&page_size=%lld", (long long)n,
		       (long long)p->size);
	set_int(o, "n", n);
	set_str(o, "href", b.data);
	set_bool(o, "current", n == p->page);
	jsv_buf_free(&b);
	return o;
}

int pager_args(struct call *c, int64_t def_size, int64_t *page, int64_t *size)
{
	*page = kv_get_count(&c->rq->args, "page", 1, JSV_PAGE_MAX, true);
	*size = kv_get_count(&c->rq->args, "page_size", def_size,
			     JSV_PAGE_SIZE_MAX, true);
	if (*page > 0 && *size > 0)
		return 0;
	error_page(c, 400,
		   "page must be a number from 1 on, page_size one from 1 "
		   "to 100.");
	return -1;
}

void pager_add(struct json_object *pg, const struct pager *p)
{
	struct json_object *o = json_object_new_object(), *a, *f;
	int64_t pages = jsv_page_count(p->total, p->size), n, lo, hi;
	const char *const *kv;
	size_t i;

	set_int(o, "total", p->total);
	set_str(o, "noun", p->noun);
	set_int(o, "page", p->page);
	set_int(o, "pages", pages);
	set_int(o, "page_size", p->size);
	set_bool(o, "out_of_range", p->page > pages);
	set_bool(pg, "out_of_range", p->page > pages);
	if (p->page != 1)
		json_object_object_add(o, "first", page_link(p, 1));
	if (p->page != pages)
		json_object_object_add(o, "last", page_link(p, pages));
	if (p->page > 1)
		json_object_object_add(
			o, "prev",
			page_link(p, p->page > pages ? pages : p->page - 1));
	if (p->page < pages)
		json_object_object_add(o, "next", page_link(p, p->page + 1));

	/* the window around the current page, or the last one past it */
	lo = (p->page > pages ? pages : p->page) - PAGER_WINDOW;
	hi = (p->page > pages ? pages : p->page) + PAGER_WINDOW;
	lo = lo < 1 ? 1 : lo;
	hi = hi > pages ? pages : hi;
	set_bool(o, "gap_before", lo > 1);
	set_bool(o, "gap_after", hi < pages);
	a = json_object_new_array();
	for (n = lo; n <= hi; n++)
		json_object_array_add(a, page_link(p, n));
	json_object_object_add(o, "numbers", a);

	/* the page size form keeps the page's other values */
	set_str(o, "action", p->route);
	a = json_object_new_array();
	for (kv = p->args; kv && kv[0]; kv += 2) {
		if (!kv[1] || !*kv[1])
			continue;
		f = json_object_new_object();
		set_str(f, "name", kv[0]);
		set_str(f, "value", kv[1]);
		json_object_array_add(a, f);
	}
	json_object_object_add(o, "hidden", a);
	a = json_object_new_array();
	for (i = 0; i < JSV_ARRAY_SIZE(page_sizes); i++) {
		f = json_object_new_object();
		set_int(f, "size", page_sizes[i]);
		set_bool(f, "selected", page_sizes[i] == p->size);
		json_object_array_add(a, f);
	}
	json_object_object_add(o, "sizes", a);
	json_object_object_add(pg, "pager", o);
}
