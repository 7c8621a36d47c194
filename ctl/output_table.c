/* SPDX-License-Identifier: ISC */
/*
 * Output for people: aligned tables with the dashboard's column names,
 * "field: value" lines for one object, the status cards as text.  Every
 * string from the daemon is escaped before it reaches the terminal.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"

#define CELL_MAX 256 /* a table cell, escaped */
#define VALUE_MAX 4096 /* a "field: value" value, escaped */
#define COLS_MAX 8 /* columns of the widest table */

enum col_kind {
	COL_TEXT,
	COL_NUMBER, /* right-aligned */
	COL_LATENCY, /* seconds, shown as "2hrs 3min 4sec" */
	COL_VENDOR_ID, /* a number, empty for JSV_VENDOR_ID_NONE (system's) */
};

struct column {
	const char *header;
	const char *field;
	enum col_kind kind;
};

static const struct column queue_cols[] = {
	{ "JOB TYPE", "job_type", COL_TEXT },
	{ "PENDING", "count", COL_NUMBER },
	{ "LATENCY", "latency", COL_LATENCY },
	{ "PAUSED", "paused", COL_TEXT },
};

static const struct column pool_cols[] = {
	{ "WORKER POOL ID", "worker_pool_id", COL_TEXT },
	{ "PID", "pid", COL_NUMBER },
	{ "START AT", "start_at", COL_TEXT },
	{ "HEARTBEAT AT", "heartbeat_at", COL_TEXT },
	{ "CONCURRENCY", "concurrency", COL_NUMBER },
	{ "STATUS", "status", COL_TEXT },
};

static const struct column worker_cols[] = {
	{ "WORKER ID", "id", COL_TEXT },
	{ "POOL ID", "pool_id", COL_TEXT },
	{ "JOB NAME", "job_name", COL_TEXT },
	{ "JOB ID", "job_id", COL_TEXT },
	{ "STARTED AT", "start_at", COL_TEXT },
	{ "CHECKED IN AT", "checkin_at", COL_TEXT },
	{ "CHECK IN", "check_in", COL_TEXT },
};

static const struct column schedule_cols[] = {
	{ "ID", "id", COL_NUMBER },
	{ "VENDOR TYPE", "vendor_type", COL_TEXT },
	{ "VENDOR ID", "vendor_id", COL_VENDOR_ID },
	{ "CRON", "cron", COL_TEXT },
	{ "CREATE TIME", "create_time", COL_TEXT },
	{ "NEXT RUN", "next_run", COL_TEXT },
	{ "LAST FIRE", "last_fire", COL_TEXT },
	{ "LAST STATUS", "last_status", COL_TEXT },
};

static const struct column execution_job_cols[] = {
	{ "JOB ID", "id", COL_TEXT },
	{ "JOB NAME", "name", COL_TEXT },
	{ "STATUS", "status", COL_TEXT },
};

static const struct column job_list_cols[] = {
	{ "JOB ID", "id", COL_TEXT },
	{ "JOB NAME", "name", COL_TEXT },
	{ "STATUS", "status", COL_TEXT },
	{ "ENQUEUE TIME", "enqueue_time", COL_TEXT },
	{ "UPDATE TIME", "update_time", COL_TEXT },
	{ "ATTEMPTS", "attempts", COL_NUMBER },
	{ "EXECUTION ID", "execution_id", COL_TEXT },
};

static const struct column audit_cols[] = {
	{ "TIME", "time", COL_TEXT },	  { "WHO", "who", COL_TEXT },
	{ "VERB", "verb", COL_TEXT },	  { "TARGETS", "targets", COL_TEXT },
	{ "RESULT", "result", COL_TEXT },
};

/* The length of an array, 0 for anything else (the field may be absent). */
static size_t array_len(struct json_object *a)
{
	return json_object_is_type(a, json_type_array) ?
		       json_object_array_length(a) :
		       0;
}

/* Printable ASCII only: JSON text that needs no escaping for a terminal. */
static bool printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s < ' ' || *s > '~')
			return false;
	}
	return true;
}

/*
 * Formats a value for people: strings escaped, numbers and booleans as
 * such, objects and arrays as compact JSON; "" when absent or null.
 */
static void format_value(char *buf, size_t len, struct json_object *v,
			 enum col_kind kind)
{
	const char *json;

	switch (json_object_get_type(v)) {
	case json_type_null:
		buf[0] = '\0';
		break;
	case json_type_int:
		if (kind == COL_LATENCY && json_object_get_int64(v) >= 0)
			jsv_fmt_latency(buf, len, json_object_get_int64(v));
		else if (kind == COL_VENDOR_ID &&
			 json_object_get_int64(v) == JSV_VENDOR_ID_NONE)
			buf[0] = '\0';
		else
			snprintf(buf, len, "%" PRId64,
				 json_object_get_int64(v));
		break;
	case json_type_string:
		jsv_strvis(buf, len, json_object_get_string(v));
		break;
	default:
		json = json_object_to_json_string_ext(
			v, JSON_C_TO_STRING_PLAIN |
				   JSON_C_TO_STRING_NOSLASHESCAPE);
		if (printable(json))
			snprintf(buf, len, "%s", json);
		else
			jsv_strvis(buf, len, json);
		break;
	}
}

/* Text of a record's field for a table cell: "-" when empty. */
static char *cell(struct json_object *rec, const struct column *col)
{
	char buf[CELL_MAX];

	format_value(buf, sizeof(buf), json_object_object_get(rec, col->field),
		     col->kind);
	return xstrdup(buf[0] != '\0' ? buf : "-");
}

static void print_row(const struct column *cols, size_t ncols,
		      const size_t *width, const char *const *text)
{
	size_t i;

	for (i = 0; i < ncols; i++) {
		if (i > 0)
			fputs("  ", stdout);
		if (cols[i].kind == COL_NUMBER || cols[i].kind == COL_VENDOR_ID)
			printf("%*s", (int)width[i], text[i]);
		else if (i + 1 < ncols)
			printf("%-*s", (int)width[i], text[i]);
		else
			fputs(text[i], stdout);
	}
	putchar('\n');
}

/* Prints the records as a table, or says empty when there are none. */
static void print_table(const struct column *cols, size_t ncols,
			struct json_object *rows, const char *empty)
{
	const char *headers[COLS_MAX];
	size_t width[COLS_MAX], nrows, r, i, len;
	char **text;

	nrows = array_len(rows);
	if (nrows == 0) {
		puts(empty);
		return;
	}
	text = xcalloc(nrows, ncols * sizeof(*text));
	for (i = 0; i < ncols; i++) {
		headers[i] = cols[i].header;
		width[i] = strlen(cols[i].header);
	}
	for (r = 0; r < nrows; r++) {
		for (i = 0; i < ncols; i++) {
			text[r * ncols + i] = cell(
				json_object_array_get_idx(rows, r), &cols[i]);
			len = strlen(text[r * ncols + i]);
			if (len > width[i])
				width[i] = len;
		}
	}
	print_row(cols, ncols, width, headers);
	for (r = 0; r < nrows; r++)
		print_row(cols, ncols, width,
			  (const char *const *)&text[r * ncols]);
	for (r = 0; r < nrows * ncols; r++)
		free(text[r]);
	free(text);
}

static void get_text(char *buf, size_t len, struct json_object *o,
		     const char *key)
{
	jsv_strvis(buf, len, jsv_json_str(o, key));
}

/* One line of the queues card, its columns as wide as the widest line's. */
static void card_line(const char *name, int64_t count, int wname, int wcount)
{
	printf("  %-*s  %*" PRId64 "\n", wname, name, wcount, count);
}

/* The dashboard's cards: pending jobs (top queues), schedules, workers. */
static void show_status(struct json_object *end)
{
	struct json_object *queues, *workers, *schedules, *top, *q;
	char name[CELL_MAX], count[24];
	int wname = strlen("Others"), wcount, n;
	size_t i;

	queues = json_object_object_get(end, "queues");
	printf("Pending Jobs In Queues: %" PRId64 " in %" PRId64 " queues\n",
	       jsv_json_int(queues, "total"), jsv_json_int(queues, "types"));
	top = json_object_object_get(queues, "top");
	wcount = snprintf(count, sizeof(count), "%" PRId64,
			  jsv_json_int(queues, "others"));
	for (i = 0; i < array_len(top); i++) {
		q = json_object_array_get_idx(top, i);
		get_text(name, sizeof(name), q, "job_type");
		n = strlen(name);
		wname = n > wname ? n : wname;
		n = snprintf(count, sizeof(count), "%" PRId64,
			     jsv_json_int(q, "count"));
		wcount = n > wcount ? n : wcount;
	}
	for (i = 0; i < array_len(top); i++) {
		q = json_object_array_get_idx(top, i);
		get_text(name, sizeof(name), q, "job_type");
		card_line(name, jsv_json_int(q, "count"), wname, wcount);
	}
	if (jsv_json_int(queues, "others") > 0)
		card_line("Others", jsv_json_int(queues, "others"), wname,
			  wcount);

	schedules = json_object_object_get(end, "schedules");
	if (schedules != NULL) {
		get_text(name, sizeof(name), schedules, "status");
		printf("Schedules: %" PRId64 ", %s\n",
		       jsv_json_int(schedules, "total"), name);
	}

	workers = json_object_object_get(end, "workers");
	printf("Workers: %" PRId64 "/%" PRId64 " busy, %" PRId64 " free\n",
	       jsv_json_int(workers, "busy"), jsv_json_int(workers, "total"),
	       jsv_json_int(workers, "free"));

	get_text(name, sizeof(name), end, "redis");
	if (name[0] != '\0')
		printf("Redis: %s\n", name);
}

static void show_queues(struct json_object *rows)
{
	print_table(queue_cols, JSV_ARRAY_SIZE(queue_cols), rows, "no queues");
}

static void show_pools(struct json_object *rows)
{
	print_table(pool_cols, JSV_ARRAY_SIZE(pool_cols), rows,
		    "no worker pools");
}

static void show_workers(struct json_object *rows)
{
	print_table(worker_cols, JSV_ARRAY_SIZE(worker_cols), rows,
		    "no workers");
}

/* "page P of Q, N things" of a paged answer's END, without a newline. */
static void print_page(struct json_object *end, const char *noun)
{
	int64_t total = jsv_json_int(end, "total");

	printf("page %" PRId64 " of %" PRId64 ", %" PRId64 " %s%s",
	       jsv_json_int(end, "page"),
	       jsv_page_count(total, jsv_json_int(end, "page_size")), total,
	       noun, total == 1 ? "" : "s");
}

/* The page of schedules, then "page P of Q, N schedules, Running". */
static void show_schedules(struct json_object *end)
{
	bool paused = false;

	print_table(schedule_cols, JSV_ARRAY_SIZE(schedule_cols),
		    json_object_object_get(end, "records"), "no schedules");
	jsv_json_get_bool(end, "paused", &paused);
	print_page(end, "schedule");
	printf(", %s\n", paused ? "Paused" : "Running");
}

/*
 * Who acted, as one cell: "alice (uid 1000, pid 42)", and "for bob" when a
 * trusted client acted for its user bob.
 */
static void audit_who(struct json_object *rec)
{
	const char *user = jsv_json_str(rec, "user"), *as_user;
	struct jsv_buf who = { 0 };

	if (user[0] != '\0')
		jsv_buf_printf(&who, "%s (", user);
	jsv_buf_printf(&who, "uid %" PRId64 ", pid %" PRId64,
		       jsv_json_int(rec, "uid"), jsv_json_int(rec, "pid"));
	if (user[0] != '\0')
		jsv_buf_printf(&who, ")");
	if (jsv_json_get_string(rec, "as_user", &as_user) == 0)
		jsv_buf_printf(&who, " for %s", as_user);
	json_object_object_add(rec, "who", json_object_new_string(who.data));
	jsv_buf_free(&who);
}

/* The page of the audit trail, newest first, then "page P of Q, N actions". */
static void show_audit(struct json_object *end)
{
	struct json_object *recs = json_object_object_get(end, "records");
	size_t i;

	for (i = 0; i < array_len(recs); i++)
		audit_who(json_object_array_get_idx(recs, i));
	print_table(audit_cols, JSV_ARRAY_SIZE(audit_cols), recs,
		    "no actions recorded");
	print_page(end, "action");
	putchar('\n');
}

/* A page of jobs, newest first, then "page P of Q, N jobs". */
static void show_jobs(struct json_object *end)
{
	print_table(job_list_cols, JSV_ARRAY_SIZE(job_list_cols),
		    json_object_object_get(end, "records"), "no jobs");
	print_page(end, "job");
	putchar('\n');
}

/* The new schedule's id, alone on its line as submit prints a job's. */
static void show_schedule_added(struct json_object *end)
{
	int64_t id;

	if (jsv_json_get_int64(end, "id", &id) == 0)
		printf("%" PRId64 "\n", id);
}

static void show_message(struct json_object *end)
{
	char msg[VALUE_MAX];

	get_text(msg, sizeof(msg), end, "message");
	if (msg[0] != '\0')
		puts(msg);
}

/* A job's fields in the order of SPEC §2; others follow as received. */
static const char *const job_fields[] = {
	"id",	       "name",	       "kind",
	"status",      "parameters",   "enqueue_time",
	"run_at",      "start_time",   "end_time",
	"update_time", "check_in",     "check_in_at",
	"attempts",    "failures",     "lost_runs",
	"max_retries", "execution_id", "execution_status",
	"schedule_id", "unique",       "pool_id",
	"worker_id",   "error",
};

static void show_field(const char *k, struct json_object *v)
{
	char key[CELL_MAX], value[VALUE_MAX];

	jsv_strvis(key, sizeof(key), k);
	format_value(value, sizeof(value), v, COL_TEXT);
	printf("%s:%s%s\n", key, value[0] != '\0' ? " " : "", value);
}

static bool is_job_field(const char *k)
{
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(job_fields); i++) {
		if (strcmp(k, job_fields[i]) == 0)
			return true;
	}
	return false;
}

/* The job's fields as "field: value" lines. */
static void show_job(struct json_object *obj)
{
	struct json_object *v;
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(job_fields); i++) {
		if (json_object_object_get_ex(obj, job_fields[i], &v))
			show_field(job_fields[i], v);
	}
	json_object_object_foreach(obj, k, val) {
		if (!is_job_field(k))
			show_field(k, val);
	}
}

/*
 * The execution's status, its jobs by status, then the page of its jobs and
 * "page P of Q, N jobs".
 */
static void show_execution(struct json_object *end)
{
	struct json_object *counts = json_object_object_get(end, "counts");
	char text[VALUE_MAX];
	int i;

	get_text(text, sizeof(text), end, "execution_id");
	printf("execution_id: %s\n", text);
	get_text(text, sizeof(text), end, "status");
	printf("status: %s\n", text);
	printf("jobs: %" PRId64, jsv_json_int(end, "total"));
	for (i = 0; i < JSV_JOB_STATUS_MAX; i++)
		printf(", %s %" PRId64, jsv_job_status_name(i),
		       jsv_json_int(counts, jsv_job_status_name(i)));
	printf("\n\n");
	print_table(execution_job_cols, JSV_ARRAY_SIZE(execution_job_cols),
		    json_object_object_get(end, "jobs"), "no jobs");
	print_page(end, "job");
	putchar('\n');
}

/* The log's bytes as the handler wrote them. */
static void show_log(struct json_object *end)
{
	struct json_object *data = json_object_object_get(end, "data");

	if (json_object_is_type(data, json_type_string))
		fwrite(json_object_get_string(data), 1,
		       json_object_get_string_len(data), stdout);
	fflush(stdout);
}

static void submitted(struct json_object *rec)
{
	char id[CELL_MAX];

	get_text(id, sizeof(id), rec, "id");
	if (id[0] != '\0')
		puts(id);
}

static void submit_end(bool one)
{
}

const struct output output_table = {
	.show = {
		[VIEW_STATUS] = show_status,
		[VIEW_QUEUES] = show_queues,
		[VIEW_POOLS] = show_pools,
		[VIEW_WORKERS] = show_workers,
		[VIEW_SCHEDULES] = show_schedules,
		[VIEW_SCHEDULE_ADDED] = show_schedule_added,
		[VIEW_MESSAGE] = show_message,
		[VIEW_JOB] = show_job,
		[VIEW_EXECUTION] = show_execution,
		[VIEW_LOG] = show_log,
		[VIEW_AUDIT] = show_audit,
		[VIEW_JOBS] = show_jobs,
	},
	.submitted = submitted,
	.submit_end = submit_end,
};
