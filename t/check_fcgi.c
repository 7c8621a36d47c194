/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of jobsvc-fcgi without a daemon: the query, form and cookie
 * decoders, the escaper, the templates, the configuration, the prefix and
 * routes, the CSRF check, and the answers that need no daemon (bad paths,
 * methods and bodies; the daemon unreachable).
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fcgi.h"

static const char TOKEN[] = "0123456789abcdef0123456789abcdef";

/* ------------------------------------------------------------- decoding */

START_TEST(form_basic)
{
	struct kv_list l = { 0 };
	const char q[] = "a=1&b=x+y%21&a=2&&empty=&flag";

	ck_assert_int_eq(kv_decode_form(&l, q, strlen(q)), 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(kv_get(&l, "a"), "1");
	ck_assert_str_eq(l.v[2].key, "a");
	ck_assert_str_eq(l.v[2].val, "2");
	ck_assert_str_eq(kv_get(&l, "b"), "x y!");
	ck_assert_str_eq(kv_get(&l, "empty"), "");
	ck_assert_str_eq(kv_get(&l, "flag"), "");
	ck_assert_ptr_null(kv_get(&l, "missing"));
	kv_free(&l);
}
END_TEST

START_TEST(form_percent)
{
	struct kv_list l = { 0 };
	const char q[] = "k%3Dx=%e2%9c%93%26&%2B=%2b";

	ck_assert_int_eq(kv_decode_form(&l, q, strlen(q)), 0);
	ck_assert_str_eq(kv_get(&l, "k=x"), "\xe2\x9c\x93&");
	ck_assert_str_eq(kv_get(&l, "+"), "+");
	kv_free(&l);
}
END_TEST

START_TEST(form_bad)
{
	static const char *const bad[] = {
		"a=%zz", "a=%4",     "a=%",   "%=1",
		"a=%00", "a=%C0%80", "a=%ff", "x&a=%ED%A0%80",
	};
	struct kv_list l = { 0 };
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++) {
		ck_assert_msg(kv_decode_form(&l, bad[i], strlen(bad[i])) ==
				      -EINVAL,
			      "%s decoded", bad[i]);
		kv_free(&l);
	}
	/* a NUL inside the raw bytes is refused too */
	ck_assert_int_eq(kv_decode_form(&l, "a=b\0c", 5), -EINVAL);
	kv_free(&l);
}
END_TEST

START_TEST(form_limits)
{
	struct jsv_buf b = { 0 };
	struct kv_list l = { 0 };
	int i;

	for (i = 0; i < FCGI_PAIRS_MAX; i++)
		jsv_buf_printf(&b, "k%d=v&", i);
	ck_assert_int_eq(kv_decode_form(&l, b.data, b.len), 0);
	ck_assert_uint_eq(l.n, FCGI_PAIRS_MAX);
	kv_free(&l);
	jsv_buf_printf(&b, "one=more");
	ck_assert_int_eq(kv_decode_form(&l, b.data, b.len), -E2BIG);
	kv_free(&l);
	jsv_buf_free(&b);
}
END_TEST

START_TEST(cookies)
{
	struct kv_list l = { 0 };

	ck_assert_int_eq(kv_decode_cookies(&l, "a=1;b=\"two\";  junk; c=x=y; "
					       "jsvc_msg=Paused%20X ;"),
			 0);
	ck_assert_uint_eq(l.n, 4);
	ck_assert_str_eq(kv_get(&l, "a"), "1");
	ck_assert_str_eq(kv_get(&l, "b"), "two");
	ck_assert_str_eq(kv_get(&l, "c"), "x=y");
	ck_assert_str_eq(kv_get(&l, "jsvc_msg"), "Paused%20X");
	kv_free(&l);
	ck_assert_int_eq(kv_decode_cookies(&l, ""), 0);
	ck_assert_uint_eq(l.n, 0);
}
END_TEST

START_TEST(url_coding)
{
	struct jsv_buf b = { 0 };
	char *s;

	url_encode(&b, "/a b/é?&=;\r\n", true);
	ck_assert_str_eq(b.data, "/a%20b/%C3%A9%3F%26%3D%3B%0D%0A");
	jsv_buf_reset(&b);
	url_encode(&b, "x/y", false);
	ck_assert_str_eq(b.data, "x%2Fy");
	s = url_decode("Freed%203%20workers+x");
	ck_assert_str_eq(s, "Freed 3 workers+x");
	free(s);
	ck_assert_ptr_null(url_decode("%G0"));
	jsv_buf_free(&b);
}
END_TEST

/* -------------------------------------------------------------- escaper */

START_TEST(escape)
{
	struct jsv_buf b = { 0 };
	const char s[] = "<a href=\"x\">Tom & Jerry's</a>";

	html_escape(&b, s, strlen(s));
	ck_assert_str_eq(b.data, "&lt;a href=&quot;x&quot;&gt;Tom &amp; "
				 "Jerry&#39;s&lt;/a&gt;");
	jsv_buf_reset(&b);
	html_escape(&b, "plain", 5);
	ck_assert_str_eq(b.data, "plain");
	jsv_buf_reset(&b);
	html_escape(&b, "a\0<", 3);
	ck_assert_uint_eq(b.len, 6);
	ck_assert_mem_eq(b.data, "a\0&lt;", 6);
	jsv_buf_free(&b);
}
END_TEST

/* ------------------------------------------------------------ templates */

static char *fill(const char *tmpl, const char *json, int *rc)
{
	struct json_object *ctx = json_tokener_parse(json);
	struct jsv_buf b = { 0 };

	ck_assert_ptr_nonnull(ctx);
	*rc = render_text(&b, tmpl, strlen(tmpl), ctx);
	json_object_put(ctx);
	return b.data ? b.data : xstrdup("");
}

#define ck_render(tmpl, json, want)                  \
	do {                                         \
		int rc_;                             \
		char *got_ = fill(tmpl, json, &rc_); \
		ck_assert_int_eq(rc_, 0);            \
		ck_assert_str_eq(got_, want);        \
		free(got_);                          \
	} while (0)

START_TEST(tmpl_slots)
{
	ck_render("<p>{{name}}</p>", "{\"name\": \"<b>&'\\\"\"}",
		  "<p>&lt;b&gt;&amp;&#39;&quot;</p>");
	ck_render("[{{missing}}]", "{}", "[]");
	ck_render("{{n}} {{t}} {{f}} {{z}}",
		  "{\"n\": 42, \"t\": true, \"f\": false, \"z\": null}",
		  "42 true false ");
	ck_render("no slots at all", "{}", "no slots at all");
	ck_render("{ {x} } {x}}", "{\"x\": 1}", "{ {x} } {x}}");
}
END_TEST

START_TEST(tmpl_sections)
{
	ck_render("{{#rows}}<td>{{v}}{{p}}</td>{{/rows}}",
		  "{\"p\": \"!\", \"rows\": [{\"v\": \"<1>\"}, {\"v\": 2}]}",
		  "<td>&lt;1&gt;!</td><td>2!</td>");
	ck_render("{{#rows}}x{{/rows}}{{^rows}}none{{/rows}}", "{\"rows\": []}",
		  "none");
	ck_render("{{#a}}yes{{/a}}{{^a}}no{{/a}}", "{\"a\": true}", "yes");
	ck_render("{{#a}}yes{{/a}}{{^a}}no{{/a}}", "{\"a\": 0}", "no");
	ck_render("{{#a}}yes{{/a}}{{^a}}no{{/a}}", "{\"a\": \"\"}", "no");
	ck_render("{{#a}}yes{{/a}}{{^a}}no{{/a}}", "{}", "no");
	ck_render("{{#o}}{{k}}{{#o}}{{k}}{{/o}}{{/o}}",
		  "{\"o\": {\"k\": \"in\"}}", "inin");
	ck_render("{{#l}}{{.}},{{/l}}", "{\"l\": [\"a<\", 2]}", "a&lt;,2,");
}
END_TEST

START_TEST(tmpl_errors)
{
	static const char *const bad[] = {
		"{{#a}}never closed",
		"{{/a}}",
		"{{#a}}x{{/b}}",
		"{{x",
		"{{}}",
		"{{>no-such-file.html}}",
	};
	size_t i;
	char *out;
	int rc;

	for (i = 0; i < JSV_ARRAY_SIZE(bad); i++) {
		out = fill(bad[i], "{\"a\": true}", &rc);
		ck_assert_msg(rc == -EINVAL, "%s rendered", bad[i]);
		free(out);
	}
}
END_TEST

START_TEST(tmpl_embedded)
{
	struct json_object *pg = json_object_new_object();
	struct jsv_buf b = { 0 };

	ck_assert_ptr_nonnull(tmpl_find("layout.html"));
	ck_assert_ptr_nonnull(tmpl_find("style.css"));
	ck_assert_ptr_nonnull(tmpl_find("dashboard.js"));
	ck_assert_ptr_null(tmpl_find("nope.html"));
	json_object_object_add(pg, "title",
			       json_object_new_string("<script>x</script>"));
	json_object_object_add(pg, "text", json_object_new_string("t"));
	ck_assert_int_eq(render(&b, "error.html", pg), 0);
	ck_assert_ptr_null(strstr(b.data, "<script>x"));
	ck_assert_ptr_nonnull(strstr(b.data, "&lt;script&gt;x"));
	jsv_buf_free(&b);
	json_object_put(pg);
}
END_TEST

/* ------------------------------------------------------------ config */

static int parse(const char *text, struct fcgi_config *cfg, char *err)
{
	return config_parse(cfg, "f.conf", text, strlen(text), err, 256);
}

START_TEST(config_ok)
{
	struct fcgi_config cfg;
	char err[256];

	ck_assert_int_eq(parse("# c\n\n[jobsvc-fcgi]\n"
			       "admins = alice  bob\t# the admins\n",
			       &cfg, err),
			 0);
	ck_assert_uint_eq(cfg.nadmins, 2);
	ck_assert_uint_eq(cfg.workers, FCGI_WORKERS_DEFAULT);
	ck_assert(config_is_admin(&cfg, "alice"));
	ck_assert(config_is_admin(&cfg, "bob"));
	ck_assert(!config_is_admin(&cfg, "carol"));
	ck_assert(!config_is_admin(&cfg, NULL));
	ck_assert(!config_is_admin(&cfg, ""));
	config_free(&cfg);

	ck_assert_int_eq(parse("[jobsvc-fcgi]\nadmins = alice\n"
			       "readers = admins carol\n"
			       "log_readers = dave carol\n"
			       "secret_file = /x/secret\n",
			       &cfg, err),
			 0);
	ck_assert(config_in_list(&cfg, &cfg.readers, "alice"));
	ck_assert(config_in_list(&cfg, &cfg.readers, "carol"));
	ck_assert(!config_in_list(&cfg, &cfg.readers, "dave"));
	ck_assert(!config_in_list(&cfg, &cfg.readers, NULL));
	ck_assert(!config_in_list(&cfg, &cfg.log_readers, "alice"));
	ck_assert(config_in_list(&cfg, &cfg.log_readers, "dave"));
	ck_assert_str_eq(cfg.secret_file, "/x/secret");
	config_free(&cfg);
	/* the defaults: every authenticated user reads, admins read logs */
	ck_assert_int_eq(parse("[jobsvc-fcgi]\nadmins = alice\n", &cfg, err),
			 0);
	ck_assert(config_in_list(&cfg, &cfg.readers, "anyone"));
	ck_assert(!config_in_list(&cfg, &cfg.readers, NULL));
	ck_assert(!config_in_list(&cfg, &cfg.readers, ""));
	ck_assert(config_in_list(&cfg, &cfg.log_readers, "alice"));
	ck_assert(!config_in_list(&cfg, &cfg.log_readers, "anyone"));
	ck_assert(config_in_list(&cfg, &cfg.audit_readers, "alice"));
	ck_assert(!config_in_list(&cfg, &cfg.audit_readers, "anyone"));
	config_free(&cfg);
	ck_assert_int_eq(parse("[jobsvc-fcgi]\naudit_readers = *\n", &cfg, err),
			 0);
	ck_assert(config_in_list(&cfg, &cfg.audit_readers, "anyone"));
	config_free(&cfg);
	ck_assert_int_eq(parse("[jobsvc-fcgi]\nsecret_file = rel\n", &cfg, err),
			 -EINVAL);

	ck_assert_int_eq(parse("[jobsvc-fcgi]\nadmins = *\n", &cfg, err), 0);
	ck_assert(config_is_admin(&cfg, "anyone"));
	ck_assert(!config_is_admin(&cfg, NULL));
	config_free(&cfg);

	ck_assert_int_eq(parse("", &cfg, err), 0);
	ck_assert(!config_is_admin(&cfg, "alice"));
	ck_assert_uint_eq(cfg.workers, FCGI_WORKERS_DEFAULT);
	config_free(&cfg);

	ck_assert_int_eq(parse("[jobsvc-fcgi]\nworkers = 1\n", &cfg, err), 0);
	ck_assert_uint_eq(cfg.workers, 1);
	ck_assert_uint_eq(cfg.nadmins, 0);
	config_free(&cfg);
	ck_assert_int_eq(
		parse("[jobsvc-fcgi]\nadmins = a\nworkers = 64 # max\n", &cfg,
		      err),
		0);
	ck_assert_uint_eq(cfg.workers, FCGI_WORKERS_MAX);
	ck_assert_int_eq(cfg.timeout_ms, FCGI_TIMEOUT_MS);
	ck_assert(config_is_admin(&cfg, "a"));
	config_free(&cfg);
	ck_assert_int_eq(parse("[jobsvc-fcgi]\ntimeout = 1500ms\n", &cfg, err),
			 0);
	ck_assert_int_eq(cfg.timeout_ms, 1500);
	config_free(&cfg);
	ck_assert_int_eq(parse("[jobsvc-fcgi]\ntimeout = 30s\n", &cfg, err), 0);
	ck_assert_int_eq(cfg.timeout_ms, FCGI_TIMEOUT_MAX_MS);
	ck_assert_int_eq(cfg.csrf_window, FCGI_CSRF_WINDOW);
	config_free(&cfg);
	ck_assert_int_eq(parse("[jobsvc-fcgi]\ncsrf_window = 3s\n", &cfg, err),
			 0);
	ck_assert_int_eq(cfg.csrf_window, 3);
	config_free(&cfg);
	ck_assert_int_eq(parse("[jobsvc-fcgi]\ncsrf_window = 24h\n", &cfg, err),
			 0);
	ck_assert_int_eq(cfg.csrf_window, FCGI_CSRF_WINDOW_MAX);
	config_free(&cfg);
}
END_TEST

START_TEST(config_errors)
{
	static const struct {
		const char *text, *err;
	} cases[] = {
		{ "[jobsvc-fcgi]\nadmin = a\n", "f.conf:2: unknown key" },
		{ "admins = a\n", "f.conf:1: key outside" },
		{ "[jobsvc-fcgi]\n\n[other]\n", "f.conf:3: unknown section" },
		{ "[jobsvc-fcgi]\njust words\n", "f.conf:2: expected key" },
		{ "[jobsvc-fcgi]\nadmins = a\nadmins = b\n",
		  "f.conf:3: admins is set twice" },
		{ "[jobsvc-fcgi]\nadmins = a\x01\n", "f.conf:2: admins" },
		{ "[jobsvc-fcgi]\nworkers = 0\n",
		  "f.conf:2: workers: not a number from 1 to 64" },
		{ "[jobsvc-fcgi]\nworkers = 65\n", "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers = -1\n", "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers = +4\n", "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers = 4 4\n", "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers = four\n", "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers =\n", "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers = 99999999999999999999\n",
		  "f.conf:2: workers" },
		{ "[jobsvc-fcgi]\nworkers = 2\nworkers = 3\n",
		  "f.conf:3: workers is set twice" },
		{ "[jobsvc-fcgi]\ntimeout = 999ms\n",
		  "f.conf:2: timeout: not a duration from 1s to 30s" },
		{ "[jobsvc-fcgi]\ntimeout = 31s\n", "f.conf:2: timeout" },
		{ "[jobsvc-fcgi]\ntimeout = soon\n", "f.conf:2: timeout" },
		{ "[jobsvc-fcgi]\ncsrf_window = 0s\n",
		  "f.conf:2: csrf_window: not a duration of whole seconds "
		  "from 1s to 24h" },
		{ "[jobsvc-fcgi]\ncsrf_window = 1500ms\n",
		  "f.conf:2: csrf_window" },
		{ "[jobsvc-fcgi]\ncsrf_window = 25h\n",
		  "f.conf:2: csrf_window" },
	};
	struct fcgi_config cfg;
	char err[256];
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(cases); i++) {
		ck_assert_int_eq(parse(cases[i].text, &cfg, err), -EINVAL);
		ck_assert_msg(strncmp(err, cases[i].err,
				      strlen(cases[i].err)) == 0,
			      "case %zu: %s", i, err);
		ck_assert_uint_eq(cfg.nadmins, 0);
	}
}
END_TEST

START_TEST(config_files)
{
	struct fcgi_config cfg;
	char err[256];

	ck_assert_int_eq(config_load(&cfg, "/nonexistent/x.conf", true, err,
				     sizeof(err)),
			 0);
	ck_assert(!config_is_admin(&cfg, "alice"));
	ck_assert_uint_eq(cfg.workers, FCGI_WORKERS_DEFAULT);
	config_free(&cfg);
	ck_assert_int_eq(config_load(&cfg, "/nonexistent/x.conf", false, err,
				     sizeof(err)),
			 -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/x.conf"));
}
END_TEST

/* ------------------------------------------------------------- routing */

static void check_split(const char *path, const char *script, int rc,
			const char *want, const char *route)
{
	const char *r;
	char *prefix;

	ck_assert_int_eq(route_split(path, script, &prefix, &r), rc);
	ck_assert_msg(strcmp(prefix, want) == 0 && strcmp(r, route) == 0,
		      "%s: prefix %s route %s", path, prefix, r);
	free(prefix);
}

START_TEST(routes)
{
	const char *p = "/harbor/job-service-dashboard/";
	const char *sn = "/harbor/job-service-dashboard";

	check_split(p, sn, 0, p, "");
	check_split(p, p, 0, p, "");
	check_split("/harbor/job-service-dashboard/schedules", sn, 0, p,
		    "schedules");
	check_split("/harbor/job-service-dashboard/api/v2.0/jobservice/"
		    "queues",
		    sn, 0, p, "api/v2.0/jobservice/queues");
	check_split("/", NULL, 0, "/", "");
	check_split("/workers", "", 0, "/", "workers");
	/* the prefix is SCRIPT_NAME's, never guessed from the path */
	check_split("/foo/bar/", NULL, 0, "/", "foo/bar/");
	check_split("//evil.example/", NULL, 0, "/", "/evil.example/");
	check_split("/harbor/other/", sn, -1, p, "");
	check_split("/harbor/job-service-dashboardx/", sn, -1, p, "");
	check_split("/x/", "//evil.example", -1, "/", "");
	check_split("/x/", "x", -1, "/", "");

	ck_assert(route_known(""));
	ck_assert(route_known("workers"));
	ck_assert(route_known("action/queue-stop"));
	ck_assert(!route_known("action/"));
	ck_assert(!route_known("action/a/b"));
	ck_assert(!route_known("jobs/"));
	ck_assert(route_known("jobs"));
	ck_assert(!route_known("jobs/x/y"));
	ck_assert(!route_known("workers/"));
	ck_assert(!route_known("index.html"));
	ck_assert(route_known("audit"));
	ck_assert(route_known("executions/ex-1"));
	ck_assert(!route_known("executions/"));
	ck_assert(!route_known("executions/a/b"));
}
END_TEST

/* The href of page link key ("first", "prev", ...) of pager, or NULL. */
static const char *pager_href(struct json_object *pager, const char *key)
{
	struct json_object *o;

	if (!json_object_object_get_ex(pager, key, &o))
		return NULL;
	return jsv_json_str(o, "href");
}

START_TEST(pager_links)
{
	const char *args[] = { "status", "Error", "type", "", "x", NULL, NULL };
	struct pager p = { .prefix_url = "/d/",
			   .route = "jobs",
			   .args = args,
			   .noun = "jobs",
			   .page = 7,
			   .size = 2,
			   .total = 20 };
	struct json_object *pg = json_object_new_object(), *pager, *nums;
	size_t i;

	pager_add(pg, &p);
	pager = json_object_object_get(pg, "pager");
	ck_assert_str_eq(pager_href(pager, "first"),
			 "/d/jobs?status=Error&page=1&page_size=2");
	ck_assert_str_eq(pager_href(pager, "prev"),
			 "/d/jobs?status=Error&page=6&page_size=2");
	ck_assert_str_eq(pager_href(pager, "next"),
			 "/d/jobs?status=Error&page=8&page_size=2");
	ck_assert_str_eq(pager_href(pager, "last"),
			 "/d/jobs?status=Error&page=10&page_size=2");
	nums = json_object_object_get(pager, "numbers");
	ck_assert_uint_eq(json_object_array_length(nums), 5);
	for (i = 0; i < 5; i++)
		ck_assert_int_eq(
			jsv_json_int(json_object_array_get_idx(nums, i), "n"),
			(int64_t)i + 5);
	ck_assert(!json_object_get_boolean(
		json_object_object_get(pg, "out_of_range")));
	ck_assert_uint_eq(json_object_array_length(
				  json_object_object_get(pager, "hidden")),
			  1);
	json_object_put(pg);

	/* the first page has no first or previous; past the last one */
	pg = json_object_new_object();
	p.page = 1;
	p.args = NULL;
	pager_add(pg, &p);
	pager = json_object_object_get(pg, "pager");
	ck_assert_ptr_null(pager_href(pager, "first"));
	ck_assert_ptr_null(pager_href(pager, "prev"));
	ck_assert_str_eq(pager_href(pager, "next"),
			 "/d/jobs?page=2&page_size=2");
	json_object_put(pg);
	pg = json_object_new_object();
	p.page = 11;
	pager_add(pg, &p);
	pager = json_object_object_get(pg, "pager");
	ck_assert(json_object_get_boolean(
		json_object_object_get(pg, "out_of_range")));
	ck_assert_str_eq(pager_href(pager, "prev"),
			 "/d/jobs?page=10&page_size=2");
	ck_assert_ptr_null(pager_href(pager, "next"));
	json_object_put(pg);

	/* no rows: one empty page, not past the last */
	pg = json_object_new_object();
	p.page = 1;
	p.total = 0;
	pager_add(pg, &p);
	ck_assert(!json_object_get_boolean(
		json_object_object_get(pg, "out_of_range")));
	json_object_put(pg);
}
END_TEST

/* Checks the filters of a jobs query: st and ty as found, or refused. */
static void check_filter(const char *q, int rv, const char *st, const char *ty,
			 const char *query)
{
	struct kv_list l = { 0 };
	struct jsv_buf b = { 0 };
	const char *status, *type, *why = NULL;

	ck_assert_int_eq(kv_decode_form(&l, q, strlen(q)), 0);
	ck_assert_int_eq(jobs_filter(&l, &status, &type, &why), rv);
	if (rv == 0) {
		ck_assert_pstr_eq(status, st);
		ck_assert_pstr_eq(type, ty);
		jobs_query(&b, status, type);
		ck_assert_str_eq(b.data, query);
		jsv_buf_free(&b);
	} else {
		ck_assert_ptr_nonnull(why);
	}
	kv_free(&l);
}

START_TEST(jobs_filters)
{
	check_filter("", 0, NULL, NULL, "");
	check_filter("status=&type=", 0, NULL, NULL, "");
	check_filter("status=error", 0, "Error", NULL, "status=Error&");
	check_filter("type=IMAGE_SCAN&status=Pending", 0, "Pending",
		     "IMAGE_SCAN", "status=Pending&type=IMAGE_SCAN&");
	check_filter("type=SLACK", 0, NULL, "SLACK", "type=SLACK&");
	check_filter("status=Done", -1, NULL, NULL, NULL);
	check_filter("status=%3Cb%3E", -1, NULL, NULL, NULL);
	check_filter("type=slack", -1, NULL, NULL, NULL);
	check_filter("type=A%26status%3DError", -1, NULL, NULL, NULL);
}
END_TEST

/*
 * The API's lists are written without json-c, and must read as json-c
 * writes them: every escape, numbers, booleans, null, a nested value, a
 * missing field and an empty optional one left out.
 */
START_TEST(api_json)
{
	static const char *const recs =
		"[{\"id\": \"a\\\"b\\\\c/d\\u0001\\u001f\\b\\f\\n\\r\\t\\u007f"
		"\u00e9\", \"pool_id\": null, \"job_name\": 7,"
		" \"job_id\": -9223372036854775807, \"start_at\": \"\","
		" \"check_in\": [1.5, {\"x\": true}], \"checkin_at\": false,"
		" \"extra\": 1},"
		" {\"id\": 18446744073709551615}, {}]";
	struct json_object *in, *want, *rec;
	const struct field *f;
	struct jsv_buf b = { 0 };
	size_t i;

	in = json_tokener_parse(recs);
	ck_assert_ptr_nonnull(in);
	want = json_object_new_array();
	for (i = 0; i < json_object_array_length(in); i++) {
		rec = json_object_new_object();
		json_object_object_foreach(json_object_array_get_idx(in, i), k,
					   v) {
			for (f = worker_fields; f->name; f++)
				if (strcmp(f->name, k) == 0)
					break;
			if (!f->name ||
			    ((f->views & FIELD_API_OPTIONAL) &&
			     json_object_is_type(v, json_type_string) &&
			     json_object_get_string_len(v) == 0))
				continue;
			json_object_object_add(rec, k, json_object_get(v));
		}
		json_object_array_add(want, rec);
	}
	fields_api_json(&b, worker_fields, in);
	ck_assert_str_eq(b.data, json_object_to_json_string_ext(
					 want, JSV_JSON_TO_STRING));
	ck_assert_ptr_nonnull(strstr(b.data, "\\u0001\\u001f\\b\\f"));
	jsv_buf_reset(&b);
	fields_api_json(&b, queue_fields, NULL);
	ck_assert_str_eq(b.data, "[]");
	jsv_buf_free(&b);
	json_object_put(in);
	json_object_put(want);
}
END_TEST

/* FIPS 180-4's examples, and a message of more than one block */
START_TEST(sha256_vectors)
{
	static const struct {
		const char *msg;
		const char *digest;
	} v[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
		      "7852b855" },
		{ "abc",
		  "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff"
		  "61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd4"
		  "19db06c1" },
	};
	unsigned char d[SHA256_LEN];
	struct sha256 s;
	char hex[2 * SHA256_LEN + 1];
	size_t i, j;

	for (i = 0; i < JSV_ARRAY_SIZE(v); i++) {
		sha256_init(&s);
		/* fed in pieces, to cross the block boundaries */
		for (j = 0; j < strlen(v[i].msg); j++)
			sha256_update(&s, v[i].msg + j, 1);
		sha256_final(&s, d);
		for (j = 0; j < SHA256_LEN; j++)
			snprintf(hex + 2 * j, 3, "%02x", d[j]);
		ck_assert_str_eq(hex, v[i].digest);
	}
}
END_TEST

static void check_hmac(const unsigned char *key, size_t keylen, const char *msg,
		       const char *want)
{
	unsigned char mac[SHA256_LEN];
	char hex[2 * SHA256_LEN + 1];
	size_t j;

	hmac_sha256(key, keylen, msg, strlen(msg), mac);
	for (j = 0; j < SHA256_LEN; j++)
		snprintf(hex + 2 * j, 3, "%02x", mac[j]);
	ck_assert_str_eq(hex, want);
}

/* RFC 4231's test cases 1, 2, 3, 6 and 7 */
START_TEST(hmac_vectors)
{
	unsigned char key[131];
	char data[51];

	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There",
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e"
		   "32cff7");
	check_hmac((const unsigned char *)"Jefe", 4,
		   "what do ya want for nothing?",
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964"
		   "ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	data[50] = '\0';
	check_hmac(key, 20, data,
		   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ce"
		   "d565fe");
	memset(key, 0xaa, sizeof(key));
	check_hmac(key, sizeof(key),
		   "Test Using Larger Than Block-Size Key - Hash Key First",
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0e"
		   "e37f54");
	check_hmac(key, sizeof(key),
		   "This is a test using a larger than block-size key and a "
		   "larger than block-size data. The key needs to be hashed "
		   "before being used by the HMAC algorithm.",
		   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c"
		   "3a35e2");
}
END_TEST

static const unsigned char KEY[FCGI_SECRET_LEN] = { 1, 2, 3 };

START_TEST(csrf)
{
	char tok[FCGI_CSRF_LEN + 1], old[FCGI_CSRF_LEN + 1],
		older[FCGI_CSRF_LEN + 1], other[FCGI_CSRF_LEN + 1];
	const unsigned char other_key[FCGI_SECRET_LEN] = { 9 };
	const int64_t secs = FCGI_CSRF_WINDOW;
	int64_t now = 1000 * secs + 5;

	csrf_make(KEY, "alice", 1000, tok);
	csrf_make(KEY, "alice", 999, old);
	csrf_make(KEY, "alice", 998, older);
	ck_assert_uint_eq(strlen(tok), FCGI_CSRF_LEN);
	ck_assert(csrf_ok(KEY, "alice", now, secs, tok, tok));
	/* the window before is still good, not the one before it */
	ck_assert(csrf_ok(KEY, "alice", now, secs, old, old));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, older, older));
	ck_assert(strcmp(tok, old) != 0);
	/* windows of another length */
	ck_assert(csrf_ok(KEY, "alice", 1000 * 3 + 2, 3, old, old));
	ck_assert(!csrf_ok(KEY, "alice", 1001 * 3, 3, old, old));
	/* a page made before another replaced the cookie still works */
	ck_assert(csrf_ok(KEY, "alice", now, secs, tok, old));
	ck_assert(csrf_ok(KEY, "alice", now, secs, old, tok));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, tok, older));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, older, tok));
	/* another user's token, another key's */
	csrf_make(KEY, "bob", 1000, other);
	ck_assert(!csrf_ok(KEY, "alice", now, secs, other, other));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, tok, other));
	csrf_make(other_key, "alice", 1000, other);
	ck_assert(!csrf_ok(KEY, "alice", now, secs, other, other));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, other, tok));
	/* any well-formed pair is not enough */
	ck_assert(!csrf_ok(KEY, "alice", now, secs, TOKEN, TOKEN));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, TOKEN, tok));
	ck_assert(!csrf_ok(KEY, "alice", now, secs,
			   "00000000000000000000000000000000",
			   "00000000000000000000000000000000"));
	ck_assert(!csrf_ok(KEY, NULL, now, secs, tok, tok));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, tok, NULL));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, NULL, tok));
	ck_assert(!csrf_ok(KEY, "alice", now, secs, "", ""));
}
END_TEST

/* ---------------------------------------------------- whole requests */

static struct fcgi_config admins;
static const struct app app = { .socket = "/nonexistent/control.sock",
				.cfg = &admins,
				.secret = { 1, 2, 3 } };

/* Answers one request given as "NAME=value" parameters. */
static void answer(struct response *rs, const char *const *params,
		   const char *body, bool too_large)
{
	struct request rq;
	char err[256];
	int rc;

	memset(rs, 0, sizeof(*rs));
	rc = request_init(&rq, (char *const *)params, body,
			  body ? strlen(body) : 0, err, sizeof(err));
	rq.too_large = too_large;
	if (rc) {
		rs->status = rc;
	} else {
		app_handle(&app, &rq, rs);
	}
	request_free(&rq);
}

static void setup(void)
{
	char err[256];
	const char conf[] = "[jobsvc-fcgi]\nadmins = alice\n";

	ck_assert_int_eq(config_parse(&admins, "t", conf, strlen(conf), err,
				      sizeof(err)),
			 0);
}

static void teardown(void)
{
	config_free(&admins);
}

/* SCRIPT_NAME, then the path: P "schedules" */
#define P                                            \
	"SCRIPT_NAME=/harbor/job-service-dashboard", \
		"DOCUMENT_URI=/harbor/job-service-dashboard/"

START_TEST(req_errors)
{
	const char *const notfound[] = { "REQUEST_METHOD=GET", "REMOTE_USER=a",
					 P "nope", NULL };
	const char *const outside[] = { "REQUEST_METHOD=GET", "REMOTE_USER=a",
					"SCRIPT_NAME=/dash",
					"DOCUMENT_URI=/other/", NULL };
	const char *const anon[] = { "REQUEST_METHOD=GET", P "schedules",
				     NULL };
	const char *const method[] = { "REQUEST_METHOD=DELETE", "REMOTE_USER=a",
				       P "schedules", NULL };
	const char *const big[] = { "REQUEST_METHOD=POST", "REMOTE_USER=a",
				    P "action/queue-stop", NULL };
	const char *const query[] = { "REQUEST_METHOD=GET", P "",
				      "QUERY_STRING=a=%zz", NULL };
	const char *const path[] = { "REQUEST_METHOD=GET",
				     "DOCUMENT_URI=/a\r\nX: y/", NULL };
	struct response rs;

	answer(&rs, notfound, NULL, false);
	ck_assert_int_eq(rs.status, 404);
	ck_assert_ptr_nonnull(strstr(rs.body.data, "404 Not Found"));
	ck_assert_ptr_nonnull(
		strstr(rs.body.data, "href=\"/harbor/job-service-dashboard/"));
	response_free(&rs);
	answer(&rs, outside, NULL, false);
	ck_assert_int_eq(rs.status, 404);
	response_free(&rs);
	answer(&rs, anon, NULL, false);
	ck_assert_int_eq(rs.status, 403);
	ck_assert_ptr_nonnull(strstr(rs.head.data, "Permissions-Policy: "));
	ck_assert_ptr_nonnull(strstr(
		rs.head.data, "Cross-Origin-Opener-Policy: same-origin"));
	response_free(&rs);
	answer(&rs, method, NULL, false);
	ck_assert_int_eq(rs.status, 405);
	ck_assert_ptr_nonnull(strstr(rs.head.data, "Allow: GET, HEAD"));
	response_free(&rs);
	answer(&rs, big, NULL, true);
	ck_assert_int_eq(rs.status, 413);
	response_free(&rs);
	answer(&rs, query, NULL, false);
	ck_assert_int_eq(rs.status, 400);
	response_free(&rs);
	answer(&rs, path, NULL, false);
	ck_assert_int_eq(rs.status, 400);
	response_free(&rs);
}
END_TEST

START_TEST(req_daemon_down)
{
	const char *const page[] = { "REQUEST_METHOD=GET", P "schedules",
				     "REMOTE_USER=alice", NULL };
	const char *const api[] = { "REQUEST_METHOD=GET", "REMOTE_USER=bob",
				    P "api/v2.0/jobservice/queues", NULL };
	struct response rs;

	answer(&rs, page, NULL, false);
	ck_assert_int_eq(rs.status, 503);
	ck_assert_ptr_nonnull(strstr(rs.body.data, "error-box"));
	ck_assert_ptr_nonnull(strstr(rs.body.data, "cannot be reached"));
	/* the first page sets the anti-CSRF cookie */
	ck_assert_ptr_nonnull(strstr(rs.head.data, "Set-Cookie: jsvc_csrf="));
	ck_assert_ptr_nonnull(strstr(rs.head.data, "SameSite=Strict"));
	ck_assert_ptr_nonnull(strstr(rs.head.data, "HttpOnly"));
	response_free(&rs);
	answer(&rs, api, NULL, false);
	ck_assert_int_eq(rs.status, 503);
	ck_assert_str_eq(rs.ctype, "application/json");
	ck_assert_ptr_nonnull(strstr(rs.body.data, "\"errors\":[{\"code\":"
						   "\"SERVICE_UNAVAILABLE\""));
	response_free(&rs);
}
END_TEST

START_TEST(req_actions)
{
	char tok[FCGI_CSRF_LEN + 1], cookie[64], body[64], zbody[64];
	const char *const z = "00000000000000000000000000000000";
	const char *const ctype = "CONTENT_TYPE=application/x-www-form-"
				  "urlencoded; charset=UTF-8";

	const char *const viewer[] = { "REQUEST_METHOD=POST",
				       P "action/queue-pause",
				       "REMOTE_USER=bob",
				       ctype,
				       cookie,
				       NULL };
	const char *const nocsrf[] = { "REQUEST_METHOD=POST",
				       P "action/queue-pause",
				       "REMOTE_USER=alice", ctype, NULL };
	const char *const zero[] = {
		"REQUEST_METHOD=POST",
		P "action/queue-pause",
		"REMOTE_USER=alice",
		ctype,
		"HTTP_COOKIE=jsvc_csrf=00000000000000000000000000000000",
		NULL
	};
	const char *const good[] = { "REQUEST_METHOD=POST",
				     P "action/queue-pause",
				     "REMOTE_USER=alice",
				     ctype,
				     cookie,
				     "HTTP_HOST=dash.example",
				     NULL };
	const char *const cross[] = { "REQUEST_METHOD=POST",
				      P "action/queue-pause",
				      "REMOTE_USER=alice",
				      ctype,
				      cookie,
				      "HTTP_HOST=dash.example",
				      "HTTP_ORIGIN=http://evil.example",
				      NULL };
	const char *const same[] = { "REQUEST_METHOD=POST",
				     P "action/queue-pause",
				     "REMOTE_USER=alice",
				     ctype,
				     cookie,
				     "HTTP_HOST=dash.example",
				     "HTTP_ORIGIN=http://dash.example",
				     NULL };
	const char *const fetch[] = { "REQUEST_METHOD=POST",
				      P "action/queue-pause",
				      "REMOTE_USER=alice",
				      ctype,
				      cookie,
				      "HTTP_SEC_FETCH_SITE=same-site",
				      NULL };
	const char *const confirm[] = { "REQUEST_METHOD=GET",
					P "action/queue-stop",
					"QUERY_STRING=type=A_B&type=<x>",
					"REMOTE_USER=alice", NULL };
	const char *const unknown[] = { "REQUEST_METHOD=GET",
					"REMOTE_USER=alice", P "action/nope",
					NULL };
	struct response rs;

	csrf_make(KEY, "alice", (int64_t)time(NULL) / FCGI_CSRF_WINDOW, tok);
	snprintf(cookie, sizeof(cookie), "HTTP_COOKIE=jsvc_csrf=%s", tok);
	snprintf(body, sizeof(body), "type=X&csrf=%s", tok);
	snprintf(zbody, sizeof(zbody), "type=X&csrf=%s", z);
	answer(&rs, viewer, body, false);
	ck_assert_int_eq(rs.status, 403);
	response_free(&rs);
	answer(&rs, nocsrf, body, false);
	ck_assert_int_eq(rs.status, 403);
	response_free(&rs);
	answer(&rs, zero, zbody, false);
	ck_assert_int_eq(rs.status, 403);
	response_free(&rs);
	answer(&rs, cross, body, false);
	ck_assert_int_eq(rs.status, 403);
	response_free(&rs);
	answer(&rs, fetch, body, false);
	ck_assert_int_eq(rs.status, 403);
	response_free(&rs);
	/* accepted, then the daemon cannot be reached */
	answer(&rs, good, body, false);
	ck_assert_int_eq(rs.status, 503);
	response_free(&rs);
	answer(&rs, same, body, false);
	ck_assert_int_eq(rs.status, 503);
	response_free(&rs);
	answer(&rs, good, body + 7, false);
	ck_assert_int_eq(rs.status, 400);
	response_free(&rs);
	answer(&rs, confirm, NULL, false);
	ck_assert_int_eq(rs.status, 400);
	ck_assert_ptr_nonnull(strstr(rs.body.data, "&quot;&lt;x&gt;&quot;"));
	response_free(&rs);
	answer(&rs, unknown, NULL, false);
	ck_assert_int_eq(rs.status, 404);
	response_free(&rs);
}
END_TEST

START_TEST(req_api)
{
	const char *const put_viewer[] = {
		"REQUEST_METHOD=PUT", P "api/v2.0/jobservice/queues/all",
		"REMOTE_USER=bob", "CONTENT_TYPE=application/json", NULL
	};
	const char *const put_form[] = { "REQUEST_METHOD=PUT",
					 P "api/v2.0/jobservice/queues/all",
					 "REMOTE_USER=alice",
					 "CONTENT_TYPE=text/plain", NULL };
	const char *const put_json[] = {
		"REQUEST_METHOD=PUT", P "api/v2.0/jobservice/queues/all",
		"REMOTE_USER=alice", "CONTENT_TYPE=application/json", NULL
	};
	const char *const put_bare[] = {
		"REQUEST_METHOD=PUT", "REMOTE_USER=alice",
		P "api/v2.0/jobservice/jobs/0123456789abcdef01234567", NULL
	};
	const char *const put_cross[] = {
		"REQUEST_METHOD=PUT", "REMOTE_USER=alice",
		"HTTP_SEC_FETCH_SITE=cross-site",
		P "api/v2.0/jobservice/jobs/0123456789abcdef01234567", NULL
	};
	const char *const log[] = {
		"REQUEST_METHOD=GET", "REMOTE_USER=bob",
		P "api/v2.0/jobservice/jobs/0123456789abcdef01234567/log", NULL
	};
	const char *const anon[] = { "REQUEST_METHOD=GET",
				     P "api/v2.0/jobservice/queues", NULL };
	const char *const post[] = { "REQUEST_METHOD=POST", "REMOTE_USER=bob",
				     P "api/v2.0/jobservice/queues", NULL };
	const char *const none[] = { "REQUEST_METHOD=GET", "REMOTE_USER=bob",
				     P "api/v2.0/jobservice/nothing", NULL };
	const char *const page[] = { "REQUEST_METHOD=GET", "REMOTE_USER=bob",
				     P "api/v2.0/schedules",
				     "QUERY_STRING=page_size=101", NULL };
	struct response rs;

	answer(&rs, put_viewer, "{\"action\":\"stop\"}", false);
	ck_assert_int_eq(rs.status, 403);
	ck_assert_ptr_nonnull(strstr(rs.body.data, "\"FORBIDDEN\""));
	response_free(&rs);
	answer(&rs, put_form, "{\"action\":\"stop\"}", false);
	ck_assert_int_eq(rs.status, 415);
	response_free(&rs);
	/* stopRunningJob: no body, no Content-Type; the daemon is away */
	answer(&rs, put_bare, NULL, false);
	ck_assert_int_eq(rs.status, 503);
	response_free(&rs);
	answer(&rs, put_cross, NULL, false);
	ck_assert_int_eq(rs.status, 403);
	response_free(&rs);
	answer(&rs, log, NULL, false);
	ck_assert_int_eq(rs.status, 403);
	ck_assert_ptr_nonnull(strstr(rs.body.data, "\"FORBIDDEN\""));
	response_free(&rs);
	answer(&rs, anon, NULL, false);
	ck_assert_int_eq(rs.status, 403);
	ck_assert_str_eq(rs.ctype, "application/json");
	response_free(&rs);
	answer(&rs, put_json, "{\"action\":\"explode\"}", false);
	ck_assert_int_eq(rs.status, 422);
	response_free(&rs);
	answer(&rs, put_json, "{\"action\":", false);
	ck_assert_int_eq(rs.status, 400);
	response_free(&rs);
	answer(&rs, post, NULL, false);
	ck_assert_int_eq(rs.status, 405);
	response_free(&rs);
	answer(&rs, none, NULL, false);
	ck_assert_int_eq(rs.status, 404);
	response_free(&rs);
	answer(&rs, page, NULL, false);
	ck_assert_int_eq(rs.status, 400);
	response_free(&rs);
}
END_TEST

START_TEST(req_static)
{
	const char *const css[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/dash/",
				    "DOCUMENT_URI=/dash/static/style.css",
				    NULL };
	const char *const js[] = { "REQUEST_METHOD=GET", "SCRIPT_NAME=/d x",
				   "REQUEST_URI=/d%20x/static/dashboard.js?v=1",
				   NULL };
	struct response rs;

	answer(&rs, css, NULL, false);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_str_eq(rs.ctype, "text/css; charset=utf-8");
	ck_assert_ptr_nonnull(strstr(rs.head.data, "max-age=31536000"));
	response_free(&rs);
	answer(&rs, js, NULL, false);
	ck_assert_int_eq(rs.status, 200);
	ck_assert_ptr_nonnull(strstr(rs.ctype, "javascript"));
	response_free(&rs);
}
END_TEST

static Suite *fcgi_suite(void)
{
	Suite *s = suite_create("fcgi");
	TCase *tc;

	tc = tcase_create("decode");
	tcase_add_test(tc, form_basic);
	tcase_add_test(tc, form_percent);
	tcase_add_test(tc, form_bad);
	tcase_add_test(tc, form_limits);
	tcase_add_test(tc, cookies);
	tcase_add_test(tc, url_coding);
	tcase_add_test(tc, escape);
	suite_add_tcase(s, tc);

	tc = tcase_create("render");
	tcase_add_test(tc, tmpl_slots);
	tcase_add_test(tc, tmpl_sections);
	tcase_add_test(tc, tmpl_errors);
	tcase_add_test(tc, tmpl_embedded);
	suite_add_tcase(s, tc);

	tc = tcase_create("config");
	tcase_add_test(tc, config_ok);
	tcase_add_test(tc, config_errors);
	tcase_add_test(tc, config_files);
	suite_add_tcase(s, tc);

	tc = tcase_create("routes");
	tcase_add_test(tc, routes);
	tcase_add_test(tc, pager_links);
	tcase_add_test(tc, jobs_filters);
	tcase_add_test(tc, api_json);
	tcase_add_test(tc, sha256_vectors);
	tcase_add_test(tc, hmac_vectors);
	tcase_add_test(tc, csrf);
	suite_add_tcase(s, tc);

	tc = tcase_create("requests");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, req_errors);
	tcase_add_test(tc, req_daemon_down);
	tcase_add_test(tc, req_actions);
	tcase_add_test(tc, req_api);
	tcase_add_test(tc, req_static);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fcgi_suite());
	int failed;

	log_init("check_fcgi", false, 0);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
