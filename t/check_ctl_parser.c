/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-ctl's command line parser and its submit --from line parser: what
 * each command line turns into, and what a user reads when it is wrong.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define JOB_ID "0123456789abcdef01234567"
#define ARGS_MAX 16

static struct parse_result res;

/* Parses the NULL-terminated words into res; returns parser_parse()'s value. */
static int parse(const char *word, ...)
{
	char *argv[ARGS_MAX];
	int argc = 0;
	va_list ap;

	parser_free(&res);
	va_start(ap, word);
	for (; word != NULL; word = va_arg(ap, const char *)) {
		ck_assert_int_lt(argc, ARGS_MAX);
		argv[argc++] = (char *)word;
	}
	va_end(ap);
	return parser_parse(argc, argv, &res);
}

/* Expects the words to be refused with this message and these choices. */
#define ck_refused(want_err, want_valid, ...)                   \
	do {                                                    \
		ck_assert_int_eq(parse(__VA_ARGS__, NULL), -1); \
		ck_assert_str_eq(res.err, want_err);            \
		ck_assert_str_eq(res.valid, want_valid);        \
	} while (0)

#define ck_param(key, want)                                                \
	ck_assert_str_eq(json_object_get_string(                           \
				 json_object_object_get(res.params, key)), \
			 want)

static void setup(void)
{
	memset(&res, 0, sizeof(res));
}

static void teardown(void)
{
	parser_free(&res);
}

START_TEST(test_simple_commands)
{
	ck_assert_int_eq(parse("status", NULL), 0);
	ck_assert_int_eq(res.action, CTL_STATUS);
	ck_assert_int_eq(parse("queues", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUES);
	ck_assert_int_eq(parse("pools", NULL), 0);
	ck_assert_int_eq(res.action, CTL_POOLS);
}
END_TEST

START_TEST(test_queue)
{
	ck_assert_int_eq(parse("queue", "stop", "IMAGE_SCAN", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUE_STOP);
	ck_assert_uint_eq(res.nnames, 1);
	ck_assert_str_eq(res.names[0], "IMAGE_SCAN");
	ck_assert(!res.all);

	ck_assert_int_eq(parse("queue", "pause", "IMAGE_SCAN", "WEBHOOK",
			       "P2P_PREHEAT", NULL),
			 0);
	ck_assert_int_eq(res.action, CTL_QUEUE_PAUSE);
	ck_assert_uint_eq(res.nnames, 3);
	ck_assert_str_eq(res.names[1], "WEBHOOK");
	ck_assert_str_eq(res.names[2], "P2P_PREHEAT");

	ck_assert_int_eq(parse("queue", "resume", "all", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUE_RESUME);
	ck_assert(res.all);
	ck_assert_uint_eq(res.nnames, 0);
}
END_TEST

START_TEST(test_workers)
{
	ck_assert_int_eq(parse("workers", NULL), 0);
	ck_assert_int_eq(res.action, CTL_WORKERS);
	ck_assert_ptr_null(res.id);
	ck_assert(!res.all);

	ck_assert_int_eq(parse("workers", "all", NULL), 0);
	ck_assert(res.all);

	ck_assert_int_eq(parse("workers", "a1b2c3", NULL), 0);
	ck_assert_str_eq(res.id, "a1b2c3");

	/* "all" is never abbreviated: "a" is a pool id */
	ck_assert_int_eq(parse("workers", "a", NULL), 0);
	ck_assert_str_eq(res.id, "a");
	ck_assert(!res.all);
}
END_TEST

START_TEST(test_worker_free)
{
	ck_assert_int_eq(parse("worker", "free", "w1", "w2", NULL), 0);
	ck_assert_int_eq(res.action, CTL_WORKER_FREE);
	ck_assert_uint_eq(res.nnames, 2);
	ck_assert_str_eq(res.names[0], "w1");
	ck_assert_str_eq(res.names[1], "w2");

	ck_assert_int_eq(parse("worker", "free", "all", NULL), 0);
	ck_assert(res.all);

	ck_refused("unexpected argument \"w1\"", "", "worker", "free", "all",
		   "w1");
}
END_TEST

START_TEST(test_job)
{
	ck_assert_int_eq(parse("job", "show", JOB_ID, NULL), 0);
	ck_assert_int_eq(res.action, CTL_JOB_SHOW);
	ck_assert_str_eq(res.id, JOB_ID);

	ck_assert_int_eq(parse("job", "stop", JOB_ID, NULL), 0);
	ck_assert_int_eq(res.action, CTL_JOB_STOP);

	ck_assert_int_eq(parse("job", "log", JOB_ID, NULL), 0);
	ck_assert_int_eq(res.action, CTL_JOB_LOG);
	ck_assert(!res.follow);

	ck_assert_int_eq(parse("job", "log", JOB_ID, "-f", NULL), 0);
	ck_assert(res.follow);

	ck_refused("unexpected argument \"-f\"", "", "job", "show", JOB_ID,
		   "-f");
}
END_TEST

START_TEST(test_execution)
{
	ck_assert_int_eq(parse("execution", "show", "exec-42", NULL), 0);
	ck_assert_int_eq(res.action, CTL_EXECUTION_SHOW);
	ck_assert_str_eq(res.id, "exec-42");
}
END_TEST

START_TEST(test_submit)
{
	ck_assert_int_eq(parse("submit", "IMAGE_SCAN", NULL), 0);
	ck_assert_int_eq(res.action, CTL_SUBMIT);
	ck_assert_str_eq(res.type, "IMAGE_SCAN");
	ck_assert_ptr_null(res.from);
	ck_assert(!res.unique);
	ck_assert_ptr_null(res.execution_id);
	ck_assert(json_object_is_type(res.params, json_type_object));
	ck_assert_int_eq(json_object_object_length(res.params), 0);

	ck_assert_int_eq(parse("submit", "WEBHOOK", "--unique", "--execution",
			       "e1", "--param", "url=http://x/y", NULL),
			 0);
	ck_assert(res.unique);
	ck_assert_str_eq(res.execution_id, "e1");
	ck_param("url", "http://x/y");
}
END_TEST

START_TEST(test_submit_from)
{
	ck_assert_int_eq(parse("submit", "--from", "jobs.jsonl", NULL), 0);
	ck_assert_int_eq(res.action, CTL_SUBMIT);
	ck_assert_str_eq(res.from, "jobs.jsonl");
	ck_assert_ptr_null(res.type);

	ck_assert_int_eq(parse("submit", "--from", "-", NULL), 0);
	ck_assert_str_eq(res.from, "-");

	ck_refused("--from needs an argument", "", "submit", "--from");
	ck_refused("unexpected argument \"--unique\"", "", "submit", "--from",
		   "-", "--unique");
}
END_TEST

START_TEST(test_prefixes)
{
	ck_assert_int_eq(parse("st", NULL), 0);
	ck_assert_int_eq(res.action, CTL_STATUS);
	ck_assert_int_eq(parse("sub", "SLACK", NULL), 0);
	ck_assert_int_eq(res.action, CTL_SUBMIT);
	ck_assert_int_eq(parse("p", NULL), 0);
	ck_assert_int_eq(res.action, CTL_POOLS);
	ck_assert_int_eq(parse("e", "sh", "x", NULL), 0);
	ck_assert_int_eq(res.action, CTL_EXECUTION_SHOW);
	ck_assert_int_eq(parse("j", "l", JOB_ID, "-f", NULL), 0);
	ck_assert_int_eq(res.action, CTL_JOB_LOG);
	ck_assert(res.follow);
	ck_assert_int_eq(parse("queue", "pa", "all", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUE_PAUSE);
	ck_assert_int_eq(parse("queue", "r", "all", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUE_RESUME);
	ck_assert_int_eq(parse("worker", "f", "all", NULL), 0);
	ck_assert_int_eq(res.action, CTL_WORKER_FREE);
	ck_assert_int_eq(parse("submit", "SLACK", "--u", "--ex", "e", NULL), 0);
	ck_assert(res.unique);
	ck_assert_str_eq(res.execution_id, "e");
	ck_assert_int_eq(parse("submit", "--f", "-", NULL), 0);
	ck_assert_str_eq(res.from, "-");
}
END_TEST

START_TEST(test_exact_wins)
{
	ck_assert_int_eq(parse("queue", "stop", "all", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUE_STOP);
	ck_assert_int_eq(parse("queues", NULL), 0);
	ck_assert_int_eq(res.action, CTL_QUEUES);
	ck_assert_int_eq(parse("worker", "free", "all", NULL), 0);
	ck_assert_int_eq(res.action, CTL_WORKER_FREE);
	ck_assert_int_eq(parse("workers", NULL), 0);
	ck_assert_int_eq(res.action, CTL_WORKERS);
	ck_assert_int_eq(parse("submit", "SLACK", "--param", "a=1", NULL), 0);
	ck_param("a", "1");
	ck_assert_int_eq(
		parse("submit", "SLACK", "--params", "{\"a\":1}", NULL), 0);
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(res.params, "a")),
		1);
}
END_TEST

START_TEST(test_ambiguous)
{
	ck_refused("ambiguous argument \"qu\": queues queue", "", "qu");
	ck_refused("ambiguous argument \"que\": queues queue", "", "que");
	ck_refused("ambiguous argument \"s\": status submit", "", "s");
	ck_refused("ambiguous argument \"w\": workers worker", "", "w");
	ck_refused("ambiguous argument \"s\": show stop", "", "job", "s",
		   JOB_ID);
	ck_refused("ambiguous argument \"--para\": --param --params", "",
		   "submit", "SLACK", "--para", "a=1");
}
END_TEST

START_TEST(test_wrong_words)
{
	ck_refused("unknown command \"frobnicate\"",
		   "valid commands: status queues queue pools workers worker "
		   "submit job execution",
		   "frobnicate");
	ck_refused("unknown argument \"drain\"",
		   "valid arguments: stop pause resume", "queue", "drain",
		   "all");
	ck_refused("unknown argument \"kill\"",
		   "valid arguments: show stop log", "job", "kill", JOB_ID);
	ck_refused("unknown argument \"--bogus\"",
		   "valid arguments: --param --params --unique --execution",
		   "submit", "SLACK", "--bogus");
	ck_refused("unknown argument \"-x\"", "valid arguments: -f", "job",
		   "log", JOB_ID, "-x");
	ck_refused("unexpected argument \"now\"", "", "status", "now");
	ck_refused("unknown command \"\"",
		   "valid commands: status queues queue pools workers worker "
		   "submit job execution",
		   "");
}
END_TEST

START_TEST(test_missing)
{
	char *argv[] = { NULL };

	ck_assert_int_eq(parser_parse(0, argv, &res), -1);
	ck_assert_str_eq(res.err, "missing command");
	ck_assert_str_eq(res.valid, "valid commands: status queues queue pools "
				    "workers worker submit job execution");

	ck_refused("missing argument", "valid arguments: stop pause resume",
		   "queue");
	ck_refused("missing argument", "valid arguments: all <job type>",
		   "queue", "stop");
	ck_refused("missing argument", "valid arguments: all <worker id>",
		   "worker", "free");
	ck_refused("missing argument", "valid arguments: show stop log", "job");
	ck_refused("missing argument", "valid arguments: <job id>", "job",
		   "log");
	ck_refused("missing argument", "valid arguments: <execution id>",
		   "execution", "show");
	ck_refused("missing argument", "valid arguments: --from <job type>",
		   "submit");
}
END_TEST

START_TEST(test_param_merge)
{
	ck_assert_int_eq(parse("submit", "SLACK", "--param", "b=y", "--params",
			       "{\"a\": 1, \"b\": \"x\", \"n\": {\"k\": []}}",
			       "--param", "c=", "--param", "d=1=2", "--param",
			       "e=5", NULL),
			 0);
	ck_assert_int_eq(json_object_object_length(res.params), 6);
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(res.params, "a")),
		1);
	ck_param("b", "y"); /* --param wins, wherever it stands */
	ck_param("c", "");
	ck_param("d", "1=2");
	ck_assert(json_object_is_type(json_object_object_get(res.params, "e"),
				      json_type_string));
	ck_param("e", "5");
	ck_assert(json_object_is_type(json_object_object_get(res.params, "n"),
				      json_type_object));

	/* a later --params overrides an earlier one key by key */
	ck_assert_int_eq(parse("submit", "SLACK", "--params",
			       "{\"a\": 1, \"b\": 2}", "--params", "{\"b\": 3}",
			       NULL),
			 0);
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(res.params, "a")),
		1);
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(res.params, "b")),
		3);

	/* the last --param of a key wins */
	ck_assert_int_eq(parse("submit", "SLACK", "--param", "k=1", "--param",
			       "k=2", NULL),
			 0);
	ck_param("k", "2");
}
END_TEST

/* {"a":{"a":...{}}}: an object nested depth levels deep. */
static char *nested(int depth)
{
	char *s = xmalloc(7 * depth + 1), *p = s;
	int i;

	for (i = 1; i < depth; i++)
		p = stpcpy(p, "{\"a\":");
	p = stpcpy(p, "{}");
	for (i = 1; i < depth; i++)
		*p++ = '}';
	*p = '\0';
	return s;
}

START_TEST(test_param_errors)
{
	char *deep = nested(14), *ok = nested(13);

	ck_refused("--param \"novalue\": expected key=value", "", "submit",
		   "SLACK", "--param", "novalue");
	ck_refused("--param \"=v\": expected key=value", "", "submit", "SLACK",
		   "--param", "=v");
	ck_refused("--param needs an argument", "", "submit", "SLACK",
		   "--param");
	ck_refused("--params needs an argument", "", "submit", "SLACK",
		   "--params");

	ck_assert_int_eq(parse("submit", "SLACK", "--params", "[1]", NULL), -1);
	ck_assert_str_eq(res.valid, "");
	ck_assert_msg(strncmp(res.err, "--params: ", 10) == 0, "%s", res.err);
	ck_assert_int_eq(parse("submit", "SLACK", "--params", "nope", NULL),
			 -1);
	ck_assert_msg(strncmp(res.err, "--params: ", 10) == 0, "%s", res.err);
	ck_assert_int_eq(parse("submit", "SLACK", "--params", "{\"a\":", NULL),
			 -1);
	ck_assert_msg(strncmp(res.err, "--params: ", 10) == 0, "%s", res.err);
	ck_assert_int_eq(parse("submit", "SLACK", "--params", "{} {}", NULL),
			 -1);
	ck_assert_msg(strncmp(res.err, "--params: ", 10) == 0, "%s", res.err);

	/* 14 levels do not fit in a request of JSV_JSON_DEPTH, 13 do */
	ck_refused("parameters nested deeper than 13 levels", "", "submit",
		   "SLACK", "--params", deep);
	ck_assert_int_eq(parse("submit", "SLACK", "--params", ok, NULL), 0);
	free(deep);
	free(ok);
}
END_TEST

START_TEST(test_invalid_values)
{
	ck_refused("invalid job type \"image_scan\"", "", "queue", "pause",
		   "image_scan");
	ck_refused("invalid job type \"al\"", "", "queue", "stop", "al");
	ck_refused("invalid job type \"all\"", "", "queue", "stop",
		   "IMAGE_SCAN", "all");
	ck_refused("invalid job type \"1SCAN\"", "", "submit", "1SCAN");
	ck_refused("invalid job id \"123\"", "", "job", "show", "123");
	ck_refused("invalid job id \"0123456789ABCDEF01234567\"", "", "job",
		   "stop", "0123456789ABCDEF01234567");
	ck_refused("invalid job id \"0123456789abcdef012345678\"", "", "job",
		   "log", "0123456789abcdef012345678");
	ck_refused("invalid worker id \"-x\"", "", "worker", "free", "-x");
	ck_refused("invalid worker id \"a b\"", "", "worker", "free", "w1",
		   "a b");
	ck_refused("invalid pool id \"--all\"", "", "workers", "--all");
	ck_refused("invalid execution id \"\"", "", "execution", "show", "");
	ck_refused("invalid execution id \"-e\"", "", "submit", "SLACK",
		   "--execution", "-e");
}
END_TEST

START_TEST(test_valid_id)
{
	char longest[CTL_ID_MAX + 2];

	ck_assert(jsv_valid_id("0a1b2c3d4e5f-12"));
	ck_assert(jsv_valid_id("Exec_2026.11:29-a"));
	ck_assert(!jsv_valid_id("pool/1"));
	ck_assert(!jsv_valid_id("a\"b"));
	ck_assert(!jsv_valid_id(""));
	ck_assert(!jsv_valid_id("-1"));
	ck_assert(!jsv_valid_id("a\tb"));
	ck_assert(!jsv_valid_id("caf\xc3\xa9"));
	memset(longest, 'x', CTL_ID_MAX);
	longest[CTL_ID_MAX] = '\0';
	ck_assert(jsv_valid_id(longest));
	longest[CTL_ID_MAX] = 'x';
	longest[CTL_ID_MAX + 1] = '\0';
	ck_assert(!jsv_valid_id(longest));
}
END_TEST

/* Parses a --from line given as a C string; *job is put by the caller. */
static int line(const char *s, struct json_object **job, char *err,
		size_t errlen)
{
	return submit_parse_line(s, strlen(s), job, err, errlen);
}

START_TEST(test_line_ok)
{
	struct json_object *job, *params;
	char err[256];

	ck_assert_int_eq(
		line("{\"name\": \"IMAGE_SCAN\", \"parameters\": {\"repo\": "
		     "\"a/b\", \"n\": 2}, \"unique\": true, \"execution_id\": "
		     "\"e7\"}\n",
		     &job, err, sizeof(err)),
		0);
	ck_assert_ptr_nonnull(job);
	ck_assert_str_eq(
		json_object_get_string(json_object_object_get(job, "name")),
		"IMAGE_SCAN");
	params = json_object_object_get(job, "parameters");
	ck_assert_str_eq(
		json_object_get_string(json_object_object_get(params, "repo")),
		"a/b");
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(params, "n")), 2);
	ck_assert(
		json_object_get_boolean(json_object_object_get(job, "unique")));
	ck_assert_str_eq(json_object_get_string(
				 json_object_object_get(job, "execution_id")),
			 "e7");
	json_object_put(job);

	/* defaults: empty parameters, not unique, no execution */
	ck_assert_int_eq(
		line("  {\"name\":\"SLACK\"}\r\n", &job, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(job);
	ck_assert_int_eq(json_object_object_length(
				 json_object_object_get(job, "parameters")),
			 0);
	ck_assert(!json_object_get_boolean(
		json_object_object_get(job, "unique")));
	ck_assert_ptr_null(json_object_object_get(job, "execution_id"));
	json_object_put(job);
}
END_TEST

START_TEST(test_line_blank)
{
	struct json_object *job = (struct json_object *)1;
	char err[256];

	ck_assert_int_eq(line("\n", &job, err, sizeof(err)), 0);
	ck_assert_ptr_null(job);
	job = (struct json_object *)1;
	ck_assert_int_eq(line(" \t \r\n", &job, err, sizeof(err)), 0);
	ck_assert_ptr_null(job);
	ck_assert_int_eq(line("", &job, err, sizeof(err)), 0);
	ck_assert_ptr_null(job);
}
END_TEST

/* Expects the line to be refused with a message starting with want. */
static void ck_line_refused(const char *s, const char *want)
{
	struct json_object *job;
	char err[256];

	ck_assert_int_eq(line(s, &job, err, sizeof(err)), -1);
	ck_assert_ptr_null(job);
	ck_assert_msg(strncmp(err, want, strlen(want)) == 0,
		      "line %s: got \"%s\", want \"%s\"", s, err, want);
}

START_TEST(test_line_errors)
{
	ck_line_refused("{\"parameters\": {}}", "missing \"name\"");
	ck_line_refused("{\"name\": \"scan\"}", "invalid job type \"scan\"");
	ck_line_refused("{\"name\": 3}", "invalid job type 3");
	ck_line_refused("{\"name\": \"SLACK\", \"params\": {}}",
			"unknown field \"params\"");
	ck_line_refused("{\"name\": \"SLACK\", \"unique\": 1}",
			"\"unique\" must be true or false");
	ck_line_refused("{\"name\": \"SLACK\", \"parameters\": [1]}",
			"parameters must be a JSON object");
	ck_line_refused("{\"name\": \"SLACK\", \"parameters\": \"a=b\"}",
			"parameters must be a JSON object");
	ck_line_refused("{\"name\": \"SLACK\", \"execution_id\": 7}",
			"invalid execution id 7");
	ck_line_refused("{\"name\": \"SLACK\", \"execution_id\": \"a b\"}",
			"invalid execution id \"a b\"");
	ck_line_refused(
		"{\"name\": \"SLACK\", \"execution_id\": \"a\\u0000b\"}",
		"invalid execution id");
	ck_line_refused("{\"name\": \"SLACK\"", "invalid JSON: ");
	ck_line_refused("[{\"name\": \"SLACK\"}]", "invalid JSON: ");
	ck_line_refused("{\"name\": \"SLACK\"} x", "invalid JSON: ");
	ck_line_refused("{'name': 'SLACK'}", "invalid JSON: ");
	ck_line_refused("SLACK", "invalid JSON: ");
}
END_TEST

START_TEST(test_line_nul)
{
	static const char s[] = "{\"name\": \"SLACK\"}\0 {}";
	struct json_object *job;
	char err[256];

	ck_assert_int_eq(submit_parse_line(s, sizeof(s) - 1, &job, err,
					   sizeof(err)),
			 -1);
	ck_assert_ptr_null(job);
}
END_TEST

START_TEST(test_job_new)
{
	struct json_object *params = json_object_new_object();
	struct json_object *job;

	json_object_object_add(params, "k", json_object_new_string("v"));
	job = submit_job_new("SLACK", params, true, NULL);
	ck_assert_str_eq(json_object_to_json_string_ext(job,
							JSON_C_TO_STRING_PLAIN),
			 "{\"name\":\"SLACK\",\"parameters\":{\"k\":\"v\"},"
			 "\"unique\":true}");
	json_object_put(job);
	json_object_put(params);

	job = submit_job_new("SLACK", NULL, false, "e1");
	ck_assert_str_eq(
		json_object_to_json_string_ext(job, JSON_C_TO_STRING_PLAIN),
		"{\"name\":\"SLACK\",\"parameters\":{},\"unique\":false,"
		"\"execution_id\":\"e1\"}");
	json_object_put(job);
}
END_TEST

static Suite *ctl_parser_suite(void)
{
	Suite *s = suite_create("ctl_parser");
	TCase *tc = tcase_create("command line");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_simple_commands);
	tcase_add_test(tc, test_queue);
	tcase_add_test(tc, test_workers);
	tcase_add_test(tc, test_worker_free);
	tcase_add_test(tc, test_job);
	tcase_add_test(tc, test_execution);
	tcase_add_test(tc, test_submit);
	tcase_add_test(tc, test_submit_from);
	tcase_add_test(tc, test_prefixes);
	tcase_add_test(tc, test_exact_wins);
	tcase_add_test(tc, test_ambiguous);
	tcase_add_test(tc, test_wrong_words);
	tcase_add_test(tc, test_missing);
	tcase_add_test(tc, test_param_merge);
	tcase_add_test(tc, test_param_errors);
	tcase_add_test(tc, test_invalid_values);
	tcase_add_test(tc, test_valid_id);
	suite_add_tcase(s, tc);

	tc = tcase_create("submit lines");
	tcase_add_test(tc, test_line_ok);
	tcase_add_test(tc, test_line_blank);
	tcase_add_test(tc, test_line_errors);
	tcase_add_test(tc, test_line_nul);
	tcase_add_test(tc, test_job_new);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ctl_parser_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
