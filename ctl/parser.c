/* SPDX-License-Identifier: ISC */
/*
 * The jobsvc-ctl command line, as static token tables: each table lists the
 * words accepted at one position and the table that follows each of them.
 * Keywords may be shortened to any unique prefix (an exact match wins over
 * longer keywords it is a prefix of); "all" must be spelled out since it acts
 * on everything.  Adding a command or an option is one table entry.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ctl.h"

enum token_type {
	NOTOKEN, /* ends a table; the command line may not end here */
	ENDTOKEN, /* ends a table; the command line may end here */
	KEYWORD, /* a word, or a unique prefix of it */
	OPTION, /* a keyword whose argument is the next word */
	ALL, /* the word "all", exactly */
	VALUE, /* a word that set() accepts */
};

struct token {
	enum token_type type;
	const char *keyword; /* VALUE: its name in the choices, "<job id>" */
	enum jsv_cmd cmd; /* set when matched, unless CTL_NOCMD */
	const struct token *next;
	/*
	 * Stores the word (VALUE, KEYWORD, ALL) or the option's argument
	 * (OPTION).  Returns 0, or -1 with res->err set and res unchanged.
	 */
	int (*set)(struct parse_result *res, const char *word);
};

static int fail(struct parse_result *res, const char *fmt, ...)
	JSV_PRINTF(2, 3);

static int fail(struct parse_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->err, sizeof(res->err), fmt, ap);
	va_end(ap);
	return -1;
}

static void add_name(struct parse_result *res, const char *word)
{
	res->names =
		xreallocarray(res->names, res->nnames + 1, sizeof(*res->names));
	res->names[res->nnames++] = word;
}

static int set_all(struct parse_result *res, const char *word)
{
	res->all = true;
	return 0;
}

static int set_type(struct parse_result *res, const char *word)
{
	if (!jsv_valid_job_type(word))
		return fail(res, "invalid job type \"%s\"", word);
	res->type = word;
	return 0;
}

static int add_type(struct parse_result *res, const char *word)
{
	if (!jsv_valid_job_type(word))
		return fail(res, "invalid job type \"%s\"", word);
	add_name(res, word);
	return 0;
}

static int add_worker(struct parse_result *res, const char *word)
{
	if (!jsv_valid_id(word))
		return fail(res, "invalid worker id \"%s\"", word);
	add_name(res, word);
	return 0;
}

static int set_pool(struct parse_result *res, const char *word)
{
	if (!jsv_valid_id(word))
		return fail(res, "invalid pool id \"%s\"", word);
	res->id = word;
	return 0;
}

static int set_job_id(struct parse_result *res, const char *word)
{
	if (!jsv_valid_job_id(word))
		return fail(res, "invalid job id \"%s\"", word);
	res->id = word;
	return 0;
}

static int set_execution_id(struct parse_result *res, const char *word)
{
	if (!jsv_valid_id(word))
		return fail(res, "invalid execution id \"%s\"", word);
	res->id = word;
	return 0;
}

static int set_execution(struct parse_result *res, const char *word)
{
	if (!jsv_valid_id(word))
		return fail(res, "invalid execution id \"%s\"", word);
	res->execution_id = word;
	return 0;
}

/*
 * A decimal integer from min to max: an optional '-', then digits only.
 * Returns 0 and the value, or -1.
 */
static int parse_int(const char *word, int64_t min, int64_t max, int64_t *val)
{
	long long v;
	char *end;

	if (!isdigit((unsigned char)word[word[0] == '-']))
		return -1;
	errno = 0;
	v = strtoll(word, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*val = v;
	return 0;
}

static int set_schedule_id(struct parse_result *res, const char *word)
{
	if (parse_int(word, 1, INT64_MAX, &res->schedule_id) == -1)
		return fail(res, "invalid schedule id \"%s\"", word);
	return 0;
}

static int set_vendor_id(struct parse_result *res, const char *word)
{
	if (parse_int(word, JSV_VENDOR_ID_NONE, INT64_MAX, &res->vendor_id))
		return fail(res,
			    "--vendor-id \"%s\": expected an integer from %d",
			    word, JSV_VENDOR_ID_NONE);
	return 0;
}

/* A job status, in any case: "error" is Error. */
static int set_status(struct parse_result *res, const char *word)
{
	int st;

	for (st = 0; st < JSV_JOB_STATUS_MAX; st++) {
		if (strcasecmp(word, jsv_job_status_name(st)) == 0) {
			res->status = jsv_job_status_name(st);
			return 0;
		}
	}
	return fail(res,
		    "--status \"%s\": expected Pending, Scheduled, Running, "
		    "Success, Error or Stopped",
		    word);
}

static int set_page(struct parse_result *res, const char *word)
{
	if (parse_int(word, 1, INT64_MAX, &res->page) == -1)
		return fail(res, "--page \"%s\": expected a number from 1",
			    word);
	return 0;
}

static int set_page_size(struct parse_result *res, const char *word)
{
	if (parse_int(word, 1, JSV_PAGE_SIZE_MAX, &res->page_size) == -1)
		return fail(
			res,
			"--page-size \"%s\": expected a number from 1 to %d",
			word, JSV_PAGE_SIZE_MAX);
	return 0;
}

/*
 * CRON: the daemon judges the expression, but one that is empty or a single
 * word (other than an "@" descriptor) was split by the shell or is missing.
 */
static int set_cron(struct parse_result *res, const char *word)
{
	const char *p = word + strspn(word, " \t\n");

	if (*p == '\0')
		return fail(res, "empty cron expression");
	if (*p != '@' && p[strcspn(p, " \t\n")] == '\0')
		return fail(res,
			    "cron expression \"%s\" has one field; quote the "
			    "whole expression",
			    word);
	res->cron = word;
	return 0;
}

static int set_run_at(struct parse_result *res, const char *opt, int64_t t)
{
	if (res->run_at_opt != NULL && strcmp(res->run_at_opt, opt) != 0)
		return fail(res, "--at and --in are mutually exclusive");
	res->run_at = t;
	res->run_at_opt = opt;
	return 0;
}

/* --at TIME: any time from 1970 on; the daemon runs a past one now. */
static int set_at(struct parse_result *res, const char *word)
{
	int64_t t;

	if (jsv_parse_time(word, &t) != 0)
		return fail(res,
			    "--at \"%s\": expected YYYY-MM-DDTHH:MM:SSZ, "
			    "\"YYYY-MM-DD HH:MM[:SS]\" (UTC) or @SECONDS",
			    word);
	if (t < 0)
		return fail(res, "--at \"%s\": before 1970", word);
	return set_run_at(res, "--at", t);
}

/* --in DURATION: now plus the duration, rounded up to a whole second. */
static int set_in(struct parse_result *res, const char *word)
{
	struct timespec now;
	uint64_t msec;
	int64_t t, ns;

	if (jsv_parse_duration(word, &msec) != 0)
		return fail(res,
			    "--in \"%s\": expected a duration such as 90s, 10m "
			    "or 1h30m",
			    word);
	clock_gettime(CLOCK_REALTIME, &now);
	ns = now.tv_nsec + (int64_t)(msec % 1000) * 1000000;
	t = now.tv_sec + (int64_t)(msec / 1000) + ns / 1000000000 +
	    (ns % 1000000000 != 0);
	return set_run_at(res, "--in", t);
}

static int set_unique(struct parse_result *res, const char *word)
{
	res->unique = true;
	return 0;
}

static int set_follow(struct parse_result *res, const char *word)
{
	res->follow = true;
	return 0;
}

static int set_from(struct parse_result *res, const char *word)
{
	if (word[0] == '\0')
		return fail(res, "--from needs a file name or -");
	res->from = word;
	return 0;
}

/* --param KEY=VALUE: the value is always a JSON string. */
static int add_param(struct parse_result *res, const char *word)
{
	const char *eq = strchr(word, '=');
	char *key;

	if (eq == NULL || eq == word)
		return fail(res, "--param \"%s\": expected key=value", word);
	if (res->pairs == NULL)
		res->pairs = json_object_new_object();
	key = xstrndup(word, eq - word);
	json_object_object_add(res->pairs, key, json_object_new_string(eq + 1));
	free(key);
	return 0;
}

/* --params JSON: an object, merged over the --params given before it. */
static int add_params(struct parse_result *res, const char *word)
{
	struct json_object *obj;
	const char *err;

	obj = jsv_json_parse(word, strlen(word), &err);
	if (obj == NULL)
		return fail(res, "--params: %s", err);
	if (res->params == NULL)
		res->params = json_object_new_object();
	json_object_object_foreach(obj, key, val) {
		json_object_object_add(res->params, key, json_object_get(val));
	}
	json_object_put(obj);
	return 0;
}

static const struct token t_end[] = {
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_types_more[] = {
	{ VALUE, "<job type>", CTL_NOCMD, t_types_more, add_type },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_types[] = {
	{ ALL, "all", CTL_NOCMD, t_end, set_all },
	{ VALUE, "<job type>", CTL_NOCMD, t_types_more, add_type },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_queue[] = {
	{ KEYWORD, "stop", JSV_CMD_QUEUE_STOP, t_types, NULL },
	{ KEYWORD, "pause", JSV_CMD_QUEUE_PAUSE, t_types, NULL },
	{ KEYWORD, "resume", JSV_CMD_QUEUE_RESUME, t_types, NULL },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_workers[] = {
	{ ALL, "all", CTL_NOCMD, t_end, set_all },
	{ VALUE, "<pool id>", CTL_NOCMD, t_end, set_pool },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_worker_ids_more[] = {
	{ VALUE, "<worker id>", CTL_NOCMD, t_worker_ids_more, add_worker },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_worker_ids[] = {
	{ ALL, "all", CTL_NOCMD, t_end, set_all },
	{ VALUE, "<worker id>", CTL_NOCMD, t_worker_ids_more, add_worker },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_worker[] = {
	{ KEYWORD, "free", JSV_CMD_WORKER_FREE, t_worker_ids, NULL },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_submit_opts[] = {
	{ OPTION, "--param", CTL_NOCMD, t_submit_opts, add_param },
	{ OPTION, "--params", CTL_NOCMD, t_submit_opts, add_params },
	{ KEYWORD, "--unique", CTL_NOCMD, t_submit_opts, set_unique },
	{ OPTION, "--execution", CTL_NOCMD, t_submit_opts, set_execution },
	{ OPTION, "--at", CTL_NOCMD, t_submit_opts, set_at },
	{ OPTION, "--in", CTL_NOCMD, t_submit_opts, set_in },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_submit[] = {
	{ OPTION, "--from", CTL_NOCMD, t_end, set_from },
	{ VALUE, "<job type>", CTL_NOCMD, t_submit_opts, set_type },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedules_opts[] = {
	{ OPTION, "--page", CTL_NOCMD, t_schedules_opts, set_page },
	{ OPTION, "--page-size", CTL_NOCMD, t_schedules_opts, set_page_size },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedules[] = {
	{ KEYWORD, "pause", JSV_CMD_SCHEDULES_PAUSE, t_end, NULL },
	{ KEYWORD, "resume", JSV_CMD_SCHEDULES_RESUME, t_end, NULL },
	{ OPTION, "--page", CTL_NOCMD, t_schedules_opts, set_page },
	{ OPTION, "--page-size", CTL_NOCMD, t_schedules_opts, set_page_size },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedule_opts[] = {
	{ OPTION, "--vendor-id", CTL_NOCMD, t_schedule_opts, set_vendor_id },
	{ OPTION, "--param", CTL_NOCMD, t_schedule_opts, add_param },
	{ OPTION, "--params", CTL_NOCMD, t_schedule_opts, add_params },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedule_cron[] = {
	{ VALUE, "<cron>", CTL_NOCMD, t_schedule_opts, set_cron },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedule_type[] = {
	{ VALUE, "<job type>", CTL_NOCMD, t_schedule_cron, set_type },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedule_id[] = {
	{ VALUE, "<schedule id>", CTL_NOCMD, t_end, set_schedule_id },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_schedule[] = {
	{ KEYWORD, "add", JSV_CMD_SCHEDULE_ADD, t_schedule_type, NULL },
	{ KEYWORD, "del", JSV_CMD_SCHEDULE_DEL, t_schedule_id, NULL },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_job_id[] = {
	{ VALUE, "<job id>", CTL_NOCMD, t_end, set_job_id },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_log_opts[] = {
	{ KEYWORD, "-f", CTL_NOCMD, t_end, set_follow },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_log_id[] = {
	{ KEYWORD, "-f", CTL_NOCMD, t_job_id, set_follow },
	{ VALUE, "<job id>", CTL_NOCMD, t_log_opts, set_job_id },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_job[] = {
	{ KEYWORD, "show", JSV_CMD_JOB_SHOW, t_job_id, NULL },
	{ KEYWORD, "stop", JSV_CMD_JOB_STOP, t_job_id, NULL },
	{ KEYWORD, "log", JSV_CMD_JOB_LOG, t_log_id, NULL },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_execution_opts[] = {
	{ OPTION, "--page", CTL_NOCMD, t_execution_opts, set_page },
	{ OPTION, "--page-size", CTL_NOCMD, t_execution_opts, set_page_size },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_execution_id[] = {
	{ VALUE, "<execution id>", CTL_NOCMD, t_execution_opts,
	  set_execution_id },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_execution[] = {
	{ KEYWORD, "show", JSV_CMD_EXECUTION_SHOW, t_execution_id, NULL },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_audit[] = {
	{ OPTION, "--page", CTL_NOCMD, t_audit, set_page },
	{ OPTION, "--page-size", CTL_NOCMD, t_audit, set_page_size },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_jobs[] = {
	{ OPTION, "--status", CTL_NOCMD, t_jobs, set_status },
	{ OPTION, "--type", CTL_NOCMD, t_jobs, set_type },
	{ OPTION, "--page", CTL_NOCMD, t_jobs, set_page },
	{ OPTION, "--page-size", CTL_NOCMD, t_jobs, set_page_size },
	{ ENDTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static const struct token t_main[] = {
	{ KEYWORD, "status", JSV_CMD_STATUS, t_end, NULL },
	{ KEYWORD, "queues", JSV_CMD_QUEUES, t_end, NULL },
	{ KEYWORD, "queue", CTL_NOCMD, t_queue, NULL },
	{ KEYWORD, "schedules", JSV_CMD_SCHEDULES, t_schedules, NULL },
	{ KEYWORD, "schedule", CTL_NOCMD, t_schedule, NULL },
	{ KEYWORD, "pools", JSV_CMD_POOLS, t_end, NULL },
	{ KEYWORD, "workers", JSV_CMD_WORKERS, t_workers, NULL },
	{ KEYWORD, "worker", CTL_NOCMD, t_worker, NULL },
	{ KEYWORD, "submit", JSV_CMD_SUBMIT, t_submit, NULL },
	{ KEYWORD, "job", CTL_NOCMD, t_job, NULL },
	{ KEYWORD, "jobs", JSV_CMD_JOBS, t_jobs, NULL },
	{ KEYWORD, "execution", CTL_NOCMD, t_execution, NULL },
	{ KEYWORD, "audit", JSV_CMD_AUDIT, t_audit, NULL },
	{ NOTOKEN, "", CTL_NOCMD, NULL, NULL },
};

static bool table_end(const struct token *t)
{
	return t->type == NOTOKEN || t->type == ENDTOKEN;
}

/* Appends " word" to the string in buf, if it fits. */
static void append_word(char *buf, size_t size, const char *word)
{
	size_t len = strlen(buf);

	if (len + 1 + strlen(word) < size)
		snprintf(buf + len, size - len, " %s", word);
}

/* Fills res->valid with the words the table accepts, if any. */
static void list_choices(struct parse_result *res, const struct token *table)
{
	if (table_end(table))
		return;
	snprintf(res->valid, sizeof(res->valid),
		 "valid %s:", table == t_main ? "commands" : "arguments");
	for (; !table_end(table); table++)
		append_word(res->valid, sizeof(res->valid), table->keyword);
}

/*
 * Finds the entry of table that word selects: an exact keyword, else the
 * only keyword it is a prefix of, else the first VALUE whose set() accepts
 * it.  Returns NULL with res->err set when there is none or the prefix is
 * ambiguous.
 */
static const struct token *match_token(struct parse_result *res,
				       const struct token *table,
				       const char *word)
{
	const struct token *t, *exact = NULL, *prefix = NULL;
	size_t len = strlen(word), nprefix = 0;
	bool rejected = false;

	for (t = table; !table_end(t); t++) {
		if (t->type != KEYWORD && t->type != OPTION && t->type != ALL)
			continue;
		if (strcmp(word, t->keyword) == 0) {
			exact = t;
		} else if (t->type != ALL && len > 0 &&
			   strncmp(word, t->keyword, len) == 0) {
			prefix = t;
			nprefix++;
		}
	}
	if (exact != NULL)
		return exact;
	if (nprefix == 1)
		return prefix;
	if (nprefix > 1) {
		fail(res, "ambiguous argument \"%s\":", word);
		for (t = table; !table_end(t); t++) {
			if ((t->type == KEYWORD || t->type == OPTION) &&
			    strncmp(word, t->keyword, len) == 0)
				append_word(res->err, sizeof(res->err),
					    t->keyword);
		}
		return NULL;
	}
	for (t = table; !table_end(t); t++) {
		if (t->type != VALUE)
			continue;
		if (t->set(res, word) == 0)
			return t;
		rejected = true;
	}
	if (rejected)
		return NULL;
	if (table_end(table))
		fail(res, "unexpected argument \"%s\"", word);
	else
		fail(res, "unknown %s \"%s\"",
		     table == t_main ? "command" : "argument", word);
	list_choices(res, table);
	return NULL;
}

/* Checks and completes what the whole command line gives. */
static int finish(struct parse_result *res)
{
	if (res->cmd != JSV_CMD_SCHEDULE_ADD &&
	    (res->cmd != JSV_CMD_SUBMIT || res->from != NULL))
		return 0;
	if (res->params == NULL)
		res->params = json_object_new_object();
	if (res->pairs != NULL) {
		json_object_object_foreach(res->pairs, key, val) {
			json_object_object_add(res->params, key,
					       json_object_get(val));
		}
	}
	return submit_check_params(res->params, res->err, sizeof(res->err));
}

int parser_parse(int argc, char *argv[], struct parse_result *res)
{
	const struct token *table = t_main, *t;
	int i;

	memset(res, 0, sizeof(*res));
	res->cmd = CTL_NOCMD;
	res->vendor_id = JSV_VENDOR_ID_NONE;
	for (i = 0; i < argc; i++) {
		t = match_token(res, table, argv[i]);
		if (t == NULL)
			return -1;
		if (t->cmd != CTL_NOCMD)
			res->cmd = t->cmd;
		if (t->type == OPTION) {
			if (++i == argc)
				return fail(res, "%s needs an argument",
					    t->keyword);
			if (t->set(res, argv[i]) == -1)
				return -1;
		} else if (t->type != VALUE && t->set != NULL) {
			if (t->set(res, argv[i]) == -1)
				return -1;
		}
		table = t->next;
	}
	for (t = table; !table_end(t); t++)
		;
	if (t->type == NOTOKEN) {
		fail(res, argc == 0 ? "missing command" : "missing argument");
		list_choices(res, table);
		return -1;
	}
	return finish(res);
}

/*
 * Looks for the keywords that select cmd, from table on: the words so far
 * are in buf, those found are appended.  Options (keywords starting with
 * '-') are not followed; depth bounds the walk through tables that repeat.
 */
static bool find_words(const struct token *table, enum jsv_cmd cmd, char *buf,
		       size_t size, int depth)
{
	const struct token *t;
	size_t len = strlen(buf);

	for (t = table; depth > 0 && !table_end(t); t++) {
		if (t->type != KEYWORD || t->keyword[0] == '-')
			continue;
		snprintf(buf + len, size - len, "%s%s", len > 0 ? " " : "",
			 t->keyword);
		if (t->cmd == cmd ||
		    (t->next != NULL &&
		     find_words(t->next, cmd, buf, size, depth - 1)))
			return true;
		buf[len] = '\0';
	}
	return false;
}

int parser_words(enum jsv_cmd cmd, char *buf, size_t size)
{
	if (size == 0)
		return -1;
	buf[0] = '\0';
	if (cmd >= JSV_CMD_MAX)
		return -1;
	return find_words(t_main, cmd, buf, size, 4) ? 0 : -1;
}

void parser_free(struct parse_result *res)
{
	free(res->names);
	res->names = NULL;
	res->nnames = 0;
	if (res->params != NULL)
		json_object_put(res->params);
	if (res->pairs != NULL)
		json_object_put(res->pairs);
	res->params = res->pairs = NULL;
}
