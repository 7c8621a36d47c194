/* SPDX-License-Identifier: ISC */
/*
 * The job queues: submission, the Job Queues table, pause and resume, and
 * stopping whole queues.
 *
 * Stopping a queue moves its list aside in one O(1) step, so the queue is
 * empty at once and jobs submitted afterwards are not affected, and then
 * ends the moved jobs Stopped in batches from the event loop: a queue of a
 * million jobs never blocks Redis, nor this daemon, for long.  The moved
 * lists are recorded in Redis, so a stop that a crash interrupted is
 * finished by whichever daemon looks next (on its heartbeat).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "proto.h"

#define STOP_BATCH 1000
#define QUEUE_PARAMS_MAX (64 * 1024)
#define QUEUE_RUN_AT_MAX 32503680000LL /* year 3000 */
#define SUBMIT_ARGS 7 /* the script's arguments after the namespace */

struct stopper {
	char **keys; /* moved lists still to drain */
	size_t nkeys;
	size_t next;
	uint64_t stopped;
	queue_stop_cb *done; /* NULL for a background resume */
	void *arg;
	sd_event_source *src;
};

static struct stopper *resuming; /* the background resume, if any */

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

/* The job types to show: those configured here and those known to Redis. */
static int queue_types(char ***out, size_t *nout)
{
	struct queue_conf *q;
	redisReply *r;
	char **types;
	size_t n = 0, i, j;

	r = redis_cmd("SMEMBERS %s", redis_key("queues"));
	if (!r)
		return -EIO;
	types = xreallocarray(NULL, jsvd->conf->nqueues + r->elements + 1,
			      sizeof(*types));
	TAILQ_FOREACH(q, &jsvd->conf->queues, entry)
		types[n++] = xstrdup(q->name);
	for (i = 0; r->type == REDIS_REPLY_ARRAY && i < r->elements; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(types[j], r->element[i]->str) == 0)
				break;
		if (j == n && jsv_valid_job_type(r->element[i]->str))
			types[n++] = xstrdup(r->element[i]->str);
	}
	freeReplyObject(r);
	qsort(types, n, sizeof(*types), cmp_str);
	*out = types;
	*nout = n;
	return 0;
}

int queue_list(struct json_object **out)
{
	struct json_object *arr, *o;
	redisReply *now, *len, *head, *paused, *enq;
	int64_t latency;
	char **types;
	size_t n, i;
	int rv = 0;

	if (queue_types(&types, &n) < 0)
		return -EIO;
	now = redis_cmd("TIME");
	if (!now) {
		rv = -EIO;
		goto out_types;
	}
	arr = json_object_new_array();
	for (i = 0; i < n; i++) {
		len = redis_cmd("LLEN %s", redis_key("q:%s", types[i]));
		head = redis_cmd("LINDEX %s 0", redis_key("q:%s", types[i]));
		paused = redis_cmd("SISMEMBER %s %s", redis_key("paused"),
				   types[i]);
		enq = head && head->type == REDIS_REPLY_STRING ?
			      redis_cmd("HGET %s enqueue_time",
					redis_key("job:%s", head->str)) :
			      NULL;
		if (!len || !head || !paused) {
			rv = -EIO;
		} else {
			latency = 0;
			if (enq && enq->type == REDIS_REPLY_STRING)
				latency = atoll(now->element[0]->str) -
					  atoll(enq->str);
			o = json_object_new_object();
			json_object_object_add(
				o, "job_type",
				json_object_new_string(types[i]));
			json_object_object_add(
				o, "count",
				json_object_new_int64(len->integer));
			json_object_object_add(
				o, "latency",
				json_object_new_int64(latency > 0 ? latency :
								    0));
			json_object_object_add(
				o, "paused",
				json_object_new_boolean(paused->integer == 1));
			json_object_array_add(arr, o);
		}
		if (len)
			freeReplyObject(len);
		if (head)
			freeReplyObject(head);
		if (paused)
			freeReplyObject(paused);
		if (enq)
			freeReplyObject(enq);
		if (rv < 0)
			break;
	}
	freeReplyObject(now);
	if (rv < 0)
		json_object_put(arr);
	else
		*out = arr;
out_types:
	for (i = 0; i < n; i++)
		free(types[i]);
	free(types);
	return rv;
}

int queue_pause(const char *type, bool pause)
{
	redisReply *r;

	r = redis_cmd("%s %s %s", pause ? "SADD" : "SREM", redis_key("paused"),
		      type);
	if (!r)
		return -EIO;
	freeReplyObject(r);
	if (!pause)
		redis_notify("job %s", type);
	return 0;
}

static void stopper_free(struct stopper *st)
{
	size_t i;

	for (i = 0; i < st->nkeys; i++)
		free(st->keys[i]);
	free(st->keys);
	sd_event_source_disable_unref(st->src);
	if (st == resuming)
		resuming = NULL;
	free(st);
}

static int stopper_step(sd_event_source *s, void *arg)
{
	struct stopper *st = arg;
	const char *argv[2];
	redisReply *r;
	char batch[16];
	int err = 0;

	snprintf(batch, sizeof(batch), "%d", STOP_BATCH);
	argv[0] = st->keys[st->next];
	argv[1] = batch;
	r = redis_script(SCRIPT_STOP_BATCH, 2, argv);
	if (!r) {
		err = -EIO;
	} else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
		log_warnx("redis: stopping %s failed: %s", st->keys[st->next],
			  r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
		err = -EIO;
	} else {
		st->stopped += r->element[0]->integer;
		if (r->element[1]->integer == 0)
			st->next++;
	}
	if (r)
		freeReplyObject(r);
	if (err == 0 && st->next < st->nkeys)
		return 0;
	if (st->done)
		st->done(st->arg, st->stopped, err);
	stopper_free(st);
	return 0;
}

static struct stopper *stopper_new(queue_stop_cb *done, void *arg)
{
	struct stopper *st = xcalloc(1, sizeof(*st));

	st->done = done;
	st->arg = arg;
	return st;
}

static void stopper_start(struct stopper *st)
{
	if (sd_event_add_defer(jsvd->ev, &st->src, stopper_step, st) < 0 ||
	    sd_event_source_set_enabled(st->src, SD_EVENT_ON) < 0)
		fatalx("cannot add the queue stop event");
}

int queue_stop(char *const *types, size_t n, queue_stop_cb *done, void *arg)
{
	struct stopper *st;
	const char *argv[2];
	char token[17];
	redisReply *r;
	size_t i;

	if (!redis_ok())
		return -EIO;
	st = stopper_new(done, arg);
	st->keys = xreallocarray(NULL, n, sizeof(*st->keys));
	for (i = 0; i < n; i++) {
		job_random_hex(token, 16);
		argv[0] = types[i];
		argv[1] = token;
		r = redis_script(SCRIPT_STOP_BEGIN, 2, argv);
		if (!r) {
			stopper_free(st);
			return -EIO;
		}
		if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
		    r->element[0]->integer > 0)
			st->keys[st->nkeys++] = xstrdup(r->element[1]->str);
		freeReplyObject(r);
	}
	if (st->nkeys == 0) {
		stopper_free(st);
		done(arg, 0, 0);
		return 0;
	}
	stopper_start(st);
	return 0;
}

void queue_resume_stops(void)
{
	struct stopper *st;
	redisReply *r;
	size_t i;

	if (resuming)
		return;
	r = redis_cmd("SMEMBERS %s", redis_key("stopping"));
	if (!r)
		return;
	if (r->type == REDIS_REPLY_ARRAY && r->elements > 0) {
		st = stopper_new(NULL, NULL);
		st->keys = xreallocarray(NULL, r->elements, sizeof(*st->keys));
		for (i = 0; i < r->elements; i++)
			st->keys[st->nkeys++] = xstrdup(r->element[i]->str);
		resuming = st;
		stopper_start(st);
	}
	freeReplyObject(r);
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
