/* SPDX-License-Identifier: ISC */
/*
 * Single jobs and executions as users see them: the job record with its
 * fields typed as SPEC §2 names them, stopping one job, its log, and the
 * aggregate status of an execution.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>

#include "jobsvcd.h"
#include "proto.h"

void job_random_hex(char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t i;

	if (n > 2 * sizeof(raw))
		fatalx("job_random_hex: %zu digits asked", n);
	if (getrandom(raw, (n + 1) / 2, 0) != (ssize_t)((n + 1) / 2))
		fatal("getrandom");
	for (i = 0; i < n; i++)
		buf[i] = hex[(raw[i / 2] >> (i % 2 ? 0 : 4)) & 0xf];
	buf[n] = '\0';
}

void job_add_time(struct json_object *o, const char *key, const char *secs)
{
	char buf[40];

	jsv_fmt_time(buf, sizeof(buf), secs && *secs ? atoll(secs) : 0);
	json_object_object_add(o, key, json_object_new_string(buf));
}

static const char *const job_time_fields[] = {
	"enqueue_time", "run_at",      "start_time",
	"end_time",	"update_time", "check_in_at",
};
static const char *const job_int_fields[] = { "attempts", "failures",
					      "lost_runs", "max_retries",
					      "schedule_id" };
static const char *const job_str_fields[] = {
	"id",		"name",	   "kind",	"status", "check_in",
	"execution_id", "pool_id", "worker_id", "error",
};

static bool job_in(const char *const *list, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(list[i], key) == 0)
			return true;
	return false;
}

void job_add_field(struct json_object *o, const char *k, const char *v)
{
	struct json_object *params;

	if (job_in(job_time_fields, JSV_ARRAY_SIZE(job_time_fields), k))
		job_add_time(o, k, v);
	else if (job_in(job_int_fields, JSV_ARRAY_SIZE(job_int_fields), k))
		json_object_object_add(o, k, json_object_new_int64(atoll(v)));
	else if (job_in(job_str_fields, JSV_ARRAY_SIZE(job_str_fields), k))
		json_object_object_add(o, k, json_object_new_string(v));
	else if (strcmp(k, "unique") == 0)
		json_object_object_add(
			o, k, json_object_new_boolean(strcmp(v, "1") == 0));
	else if (strcmp(k, "parameters") == 0) {
		params = json_tokener_parse(v);
		json_object_object_add(
			o, k, params ? params : json_object_new_object());
	}
}

/*
 * Aggregate status of an execution from its counts by status (SPEC §2):
 * Running while any job is not final, else Error if any failed, else
 * Stopped if any was stopped, else Success.
 */
static const char *job_execution_status(struct json_object *counts)
{
	static const char *const running[] = { "Pending", "Scheduled",
					       "Running" };
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(running); i++)
		if (json_object_object_get(counts, running[i]))
			return "Running";
	if (json_object_object_get(counts, "Error"))
		return "Error";
	if (json_object_object_get(counts, "Stopped"))
		return "Stopped";
	return "Success";
}

/*
 * An execution in one script call, however many jobs it has:
 * {"execution_id", "status", "total", "counts": {STATUS: N}} and, when
 * count > 0, "jobs": [{"id", "name", "status"}] for count of its jobs
 * (ordered by id) from offset.  -ENOENT for an unknown execution, -EIO.
 */
static int job_execution(const char *id, int64_t offset, int64_t count,
			 struct json_object **out)
{
	char off[24], cnt[24];
	const char *argv[3] = { id, off, cnt }, *e;
	struct json_object *o, *counts, *jobs, *j;
	redisReply *r, *c, *pg;
	size_t i;
	int rv;

	snprintf(off, sizeof(off), "%lld", (long long)offset);
	snprintf(cnt, sizeof(cnt), "%lld", (long long)count);
	r = redis_script(SCRIPT_EXEC_SHOW, 3, argv);
	if (!r)
		return -EIO;
	if ((e = redis_errstr(r)) || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 3 || r->element[1]->type != REDIS_REPLY_ARRAY ||
	    r->element[2]->type != REDIS_REPLY_ARRAY) {
		rv = e && strcmp(e, "NOENT") == 0 ? -ENOENT : -EIO;
		if (rv == -EIO)
			log_warnx("redis: execution %s: %s", id,
				  e ? e : "bad reply");
		freeReplyObject(r);
		return rv;
	}
	c = r->element[1];
	pg = r->element[2];
	counts = json_object_new_object();
	for (i = 0; i + 1 < c->elements; i += 2)
		json_object_object_add(
			counts, c->element[i]->str,
			json_object_new_int64(c->element[i + 1]->integer));
	o = json_object_new_object();
	json_object_object_add(o, "execution_id", json_object_new_string(id));
	json_object_object_add(
		o, "status",
		json_object_new_string(job_execution_status(counts)));
	json_object_object_add(o, "total",
			       json_object_new_int64(r->element[0]->integer));
	json_object_object_add(o, "counts", counts);
	if (count > 0) {
		jobs = json_object_new_array();
		for (i = 0; i + 2 < pg->elements; i += 3) {
			j = json_object_new_object();
			json_object_object_add(
				j, "id",
				json_object_new_string(pg->element[i]->str));
			json_object_object_add(
				j, "name",
				json_object_new_string(
					pg->element[i + 1]->str));
			json_object_object_add(
				j, "status",
				json_object_new_string(
					pg->element[i + 2]->str));
			json_object_array_add(jobs, j);
		}
		json_object_object_add(o, "jobs", jobs);
	}
	freeReplyObject(r);
	*out = o;
	return 0;
}

int job_show(const char *id, struct json_object **out)
{
	struct json_object *o, *ex;
	const char *v;
	redisReply *r;
	size_t i;

	r = redis_cmd("HGETALL %s", redis_key("job:%s", id));
	if (!r)
		return -EIO;
	if (r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
		freeReplyObject(r);
		return -ENOENT;
	}
	o = json_object_new_object();
	for (i = 0; i + 1 < r->elements; i += 2)
		job_add_field(o, r->element[i]->str, r->element[i + 1]->str);
	freeReplyObject(r);
	/* Every field is present, unset ones empty, as SPEC §2 lists them. */
	for (i = 0; i < JSV_ARRAY_SIZE(job_time_fields); i++)
		if (!json_object_object_get(o, job_time_fields[i]))
			job_add_time(o, job_time_fields[i], "");
	for (i = 0; i < JSV_ARRAY_SIZE(job_int_fields); i++)
		if (!json_object_object_get(o, job_int_fields[i]))
			json_object_object_add(o, job_int_fields[i],
					       json_object_new_int64(0));
	for (i = 0; i < JSV_ARRAY_SIZE(job_str_fields); i++)
		if (!json_object_object_get(o, job_str_fields[i]))
			json_object_object_add(o, job_str_fields[i],
					       json_object_new_string(""));
	v = json_object_get_string(json_object_object_get(o, "execution_id"));
	if (v && *v && job_execution(v, 0, 0, &ex) == 0) {
		json_object_object_add(
			o, "execution_status",
			json_object_get(json_object_object_get(ex, "status")));
		json_object_put(ex);
	}
	*out = o;
	return 0;
}

int job_stop(const char *id, char *msg, size_t len)
{
	const char *argv[1] = { id }, *e;
	redisReply *r;
	int rv = 0;

	r = redis_script(SCRIPT_JOB_STOP, 1, argv);
	if (!r)
		return -EIO;
	if ((e = redis_errstr(r))) {
		if (strcmp(e, "NOENT") == 0) {
			rv = -ENOENT;
		} else {
			snprintf(msg, len, "job %s is already %s", id,
				 strncmp(e, "STATE ", 6) == 0 ? e + 6 : e);
			rv = -EPERM;
		}
	} else if (strcmp(r->str, "Stopping") == 0) {
		snprintf(msg, len, "Stopping %s", id);
		worker_stop_job(id);
	} else {
		snprintf(msg, len, "Stopped %s", id);
	}
	freeReplyObject(r);
	return rv;
}

int job_log(const char *id, int64_t offset, int64_t tail,
	    struct json_object **out)
{
	struct jsv_buf text = { 0 };
	struct json_object *o;
	int64_t size = 0;
	size_t used, i;
	redisReply *r;
	char *path, *buf;
	struct stat st;
	bool final;
	ssize_t n;
	int fd;

	r = redis_cmd("HGET %s status", redis_key("job:%s", id));
	if (!r)
		return -EIO;
	if (r->type != REDIS_REPLY_STRING) {
		freeReplyObject(r);
		return -ENOENT;
	}
	final = !strcmp(r->str, "Success") || !strcmp(r->str, "Error") ||
		!strcmp(r->str, "Stopped");
	freeReplyObject(r);

	buf = xmalloc(JSV_LOG_CHUNK);
	n = 0;
	xasprintf(&path, "%s/%s.log", jsvd->conf->log_dir, id);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd >= 0) {
		if (fstat(fd, &st) == 0)
			size = st.st_size;
		if (tail > 0)
			offset = size > tail ? size - tail : 0;
		n = pread(fd, buf, JSV_LOG_CHUNK, offset);
		close(fd);
		if (n < 0)
			n = 0;
	}
	/* A character cut by the chunk's end is sent with the next chunk. */
	used = jsv_buf_add_utf8(&text, buf, n, n == JSV_LOG_CHUNK);
	for (i = 0; i < text.len; i++)
		if (text.data[i] == '\0')
			text.data[i] = '?';
	o = json_object_new_object();
	json_object_object_add(o, "data",
			       json_object_new_string_len(
				       text.data ? text.data : "", text.len));
	json_object_object_add(o, "offset",
			       json_object_new_int64(offset + used));
	json_object_object_add(o, "done",
			       json_object_new_boolean(final && n == 0));
	json_object_object_add(o, "size", json_object_new_int64(size));
	jsv_buf_free(&text);
	free(buf);
	*out = o;
	return 0;
}

int job_execution_show(const char *id, int64_t page, int64_t size,
		       struct json_object **out)
{
	int rv;

	rv = job_execution(id, (page - 1) * size, size, out);
	if (rv < 0)
		return rv;
	json_object_object_add(*out, "page", json_object_new_int64(page));
	json_object_object_add(*out, "page_size", json_object_new_int64(size));
	return 0;
}

#define PURGE_BATCH 500
#define PURGE_MAX_BATCHES 20
#define SWEEP_PERIOD 3600 /* seconds between sweeps of log_dir */
#define SWEEP_MAX 10000 /* log files looked at per sweep */

static void job_unlink_log(const char *id)
{
	char *path;

	if (!jsv_valid_job_id(id))
		return;
	xasprintf(&path, "%s/%s.log", jsvd->conf->log_dir, id);
	unlink(path);
	free(path);
}

/*
 * Logs of jobs that no longer exist: those purged by a daemon on another
 * host, or left by a crash between a purge and the unlink.
 */
static void job_sweep_logs(void)
{
	uint64_t keep = jsvd->conf->retention_ms <
					jsvd->conf->error_retention_ms ?
				jsvd->conf->retention_ms :
				jsvd->conf->error_retention_ms;
	char id[32], *path;
	struct dirent *de;
	struct stat st;
	redisReply *r;
	unsigned n = 0;
	size_t len;
	DIR *d;

	d = opendir(jsvd->conf->log_dir);
	if (!d)
		return;
	while ((de = readdir(d)) && n++ < SWEEP_MAX) {
		len = strlen(de->d_name);
		if (len != 28 || strcmp(de->d_name + 24, ".log") != 0)
			continue;
		memcpy(id, de->d_name, 24);
		id[24] = '\0';
		if (!jsv_valid_job_id(id))
			continue;
		xasprintf(&path, "%s/%s", jsvd->conf->log_dir, de->d_name);
		if (stat(path, &st) == 0 &&
		    (uint64_t)(time(NULL) - st.st_mtime) * 1000 > keep) {
			r = redis_cmd("EXISTS %s", redis_key("job:%s", id));
			if (r && r->type == REDIS_REPLY_INTEGER &&
			    r->integer == 0)
				unlink(path);
			if (r)
				freeReplyObject(r);
		}
		free(path);
		if (!redis_ok())
			break;
	}
	closedir(d);
}

void job_purge(void)
{
	static time_t last_sweep;
	char ok[24], bad[24], limit[16];
	const char *argv[3] = { ok, bad, limit };
	redisReply *r;
	size_t i, n;
	int b;

	snprintf(ok, sizeof(ok), "%llu",
		 (unsigned long long)jsvd->conf->retention_ms / 1000);
	snprintf(bad, sizeof(bad), "%llu",
		 (unsigned long long)jsvd->conf->error_retention_ms / 1000);
	snprintf(limit, sizeof(limit), "%d", PURGE_BATCH);
	for (b = 0; b < PURGE_MAX_BATCHES; b++) {
		r = redis_script(SCRIPT_PURGE, 3, argv);
		if (!r)
			return;
		n = r->type == REDIS_REPLY_ARRAY ? r->elements : 0;
		for (i = 0; i < n; i++)
			job_unlink_log(r->element[i]->str);
		if (n)
			log_debug("purged %zu finished jobs", n);
		freeReplyObject(r);
		if (n < PURGE_BATCH)
			break;
	}
	if (time(NULL) - last_sweep >= SWEEP_PERIOD) {
		last_sweep = time(NULL);
		job_sweep_logs();
	}
}
