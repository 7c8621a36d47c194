/* SPDX-License-Identifier: ISC */
/*
 * The job queues: submission, the Job Queues table, pause and resume, and
 * stopping whole queues.
 *
 * Stopping a queue moves its list and its set of delayed jobs (Scheduled,
 * or waiting out a retry's backoff) aside in one O(1) step, so the queue
 * is empty at once and jobs submitted afterwards are not affected, and
 * then ends the moved jobs Stopped in batches from the event loop, a few
 * milliseconds' worth per turn of the loop: a queue of a million jobs
 * never blocks Redis, nor this daemon, for long.  Each stop is recorded
 * in Redis with its count and a lease renewed by every batch, so a stop
 * that a crash interrupted is finished by whichever daemon looks next
 * after the lease ran out (on its heartbeat), and the count is exact
 * whoever ran the batches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "proto.h"

#define QUEUE_PARAMS_MAX (64 * 1024)
#define QUEUE_RUN_AT_MAX 32503680000LL /* year 3000 */
#define SUBMIT_ARGS 7 /* the script's arguments after the namespace */

#define STOP_BUDGET_US 10000 /* of batches per turn of the event loop */
/*
 * A batch is sized so that Redis takes about STOP_BATCH_US over it, from
 * the time the batches before it took (which includes the round trip, so
 * a busy machine only makes batches smaller): far from the 50 ms that
 * would stall Redis's other clients even if the cost per job doubled.
 */
#define STOP_BATCH_US 10000
#define STOP_BATCH_MIN 100
#define STOP_BATCH_MAX 1000
#define STOP_ID_LEN 16

/* A queue stop request: one stop per job type, answered when all are over. */
struct stop_req {
	queue_stop_cb *done; /* NULL once answered (error) or not to answer */
	void *arg;
	size_t left; /* its stops not over yet */
	uint64_t stopped;
};

/*
 * A stop this daemon works on, at most one per stop id: one it was asked
 * for (req set), or one it resumes because the pool that began it is gone.
 */
struct stop {
	TAILQ_ENTRY(stop) entry;
	char id[STOP_ID_LEN + 1];
	struct stop_req *req; /* NULL: a resume, reported to nobody */
};

static TAILQ_HEAD(, stop) stops = TAILQ_HEAD_INITIALIZER(stops);
static sd_event_source *stop_src; /* one turn of batches: stop_step() */
static int64_t stop_size = 500; /* jobs a batch, see STOP_BATCH_US */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A copy of o with object keys sorted, so equal parameters serialize alike. */
static struct json_object *queue_canon(struct json_object *o)
{
	struct json_object *c;
	const char **keys;
	size_t i, n;

	switch (json_object_get_type(o)) {
	case json_type_object:
		n = json_object_object_length(o);
		keys = xreallocarray(NULL, n ? n : 1, sizeof(*keys));
		i = 0;
		json_object_object_foreach(o, k, v) {
			(void)v;
			keys[i++] = k;
		}
		qsort(keys, n, sizeof(*keys), cmp_str);
		c = json_object_new_object();
		for (i = 0; i < n; i++)
			json_object_object_add(
				c, keys[i],
				queue_canon(
					json_object_object_get(o, keys[i])));
		free(keys);
		return c;
	case json_type_array:
		n = json_object_array_length(o);
		c = json_object_new_array();
		for (i = 0; i < n; i++)
			json_object_array_add(
				c,
				queue_canon(json_object_array_get_idx(o, i)));
		return c;
	default:
		return json_object_get(o);
	}
}

/*
 * Checks one job of a submit request.  Returns 0 and fills name, params
 * (canonical JSON, caller frees), unique, exec and run_at (0: now); or a
 * JSV_E_* code with the reason in err.
 */
static int queue_check_job(struct json_object *job, const char **name,
			   char **params, bool *unique, const char **exec,
			   int64_t *run_at, char *err, size_t errlen)
{
	struct json_object *p = NULL, *c;

	if (!json_object_is_type(job, json_type_object)) {
		snprintf(err, errlen, "a job must be a JSON object");
		return JSV_E_INVAL;
	}
	json_object_object_foreach(job, k, v) {
		(void)v;
		if (strcmp(k, "name") && strcmp(k, "parameters") &&
		    strcmp(k, "unique") && strcmp(k, "execution_id") &&
		    strcmp(k, "run_at")) {
			snprintf(err, errlen, "unknown field \"%.64s\"", k);
			return JSV_E_INVAL;
		}
	}
	if (jsv_json_get_string(job, "name", name) < 0 ||
	    !jsv_valid_job_type(*name)) {
		snprintf(err, errlen, "\"name\" must be a job type");
		return JSV_E_INVAL;
	}
	if (!config_queue(jsvd->conf, *name)) {
		snprintf(err, errlen, "%s", *name);
		return JSV_E_TYPE;
	}
	if (json_object_object_get_ex(job, "parameters", &p) &&
	    !json_object_is_type(p, json_type_object)) {
		snprintf(err, errlen, "\"parameters\" must be a JSON object");
		return JSV_E_INVAL;
	}
	*unique = false;
	if (jsv_json_get_bool(job, "unique", unique) == -EINVAL) {
		snprintf(err, errlen, "\"unique\" must be true or false");
		return JSV_E_INVAL;
	}
	*exec = "";
	switch (jsv_json_get_string(job, "execution_id", exec)) {
	case -EINVAL:
		snprintf(err, errlen, "\"execution_id\" must be a string");
		return JSV_E_INVAL;
	case 0:
		if (!jsv_valid_id(*exec)) {
			snprintf(err, errlen,
				 "\"execution_id\" must be 1 to "
				 "64 characters of A-Z a-z 0-9 _ . : -");
			return JSV_E_INVAL;
		}
	}
	*run_at = 0;
	if (jsv_json_get_int64(job, "run_at", run_at) == -EINVAL ||
	    *run_at < 0 || *run_at > QUEUE_RUN_AT_MAX) {
		snprintf(err, errlen,
			 "\"run_at\" must be a time in Unix "
			 "seconds");
		return JSV_E_INVAL;
	}
	c = p ? queue_canon(p) : json_object_new_object();
	*params =
		xstrdup(json_object_to_json_string_ext(c, JSV_JSON_TO_STRING));
	json_object_put(c);
	/* So that a job's record always fits in one answer. */
	if (strlen(*params) > QUEUE_PARAMS_MAX) {
		free(*params);
		*params = NULL;
		snprintf(err, errlen,
			 "\"parameters\" must be at most %d "
			 "bytes of JSON",
			 QUEUE_PARAMS_MAX);
		return JSV_E_INVAL;
	}
	return 0;
}

static struct json_object *queue_result(size_t index, const char *id, int code,
					const char *detail)
{
	struct json_object *o = json_object_new_object();
	char *text;

	json_object_object_add(o, "index", json_object_new_int64(index));
	if (id) {
		json_object_object_add(o, "id", json_object_new_string(id));
		return o;
	}
	if (detail && *detail)
		xasprintf(&text, "%s: %s", jsv_strerror(code), detail);
	else
		text = xstrdup(jsv_strerror(code));
	json_object_object_add(o, "error", json_object_new_string(text));
	json_object_object_add(o, "code", json_object_new_int(code));
	free(text);
	return o;
}

int queue_submit(struct json_object *jobs, struct json_object **results)
{
	size_t n = json_object_array_length(jobs), i, nok = 0;
	char err[256], (*ids)[32], **params, (*rt)[16], (*at)[24];
	const char **argvs, *name, *exec;
	struct queue_conf *q;
	redisReply **replies;
	size_t *which;
	int64_t run_at;
	bool unique;
	int code;

	if (!redis_ok())
		return -EIO;
	ids = xcalloc(n, sizeof(*ids));
	params = xcalloc(n, sizeof(*params));
	argvs = xcalloc(n * SUBMIT_ARGS, sizeof(*argvs));
	which = xcalloc(n, sizeof(*which));
	replies = xcalloc(n, sizeof(*replies));
	rt = xcalloc(n, sizeof(*rt));
	at = xcalloc(n, sizeof(*at));
	*results = json_object_new_array();
	for (i = 0; i < n; i++) {
		struct json_object *job = json_object_array_get_idx(jobs, i);

		err[0] = '\0';
		code = queue_check_job(job, &name, &params[i], &unique, &exec,
				       &run_at, err, sizeof(err));
		if (code) {
			json_object_array_put_idx(
				*results, i, queue_result(i, NULL, code, err));
			continue;
		}
		q = config_queue(jsvd->conf, name);
		job_random_hex(ids[i], 24);
		snprintf(rt[i], sizeof(rt[i]), "%u", q->max_retries);
		snprintf(at[i], sizeof(at[i]), "%lld", (long long)run_at);
		argvs[nok * SUBMIT_ARGS + 0] = ids[i];
		argvs[nok * SUBMIT_ARGS + 1] = name;
		argvs[nok * SUBMIT_ARGS + 2] = params[i];
		argvs[nok * SUBMIT_ARGS + 3] = unique ? "1" : "0";
		argvs[nok * SUBMIT_ARGS + 4] = exec;
		argvs[nok * SUBMIT_ARGS + 5] = rt[i];
		argvs[nok * SUBMIT_ARGS + 6] = at[i];
		which[nok++] = i;
	}
	if (nok && redis_script_many(SCRIPT_SUBMIT, nok, SUBMIT_ARGS, argvs,
				     replies) < 0) {
		for (i = 0; i < nok; i++)
			json_object_array_put_idx(*results, which[i],
						  queue_result(which[i], NULL,
							       JSV_E_REDIS,
							       NULL));
		nok = 0;
	}
	for (i = 0; i < nok; i++) {
		redisReply *r = replies[i];
		const char *why;

		if (r->type == REDIS_REPLY_STRING) {
			json_object_array_put_idx(*results, which[i],
						  queue_result(which[i], r->str,
							       0, NULL));
		} else if (redis_errstr(r) &&
			   strncmp(redis_errstr(r), "UNIQUE ", 7) == 0) {
			snprintf(err, sizeof(err), "job %s",
				 redis_errstr(r) + 7);
			json_object_array_put_idx(*results, which[i],
						  queue_result(which[i], NULL,
							       JSV_E_UNIQUE,
							       err));
		} else {
			/* OOM when Redis is full, NOPERM, READONLY... */
			why = redis_errstr(r) ? redis_errstr(r) : "bad reply";
			log_warnx("redis: submit failed: %s", why);
			snprintf(err, sizeof(err), "Redis refused the job: %s",
				 why);
			json_object_array_put_idx(*results, which[i],
						  queue_result(which[i], NULL,
							       JSV_E_INTERNAL,
							       err));
		}
		freeReplyObject(r);
	}
	/* This pool claims at once, not when its own notification is back. */
	if (nok)
		worker_kick();
	for (i = 0; i < n; i++)
		free(params[i]);
	free(rt);
	free(at);
	free(replies);
	free(which);
	free(argvs);
	free(params);
	free(ids);
	return 0;
}

/*
 * Orders the rows of a queue_list script reply, each a pointer to its
 * {type, count, enqueue_time, paused}, by type.
 */
static int cmp_row(const void *a, const void *b)
{
	redisReply *const *ra = *(redisReply * *const *)a;
	redisReply *const *rb = *(redisReply * *const *)b;

	return strcmp(ra[0]->str, rb[0]->str);
}

/* Finds the row of type name among n rows ordered by cmp_row(), or NULL. */
static redisReply **queue_row(redisReply ***rows, size_t n, const char *name)
{
	size_t lo = 0, hi = n, mid;
	int c;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, rows[mid][0]->str);
		if (c == 0)
			return rows[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* Is r a well-formed queue_list script reply? */
static bool queue_reply_ok(const redisReply *r)
{
	const redisReply *e;
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER ||
	    r->element[1]->type != REDIS_REPLY_ARRAY)
		return false;
	for (i = 0; i < r->element[1]->elements; i++)
		if (r->element[1]->element[i]->type != REDIS_REPLY_STRING)
			return false;
	e = r->element[2];
	if (e->type != REDIS_REPLY_ARRAY || e->elements % 4)
		return false;
	for (i = 0; i < e->elements; i += 4)
		if (e->element[i]->type != REDIS_REPLY_STRING ||
		    e->element[i + 1]->type != REDIS_REPLY_INTEGER ||
		    e->element[i + 3]->type != REDIS_REPLY_INTEGER)
			return false;
	return true;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * The job types to show, those configured here and those known to Redis,
 * in name order, with their count, latency and paused flag: one script
 * call, which reads only the types that may have Pending jobs and the
 * paused ones, so that neither its round trips nor its work in Redis grow
 * with the number of job types declared.
 */
int queue_list(struct json_object **out)
{
	struct json_object *arr, *o;
	struct queue_conf *q;
	redisReply *r, *e, *known, ***rows, **row;
	const char **names;
	const char *err;
	int64_t latency;
	size_t n = 0, nn = 0, i;

	r = redis_script(SCRIPT_QUEUE_LIST, 0, NULL);
	if (!r)
		return -EIO;
	if ((err = redis_errstr(r)) || !queue_reply_ok(r)) {
		log_warnx("redis: queue list: %s", err ? err : "bad reply");
		freeReplyObject(r);
		return -EIO;
	}
	known = r->element[1];
	e = r->element[2];
	rows = xreallocarray(NULL, e->elements / 4 + 1, sizeof(*rows));
	for (i = 0; i < e->elements; i += 4)
		rows[n++] = e->element + i;
	qsort(rows, n, sizeof(*rows), cmp_row);
	names = xreallocarray(NULL, jsvd->conf->nqueues + known->elements + 1,
			      sizeof(*names));
	TAILQ_FOREACH(q, &jsvd->conf->queues, entry)
		names[nn++] = q->name;
	for (i = 0; i < known->elements; i++)
		if (jsv_valid_job_type(known->element[i]->str))
			names[nn++] = known->element[i]->str;
	qsort(names, nn, sizeof(*names), cmp_name);
	arr = json_object_new_array();
	for (i = 0; i < nn; i++) {
		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;
		row = queue_row(rows, n, names[i]);
		latency = 0;
		if (row && row[2]->type == REDIS_REPLY_STRING)
			latency = r->element[0]->integer - atoll(row[2]->str);
		o = json_object_new_object();
		json_object_object_add(o, "job_type",
				       json_object_new_string(names[i]));
		json_object_object_add(
			o, "count",
			json_object_new_int64(row ? row[1]->integer : 0));
		json_object_object_add(
			o, "latency",
			json_object_new_int64(latency > 0 ? latency : 0));
		json_object_object_add(
			o, "paused",
			json_object_new_boolean(row && row[3]->integer == 1));
		json_object_array_add(arr, o);
	}
	free(names);
	free(rows);
	freeReplyObject(r);
	*out = arr;
	return 0;
}

/* The count of queue i of qs, a queue_list() array. */
static int64_t queue_count(struct json_object *qs, size_t i)
{
	return json_object_get_int64(json_object_object_get(
		json_object_array_get_idx(qs, i), "count"));
}

int queue_summary(struct json_object **out)
{
	struct json_object *qs, *o, *top, *t, *q;
	int64_t sum = 0, shown = 0, n, best[2] = { -1, -1 }, latency = 0;
	size_t i, len, at[2] = { 0, 0 };
	int rv;

	rv = queue_list(&qs);
	if (rv < 0)
		return rv;
	len = json_object_array_length(qs);
	for (i = 0; i < len; i++) {
		n = jsv_json_int(json_object_array_get_idx(qs, i), "latency");
		latency = n > latency ? n : latency;
		n = queue_count(qs, i);
		sum += n;
		if (n > best[0]) {
			best[1] = best[0];
			at[1] = at[0];
			best[0] = n;
			at[0] = i;
		} else if (n > best[1]) {
			best[1] = n;
			at[1] = i;
		}
	}
	top = json_object_new_array();
	/* The two longest queues, leaving out empty ones. */
	for (i = 0; i < 2 && best[i] > 0; i++) {
		q = json_object_array_get_idx(qs, at[i]);
		t = json_object_new_object();
		json_object_object_add(
			t, "job_type",
			json_object_get(json_object_object_get(q, "job_type")));
		json_object_object_add(
			t, "count",
			json_object_get(json_object_object_get(q, "count")));
		json_object_array_add(top, t);
		shown += queue_count(qs, at[i]);
	}
	o = json_object_new_object();
	json_object_object_add(o, "total", json_object_new_int64(sum));
	json_object_object_add(o, "types", json_object_new_int64(len));
	json_object_object_add(o, "top", top);
	json_object_object_add(o, "others", json_object_new_int64(sum - shown));
	json_object_object_add(o, "latency", json_object_new_int64(latency));
	json_object_put(qs);
	*out = o;
	return 0;
}

int queue_pause(const char *type, bool pause)
{
	redisReply *r;

	r = redis_cmd("%s %s %s", pause ? "SADD" : "SREM", redis_key("paused"),
		      type);
	if (!r)
		return -EIO;
	freeReplyObject(r);
	if (pause)
		return 0;
	/* Claims dropped it from the ready set while it was paused. */
	r = redis_cmd("ZADD %s 0 %s", redis_key("ready"), type);
	if (!r)
		return -EIO;
	freeReplyObject(r);
	redis_notify("job %s", type);
	return 0;
}

static uint64_t stop_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/*
 * The size of the next batch, after one of size jobs took us: scaled
 * towards STOP_BATCH_US, by at most a factor of two at a time so that one
 * batch delayed by something else does not swing it.
 */
int64_t queue_stop_size(int64_t size, uint64_t us)
{
	int64_t next;

	next = us ? (int64_t)((double)size * STOP_BATCH_US / us) : 2 * size;
	if (next > 2 * size)
		next = 2 * size;
	if (next < size / 2)
		next = size / 2;
	if (next > STOP_BATCH_MAX)
		next = STOP_BATCH_MAX;
	if (next < STOP_BATCH_MIN)
		next = STOP_BATCH_MIN;
	return next;
}

/*
 * The stop's batch: *total gets the jobs it stopped so far, *left those
 * left.  A full batch sizes the next one.
 */
static int stop_batch(const struct stop *st, uint64_t *total, int64_t *left)
{
	char batch[24], lease[24];
	const char *argv[5] = { st->id, batch, jsvd->pool_id, lease,
				st->req ? "1" : "0" };
	const char *e;
	redisReply *r;
	uint64_t start;
	int rv = 0;

	snprintf(batch, sizeof(batch), "%lld", (long long)stop_size);
	snprintf(lease, sizeof(lease), "%llu",
		 (unsigned long long)jsvd->conf->dead_timeout_ms);
	start = stop_now_us();
	r = redis_script(SCRIPT_STOP_BATCH, 5, argv);
	if (!r)
		return -EIO;
	e = redis_errstr(r);
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[0]->type == REDIS_REPLY_INTEGER &&
	    r->element[1]->type == REDIS_REPLY_INTEGER) {
		*total = r->element[0]->integer;
		*left = r->element[1]->integer;
		if (*left > 0)
			stop_size = queue_stop_size(stop_size,
						    stop_now_us() - start);
	} else if (e && strcmp(e, "BUSY") == 0) {
		rv = -EBUSY;
	} else if (e && strcmp(e, "NOSTOP") == 0) {
		rv = -ENOENT;
	} else {
		log_warnx("redis: queue stop %s failed: %s", st->id,
			  e ? e : "bad reply");
		rv = -EIO;
	}
	freeReplyObject(r);
	return rv;
}

/*
 * A stop is over: its request learns the count, or the error, and is
 * answered when its last stop is over.  A resume that another pool holds
 * or that is gone ends quietly.
 */
static void stop_end(struct stop *st, int err, uint64_t total)
{
	struct stop_req *req = st->req;

	TAILQ_REMOVE(&stops, st, entry);
	if (!req && err == 0)
		log_info("queue stop %s finished: %llu jobs stopped in all",
			 st->id, (unsigned long long)total);
	free(st);
	if (!req)
		return;
	if (err < 0 && req->done) {
		req->done(req->arg, 0, err);
		req->done = NULL;
	}
	req->stopped += total;
	if (--req->left > 0)
		return;
	if (req->done)
		req->done(req->arg, req->stopped, 0);
	free(req);
}

static void stop_arm(void);

/*
 * Runs batches, taking the stops in turn, for at most STOP_BUDGET_US, then
 * lets the loop serve everything else before the next turn.
 */
static int stop_step(sd_event_source *s, uint64_t usec, void *arg)
{
	uint64_t start = stop_now_us(), total = 0;
	struct stop *st;
	int64_t left = 0;
	int rv;

	while ((st = TAILQ_FIRST(&stops)) &&
	       stop_now_us() - start < STOP_BUDGET_US) {
		rv = stop_batch(st, &total, &left);
		if (rv == 0 && left > 0) {
			TAILQ_REMOVE(&stops, st, entry);
			TAILQ_INSERT_TAIL(&stops, st, entry);
			continue;
		}
		if (rv == -ENOENT && st->req)
			rv = -EIO;
		stop_end(st, rv, total);
	}
	if (!TAILQ_EMPTY(&stops))
		stop_arm();
	return 0;
}

/* The next turn of stop_step(), as soon as the loop has served the rest. */
static void stop_arm(void)
{
	if (jsvd_timer(&stop_src, 0, stop_step, NULL) < 0)
		fatalx("cannot arm the queue stop timer");
}

static struct stop *stop_find(const char *id)
{
	struct stop *st;

	TAILQ_FOREACH(st, &stops, entry)
		if (strcmp(st->id, id) == 0)
			return st;
	return NULL;
}

static void stop_add(const char *id, struct stop_req *req)
{
	struct stop *st = xcalloc(1, sizeof(*st));

	snprintf(st->id, sizeof(st->id), "%s", id);
	st->req = req;
	if (req)
		req->left++;
	TAILQ_INSERT_TAIL(&stops, st, entry);
	stop_arm();
}

int queue_stop(char *const *types, size_t n, queue_stop_cb *done, void *arg)
{
	struct stop_req *req;
	char id[STOP_ID_LEN + 1], lease[24];
	const char *argv[4] = { NULL, id, jsvd->pool_id, lease };
	redisReply *r;
	size_t i;
	int rv = 0;

	if (n == 0)
		return -EINVAL;
	if (!redis_ok())
		return -EIO;
	snprintf(lease, sizeof(lease), "%llu",
		 (unsigned long long)jsvd->conf->dead_timeout_ms);
	req = xcalloc(1, sizeof(*req));
	req->done = done;
	req->arg = arg;
	for (i = 0; i < n && rv == 0; i++) {
		job_random_hex(id, STOP_ID_LEN);
		argv[0] = types[i];
		r = redis_script(SCRIPT_STOP_BEGIN, 4, argv);
		if (!r || r->type != REDIS_REPLY_INTEGER) {
			if (r)
				log_warnx("redis: stopping queue %s failed: %s",
					  types[i],
					  redis_errstr(r) ? redis_errstr(r) :
							    "bad reply");
			rv = -EIO;
		} else {
			stop_add(id, req);
		}
		if (r)
			freeReplyObject(r);
	}
	if (rv == 0)
		return 0;
	/* The queues moved aside so far are still stopped, unreported. */
	req->done = NULL;
	if (req->left == 0)
		free(req);
	return rv;
}

void queue_resume_stops(void)
{
	redisReply *r;
	const char *id;
	size_t i;

	r = redis_cmd("SMEMBERS %s", redis_key("stopping"));
	if (!r)
		return;
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		id = r->element[i]->str;
		if (r->element[i]->type == REDIS_REPLY_STRING &&
		    strlen(id) == STOP_ID_LEN &&
		    strspn(id, "0123456789abcdef") == STOP_ID_LEN &&
		    !stop_find(id))
			stop_add(id, NULL);
	}
	freeReplyObject(r);
}

void queue_cleanup(void)
{
	struct stop *st;

	while ((st = TAILQ_FIRST(&stops))) {
		TAILQ_REMOVE(&stops, st, entry);
		if (st->req && --st->req->left == 0)
			free(st->req);
		free(st);
	}
	stop_src = sd_event_source_disable_unref(stop_src);
}

void queue_reload(const struct jsvd_conf *oc, const struct jsvd_conf *nc)
{
	struct queue_conf *q;
	redisReply *r;

	TAILQ_FOREACH(q, &nc->queues, entry)
		if (!config_queue(oc, q->name))
			log_info("reload: queue %s added", q->name);
	TAILQ_FOREACH(q, &oc->queues, entry) {
		if (config_queue(nc, q->name))
			continue;
		r = redis_cmd("LLEN %s", redis_key("q:%s", q->name));
		log_warnx("reload: queue %s removed from this pool; %lld "
			  "pending jobs stay in Redis for pools that still "
			  "serve it",
			  q->name,
			  r && r->type == REDIS_REPLY_INTEGER ? r->integer :
								0LL);
		if (r)
			freeReplyObject(r);
	}
}
