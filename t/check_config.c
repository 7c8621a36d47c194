/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the configuration parser (daemon/config.c): the values a
 * valid file yields, the defaults, and the exact "FILE:LINE: message" lines
 * for every kind of problem.
 */
#include "config.h"

#include <check.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jobsvcd.h"

#define FNAME "jobsvcd.conf"

/* The smallest valid tail: one queue, so tests can add a [jobsvcd] part. */
#define QUEUE_OK "[queue IMAGE_SCAN]\nexec = /bin/true\n"

static struct jsv_buf errs;
static struct jsvd_conf untouched; /* what *out holds before a failed parse */

static void setup(void)
{
	memset(&errs, 0, sizeof(errs));
}

static void teardown(void)
{
	jsv_buf_free(&errs);
}

/* Parses text as the file FNAME; errs gets the problems. */
static int parse(const char *text, struct jsvd_conf **out)
{
	FILE *fp;
	int r;

	jsv_buf_reset(&errs);
	fp = fmemopen((void *)text, strlen(text), "r");
	ck_assert_ptr_nonnull(fp);
	r = config_parse(fp, FNAME, out, &errs);
	fclose(fp);
	return r;
}

static const char *errs_text(void)
{
	return errs.data != NULL ? errs.data : "";
}

/* Parses a valid text and returns its configuration. */
static struct jsvd_conf *parse_ok(const char *text)
{
	struct jsvd_conf *conf = NULL;

	ck_assert_msg(parse(text, &conf) == 0, "unexpected errors:\n%s",
		      errs_text());
	ck_assert_ptr_nonnull(conf);
	ck_assert_uint_eq(errs.len, 0);
	return conf;
}

/* Parses an invalid text: errs must be exactly want and *out untouched. */
static void parse_bad(const char *text, const char *want)
{
	struct jsvd_conf *conf = &untouched;

	ck_assert_int_eq(parse(text, &conf), -EINVAL);
	ck_assert_ptr_eq(conf, &untouched);
	ck_assert_str_eq(errs_text(), want);
}

START_TEST(test_all_keys)
{
	struct jsvd_conf *conf;
	struct queue_conf *q;

	conf = parse_ok("[jobsvcd]\n"
			"redis = redis://:s3cret@db.example.org:6380/2\n"
			"namespace = jobs.prod-1\n"
			"workers = 32\n"
			"log_dir = /srv/jobsvc/logs\n"
			"stop_grace = 1m30s\n"
			"heartbeat = 2s\n"
			"dead_timeout = 1m\n"
			"admin_group = ops\n"
			"env = LANG=C.UTF-8\n"
			"env = HTTPS_PROXY=http://proxy:3128\n"
			"\n"
			"[queue IMAGE_SCAN]\n"
			"exec = /usr/lib/jobsvc/handlers/image-scan\n"
			"max_concurrency = 4\n"
			"max_retries = 3\n"
			"timeout = 24h\n"
			"env = SCANNER=trivy\n"
			"env = EMPTY=\n"
			"\n"
			"[queue WEBHOOK]\n"
			"exec = /usr/lib/jobsvc/handlers/webhook\n"
			"persistent = yes\n");
	/* the password is never logged */
	ck_assert_str_eq(conf->redis, "redis://:***@db.example.org:6380/2");
	ck_assert_ptr_null(conf->redis_path);
	ck_assert_str_eq(conf->redis_host, "db.example.org");
	ck_assert_int_eq(conf->redis_port, 6380);
	ck_assert_int_eq(conf->redis_db, 2);
	ck_assert_str_eq(conf->redis_password, "s3cret");
	ck_assert_str_eq(conf->namespace, "jobs.prod-1");
	ck_assert_uint_eq(conf->workers, 32);
	ck_assert_str_eq(conf->log_dir, "/srv/jobsvc/logs");
	ck_assert_uint_eq(conf->stop_grace_ms, 90000);
	ck_assert_uint_eq(conf->heartbeat_ms, 2000);
	ck_assert_uint_eq(conf->dead_timeout_ms, 60000);
	ck_assert_str_eq(conf->admin_group, "ops");
	ck_assert_uint_eq(conf->nenv, 2);
	ck_assert_str_eq(conf->env[0], "LANG=C.UTF-8");
	ck_assert_str_eq(conf->env[1], "HTTPS_PROXY=http://proxy:3128");

	ck_assert_uint_eq(conf->nqueues, 2);
	q = TAILQ_FIRST(&conf->queues);
	ck_assert_str_eq(q->name, "IMAGE_SCAN");
	ck_assert_str_eq(q->exec, "/usr/lib/jobsvc/handlers/image-scan");
	ck_assert_uint_eq(q->max_concurrency, 4);
	ck_assert_uint_eq(q->max_retries, 3);
	ck_assert_uint_eq(q->timeout_ms, 86400000);
	ck_assert_uint_eq(q->nenv, 2);
	ck_assert_str_eq(q->env[0], "SCANNER=trivy");
	ck_assert_str_eq(q->env[1], "EMPTY=");
	ck_assert_ptr_eq(config_queue(conf, "IMAGE_SCAN"), q);
	ck_assert(!q->persistent);

	q = TAILQ_NEXT(q, entry);
	ck_assert_str_eq(q->name, "WEBHOOK");
	ck_assert_str_eq(q->exec, "/usr/lib/jobsvc/handlers/webhook");
	ck_assert_uint_eq(q->max_concurrency, 0);
	ck_assert_uint_eq(q->max_retries, 0);
	ck_assert_uint_eq(q->timeout_ms, 0);
	ck_assert_uint_eq(q->nenv, 0);
	ck_assert_ptr_null(q->env);
	ck_assert_ptr_null(TAILQ_NEXT(q, entry));
	ck_assert_ptr_eq(config_queue(conf, "WEBHOOK"), q);
	ck_assert_ptr_null(config_queue(conf, "SLACK"));
	ck_assert_ptr_null(config_queue(conf, "webhook"));
	config_free(conf);
}
END_TEST

START_TEST(test_defaults)
{
	struct jsvd_conf *conf;
	struct queue_conf *q;

	conf = parse_ok(QUEUE_OK);
	ck_assert_str_eq(conf->redis, "redis://127.0.0.1:6379");
	ck_assert_ptr_null(conf->redis_path);
	ck_assert_str_eq(conf->redis_host, "127.0.0.1");
	ck_assert_int_eq(conf->redis_port, 6379);
	ck_assert_int_eq(conf->redis_db, 0);
	ck_assert_ptr_null(conf->redis_password);
	ck_assert_str_eq(conf->namespace, "jobsvc");
	ck_assert_uint_eq(conf->workers, 10);
	ck_assert_str_eq(conf->log_dir, "/var/log/jobsvc/jobs");
	ck_assert_uint_eq(conf->stop_grace_ms, 10000);
	ck_assert_uint_eq(conf->heartbeat_ms, 5000);
	ck_assert_uint_eq(conf->dead_timeout_ms, 15000);
	ck_assert_str_eq(conf->admin_group, "jobsvc-admin");
	ck_assert_uint_eq(conf->nenv, 0);
	ck_assert_ptr_null(conf->env);
	ck_assert_uint_eq(conf->nqueues, 1);
	q = TAILQ_FIRST(&conf->queues);
	ck_assert_str_eq(q->name, "IMAGE_SCAN");
	ck_assert_str_eq(q->exec, "/bin/true");
	ck_assert_uint_eq(q->max_concurrency, 0);
	ck_assert_uint_eq(q->max_retries, 0);
	ck_assert_uint_eq(q->timeout_ms, 0);
	ck_assert_uint_eq(q->nenv, 0);
	ck_assert_uint_eq(conf->retention_ms, 24 * 3600 * 1000ULL);
	ck_assert_uint_eq(conf->error_retention_ms, 7 * 24 * 3600 * 1000ULL);
	ck_assert_uint_eq(conf->crash_retries, 2);
	ck_assert_uint_eq(conf->handler_nice, 5);
	ck_assert_uint_eq(q->backoff_ms, 10000);
	ck_assert_uint_eq(q->backoff_max_ms, 3600 * 1000ULL);
	config_free(conf);

	/* An empty [jobsvcd] section changes nothing either. */
	conf = parse_ok("[jobsvcd]\n" QUEUE_OK);
	ck_assert_uint_eq(conf->workers, 10);
	config_free(conf);
}
END_TEST

START_TEST(test_redis_forms)
{
	struct jsvd_conf *conf;

	conf = parse_ok("[jobsvcd]\n"
			"redis = unix:/run/redis/redis-server.sock\n" QUEUE_OK);
	ck_assert_str_eq(conf->redis, "unix:/run/redis/redis-server.sock");
	ck_assert_str_eq(conf->redis_path, "/run/redis/redis-server.sock");
	ck_assert_ptr_null(conf->redis_host);
	ck_assert_ptr_null(conf->redis_password);
	ck_assert_int_eq(conf->redis_db, 0);
	config_free(conf);

	conf = parse_ok("[jobsvcd]\nredis = redis://localhost\n" QUEUE_OK);
	ck_assert_ptr_null(conf->redis_path);
	ck_assert_str_eq(conf->redis_host, "localhost");
	ck_assert_int_eq(conf->redis_port, 6379);
	ck_assert_int_eq(conf->redis_db, 0);
	ck_assert_ptr_null(conf->redis_password);
	config_free(conf);

	conf = parse_ok("[jobsvcd]\nredis = redis://[::1]:7000/15\n" QUEUE_OK);
	ck_assert_str_eq(conf->redis_host, "::1");
	ck_assert_int_eq(conf->redis_port, 7000);
	ck_assert_int_eq(conf->redis_db, 15);
	config_free(conf);

	/* The password runs to the last '@' and may hold '@', ':' and '/'. */
	conf = parse_ok(
		"[jobsvcd]\nredis = redis://:a@b:c/d@10.0.0.1/3\n" QUEUE_OK);
	ck_assert_str_eq(conf->redis_password, "a@b:c/d");
	ck_assert_str_eq(conf->redis_host, "10.0.0.1");
	ck_assert_int_eq(conf->redis_port, 6379);
	ck_assert_int_eq(conf->redis_db, 3);
	config_free(conf);

	conf = parse_ok("[jobsvcd]\nredis = redis://h/\n" QUEUE_OK);
	ck_assert_str_eq(conf->redis_host, "h");
	ck_assert_int_eq(conf->redis_db, 0);
	config_free(conf);
}
END_TEST

START_TEST(test_comments)
{
	struct jsvd_conf *conf;
	struct queue_conf *q;

	conf = parse_ok("# jobsvcd configuration\n"
			"   # indented comment\n"
			"\t\n"
			"[jobsvcd]   # the daemon\n"
			"  workers   =   7   # seven\n"
			"env=A=a#b\n"
			"log_dir = /var/log/x#y # cut here\n"
			"#workers = 8\n"
			"\n"
			"[queue   SLACK ]\r\n"
			"exec = /usr/bin/slack\t# handler\r\n"
			"env = MSG=hello # world\n");
	ck_assert_uint_eq(conf->workers, 7);
	ck_assert_uint_eq(conf->nenv, 1);
	ck_assert_str_eq(conf->env[0], "A=a#b");
	ck_assert_str_eq(conf->log_dir, "/var/log/x#y");
	q = config_queue(conf, "SLACK");
	ck_assert_ptr_nonnull(q);
	ck_assert_str_eq(q->exec, "/usr/bin/slack");
	ck_assert_uint_eq(q->nenv, 1);
	ck_assert_str_eq(q->env[0], "MSG=hello");
	config_free(conf);

	/* The last line needs no newline. */
	conf = parse_ok("[queue SLACK]\nexec = /bin/true");
	ck_assert_str_eq(TAILQ_FIRST(&conf->queues)->exec, "/bin/true");
	config_free(conf);
}
END_TEST

START_TEST(test_env)
{
	struct jsvd_conf *conf;
	struct queue_conf *q;

	conf = parse_ok("[jobsvcd]\n"
			"env = A=1\n"
			"env = _B2=x=y\n"
			"[queue SLACK]\n"
			"exec = /bin/true\n"
			"env = A=2\n"
			"env = URL=https://h/p?q=1&r=2\n");
	ck_assert_uint_eq(conf->nenv, 2);
	ck_assert_str_eq(conf->env[0], "A=1");
	ck_assert_str_eq(conf->env[1], "_B2=x=y");
	q = config_queue(conf, "SLACK");
	ck_assert_uint_eq(q->nenv, 2);
	ck_assert_str_eq(q->env[0], "A=2");
	ck_assert_str_eq(q->env[1], "URL=https://h/p?q=1&r=2");
	config_free(conf);

	parse_bad(
		"[jobsvcd]\n"
		"env = NOEQUALS\n"
		"env = =x\n"
		"env = 1A=x\n"
		"env = A-B=x\n"
		"env = JOBSVC_JOB_ID=1\n"
		"env = A=1\n"
		"env = A=2\n"
		"env = AB=3\n"
		"[queue SLACK]\n"
		"exec = /bin/true\n"
		"env = A=3\n"
		"env = A=4\n",
		"jobsvcd.conf:2: invalid env \"NOEQUALS\": expected NAME=value\n"
		"jobsvcd.conf:3: invalid env \"=x\": expected NAME=value\n"
		"jobsvcd.conf:4: invalid env name \"1A\": expected letters, digits and _, not starting with a digit\n"
		"jobsvcd.conf:5: invalid env name \"A-B\": expected letters, digits and _, not starting with a digit\n"
		"jobsvcd.conf:6: env name \"JOBSVC_JOB_ID\" is reserved: JOBSVC_* names are set by jobsvcd\n"
		"jobsvcd.conf:8: env \"A\" is already set in this section\n"
		"jobsvcd.conf:13: env \"A\" is already set in this section\n");
}
END_TEST

START_TEST(test_heartbeat)
{
	struct jsvd_conf *conf;

	conf = parse_ok("[jobsvcd]\nheartbeat = 14s\n" QUEUE_OK);
	ck_assert_uint_eq(conf->heartbeat_ms, 14000);
	config_free(conf);

	parse_bad(
		"[jobsvcd]\nheartbeat = 15s\n" QUEUE_OK,
		"jobsvcd.conf:2: heartbeat must be shorter than dead_timeout\n");
	parse_bad(
		"[jobsvcd]\ndead_timeout = 5s\n" QUEUE_OK,
		"jobsvcd.conf:2: heartbeat must be shorter than dead_timeout\n");
	/* Reported on the later of the two lines. */
	parse_bad(
		"[jobsvcd]\n"
		"heartbeat = 1m\n"
		"workers = 2\n"
		"dead_timeout = 30s\n" QUEUE_OK,
		"jobsvcd.conf:4: heartbeat must be shorter than dead_timeout\n");
	parse_bad(
		"[jobsvcd]\n"
		"dead_timeout = 30s\n"
		"heartbeat = 30s\n" QUEUE_OK,
		"jobsvcd.conf:3: heartbeat must be shorter than dead_timeout\n");
	parse_bad(
		"[jobsvcd]\nheartbeat = 0\n" QUEUE_OK,
		"jobsvcd.conf:2: invalid heartbeat \"0\": must be more than 0\n");
	/* A bad value is not compared. */
	parse_bad(
		"[jobsvcd]\ndead_timeout = soon\n" QUEUE_OK,
		"jobsvcd.conf:2: invalid dead_timeout \"soon\": expected a duration such as 500ms, 10s, 1h30m or 2d\n");
}
END_TEST

/* One bad line after "[jobsvcd]" on line 1, and the error on line 2. */
static const struct {
	const char *line;
	const char *err;
} bad_main[] = {
	{ "wrokers = 3", "unknown key \"wrokers\" in [jobsvcd]" },
	{ "exec = /bin/true", "unknown key \"exec\" in [jobsvcd]" },
	{ "Workers = 3", "unknown key \"Workers\" in [jobsvcd]" },
	{ "bad\001key = 1", "unknown key \"bad\\x01key\" in [jobsvcd]" },
	{ "workers", "expected \"key = value\" or a [section] header" },
	{ "= 3", "missing key before =" },
	{ "workers =", "missing value for \"workers\"" },
	{ "workers = # none", "missing value for \"workers\"" },
	{ "workers = 0",
	  "invalid workers \"0\": expected a number from 1 to 1024" },
	{ "workers = 1025",
	  "invalid workers \"1025\": expected a number from 1 to 1024" },
	{ "workers = -1",
	  "invalid workers \"-1\": expected a number from 1 to 1024" },
	{ "workers = 10x",
	  "invalid workers \"10x\": expected a number from 1 to 1024" },
	{ "workers = 99999999999999999999",
	  "invalid workers \"99999999999999999999\": expected a number from 1 to 1024" },
	{ "workers = 4294967306",
	  "invalid workers \"4294967306\": expected a number from 1 to 1024" },
	{ "namespace = a b",
	  "invalid namespace \"a b\": expected 1 to 64 of A-Z, a-z, 0-9, _, . and -" },
	{ "namespace = a:b",
	  "invalid namespace \"a:b\": expected 1 to 64 of A-Z, a-z, 0-9, _, . and -" },
	{ "namespace = "
	  "12345678901234567890123456789012345678901234567890123456789012345",
	  "invalid namespace \"12345678901234567890123456789012345678901234567890123456789012345\": expected 1 to 64 of A-Z, a-z, 0-9, _, . and -" },
	{ "log_dir = var/log",
	  "invalid log_dir \"var/log\": expected an absolute path" },
	{ "heartbeat = 5x",
	  "invalid heartbeat \"5x\": expected a duration such as 500ms, 10s, 1h30m or 2d" },
	{ "stop_grace = 10 s",
	  "invalid stop_grace \"10 s\": expected a duration such as 500ms, 10s, 1h30m or 2d" },
	{ "stop_grace = 10y",
	  "invalid stop_grace \"10y\": expected a duration such as 500ms, 10s, 1h30m or 2d" },
	{ "stop_grace = 99999999999999999999d",
	  "invalid stop_grace \"99999999999999999999d\": at most 1h" },
	{ "stop_grace = 3601s", "invalid stop_grace \"3601s\": at most 1h" },
	{ "heartbeat = 2h", "invalid heartbeat \"2h\": at most 1h" },
	{ "dead_timeout = 61m", "invalid dead_timeout \"61m\": at most 1h" },
	{ "retention = 3651d", "invalid retention \"3651d\": at most 3650d" },
	{ "error_retention = 18446744073709552ms",
	  "invalid error_retention \"18446744073709552ms\": at most 3650d" },
	{ "admin_group = -wheel",
	  "invalid admin_group \"-wheel\": expected a group name of 1 to 32 of A-Z, a-z, 0-9, _, . and -" },
	{ "admin_group = a b",
	  "invalid admin_group \"a b\": expected a group name of 1 to 32 of A-Z, a-z, 0-9, _, . and -" },
	{ "[jobsvcd]", "duplicate section [jobsvcd] (first on line 1)" },
	{ "[unknown]", "unknown section [unknown]" },
	{ "[queues IMAGE_SCAN]", "unknown section [queues IMAGE_SCAN]" },
	{ "[queue]", "missing job type in [queue NAME]" },
	{ "[queue  ]", "missing job type in [queue NAME]" },
	{ "[jobsvcd", "expected ] at the end of the section header" },
	{ "[jobsvcd] x", "expected ] at the end of the section header" },
};

/* The lifecycle keys: retention, crash allowance, retry backoff. */
START_TEST(test_lifecycle_keys)
{
	struct jsvd_conf *conf;
	struct queue_conf *q;

	conf = parse_ok("[jobsvcd]\n"
			"retention = 2h\n"
			"error_retention = 3d\n"
			"crash_retries = 0\n"
			"handler_nice = 0\n"
			"[queue IMAGE_SCAN]\n"
			"exec = /bin/true\n"
			"retry_backoff = 250ms\n"
			"retry_backoff_max = 1m\n");
	ck_assert_uint_eq(conf->retention_ms, 2 * 3600 * 1000ULL);
	ck_assert_uint_eq(conf->error_retention_ms, 3 * 24 * 3600 * 1000ULL);
	ck_assert_uint_eq(conf->crash_retries, 0);
	ck_assert_uint_eq(conf->handler_nice, 0);
	q = TAILQ_FIRST(&conf->queues);
	ck_assert_uint_eq(q->backoff_ms, 250);
	ck_assert_uint_eq(q->backoff_max_ms, 60000);
	config_free(conf);

	parse_bad("[jobsvcd]\ncrash_retries = -1\n" QUEUE_OK,
		  "jobsvcd.conf:2: invalid crash_retries \"-1\": expected a "
		  "number from 0 to 1000\n");
	parse_bad("[jobsvcd]\nhandler_nice = 20\n" QUEUE_OK,
		  "jobsvcd.conf:2: invalid handler_nice \"20\": expected a "
		  "number from 0 to 19\n");
	parse_bad("[queue IMAGE_SCAN]\nexec = /bin/true\n"
		  "retry_backoff = soon\n",
		  "jobsvcd.conf:3: invalid retry_backoff \"soon\": expected a "
		  "duration such as 500ms, 10s, 1h30m or 2d\n");
}
END_TEST

START_TEST(test_bad_main)
{
	char text[512], want[512];

	snprintf(text, sizeof(text), "[jobsvcd]\n%s\n" QUEUE_OK,
		 bad_main[_i].line);
	snprintf(want, sizeof(want), "jobsvcd.conf:2: %s\n", bad_main[_i].err);
	parse_bad(text, want);
}
END_TEST

START_TEST(test_nul)
{
	static const char text[] = "[jobsvcd]\nworkers = 3\0\n" QUEUE_OK;
	struct jsvd_conf *conf = &untouched;
	FILE *fp;

	fp = fmemopen((void *)text, sizeof(text) - 1, "r");
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(config_parse(fp, FNAME, &conf, &errs), -EINVAL);
	fclose(fp);
	ck_assert_ptr_eq(conf, &untouched);
	ck_assert_str_eq(errs_text(), "jobsvcd.conf:2: NUL byte in line\n");
}
END_TEST

START_TEST(test_bad_queue)
{
	parse_bad(
		"[queue image_scan]\nexec = /bin/true\n",
		"jobsvcd.conf:1: invalid job type \"image_scan\": expected 1 to 64 of A-Z, 0-9 and _, starting with a letter\n");
	parse_bad(
		"[queue IMAGE SCAN]\nexec = /bin/true\n",
		"jobsvcd.conf:1: invalid job type \"IMAGE SCAN\": expected 1 to 64 of A-Z, 0-9 and _, starting with a letter\n");
	parse_bad("[queue SLACK]\n",
		  "jobsvcd.conf:1: [queue SLACK] has no exec\n");
	parse_bad(
		"[queue SLACK]\nexec = bin/true\n",
		"jobsvcd.conf:2: invalid exec \"bin/true\": expected an absolute path\n");
	parse_bad(
		QUEUE_OK "max_concurrency = 1000001\n",
		"jobsvcd.conf:3: invalid max_concurrency \"1000001\": expected a number from 0 to 1000000\n");
	parse_bad(
		QUEUE_OK "max_retries = 1001\n",
		"jobsvcd.conf:3: invalid max_retries \"1001\": expected a number from 0 to 1000\n");
	parse_bad(
		QUEUE_OK "max_retries = three\n",
		"jobsvcd.conf:3: invalid max_retries \"three\": expected a number from 0 to 1000\n");
	parse_bad(
		QUEUE_OK "persistent = 1\n",
		"jobsvcd.conf:3: invalid persistent \"1\": expected yes or no\n");
	parse_bad(
		QUEUE_OK "timeout = 1h30\n",
		"jobsvcd.conf:3: invalid timeout \"1h30\": expected a duration such as 500ms, 10s, 1h30m or 2d\n");
	parse_bad(
		QUEUE_OK "workers = 3\n",
		"jobsvcd.conf:3: unknown key \"workers\" in [queue IMAGE_SCAN]\n");
	parse_bad("workers = 3\n" QUEUE_OK,
		  "jobsvcd.conf:1: key \"workers\" outside of any section\n");
}
END_TEST

START_TEST(test_no_queue)
{
	parse_bad(
		"# nothing\n",
		"jobsvcd.conf:1: no [queue NAME] section: at least one job type is needed\n");
	parse_bad(
		"[jobsvcd]\nworkers = 3\n",
		"jobsvcd.conf:1: no [queue NAME] section: at least one job type is needed\n");
}
END_TEST

START_TEST(test_duplicates)
{
	parse_bad(
		"[jobsvcd]\n"
		"workers = 3\n"
		"namespace = a\n"
		"workers = 4\n" QUEUE_OK "exec = /bin/false\n"
		"[queue SLACK]\n"
		"exec = /bin/true\n" QUEUE_OK "[jobsvcd]\n"
		"namespace = b\n",
		"jobsvcd.conf:4: duplicate key \"workers\" (first on line 2)\n"
		"jobsvcd.conf:7: duplicate key \"exec\" (first on line 6)\n"
		"jobsvcd.conf:10: duplicate section [queue IMAGE_SCAN] (first on line 5)\n"
		"jobsvcd.conf:12: duplicate section [jobsvcd] (first on line 1)\n"
		"jobsvcd.conf:13: duplicate key \"namespace\" (first on line 3)\n");
}
END_TEST

/* Keys of a thrown-away section are still checked; unknown sections' not. */
START_TEST(test_multiple)
{
	parse_bad(
		"[jobsvcd]\n"
		"workers = many\n"
		"redis = redis://:pw@\n"
		"verbose = 1\n"
		"\n"
		"[queue bad]\n"
		"exec = relative\n"
		"colour = red\n"
		"[extra]\n"
		"anything = goes\n"
		"[queue GOOD]\n"
		"exec = /bin/true\n"
		"timeout = forever\n"
		"[queue EMPTY]\n"
		"max_retries = 2\n",
		"jobsvcd.conf:2: invalid workers \"many\": expected a number from 1 to 1024\n"
		"jobsvcd.conf:3: invalid redis URL: invalid host\n"
		"jobsvcd.conf:4: unknown key \"verbose\" in [jobsvcd]\n"
		"jobsvcd.conf:6: invalid job type \"bad\": expected 1 to 64 of A-Z, 0-9 and _, starting with a letter\n"
		"jobsvcd.conf:7: invalid exec \"relative\": expected an absolute path\n"
		"jobsvcd.conf:8: unknown key \"colour\" in [queue bad]\n"
		"jobsvcd.conf:9: unknown section [extra]\n"
		"jobsvcd.conf:13: invalid timeout \"forever\": expected a duration such as 500ms, 10s, 1h30m or 2d\n"
		"jobsvcd.conf:14: [queue EMPTY] has no exec\n");
}
END_TEST

static const struct {
	const char *url;
	const char *err;
} bad_redis[] = {
	{ "localhost:6379",
	  "expected unix:/path or redis://[:password@]host[:port][/db]" },
	{ "rediss://h",
	  "expected unix:/path or redis://[:password@]host[:port][/db]" },
	{ "REDIS://h",
	  "expected unix:/path or redis://[:password@]host[:port][/db]" },
	{ "unix:run/redis.sock", "the socket path must be absolute" },
	{ "unix:", "the socket path must be absolute" },
	{ "unix:/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	  "the socket path is too long" },
	{ "redis://", "invalid host" },
	{ "redis:///0", "invalid host" },
	{ "redis://:6379", "invalid host" },
	{ "redis://h st", "invalid host" },
	{ "redis://h:0", "the port must be a number from 1 to 65535" },
	{ "redis://h:65536", "the port must be a number from 1 to 65535" },
	{ "redis://h:", "the port must be a number from 1 to 65535" },
	{ "redis://h:x/1", "the port must be a number from 1 to 65535" },
	{ "redis://h:1:2", "the port must be a number from 1 to 65535" },
	{ "redis://h/x", "the database must be a number" },
	{ "redis://h/-1", "the database must be a number" },
	{ "redis://h/1/2", "the database must be a number" },
	{ "redis://user:pw@h", "expected :password@ before the host" },
	{ "redis://:@h", "expected :password@ before the host" },
	{ "redis://[::1", "missing ] after the IPv6 address" },
	{ "redis://[]:1", "invalid host" },
	{ "redis://[::1]x", "expected :port after the IPv6 address" },
};

START_TEST(test_bad_redis)
{
	char text[512], want[512];

	snprintf(text, sizeof(text), "[jobsvcd]\nredis = %s\n" QUEUE_OK,
		 bad_redis[_i].url);
	snprintf(want, sizeof(want), "jobsvcd.conf:2: invalid redis URL: %s\n",
		 bad_redis[_i].err);
	parse_bad(text, want);
}
END_TEST

START_TEST(test_long_line)
{
	size_t max = 4096, len = strlen("[jobsvcd]\n") + max + 2 + 200;
	char *text = malloc(len);
	struct jsvd_conf *conf;
	char *p;

	ck_assert_ptr_nonnull(text);
	/* Exactly 4096 bytes is fine: a comment padded with blanks. */
	p = text + sprintf(text, "[jobsvcd]\n#");
	memset(p, ' ', max - 1);
	p += max - 1;
	sprintf(p, "\n" QUEUE_OK);
	conf = parse_ok(text);
	config_free(conf);

	/* One more is an error, and the next line is still line 3. */
	p = text + sprintf(text, "[jobsvcd]\n#");
	memset(p, ' ', max);
	p += max;
	sprintf(p, "\nworkers = 0\n" QUEUE_OK);
	parse_bad(
		text,
		"jobsvcd.conf:2: line longer than 4096 bytes\n"
		"jobsvcd.conf:3: invalid workers \"0\": expected a number from 1 to 1024\n");
	free(text);
}
END_TEST

START_TEST(test_long_value_quoted)
{
	struct jsvd_conf *conf = NULL;
	char text[512], key[201];

	memset(key, 'a', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	snprintf(text, sizeof(text), "[jobsvcd]\n%s = 1\n" QUEUE_OK, key);
	ck_assert_int_eq(parse(text, &conf), -EINVAL);
	/* User text in a message is shortened, the line stays one line. */
	ck_assert_ptr_nonnull(strstr(errs_text(), "...\" in [jobsvcd]\n"));
	ck_assert_uint_lt(errs.len, 200);
}
END_TEST

START_TEST(test_load)
{
	struct jsvd_conf *conf = NULL;

	ck_assert_int_eq(config_load("/nonexistent/jobsvcd.conf", &conf, &errs),
			 -ENOENT);
	ck_assert_ptr_null(conf);
	ck_assert_str_eq(
		errs_text(),
		"/nonexistent/jobsvcd.conf: No such file or directory\n");
	config_free(NULL);

	jsv_buf_reset(&errs);
	ck_assert_int_eq(config_load("/", &conf, &errs), -EINVAL);
	ck_assert_ptr_null(conf);
	ck_assert_str_eq(errs_text(), "/:1: read error: Is a directory\n");
}
END_TEST

/*
 * The source tree: $srcdir as automake's test driver sets it, or else the
 * directory above this file's, for a test started by hand.
 */
static char *srcdir_path(const char *rel)
{
	const char *srcdir = getenv("srcdir");
	char *path;

	if (srcdir != NULL) {
		xasprintf(&path, "%s/%s", srcdir, rel);
	} else {
		const char *file = __FILE__;
		const char *slash = strrchr(file, '/');
		int dirlen = slash != NULL ? (int)(slash - file) : 0;

		xasprintf(&path, "%.*s%s../%s", dirlen, file,
			  slash != NULL ? "/" : "", rel);
	}
	return path;
}

static const char *const seed_types[] = {
	"GARBAGE_COLLECTION",
	"IMAGE_SCAN",
	"P2P_PREHEAT",
	"PURGE_AUDIT",
	"REPLICATION",
	"RETENTION",
	"SCAN_DATA_EXPORT",
	"SCHEDULER",
	"SLACK",
	"SYSTEM_ARTIFACT_CLEANUP",
	"WEBHOOK",
};

START_TEST(test_packaged)
{
	char *path = srcdir_path("packaging/jobsvcd.conf");
	struct jsvd_conf *conf = NULL;
	struct queue_conf *q;
	char want[128], *c;
	size_t i;

	ck_assert_msg(config_load(path, &conf, &errs) == 0, "%s", errs_text());
	ck_assert_uint_eq(errs.len, 0);
	ck_assert_uint_eq(conf->nqueues, JSV_ARRAY_SIZE(seed_types));
	i = 0;
	TAILQ_FOREACH(q, &conf->queues, entry) {
		ck_assert_str_eq(q->name, seed_types[i]);
		/* The handler is named for the type in lower case, '_' as '-'. */
		snprintf(want, sizeof(want), "/usr/lib/jobsvc/handlers/%s",
			 q->name);
		for (c = strrchr(want, '/'); *c != '\0'; c++)
			*c = *c == '_' ? '-' : (char)tolower((unsigned char)*c);
		ck_assert_str_eq(q->exec, want);
		i++;
	}
	ck_assert_uint_eq(i, JSV_ARRAY_SIZE(seed_types));
	config_free(conf);
	free(path);
}
END_TEST

/* Durations past their maximum, and retry waits that contradict. */
START_TEST(test_duration_limits)
{
	struct jsvd_conf *conf;
	struct queue_conf *q;

	conf = parse_ok("[jobsvcd]\n"
			"stop_grace = 1h\n"
			"heartbeat = 59m\n"
			"dead_timeout = 1h\n"
			"retention = 3650d\n"
			"[queue IMAGE_SCAN]\n"
			"exec = /bin/true\n"
			"timeout = 30d\n"
			"retry_backoff = 30d\n"
			"retry_backoff_max = 30d\n");
	ck_assert_uint_eq(conf->stop_grace_ms, 3600 * 1000ULL);
	q = TAILQ_FIRST(&conf->queues);
	ck_assert_uint_eq(q->timeout_ms, 30 * 24 * 3600 * 1000ULL);
	config_free(conf);

	parse_bad("[queue IMAGE_SCAN]\nexec = /bin/true\n"
		  "timeout = 18446744073709552ms\n",
		  "jobsvcd.conf:3: invalid timeout \"18446744073709552ms\": "
		  "at most 30d\n");
	parse_bad("[queue IMAGE_SCAN]\nexec = /bin/true\ntimeout = 31d\n",
		  "jobsvcd.conf:3: invalid timeout \"31d\": at most 30d\n");
	parse_bad(
		"[queue IMAGE_SCAN]\nexec = /bin/true\n"
		"retry_backoff_max = 1000h\n",
		"jobsvcd.conf:3: invalid retry_backoff_max \"1000h\": at most "
		"30d\n");
	/* The first wait longer than the longest: on the later key. */
	parse_bad("[queue IMAGE_SCAN]\nexec = /bin/true\n"
		  "retry_backoff = 2h\n\n",
		  "jobsvcd.conf:3: [queue IMAGE_SCAN] retry_backoff is longer "
		  "than retry_backoff_max\n");
	parse_bad("[queue IMAGE_SCAN]\nexec = /bin/true\n"
		  "retry_backoff_max = 1m\nretry_backoff = 90s\n"
		  "[queue WEBHOOK]\nexec = /bin/true\n",
		  "jobsvcd.conf:4: [queue IMAGE_SCAN] retry_backoff is longer "
		  "than retry_backoff_max\n");
	/* An invalid one is reported alone. */
	parse_bad(
		"[queue IMAGE_SCAN]\nexec = /bin/true\n"
		"retry_backoff = 2h\nretry_backoff_max = soon\n",
		"jobsvcd.conf:4: invalid retry_backoff_max \"soon\": expected "
		"a duration such as 500ms, 10s, 1h30m or 2d\n");
}
END_TEST

/* An exec that is missing, not executable or not a file. */
START_TEST(test_check_execs)
{
	struct jsvd_conf *conf;
	char dir[] = "/tmp/check_config.XXXXXX", *plain, *want;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	xasprintf(&plain, "%s/plain", dir);
	fclose(fopen(plain, "w"));
	conf = parse_ok("[queue A]\nexec = /bin/true\n"
			"[queue B]\nexec = /nonexistent/handler\n"
			"[queue C]\nexec = /tmp\n");
	ck_assert_uint_eq(config_check_execs(conf, FNAME, &errs), 2);
	ck_assert_str_eq(errs_text(),
			 "jobsvcd.conf: [queue B] exec /nonexistent/handler: "
			 "No such file or directory\n"
			 "jobsvcd.conf: [queue C] exec /tmp: not a regular "
			 "file\n");
	config_free(conf);

	jsv_buf_reset(&errs);
	xasprintf(&want, "[queue A]\nexec = %s\n", plain);
	conf = parse_ok(want);
	free(want);
	/* Even root may not run a file without any execute bit. */
	ck_assert_uint_eq(config_check_execs(conf, FNAME, &errs), 1);
	xasprintf(&want, "jobsvcd.conf: [queue A] exec %s: Permission denied\n",
		  plain);
	ck_assert_str_eq(errs_text(), want);
	free(want);
	config_free(conf);

	jsv_buf_reset(&errs);
	conf = parse_ok("[queue A]\nexec = /bin/true\n");
	ck_assert_uint_eq(config_check_execs(conf, FNAME, &errs), 0);
	ck_assert_uint_eq(errs.len, 0);
	config_free(conf);
	unlink(plain);
	rmdir(dir);
	free(plain);
}
END_TEST

static Suite *config_suite(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_all_keys);
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_lifecycle_keys);
	tcase_add_test(tc, test_redis_forms);
	tcase_add_test(tc, test_comments);
	tcase_add_test(tc, test_env);
	tcase_add_test(tc, test_heartbeat);
	tcase_add_loop_test(tc, test_bad_main, 0, JSV_ARRAY_SIZE(bad_main));
	tcase_add_test(tc, test_nul);
	tcase_add_test(tc, test_bad_queue);
	tcase_add_test(tc, test_no_queue);
	tcase_add_test(tc, test_duplicates);
	tcase_add_test(tc, test_multiple);
	tcase_add_loop_test(tc, test_bad_redis, 0, JSV_ARRAY_SIZE(bad_redis));
	tcase_add_test(tc, test_long_line);
	tcase_add_test(tc, test_long_value_quoted);
	tcase_add_test(tc, test_load);
	tcase_add_test(tc, test_packaged);
	tcase_add_test(tc, test_duration_limits);
	tcase_add_test(tc, test_check_execs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(config_suite());
	int failed;

	srunner_run_all(sr, CK_ENV);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
