/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-ctl's command line parser and its submit --from line parser: what
 * each command line turns into, and what a user reads when it is wrong.
 */
#include "config.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
	ck_assert_int_eq(res.cmd, JSV_CMD_STATUS);
	ck_assert_int_eq(parse("queues", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUES);
	ck_assert_int_eq(parse("pools", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_POOLS);
}
END_TEST

START_TEST(test_queue)
{
	ck_assert_int_eq(parse("queue", "stop", "IMAGE_SCAN", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUE_STOP);
	ck_assert_uint_eq(res.nnames, 1);
	ck_assert_str_eq(res.names[0], "IMAGE_SCAN");
	ck_assert(!res.all);

	ck_assert_int_eq(parse("queue", "pause", "IMAGE_SCAN", "WEBHOOK",
			       "P2P_PREHEAT", NULL),
			 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUE_PAUSE);
	ck_assert_uint_eq(res.nnames, 3);
	ck_assert_str_eq(res.names[1], "WEBHOOK");
	ck_assert_str_eq(res.names[2], "P2P_PREHEAT");

	ck_assert_int_eq(parse("queue", "resume", "all", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUE_RESUME);
	ck_assert(res.all);
	ck_assert_uint_eq(res.nnames, 0);
}
END_TEST

START_TEST(test_workers)
{
	ck_assert_int_eq(parse("workers", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_WORKERS);
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
	ck_assert_int_eq(res.cmd, JSV_CMD_WORKER_FREE);
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
	ck_assert_int_eq(res.cmd, JSV_CMD_JOB_SHOW);
	ck_assert_str_eq(res.id, JOB_ID);

	ck_assert_int_eq(parse("job", "stop", JOB_ID, NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_JOB_STOP);

	ck_assert_int_eq(parse("job", "log", JOB_ID, NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_JOB_LOG);
	ck_assert(!res.follow);

	ck_assert_int_eq(parse("job", "log", JOB_ID, "-f", NULL), 0);
	ck_assert(res.follow);

	/* -f may come before the id too. */
	ck_assert_int_eq(parse("job", "log", "-f", JOB_ID, NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_JOB_LOG);
	ck_assert_str_eq(res.id, JOB_ID);
	ck_assert(res.follow);

	ck_refused("unexpected argument \"-f\"", "", "job", "show", JOB_ID,
		   "-f");
}
END_TEST

START_TEST(test_execution)
{
	ck_assert_int_eq(parse("execution", "show", "exec-42", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_EXECUTION_SHOW);
	ck_assert_str_eq(res.id, "exec-42");
}
END_TEST

START_TEST(test_audit)
{
	ck_assert_int_eq(parse("audit", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_AUDIT);
	ck_assert_int_eq(
		parse("audit", "--page", "2", "--page-size", "5", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_AUDIT);
	ck_assert_int_eq(res.page, 2);
	ck_assert_int_eq(res.page_size, 5);
	ck_refused("unknown argument \"all\"",
		   "valid arguments: --page --page-size", "audit", "all");
}
END_TEST

START_TEST(test_jobs)
{
	ck_assert_int_eq(parse("jobs", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_JOBS);
	ck_assert_ptr_null(res.status);
	ck_assert_ptr_null(res.type);
	ck_assert_int_eq(parse("jobs", "--status", "error", "--type", "SLACK",
			       "--page", "3", "--page-size", "7", NULL),
			 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_JOBS);
	ck_assert_str_eq(res.status, "Error");
	ck_assert_str_eq(res.type, "SLACK");
	ck_assert_int_eq(res.page, 3);
	ck_assert_int_eq(res.page_size, 7);
	ck_assert_int_eq(parse("jobs", "--st", "Pending", NULL), 0);
	ck_assert_str_eq(res.status, "Pending");
	ck_refused("--status \"Done\": expected Pending, Scheduled, Running, "
		   "Success, Error or Stopped",
		   "", "jobs", "--status", "Done");
	ck_refused("invalid job type \"slack\"", "", "jobs", "--type", "slack");
	ck_refused("unknown argument \"all\"",
		   "valid arguments: --status --type --page --page-size",
		   "jobs", "all");
}
END_TEST

START_TEST(test_submit)
{
	ck_assert_int_eq(parse("submit", "IMAGE_SCAN", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SUBMIT);
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
	ck_assert_int_eq(res.cmd, JSV_CMD_SUBMIT);
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
	ck_assert_int_eq(res.cmd, JSV_CMD_STATUS);
	ck_assert_int_eq(parse("sub", "SLACK", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SUBMIT);
	ck_assert_int_eq(parse("p", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_POOLS);
	ck_assert_int_eq(parse("e", "sh", "x", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_EXECUTION_SHOW);
	ck_assert_int_eq(parse("job", "l", JOB_ID, "-f", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_JOB_LOG);
	ck_assert(res.follow);
	ck_assert_int_eq(parse("queue", "pa", "all", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUE_PAUSE);
	ck_assert_int_eq(parse("queue", "r", "all", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUE_RESUME);
	ck_assert_int_eq(parse("worker", "f", "all", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_WORKER_FREE);
	ck_assert_int_eq(parse("submit", "SLACK", "--u", "--ex", "e", NULL), 0);
	ck_assert(res.unique);
	ck_assert_str_eq(res.execution_id, "e");
	ck_assert_int_eq(parse("submit", "--f", "-", NULL), 0);
	ck_assert_str_eq(res.from, "-");
	ck_assert_int_eq(parse("submit", "SLACK", "--a", "@9", NULL), 0);
	ck_assert_int_eq(res.run_at, 9);
	ck_assert_int_eq(parse("submit", "SLACK", "--i", "1m", NULL), 0);
	ck_assert_int_gt(res.run_at, 0);
	ck_assert_int_eq(parse("schedules", "p", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES_PAUSE);
	ck_assert_int_eq(parse("schedules", "r", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES_RESUME);
	ck_assert_int_eq(parse("schedules", "--page-s", "5", NULL), 0);
	ck_assert_int_eq(res.page_size, 5);
	ck_assert_int_eq(parse("schedule", "a", "SLACK", "* * * * *", "--v",
			       "3", NULL),
			 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULE_ADD);
	ck_assert_int_eq(res.vendor_id, 3);
	ck_assert_int_eq(parse("schedule", "d", "1", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULE_DEL);
}
END_TEST

START_TEST(test_exact_wins)
{
	ck_assert_int_eq(parse("queue", "stop", "all", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUE_STOP);
	ck_assert_int_eq(parse("queues", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_QUEUES);
	ck_assert_int_eq(parse("worker", "free", "all", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_WORKER_FREE);
	ck_assert_int_eq(parse("workers", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_WORKERS);
	ck_assert_int_eq(parse("schedule", "del", "3", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULE_DEL);
	ck_assert_int_eq(parse("schedules", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES);
	ck_assert_int_eq(parse("schedules", "--page", "2", NULL), 0);
	ck_assert_int_eq(res.page, 2);
	ck_assert_int_eq(res.page_size, 0);
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
	ck_refused("ambiguous argument \"j\": job jobs", "", "j", "l", JOB_ID);
	ck_refused("ambiguous argument \"que\": queues queue", "", "que");
	ck_refused("ambiguous argument \"s\": status schedules schedule submit",
		   "", "s");
	ck_refused("ambiguous argument \"sch\": schedules schedule", "", "sch");
	ck_refused("ambiguous argument \"schedu\": schedules schedule", "",
		   "schedu", "del", "1");
	ck_refused("ambiguous argument \"--p\": --page --page-size", "",
		   "schedules", "--p", "1");
	ck_refused("ambiguous argument \"--p\": --param --params", "",
		   "schedule", "add", "SLACK", "* * * * *", "--p", "a=1");
	ck_refused("ambiguous argument \"w\": workers worker", "", "w");
	ck_refused("ambiguous argument \"s\": show stop", "", "job", "s",
		   JOB_ID);
	ck_refused("ambiguous argument \"--para\": --param --params", "",
		   "submit", "SLACK", "--para", "a=1");
}
END_TEST

START_TEST(test_wrong_words)
{
	ck_refused(
		"unknown command \"frobnicate\"",
		"valid commands: status queues queue schedules schedule pools "
		"workers worker submit job jobs execution audit",
		"frobnicate");
	ck_refused("unknown argument \"drain\"",
		   "valid arguments: stop pause resume", "queue", "drain",
		   "all");
	ck_refused("unknown argument \"kill\"",
		   "valid arguments: show stop log", "job", "kill", JOB_ID);
	ck_refused(
		"unknown argument \"--bogus\"",
		"valid arguments: --param --params --unique --execution --at "
		"--in",
		"submit", "SLACK", "--bogus");
	ck_refused("unknown argument \"-x\"", "valid arguments: -f", "job",
		   "log", JOB_ID, "-x");
	ck_refused("unexpected argument \"now\"", "", "status", "now");
	ck_refused(
		"unknown command \"\"",
		"valid commands: status queues queue schedules schedule pools "
		"workers worker submit job jobs execution audit",
		"");
	ck_refused("unknown argument \"list\"",
		   "valid arguments: pause resume --page --page-size",
		   "schedules", "list");
	ck_refused("unknown argument \"pause\"",
		   "valid arguments: --page --page-size", "schedules", "--page",
		   "2", "pause");
	ck_refused("unknown argument \"rm\"", "valid arguments: add del",
		   "schedule", "rm", "1");
	ck_refused("unknown argument \"--unique\"",
		   "valid arguments: --vendor-id --param --params", "schedule",
		   "add", "SLACK", "* * * * *", "--unique");
	ck_refused("unexpected argument \"2\"", "", "schedule", "del", "1",
		   "2");
	ck_refused("unexpected argument \"--page\"", "", "schedules", "pause",
		   "--page");
}
END_TEST

START_TEST(test_missing)
{
	char *argv[] = { NULL };

	ck_assert_int_eq(parser_parse(0, argv, &res), -1);
	ck_assert_str_eq(res.err, "missing command");
	ck_assert_str_eq(res.valid,
			 "valid commands: status queues queue schedules "
			 "schedule pools workers worker submit job jobs "
			 "execution audit");

	ck_refused("missing argument", "valid arguments: stop pause resume",
		   "queue");
	ck_refused("missing argument", "valid arguments: all <job type>",
		   "queue", "stop");
	ck_refused("missing argument", "valid arguments: all <worker id>",
		   "worker", "free");
	ck_refused("missing argument", "valid arguments: show stop log", "job");
	ck_refused("missing argument", "valid arguments: -f <job id>", "job",
		   "log");
	ck_refused("missing argument", "valid arguments: <job id>", "job",
		   "log", "-f");
	ck_refused("missing argument", "valid arguments: <execution id>",
		   "execution", "show");
	ck_refused("missing argument", "valid arguments: --from <job type>",
		   "submit");
	ck_refused("missing argument", "valid arguments: add del", "schedule");
	ck_refused("missing argument", "valid arguments: <job type>",
		   "schedule", "add");
	ck_refused("missing argument", "valid arguments: <cron>", "schedule",
		   "add", "SLACK");
	ck_refused("missing argument", "valid arguments: <schedule id>",
		   "schedule", "del");
	ck_refused("--page needs an argument", "", "schedules", "--page");
	ck_refused("--page-size needs an argument", "", "schedules", "--page",
		   "1", "--page-size");
	ck_refused("--vendor-id needs an argument", "", "schedule", "add",
		   "SLACK", "* * * * *", "--vendor-id");
	ck_refused("--at needs an argument", "", "submit", "SLACK", "--at");
	ck_refused("--in needs an argument", "", "submit", "SLACK", "--in");
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

START_TEST(test_schedules)
{
	ck_assert_int_eq(parse("schedules", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES);
	ck_assert_int_eq(res.page, 0);
	ck_assert_int_eq(res.page_size, 0);

	ck_assert_int_eq(parse("schedules", "--page", "3", "--page-size", "20",
			       NULL),
			 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES);
	ck_assert_int_eq(res.page, 3);
	ck_assert_int_eq(res.page_size, 20);

	ck_assert_int_eq(parse("schedules", "--page-size", "100", "--page", "1",
			       "--page", "7", NULL),
			 0);
	ck_assert_int_eq(res.page, 7); /* the last one wins */
	ck_assert_int_eq(res.page_size, 100);

	ck_assert_int_eq(parse("schedules", "pause", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES_PAUSE);
	ck_assert_int_eq(parse("schedules", "resume", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULES_RESUME);
}
END_TEST

START_TEST(test_schedule_add)
{
	ck_assert_int_eq(parse("schedule", "add", "GARBAGE_COLLECTION",
			       "0 */5 * * * *", NULL),
			 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULE_ADD);
	ck_assert_str_eq(res.type, "GARBAGE_COLLECTION");
	ck_assert_str_eq(res.cron, "0 */5 * * * *");
	ck_assert_int_eq(res.vendor_id, -1);
	ck_assert(json_object_is_type(res.params, json_type_object));
	ck_assert_int_eq(json_object_object_length(res.params), 0);

	ck_assert_int_eq(parse("schedule", "add", "RETENTION", "0 0 * * *",
			       "--vendor-id", "42", "--param", "a=b",
			       "--params", "{\"a\": \"x\", \"n\": 1}", NULL),
			 0);
	ck_assert_int_eq(res.vendor_id, 42);
	ck_assert_int_eq(json_object_object_length(res.params), 2);
	ck_param("a", "b"); /* --param wins, as for submit */
	ck_assert_int_eq(
		json_object_get_int(json_object_object_get(res.params, "n")),
		1);

	ck_assert_int_eq(parse("schedule", "add", "SLACK", "* * * * *",
			       "--vendor-id", "-1", NULL),
			 0);
	ck_assert_int_eq(res.vendor_id, -1);

	/* descriptors are one word; the daemon judges every expression */
	ck_assert_int_eq(parse("schedule", "add", "SLACK", "@daily", NULL), 0);
	ck_assert_str_eq(res.cron, "@daily");
	ck_assert_int_eq(parse("schedule", "add", "SLACK", "61 * * * *", NULL),
			 0);
}
END_TEST

START_TEST(test_schedule_del)
{
	ck_assert_int_eq(parse("schedule", "del", "7", NULL), 0);
	ck_assert_int_eq(res.cmd, JSV_CMD_SCHEDULE_DEL);
	ck_assert_int_eq(res.schedule_id, 7);
	ck_assert_int_eq(parse("schedule", "del", "9223372036854775807", NULL),
			 0);
	ck_assert_int_eq(res.schedule_id, INT64_MAX);
}
END_TEST

START_TEST(test_schedule_errors)
{
	char *deep = nested(14);

	ck_refused("empty cron expression", "", "schedule", "add", "SLACK", "");
	ck_refused("empty cron expression", "", "schedule", "add", "SLACK",
		   " \t ");
	/* an unquoted expression, or none before the options */
	ck_refused("cron expression \"0\" has one field; quote the whole "
		   "expression",
		   "", "schedule", "add", "SLACK", "0", "*/5", "*", "*", "*");
	ck_refused("cron expression \"--vendor-id\" has one field; quote the "
		   "whole expression",
		   "", "schedule", "add", "SLACK", "--vendor-id", "3");
	ck_refused("invalid job type \"gc\"", "", "schedule", "add", "gc",
		   "* * * * *");

	ck_refused("--vendor-id \"x\": expected an integer from -1", "",
		   "schedule", "add", "SLACK", "* * * * *", "--vendor-id", "x");
	ck_refused("--vendor-id \"-2\": expected an integer from -1", "",
		   "schedule", "add", "SLACK", "* * * * *", "--vendor-id",
		   "-2");
	ck_refused("--vendor-id \"\": expected an integer from -1", "",
		   "schedule", "add", "SLACK", "* * * * *", "--vendor-id", "");
	ck_refused("--vendor-id \"+3\": expected an integer from -1", "",
		   "schedule", "add", "SLACK", "* * * * *", "--vendor-id",
		   "+3");
	ck_refused("--vendor-id \" 3\": expected an integer from -1", "",
		   "schedule", "add", "SLACK", "* * * * *", "--vendor-id",
		   " 3");
	ck_refused("--vendor-id \"3 \": expected an integer from -1", "",
		   "schedule", "add", "SLACK", "* * * * *", "--vendor-id",
		   "3 ");
	ck_refused("--vendor-id \"9223372036854775808\": expected an integer "
		   "from -1",
		   "", "schedule", "add", "SLACK", "* * * * *", "--vendor-id",
		   "9223372036854775808");
	ck_refused("--param \"novalue\": expected key=value", "", "schedule",
		   "add", "SLACK", "* * * * *", "--param", "novalue");
	ck_refused("parameters nested deeper than 13 levels", "", "schedule",
		   "add", "SLACK", "* * * * *", "--params", deep);
	ck_assert_int_eq(parse("schedule", "add", "SLACK", "* * * * *",
			       "--params", "[]", NULL),
			 -1);
	ck_assert_msg(strncmp(res.err, "--params: ", 10) == 0, "%s", res.err);

	ck_refused("invalid schedule id \"0\"", "", "schedule", "del", "0");
	ck_refused("invalid schedule id \"-1\"", "", "schedule", "del", "-1");
	ck_refused("invalid schedule id \"x\"", "", "schedule", "del", "x");
	ck_refused("invalid schedule id \"1x\"", "", "schedule", "del", "1x");
	ck_refused("invalid schedule id \"\"", "", "schedule", "del", "");
	ck_refused("invalid schedule id \"9223372036854775808\"", "",
		   "schedule", "del", "9223372036854775808");
	free(deep);
}
END_TEST

START_TEST(test_page_errors)
{
	ck_refused("--page \"0\": expected a number from 1", "", "schedules",
		   "--page", "0");
	ck_refused("--page \"-1\": expected a number from 1", "", "schedules",
		   "--page", "-1");
	ck_refused("--page \"two\": expected a number from 1", "", "schedules",
		   "--page", "two");
	ck_refused("--page \"\": expected a number from 1", "", "schedules",
		   "--page", "");
	ck_refused("--page \"1e3\": expected a number from 1", "", "schedules",
		   "--page", "1e3");
	ck_refused("--page \"99999999999999999999\": expected a number from 1",
		   "", "schedules", "--page", "99999999999999999999");
	ck_refused("--page-size \"0\": expected a number from 1 to 100", "",
		   "schedules", "--page-size", "0");
	ck_refused("--page-size \"101\": expected a number from 1 to 100", "",
		   "schedules", "--page-size", "101");
	ck_refused("--page-size \"ten\": expected a number from 1 to 100", "",
		   "schedules", "--page", "2", "--page-size", "ten");
}
END_TEST

START_TEST(test_submit_at)
{
	ck_assert_int_eq(parse("submit", "SLACK", NULL), 0);
	ck_assert_int_eq(res.run_at, 0);

	ck_assert_int_eq(parse("submit", "SLACK", "--at",
			       "2026-11-29T05:37:45Z", NULL),
			 0);
	ck_assert_int_eq(res.run_at, 1795930665);
	ck_assert_int_eq(parse("submit", "SLACK", "--at",
			       "2026-11-29T07:37:45+02:00", NULL),
			 0);
	ck_assert_int_eq(res.run_at, 1795930665);
	ck_assert_int_eq(
		parse("submit", "SLACK", "--at", "2026-11-29 05:37", NULL), 0);
	ck_assert_int_eq(res.run_at, 1795930620);
	ck_assert_int_eq(parse("submit", "SLACK", "--at", "@1795930665", NULL),
			 0);
	ck_assert_int_eq(res.run_at, 1795930665);

	/* the past is accepted: the daemon runs the job now */
	ck_assert_int_eq(parse("submit", "SLACK", "--at",
			       "2001-09-09T01:46:40Z", NULL),
			 0);
	ck_assert_int_eq(res.run_at, 1000000000);
	ck_assert_int_eq(parse("submit", "SLACK", "--at", "@0", NULL), 0);
	ck_assert_int_eq(res.run_at, 0);

	/* the last --at wins; options mix in any order */
	ck_assert_int_eq(parse("submit", "SLACK", "--at", "@5", "--unique",
			       "--at", "@7", "--param", "a=b", NULL),
			 0);
	ck_assert_int_eq(res.run_at, 7);
	ck_assert(res.unique);
	ck_param("a", "b");
}
END_TEST

/* The clock the parser reads; time(2) may lag it by a tick. */
static int64_t now_sec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec;
}

/* Expects --in word to give a run_at from now + sec to now + sec + 1. */
static void ck_in(const char *word, int64_t sec)
{
	int64_t before, after;

	before = now_sec();
	ck_assert_int_eq(parse("submit", "SLACK", "--in", word, NULL), 0);
	after = now_sec();
	ck_assert_int_ge(res.run_at, before + sec);
	ck_assert_int_le(res.run_at, after + sec + 1);
}

START_TEST(test_submit_in)
{
	int64_t before;

	ck_in("90s", 90);
	ck_in("90", 90);
	ck_in("1h30m", 5400);
	ck_in("2d", 172800);
	ck_in("0", 0);
	ck_in("1500ms", 2);
	ck_in("10s", 10);
	before = now_sec();
	ck_assert_int_eq(
		parse("submit", "SLACK", "--in", "1m", "--in", "2m", NULL), 0);
	ck_assert_int_ge(res.run_at, before + 120);
}
END_TEST

START_TEST(test_submit_when_errors)
{
	ck_refused("--at and --in are mutually exclusive", "", "submit",
		   "SLACK", "--at", "@1795930665", "--in", "1h");
	ck_refused("--at and --in are mutually exclusive", "", "submit",
		   "SLACK", "--in", "1h", "--unique", "--at", "@1795930665");
	ck_refused("--at \"tomorrow\": expected YYYY-MM-DDTHH:MM:SSZ, "
		   "\"YYYY-MM-DD HH:MM[:SS]\" (UTC) or @SECONDS",
		   "", "submit", "SLACK", "--at", "tomorrow");
	ck_refused("--at \"2026-13-01T00:00:00Z\": expected "
		   "YYYY-MM-DDTHH:MM:SSZ, \"YYYY-MM-DD HH:MM[:SS]\" (UTC) or "
		   "@SECONDS",
		   "", "submit", "SLACK", "--at", "2026-13-01T00:00:00Z");
	ck_refused("--at \"2026-11-29T05:37\": expected YYYY-MM-DDTHH:MM:SSZ, "
		   "\"YYYY-MM-DD HH:MM[:SS]\" (UTC) or @SECONDS",
		   "", "submit", "SLACK", "--at", "2026-11-29T05:37");
	ck_refused("--at \"\": expected YYYY-MM-DDTHH:MM:SSZ, "
		   "\"YYYY-MM-DD HH:MM[:SS]\" (UTC) or @SECONDS",
		   "", "submit", "SLACK", "--at", "");
	ck_refused("--at \"1969-12-31 23:59:59\": before 1970", "", "submit",
		   "SLACK", "--at", "1969-12-31 23:59:59");
	ck_refused("--in \"soon\": expected a duration such as 90s, 10m or "
		   "1h30m",
		   "", "submit", "SLACK", "--in", "soon");
	ck_refused("--in \"-5s\": expected a duration such as 90s, 10m or "
		   "1h30m",
		   "", "submit", "SLACK", "--in", "-5s");
	ck_refused("--in \"\": expected a duration such as 90s, 10m or 1h30m",
		   "", "submit", "SLACK", "--in", "");
	ck_refused("--in \"99999999999999999999s\": expected a duration such "
		   "as 90s, 10m or 1h30m",
		   "", "submit", "SLACK", "--in", "99999999999999999999s");
	ck_refused("unexpected argument \"--at\"", "", "submit", "--from", "-",
		   "--at", "@1");
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
	ck_assert_ptr_null(json_object_object_get(job, "run_at"));
	json_object_put(job);

	ck_assert_int_eq(line("{\"name\": \"SLACK\", \"run_at\": 1795930665}",
			      &job, err, sizeof(err)),
			 0);
	ck_assert_int_eq(
		json_object_get_int64(json_object_object_get(job, "run_at")),
		1795930665);
	json_object_put(job);

	/* 0 is now, the default */
	ck_assert_int_eq(line("{\"name\": \"SLACK\", \"run_at\": 0}", &job, err,
			      sizeof(err)),
			 0);
	ck_assert_ptr_null(json_object_object_get(job, "run_at"));
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
	ck_line_refused("{\"name\": \"SLACK\", \"run_at\": \"2026-11-29\"}",
			"\"run_at\" must be a time in Unix seconds, not "
			"\"2026-11-29\"");
	ck_line_refused("{\"name\": \"SLACK\", \"run_at\": -1}",
			"\"run_at\" must be a time in Unix seconds, not -1");
	ck_line_refused("{\"name\": \"SLACK\", \"run_at\": 1.5}",
			"\"run_at\" must be a time in Unix seconds, not 1.5");
	ck_line_refused("{\"name\": \"SLACK\", \"run_at\": null}",
			"\"run_at\" must be a time in Unix seconds, not null");
	ck_line_refused(
		"{\"name\": \"SLACK\", \"run_at\": 9223372036854775808}",
		"\"run_at\" must be a time in Unix seconds");
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
	job = submit_job_new("SLACK", params, true, NULL, 0);
	ck_assert_str_eq(json_object_to_json_string_ext(job,
							JSON_C_TO_STRING_PLAIN),
			 "{\"name\":\"SLACK\",\"parameters\":{\"k\":\"v\"},"
			 "\"unique\":true}");
	json_object_put(job);
	json_object_put(params);

	job = submit_job_new("SLACK", NULL, false, "e1", 1795930665);
	ck_assert_str_eq(
		json_object_to_json_string_ext(job, JSON_C_TO_STRING_PLAIN),
		"{\"name\":\"SLACK\",\"parameters\":{},\"unique\":false,"
		"\"execution_id\":\"e1\",\"run_at\":1795930665}");
	json_object_put(job);
}
END_TEST

/* The catalogue against jobsvc-ctl: its table, its parser, its man page */

/* Whether text (a line of the man page) starts with words, whole. */
static bool starts_with_words(const char *text, const char *words)
{
	size_t n = strlen(words);

	return strncmp(text, words, n) == 0 &&
	       (text[n] == '\0' || text[n] == ' ' || text[n] == '\n');
}

/*
 * Whether the man page has an entry for the command the words select: a
 * ".It Cm words ..." line, or ".Cm words ..." first in an ".It Xo" block.
 */
static bool man_has_entry(const char *man, const char *words)
{
	const char *line, *prev = "";

	for (line = man; *line != '\0'; line = strchr(line, '\n') + 1) {
		if (strncmp(line, ".It Cm ", 7) == 0 &&
		    starts_with_words(line + 7, words))
			return true;
		if (strncmp(prev, ".It Xo\n", 7) == 0 &&
		    strncmp(line, ".Cm ", 4) == 0 &&
		    starts_with_words(line + 4, words))
			return true;
		prev = line;
		if (strchr(line, '\n') == NULL)
			break;
	}
	return false;
}

static char *read_man_page(void)
{
	const char *srcdir = getenv("srcdir");
	char path[4096], *text;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ctl/jobsvc-ctl.8",
		 srcdir != NULL ? srcdir : ".");
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: cannot open", path);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	ck_assert_int_gt(len, 0);
	rewind(f);
	text = xmalloc((size_t)len + 1);
	ck_assert_int_eq(fread(text, 1, (size_t)len, f), (size_t)len);
	text[len] = '\0';
	fclose(f);
	return text;
}

START_TEST(test_catalogue_covered)
{
	char *man = read_man_page(), words[128];
	const char *name;
	int cmd;

	for (cmd = 0; cmd < JSV_CMD_MAX; cmd++) {
		name = jsv_command(cmd)->name;
		ck_assert_msg(ctl_has_command(cmd),
			      "%s has no entry in jobsvc-ctl's command table",
			      name);
		ck_assert_msg(parser_words(cmd, words, sizeof(words)) == 0,
			      "no jobsvc-ctl keyword selects %s", name);
		ck_assert_msg(man_has_entry(man, words),
			      "jobsvc-ctl.8 has no entry for \"%s\" (%s)",
			      words, name);
	}
	ck_assert(!ctl_has_command(CTL_NOCMD));
	free(man);
}
END_TEST

START_TEST(test_words)
{
	char words[128];

	ck_assert_int_eq(parser_words(JSV_CMD_QUEUE_STOP, words, sizeof(words)),
			 0);
	ck_assert_str_eq(words, "queue stop");
	ck_assert_int_eq(parser_words(JSV_CMD_SCHEDULES, words, sizeof(words)),
			 0);
	ck_assert_str_eq(words, "schedules");
	ck_assert_int_eq(parser_words(JSV_CMD_SCHEDULES_RESUME, words,
				      sizeof(words)),
			 0);
	ck_assert_str_eq(words, "schedules resume");
	ck_assert_int_eq(parser_words(CTL_NOCMD, words, sizeof(words)), -1);
	ck_assert_str_eq(words, "");
	ck_assert(man_has_entry(".It Xo\n.Cm job log Ar id\n", "job log"));
	ck_assert(man_has_entry(".Pp\n.It Cm queue stop Ar t\n", "queue stop"));
	ck_assert(!man_has_entry(".It Cm queues\n", "queue"));
	ck_assert(!man_has_entry(".Cm queue stop\n", "queue stop"));
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
	tcase_add_test(tc, test_audit);
	tcase_add_test(tc, test_jobs);
	tcase_add_test(tc, test_submit);
	tcase_add_test(tc, test_submit_from);
	tcase_add_test(tc, test_submit_at);
	tcase_add_test(tc, test_submit_in);
	tcase_add_test(tc, test_submit_when_errors);
	tcase_add_test(tc, test_schedules);
	tcase_add_test(tc, test_schedule_add);
	tcase_add_test(tc, test_schedule_del);
	tcase_add_test(tc, test_schedule_errors);
	tcase_add_test(tc, test_page_errors);
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

	tc = tcase_create("catalogue");
	tcase_add_test(tc, test_catalogue_covered);
	tcase_add_test(tc, test_words);
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
