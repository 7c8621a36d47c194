/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the command catalogue (lib/catalog.c): the tables made from
 * lib/commands.def and the check of requests against them.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <string.h>

#include "catalog.h"

/* Checks the request text s; returns its result, err and cmd for asserts. */
static int check(const char *s, enum jsv_cmd *cmd, char *err, size_t errlen)
{
	struct json_object *req;
	const char *perr;
	int rv;

	req = jsv_json_parse(s, strlen(s), &perr);
	ck_assert_msg(req != NULL, "%s: %s", s, perr);
	err[0] = '\0';
	rv = jsv_request_check(req, cmd, err, errlen);
	json_object_put(req);
	return rv;
}

static void accepts(const char *s, enum jsv_cmd want)
{
	enum jsv_cmd cmd = JSV_CMD_MAX;
	char err[256];

	ck_assert_msg(check(s, &cmd, err, sizeof(err)) == 0, "%s: %s", s, err);
	ck_assert_int_eq(cmd, want);
}

static void refuses(const char *s, const char *want)
{
	enum jsv_cmd cmd;
	char err[256];

	ck_assert_msg(check(s, &cmd, err, sizeof(err)) == -EINVAL,
		      "%s accepted", s);
	ck_assert_msg(strcmp(err, want) == 0, "%s: got \"%s\", want \"%s\"", s,
		      err, want);
}

START_TEST(test_table_complete)
{
	const struct jsv_command *c;
	size_t i, j;
	int k;

	for (k = 0; k < JSV_CMD_MAX; k++) {
		c = jsv_command(k);
		ck_assert_ptr_nonnull(c->name);
		ck_assert_int_eq(jsv_cmd_lookup(c->name), k);
		for (i = 0; i < c->nfields; i++) {
			ck_assert_ptr_nonnull(c->fields[i].name);
			ck_assert_msg(strcmp(c->fields[i].name, "cmd") != 0,
				      "%s: a field named cmd", c->name);
			ck_assert(c->fields[i].min <= c->fields[i].max);
			for (j = 0; j < i; j++)
				ck_assert_msg(strcmp(c->fields[i].name,
						     c->fields[j].name) != 0,
					      "%s: field %s twice", c->name,
					      c->fields[i].name);
		}
	}
	ck_assert_int_eq(jsv_cmd_lookup("frobnicate"), -1);
	ck_assert_int_eq(jsv_cmd_lookup(""), -1);
}
END_TEST

START_TEST(test_request_new)
{
	struct json_object *req = jsv_request_new(JSV_CMD_QUEUE_STOP);
	enum jsv_cmd cmd;
	const char *name;
	char err[256];

	ck_assert_int_eq(jsv_json_get_string(req, "cmd", &name), 0);
	ck_assert_str_eq(name, jsv_command(JSV_CMD_QUEUE_STOP)->name);
	json_object_object_add(req, "all", json_object_new_boolean(1));
	ck_assert_int_eq(jsv_request_check(req, &cmd, err, sizeof(err)), 0);
	ck_assert_int_eq(cmd, JSV_CMD_QUEUE_STOP);
	json_object_put(req);
}
END_TEST

START_TEST(test_accepts)
{
	accepts("{\"cmd\":\"status\"}", JSV_CMD_STATUS);
	accepts("{\"cmd\":\"queue.stop\",\"types\":[\"A\",\"B_2\"]}",
		JSV_CMD_QUEUE_STOP);
	accepts("{\"cmd\":\"queue.pause\",\"all\":true}", JSV_CMD_QUEUE_PAUSE);
	/* "all": false with types: the types count */
	accepts("{\"cmd\":\"queue.resume\",\"all\":false,\"types\":[\"A\"]}",
		JSV_CMD_QUEUE_RESUME);
	accepts("{\"cmd\":\"workers\",\"pool_id\":\"p-1.x:y\"}",
		JSV_CMD_WORKERS);
	accepts("{\"cmd\":\"worker.free\",\"workers\":[\"p-3\"]}",
		JSV_CMD_WORKER_FREE);
	accepts("{\"cmd\":\"submit\",\"jobs\":[{\"name\":\"A\"}]}",
		JSV_CMD_SUBMIT);
	accepts("{\"cmd\":\"job.log\",\"id\":\"0123456789abcdef01234567\","
		"\"offset\":0}",
		JSV_CMD_JOB_LOG);
	accepts("{\"cmd\":\"execution.show\",\"id\":\"e1\",\"page\":1,"
		"\"page_size\":100}",
		JSV_CMD_EXECUTION_SHOW);
	accepts("{\"cmd\":\"schedule.add\",\"vendor_type\":\"A\","
		"\"cron\":\"* * * * *\",\"vendor_id\":-1,\"parameters\":{}}",
		JSV_CMD_SCHEDULE_ADD);
	accepts("{\"cmd\":\"schedule.del\",\"id\":9223372036854775807}",
		JSV_CMD_SCHEDULE_DEL);
	accepts("{\"cmd\":\"jobs\"}", JSV_CMD_JOBS);
	accepts("{\"cmd\":\"jobs\",\"status\":\"Stopped\",\"type\":\"A\","
		"\"page\":2,\"page_size\":5}",
		JSV_CMD_JOBS);
}
END_TEST

START_TEST(test_refuses)
{
	refuses("{}", "\"cmd\" is missing");
	refuses("{\"cmd\":1}", "\"cmd\" is missing");
	refuses("{\"cmd\":\"frobnicate\"}", "unknown command \"frobnicate\"");
	refuses("{\"cmd\":\"status\",\"x\":1}",
		"unknown field \"x\" for status");
	refuses("{\"cmd\":\"queue.stop\"}",
		"give \"types\" or \"all\" for queue.stop");
	refuses("{\"cmd\":\"queue.stop\",\"all\":false}",
		"give \"types\" or \"all\" for queue.stop");
	refuses("{\"cmd\":\"queue.stop\",\"all\":1}",
		"\"all\" must be true or false");
	refuses("{\"cmd\":\"queue.stop\",\"types\":[]}",
		"\"types\" must be a list of job types, 1 to 1000 of them");
	refuses("{\"cmd\":\"queue.stop\",\"types\":[\"lower\"]}",
		"\"types\" must be a list of job types, 1 to 1000 of them");
	refuses("{\"cmd\":\"queue.stop\",\"types\":\"A\"}",
		"\"types\" must be a list of job types, 1 to 1000 of them");
	refuses("{\"cmd\":\"worker.free\",\"workers\":[\"\"]}",
		"\"workers\" must be a list of worker ids, 1 to 10000 of them");
	refuses("{\"cmd\":\"job.show\"}", "\"id\" is missing for job.show");
	refuses("{\"cmd\":\"job.show\",\"id\":\"0123\"}",
		"\"id\" must be a job id (24 hex digits)");
	refuses("{\"cmd\":\"job.log\",\"id\":\"0123456789abcdef01234567\","
		"\"offset\":-1}",
		"\"offset\" must be an integer from 0");
	refuses("{\"cmd\":\"execution.show\",\"id\":\"-x\"}",
		"\"id\" must be an id (1 to 64 of A-Z a-z 0-9 _.:-)");
	refuses("{\"cmd\":\"schedules\",\"page_size\":101}",
		"\"page_size\" must be an integer from 1 to 100");
	refuses("{\"cmd\":\"schedules\",\"page\":0}",
		"\"page\" must be an integer from 1 to 1000000000");
	refuses("{\"cmd\":\"schedules\",\"page\":1.5}",
		"\"page\" must be an integer from 1 to 1000000000");
	refuses("{\"cmd\":\"schedule.del\",\"id\":9223372036854775808}",
		"\"id\" must be an integer from 1");
	refuses("{\"cmd\":\"schedule.add\",\"vendor_type\":\"A\","
		"\"cron\":\"\"}",
		"\"cron\" must be a string of 1 to 256 bytes");
	refuses("{\"cmd\":\"schedule.add\",\"vendor_type\":\"A\","
		"\"cron\":\"* * * * *\",\"parameters\":[]}",
		"\"parameters\" must be a JSON object");
	refuses("{\"cmd\":\"schedule.add\",\"cron\":\"* * * * *\"}",
		"\"vendor_type\" is missing for schedule.add");
	refuses("{\"cmd\":\"jobs\",\"status\":\"stopped\"}",
		"\"status\" must be a job status (Pending, Scheduled, Running, "
		"Success, Error, Stopped)");
	refuses("{\"cmd\":\"jobs\",\"type\":\"a\"}",
		"\"type\" must be a job type");
	refuses("{\"cmd\":\"submit\",\"jobs\":[1]}",
		"\"jobs\" must be a list of JSON objects, 1 to 1000 of them");
}
END_TEST

/* Every command has a line of its own: no wire name is used twice. */
START_TEST(test_names_unique)
{
	int i, j;

	for (i = 0; i < JSV_CMD_MAX; i++)
		for (j = 0; j < i; j++)
			ck_assert_str_ne(jsv_command(i)->name,
					 jsv_command(j)->name);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("catalog");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_table_complete);
	tcase_add_test(tc, test_request_new);
	tcase_add_test(tc, test_accepts);
	tcase_add_test(tc, test_refuses);
	tcase_add_test(tc, test_names_unique);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
