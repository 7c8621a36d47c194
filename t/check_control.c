/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the daemon's control dispatch (daemon/control.c), without a
 * socket or Redis: every command of the catalogue has a handler, and a
 * request is checked against the catalogue before who may run it and before
 * Redis, so a malformed request is refused as such and closes the
 * connection, whoever sent it.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

START_TEST(test_every_command_has_a_handler)
{
	int k;

	for (k = 0; k < JSV_CMD_MAX; k++)
		ck_assert_msg(control_has_handler(k), "no handler for %s",
			      jsv_command(k)->name);
	ck_assert(!control_has_handler(JSV_CMD_MAX));
}
END_TEST

/* The frames of an answer, decoded: their types and error codes. */
struct answer {
	int types[8];
	int codes[8];
	char text[8][256];
	int n;
};

/* Feeds the request texts reqs (NULL-ended) as one peer, one write. */
static void feed(bool admin, const char *const *reqs, struct answer *a)
{
	struct jsv_buf in = { 0 }, out = { 0 };
	struct json_object *o;
	struct jsv_frame f;
	const char *err;
	size_t off = 0;
	ssize_t n;

	for (; *reqs; reqs++)
		jsv_frame_append(&in, JSV_MSG_REQUEST, *reqs, strlen(*reqs));
	control_feed(admin, in.data, in.len, &out);
	memset(a, 0, sizeof(*a));
	while ((n = jsv_frame_parse(out.data + off, out.len - off, &f)) > 0) {
		ck_assert_int_lt(a->n, 8);
		a->types[a->n] = f.type;
		o = jsv_json_parse(f.payload, f.len, &err);
		ck_assert_ptr_nonnull(o);
		a->codes[a->n] =
			json_object_get_int(json_object_object_get(o, "code"));
		snprintf(a->text[a->n], sizeof(a->text[0]), "%s",
			 json_object_get_string(
				 json_object_object_get(o, "error")));
		json_object_put(o);
		a->n++;
		off += n;
	}
	ck_assert_uint_eq(off, out.len);
	jsv_buf_free(&in);
	jsv_buf_free(&out);
}

static void one_error(const struct answer *a, int code, const char *text)
{
	ck_assert_int_eq(a->n, 1);
	ck_assert_int_eq(a->types[0], JSV_MSG_ERROR);
	ck_assert_int_eq(a->codes[0], code);
	ck_assert_msg(strcmp(a->text[0], text) == 0, "got \"%s\", want \"%s\"",
		      a->text[0], text);
}

START_TEST(test_malformed_refused_first)
{
	static const char *const bad[] = {
		"{\"cmd\": \"queue.stop\", \"types\": [\"lower\"]}",
		"{\"cmd\": \"status\"}", NULL
	};
	struct answer a;

	/* Invalid, then a request the closed connection never reads. */
	feed(false, bad, &a);
	one_error(&a, JSV_E_INVAL,
		  "invalid request: \"types\" must be a list of job types, "
		  "1 to 1000 of them");
	feed(true, bad, &a);
	one_error(&a, JSV_E_INVAL,
		  "invalid request: \"types\" must be a list of job types, "
		  "1 to 1000 of them");
}
END_TEST

START_TEST(test_unknown_command)
{
	static const char *const unknown[] = { "{\"cmd\": \"frobnicate\"}",
					       NULL };
	static const char *const nocmd[] = { "{\"all\": true}", NULL };
	struct answer a;

	feed(true, unknown, &a);
	one_error(&a, JSV_E_INVAL,
		  "invalid request: unknown command \"frobnicate\"");
	feed(true, nocmd, &a);
	one_error(&a, JSV_E_INVAL, "invalid request: \"cmd\" is missing");
}
END_TEST

START_TEST(test_order_of_checks)
{
	static const char *const reqs[] = {
		"{\"cmd\": \"queue.stop\", \"all\": true}",
		"{\"cmd\": \"queues\"}", NULL
	};
	struct answer a;

	/* Valid: a reader may not act, and may read; Redis is not there. */
	feed(false, reqs, &a);
	ck_assert_int_eq(a.n, 2);
	ck_assert_int_eq(a.codes[0], JSV_E_PERM);
	ck_assert_int_eq(a.codes[1], JSV_E_REDIS);
	feed(true, reqs, &a);
	ck_assert_int_eq(a.n, 2);
	ck_assert_int_eq(a.codes[0], JSV_E_REDIS);
	ck_assert_int_eq(a.codes[1], JSV_E_REDIS);
}
END_TEST

/* A queue stop's batches are sized by the time the last one took. */
START_TEST(test_stop_batch_size)
{
	/* 10 ms a batch: 500 jobs in 5 ms make 1000, in 20 ms 250. */
	ck_assert_int_eq(queue_stop_size(500, 5000), 1000);
	ck_assert_int_eq(queue_stop_size(500, 20000), 250);
	ck_assert_int_eq(queue_stop_size(500, 10000), 500);
	/* At most a factor of two a step, whatever one batch took. */
	ck_assert_int_eq(queue_stop_size(300, 100), 600);
	ck_assert_int_eq(queue_stop_size(300, 0), 600);
	ck_assert_int_eq(queue_stop_size(800, 1000000), 400);
	/* Within 100 and 1000 jobs. */
	ck_assert_int_eq(queue_stop_size(800, 1000), 1000);
	ck_assert_int_eq(queue_stop_size(150, 1000000), 100);
}
END_TEST

static Suite *control_suite(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("dispatch");
	TCase *stop = tcase_create("queue stop");

	tcase_add_test(tc, test_every_command_has_a_handler);
	tcase_add_test(tc, test_malformed_refused_first);
	tcase_add_test(tc, test_unknown_command);
	tcase_add_test(tc, test_order_of_checks);
	suite_add_tcase(s, tc);
	tcase_add_test(stop, test_stop_batch_size);
	suite_add_tcase(s, stop);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(control_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
