/* SPDX-License-Identifier: ISC */
/*
 * Time in the job service: schedules that fire jobs by cron expression,
 * and jobs that wait for their time (submitted for later, or waiting out
 * a retry's backoff).
 *
 * Every daemon runs the same tick: it queues the delayed jobs that are due
 * and fires the schedules that are due, then sleeps until the next due
 * time it knows of, at most a second.  All of it is done by scripts that
 * are safe to run from many daemons at once: a tick of a schedule is fired
 * by compare-and-set on its due time, so exactly one daemon fires it.
 * Changes to due times are announced on the notification channel
 * ("timer"), so the daemons wake for them.  Due times are Redis's clock.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "cron.h"
#include "jobsvcd.h"
#include "proto.h"

#define SCHED_PROMOTE_BATCH 1000
#define SCHED_FIRE_BATCH 100
#define SCHED_MAX_BATCHES 20 /* per tick, so a tick stays short */
#define SCHED_IDLE_MS 1000 /* the longest sleep between ticks */
#define SCHED_PARAMS_MAX (64 * 1024)

static sd_event_source *tick_src;
static sd_event_source *kick_src;

static bool sched_paused(void)
{
	redisReply *r =
		redis_cmd("SISMEMBER %s SCHEDULER", redis_key("paused"));
	bool paused = r && r->type == REDIS_REPLY_INTEGER && r->integer == 1;

	if (r)
		freeReplyObject(r);
	return paused;
}

/*
 * Queues the delayed jobs that are due.  Returns the next due time (ms),
 * -1 when none waits, -2 on error; *now_ms gets Redis's time.
 */
static int64_t sched_promote(int64_t *now_ms)
{
	char limit[16];
	const char *argv[1] = { limit };
	int64_t next = -2;
	redisReply *r;
	int i;

	snprintf(limit, sizeof(limit), "%d", SCHED_PROMOTE_BATCH);
	for (i = 0; i < SCHED_MAX_BATCHES; i++) {
		r = redis_script(SCRIPT_PROMOTE, 1, argv);
		if (!r)
			return -2;
		if (r->type != REDIS_REPLY_ARRAY || r->elements != 3) {
			log_warnx("redis: promote failed: %s",
				  redis_errstr(r) ? redis_errstr(r) : "?");
			freeReplyObject(r);
			return -2;
		}
		next = r->element[1]->integer;
		*now_ms = r->element[2]->integer;
		if (r->element[0]->integer < SCHED_PROMOTE_BATCH) {
			freeReplyObject(r);
			break;
		}
		freeReplyObject(r);
	}
	return next;
}

/* Fires one due schedule; its due time as read is the tick's identity. */
static void sched_fire_one(const char *id, const char *due, int64_t now_ms)
{
	char next_ms[24], job_id[32], retries[16], err[256];
	const char *argv[5] = { id, due, next_ms, job_id, retries };
	const struct queue_conf *q;
	struct cron c;
	redisReply *f, *r;
	long long tick;
	int64_t next;

	err[0] = '\0';
	f = redis_cmd("HMGET %s cron vendor_type", redis_key("sched:%s", id));
	if (!f)
		return;
	if (f->type != REDIS_REPLY_ARRAY || f->elements != 2 ||
	    f->element[0]->type != REDIS_REPLY_STRING) {
		freeReplyObject(f);
		return;
	}
	if (cron_parse(f->element[0]->str, &c, err, sizeof(err)) < 0 ||
	    (next = cron_next(&c, now_ms / 1000)) < 0) {
		log_warnx("schedule %s: \"%s\" never fires again%s%s: taken "
			  "off the timetable",
			  id, f->element[0]->str, err[0] ? ": " : "", err);
		r = redis_cmd("ZREM %s %s", redis_key("sched:due"), id);
		if (r)
			freeReplyObject(r);
		freeReplyObject(f);
		return;
	}
	q = config_queue(jsvd->conf, f->element[1]->str);
	snprintf(retries, sizeof(retries), "%u", q ? q->max_retries : 0);
	snprintf(next_ms, sizeof(next_ms), "%lld", (long long)next * 1000);
	job_random_hex(job_id, 24);
	r = redis_script(SCRIPT_SCHED_FIRE, 5, argv);
	/* A string a script returns is a bulk string, not a status. */
	if (r && r->type == REDIS_REPLY_STRING) {
		tick = strtoll(due, NULL, 10) / 1000;
		if (strcmp(r->str, "FIRED") == 0)
			log_debug("schedule %s fired job %s (%s) for its tick "
				  "of %lld",
				  id, job_id, f->element[1]->str, tick);
		else if (strcmp(r->str, "SKIPPED") == 0)
			log_debug("schedule %s: its last job still waits, its "
				  "tick of %lld fires nothing",
				  id, tick);
	} else if (r && redis_errstr(r)) {
		log_warnx("redis: firing schedule %s failed: %s", id,
			  redis_errstr(r));
	}
	if (r)
		freeReplyObject(r);
	freeReplyObject(f);
}

/* Fires the due schedules.  Returns the next due time (ms), -1 if none. */
static int64_t sched_fire(int64_t now_ms)
{
	redisReply *r;
	int64_t next = -1;
	size_t i;
	int b;

	for (b = 0; b < SCHED_MAX_BATCHES; b++) {
		r = redis_cmd(
			"ZRANGEBYSCORE %s -inf %lld WITHSCORES LIMIT 0 %d",
			redis_key("sched:due"), (long long)now_ms,
			SCHED_FIRE_BATCH);
		if (!r)
			return -1;
		for (i = 0; r->type == REDIS_REPLY_ARRAY && i + 1 < r->elements;
		     i += 2)
			sched_fire_one(r->element[i]->str,
				       r->element[i + 1]->str, now_ms);
		if (r->type != REDIS_REPLY_ARRAY ||
		    r->elements < 2 * SCHED_FIRE_BATCH) {
			freeReplyObject(r);
			break;
		}
		freeReplyObject(r);
	}
	r = redis_cmd("ZRANGE %s 0 0 WITHSCORES", redis_key("sched:due"));
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
		next = strtoll(r->element[1]->str, NULL, 10);
	if (r)
		freeReplyObject(r);
	return next;
}

static int sched_tick(sd_event_source *s, uint64_t usec, void *arg);

/* The scheduler's next tick; without it no schedule would ever fire again. */
static void sched_arm(uint64_t delay_ms)
{
	if (jsvd_timer(&tick_src, delay_ms * 1000, sched_tick, NULL) < 0)
		fatalx("cannot arm the scheduler");
}

static void sched_run(void)
{
	int64_t now_ms = -1, next, due, wake;

	if (!redis_ok()) {
		sched_arm(SCHED_IDLE_MS);
		return;
	}
	next = sched_promote(&now_ms);
	if (next == -2 || now_ms < 0) {
		sched_arm(SCHED_IDLE_MS);
		return;
	}
	if (!sched_paused()) {
		due = sched_fire(now_ms);
		if (due >= 0 && (next < 0 || due < next))
			next = due;
	}
	wake = now_ms + SCHED_IDLE_MS;
	if (next >= 0 && next < wake)
		wake = next;
	sched_arm(wake > now_ms ? wake - now_ms : 1);
}

static int sched_tick(sd_event_source *s, uint64_t usec, void *arg)
{
	sched_run();
	return 0;
}

static int sched_kick_cb(sd_event_source *s, void *arg)
{
	sched_run();
	return 0;
}

void sched_kick(void)
{
	if ((!kick_src && sd_event_add_defer(jsvd->ev, &kick_src, sched_kick_cb,
					     NULL) < 0) ||
	    sd_event_source_set_enabled(kick_src, SD_EVENT_ONESHOT) < 0)
		fatalx("cannot add the scheduler event");
}

int sched_init(void)
{
	return jsvd_timer(&tick_src, SCHED_IDLE_MS * 1000, sched_tick, NULL);
}

void sched_cleanup(void)
{
	tick_src = sd_event_source_disable_unref(tick_src);
	kick_src = sd_event_source_disable_unref(kick_src);
}

int sched_summary(int64_t *total, bool *paused)
{
	redisReply *r = redis_cmd("ZCARD %s", redis_key("schedules"));

	if (!r)
		return -EIO;
	*total = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
	freeReplyObject(r);
	*paused = sched_paused();
	return redis_ok() ? 0 : -EIO;
}

static const char *rstr(const redisReply *r)
{
	return r->type == REDIS_REPLY_STRING ? r->str : "";
}

/*
 * One schedule record as the protocol shows it, from its id, f (the fields
 * sched_page.lua reads, in its order) and the status of its last job.
 */
static struct json_object *sched_record(const char *id, const redisReply *f,
					const char *last_status)
{
	struct json_object *o, *params;

	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(atoll(id)));
	json_object_object_add(o, "vendor_type",
			       json_object_new_string(rstr(f->element[0])));
	json_object_object_add(
		o, "vendor_id",
		json_object_new_int64(atoll(rstr(f->element[1]))));
	json_object_object_add(o, "cron",
			       json_object_new_string(rstr(f->element[2])));
	params = json_tokener_parse(rstr(f->element[3]));
	json_object_object_add(o, "parameters",
			       params ? params : json_object_new_object());
	job_add_time(o, "create_time", rstr(f->element[4]));
	job_add_time(o, "update_time", rstr(f->element[5]));
	job_add_time(o, "next_run", rstr(f->element[6]));
	job_add_time(o, "last_fire", rstr(f->element[7]));
	json_object_object_add(o, "last_job_id",
			       json_object_new_string(rstr(f->element[8])));
	json_object_object_add(o, "last_status",
			       json_object_new_string(last_status));
	return o;
}

/* Is r a well-formed sched_page script reply? */
static bool sched_page_ok(const redisReply *r)
{
	const redisReply *e;
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[0]->type != REDIS_REPLY_INTEGER ||
	    r->element[1]->type != REDIS_REPLY_ARRAY ||
	    r->element[1]->elements % 3)
		return false;
	e = r->element[1];
	for (i = 0; i < e->elements; i += 3)
		if (e->element[i]->type != REDIS_REPLY_STRING ||
		    e->element[i + 1]->type != REDIS_REPLY_ARRAY ||
		    e->element[i + 1]->elements != 9 ||
		    e->element[i + 2]->type != REDIS_REPLY_STRING)
			return false;
	return true;
}

int sched_list(int64_t page, int64_t size, struct json_object **out,
	       int64_t *total)
{
	char start[24], stop[24];
	const char *argv[2] = { start, stop };
	struct json_object *arr;
	const char *err;
	redisReply *r, *e;
	size_t i;

	snprintf(start, sizeof(start), "%lld", (long long)((page - 1) * size));
	snprintf(stop, sizeof(stop), "%lld", (long long)(page * size - 1));
	r = redis_script(SCRIPT_SCHED_PAGE, 2, argv);
	if (!r)
		return -EIO;
	if ((err = redis_errstr(r)) || !sched_page_ok(r)) {
		log_warnx("redis: schedule list: %s", err ? err : "bad reply");
		freeReplyObject(r);
		return -EIO;
	}
	*total = r->element[0]->integer;
	e = r->element[1];
	arr = json_object_new_array();
	for (i = 0; i < e->elements; i += 3)
		json_object_array_add(
			arr, sched_record(e->element[i]->str, e->element[i + 1],
					  e->element[i + 2]->str));
	freeReplyObject(r);
	*out = arr;
	return 0;
}

int sched_add(const char *type, int64_t vendor_id, const char *expr,
	      struct json_object *params, struct json_object **out, char *err,
	      size_t errlen)
{
	char vid[24], next_ms[24], *ptext;
	const char *argv[5];
	struct cron c;
	int64_t now_ms, next;
	redisReply *r;
	int rv = 0;

	err[0] = '\0';
	if (cron_parse(expr, &c, err, errlen) < 0)
		return -EINVAL;
	now_ms = redis_time_ms();
	if (now_ms < 0)
		return -EIO;
	next = cron_next(&c, now_ms / 1000);
	if (next < 0) {
		snprintf(err, errlen, "\"%s\" never fires", expr);
		return -EINVAL;
	}
	ptext = xstrdup(
		json_object_to_json_string_ext(params, JSV_JSON_TO_STRING));
	if (strlen(ptext) > SCHED_PARAMS_MAX) {
		snprintf(err, errlen,
			 "\"parameters\" must be at most %d bytes "
			 "of JSON",
			 SCHED_PARAMS_MAX);
		free(ptext);
		return -EINVAL;
	}
	snprintf(vid, sizeof(vid), "%lld", (long long)vendor_id);
	snprintf(next_ms, sizeof(next_ms), "%lld", (long long)next * 1000);
	argv[0] = type;
	argv[1] = vid;
	argv[2] = expr;
	argv[3] = ptext;
	argv[4] = next_ms;
	r = redis_script(SCRIPT_SCHED_ADD, 5, argv);
	free(ptext);
	if (!r)
		return -EIO;
	if (r->type == REDIS_REPLY_INTEGER) {
		*out = json_object_new_object();
		json_object_object_add(*out, "id",
				       json_object_new_int64(r->integer));
		snprintf(vid, sizeof(vid), "%lld", (long long)next);
		job_add_time(*out, "next_run", vid);
		snprintf(err, errlen, "Added schedule %lld",
			 (long long)r->integer);
		json_object_object_add(*out, "message",
				       json_object_new_string(err));
		err[0] = '\0';
		log_info("schedule %lld added: %s \"%s\"",
			 (long long)r->integer, type, expr);
	} else {
		log_warnx("redis: adding a schedule failed: %s",
			  redis_errstr(r) ? redis_errstr(r) : "?");
		rv = -EIO;
	}
	freeReplyObject(r);
	return rv;
}

int sched_del(int64_t id)
{
	char sid[24];
	const char *argv[1] = { sid };
	redisReply *r;
	int rv;

	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	r = redis_script(SCRIPT_SCHED_DEL, 1, argv);
	if (!r)
		return -EIO;
	rv = r->type == REDIS_REPLY_INTEGER && r->integer == 1 ? 0 : -ENOENT;
	freeReplyObject(r);
	if (rv == 0)
		log_info("schedule %lld deleted", (long long)id);
	return rv;
}
