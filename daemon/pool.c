/* SPDX-License-Identifier: ISC */
/*
 * This daemon's worker pool as the rest of the service sees it: its record
 * in Redis, the heartbeat that keeps it alive there, and the recovery of
 * pools whose heartbeat stopped.  Every daemon checks every other on each
 * heartbeat, so the jobs of a crashed daemon go back to their queues as
 * long as one daemon of the service runs.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"

static sd_event_source *beat_src;
static bool registered; /* once registered, a lost record means death */

int pool_register(void)
{
	struct jsvd_conf *conf = jsvd->conf;
	struct queue_conf *q;
	const char **argv;
	char pid[16], conc[16], crash[16], (*caps)[16];
	redisReply *r;
	int argc = 0, rv = 0;
	size_t i = 0;

	argv = xreallocarray(NULL, 2 * conf->nqueues + 6, sizeof(*argv));
	caps = xreallocarray(NULL, conf->nqueues + 1, sizeof(*caps));
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	snprintf(conc, sizeof(conc), "%u", jsvd->nworkers);
	snprintf(crash, sizeof(crash), "%u", conf->crash_retries);
	argv[argc++] = jsvd->pool_id;
	argv[argc++] = pid;
	argv[argc++] = jsvd->host;
	argv[argc++] = conc;
	argv[argc++] = jsvd->identity;
	argv[argc++] = crash;
	TAILQ_FOREACH(q, &conf->queues, entry) {
		snprintf(caps[i], sizeof(caps[i]), "%u", q->max_concurrency);
		argv[argc++] = q->name;
		argv[argc++] = caps[i++];
	}
	r = redis_script(SCRIPT_POOL_REGISTER, argc, argv);
	free(caps);
	free(argv);
	if (!r)
		return -EIO;
	if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
		if (r->element[0]->integer > 0)
			log_info("recovered %lld jobs of this host's previous "
				 "pool",
				 r->element[0]->integer);
		/*
		 * Our record vanished or was marked dead while we were cut
		 * off: our claims went back to the queues, so what we still
		 * run is a duplicate now.
		 */
		if (registered && strcmp(r->element[1]->str, "ok") != 0) {
			log_warnx("this pool was declared dead while Redis "
				  "was out of reach; its jobs went back to "
				  "their queues");
			worker_lost_pool();
		}
		registered = true;
	} else {
		log_warnx("redis: pool registration failed: %s",
			  r->type == REDIS_REPLY_ERROR ? r->str : "bad reply");
		rv = -EIO;
	}
	freeReplyObject(r);
	return rv;
}

/*
 * One heartbeat: renew our lease and recover dead pools.  When our own pool
 * was declared dead meanwhile (this daemon was stopped or cut off for
 * longer than the dead-pool timeout), it registers again, which kills the
 * handlers whose jobs were handed to other pools.
 */
static void pool_beat(void)
{
	char dead_ms[24], crash[16];
	const char *argv[3];
	redisReply *r;

	snprintf(dead_ms, sizeof(dead_ms), "%llu",
		 (unsigned long long)jsvd->conf->dead_timeout_ms);
	snprintf(crash, sizeof(crash), "%u", jsvd->conf->crash_retries);
	argv[0] = jsvd->pool_id;
	argv[1] = dead_ms;
	argv[2] = crash;
	r = redis_script(SCRIPT_HEARTBEAT, 3, argv);
	if (!r)
		return;
	if (r->type == REDIS_REPLY_ERROR &&
	    strcmp(redis_errstr(r), "NOPOOL") == 0) {
		pool_register();
	} else if (r->type == REDIS_REPLY_INTEGER && r->integer > 0) {
		log_info("recovered %lld jobs of dead worker pools",
			 r->integer);
	} else if (r->type == REDIS_REPLY_ERROR) {
		log_warnx("redis: heartbeat failed: %s", r->str);
	}
	freeReplyObject(r);
}

static int pool_beat_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	if (redis_ok()) {
		pool_beat();
		worker_reconcile();
		jsvd_status("serving: pool %s, %u of %u workers busy",
			    jsvd->pool_id, worker_busy(), jsvd->nworkers);
		queue_resume_stops();
		job_purge();
		worker_check_stops();
		worker_kick();
	}
	pool_start_heartbeat();
	return 0;
}

/* Without its heartbeat the pool would be declared Dead: fatal. */
void pool_start_heartbeat(void)
{
	if (jsvd_timer(&beat_src, jsvd->conf->heartbeat_ms * 1000,
		       pool_beat_timer, NULL) < 0)
		fatalx("cannot arm the heartbeat timer");
}

void pool_leave(void)
{
	const char *argv[1] = { jsvd->pool_id };
	redisReply *r;

	beat_src = sd_event_source_disable_unref(beat_src);
	r = redis_script(SCRIPT_POOL_LEAVE, 1, argv);
	if (r)
		freeReplyObject(r);
}

/* Calls fn for each pool known to Redis with its record; 0 or -EIO. */
static int pool_foreach(int (*fn)(const char *id, redisReply *rec, bool dead,
				  void *arg),
			void *arg)
{
	redisReply *ids, *rec;
	int64_t now_ms;
	size_t i;
	bool dead;
	int rv = 0;

	now_ms = redis_time_ms();
	if (now_ms < 0)
		return -EIO;
	ids = redis_cmd("ZRANGE %s 0 -1 WITHSCORES", redis_key("pools"));
	if (!ids)
		return -EIO;
	for (i = 0; ids->type == REDIS_REPLY_ARRAY && i + 1 < ids->elements;
	     i += 2) {
		const char *id = ids->element[i]->str;

		rec = redis_cmd("HMGET %s pid host start_at heartbeat_at "
				"concurrency status",
				redis_key("pool:%s", id));
		if (!rec) {
			rv = -EIO;
			break;
		}
		if (rec->type != REDIS_REPLY_ARRAY || rec->elements != 6 ||
		    rec->element[5]->type != REDIS_REPLY_STRING) {
			freeReplyObject(rec);
			continue;
		}
		dead = strcmp(rec->element[5]->str, "Dead") == 0 ||
		       now_ms - strtoll(ids->element[i + 1]->str, NULL, 10) >
			       (int64_t)jsvd->conf->dead_timeout_ms;
		rv = fn(id, rec, dead, arg);
		freeReplyObject(rec);
		if (rv < 0)
			break;
	}
	freeReplyObject(ids);
	return rv;
}

static const char *rstr(redisReply *r)
{
	return r->type == REDIS_REPLY_STRING ? r->str : "";
}

static int pool_list_one(const char *id, redisReply *rec, bool dead, void *arg)
{
	struct json_object *arr = arg, *o = json_object_new_object();

	json_object_object_add(o, "worker_pool_id", json_object_new_string(id));
	json_object_object_add(
		o, "pid", json_object_new_int64(atoll(rstr(rec->element[0]))));
	json_object_object_add(o, "host",
			       json_object_new_string(rstr(rec->element[1])));
	job_add_time(o, "start_at", rstr(rec->element[2]));
	job_add_time(o, "heartbeat_at", rstr(rec->element[3]));
	json_object_object_add(
		o, "concurrency",
		json_object_new_int(atoi(rstr(rec->element[4]))));
	json_object_object_add(
		o, "status", json_object_new_string(dead ? "Dead" : "Healthy"));
	json_object_array_add(arr, o);
	return 0;
}

int pool_list(struct json_object **out)
{
	struct json_object *arr = json_object_new_array();

	if (pool_foreach(pool_list_one, arr) < 0) {
		json_object_put(arr);
		return -EIO;
	}
	*out = arr;
	return 0;
}

struct workers_arg {
	const char *pool_id; /* NULL for every pool */
	struct json_object *arr;
	unsigned busy, total;
	bool found;
};

/* Adds worker wid's record to arr: job_id and f (worker_jobs.lua's) or idle. */
static void pool_worker_add(struct json_object *arr, const char *wid,
			    const char *pool_id, const char *job_id,
			    const redisReply *f)
{
	struct json_object *o = json_object_new_object();
	bool ok = job_id && f && f->type == REDIS_REPLY_ARRAY &&
		  f->elements == 4;

	json_object_object_add(o, "id", json_object_new_string(wid));
	json_object_object_add(o, "pool_id", json_object_new_string(pool_id));
	json_object_object_add(o, "job_name",
			       json_object_new_string(ok ? rstr(f->element[0]) :
							   ""));
	json_object_object_add(o, "job_id",
			       json_object_new_string(ok ? job_id : ""));
	job_add_time(o, "start_at", ok ? rstr(f->element[1]) : "");
	json_object_object_add(o, "check_in",
			       json_object_new_string(ok ? rstr(f->element[2]) :
							   ""));
	job_add_time(o, "checkin_at", ok ? rstr(f->element[3]) : "");
	json_object_array_add(arr, o);
}

static int pool_workers_one(const char *id, redisReply *rec, bool dead,
			    void *arg)
{
	struct workers_arg *wa = arg;
	redisReply *busy, *jobs = NULL;
	const char **job_ids, **argv;
	unsigned i, n, nbusy = 0;
	char wid[64];
	size_t k;

	if (wa->pool_id && strcmp(wa->pool_id, id) != 0)
		return 0;
	wa->found = true;
	if (dead)
		return 0;
	n = atoi(rstr(rec->element[4]));
	busy = redis_cmd("HGETALL %s", redis_key("pool:%s:workers", id));
	if (!busy)
		return -EIO;
	wa->total += n;
	job_ids = xcalloc(n + 1, sizeof(*job_ids));
	argv = xcalloc(n + 1, sizeof(*argv));
	for (i = 1; i <= n; i++) {
		snprintf(wid, sizeof(wid), "%s-%u", id, i);
		for (k = 0;
		     busy->type == REDIS_REPLY_ARRAY && k + 1 < busy->elements;
		     k += 2) {
			if (strcmp(busy->element[k]->str, wid) == 0)
				job_ids[i] = busy->element[k + 1]->str;
		}
		if (job_ids[i])
			argv[nbusy++] = job_ids[i];
	}
	wa->busy += nbusy;
	/* The busy workers' jobs in one call, in the order of the workers. */
	if (wa->arr && nbusy > 0) {
		jobs = redis_script(SCRIPT_WORKER_JOBS, (int)nbusy, argv);
		if (jobs && (jobs->type != REDIS_REPLY_ARRAY ||
			     jobs->elements != nbusy)) {
			log_warnx("redis: workers of pool %s: %s", id,
				  redis_errstr(jobs) ? redis_errstr(jobs) :
						       "bad reply");
			freeReplyObject(jobs);
			jobs = NULL;
		}
	}
	for (i = 1, k = 0; wa->arr && i <= n; i++) {
		snprintf(wid, sizeof(wid), "%s-%u", id, i);
		pool_worker_add(wa->arr, wid, id, job_ids[i],
				job_ids[i] && jobs ? jobs->element[k++] : NULL);
	}
	if (jobs)
		freeReplyObject(jobs);
	free(argv);
	free(job_ids);
	freeReplyObject(busy);
	return 0;
}

int pool_workers(const char *pool_id, struct json_object **out)
{
	struct workers_arg wa = { .pool_id = pool_id };

	wa.arr = json_object_new_array();
	if (pool_foreach(pool_workers_one, &wa) < 0) {
		json_object_put(wa.arr);
		return -EIO;
	}
	if (pool_id && !wa.found) {
		json_object_put(wa.arr);
		return -ENOENT;
	}
	*out = wa.arr;
	return 0;
}

int pool_busy_total(unsigned *busy, unsigned *total)
{
	struct workers_arg wa = { 0 };

	if (pool_foreach(pool_workers_one, &wa) < 0)
		return -EIO;
	*busy = wa.busy;
	*total = wa.total;
	return 0;
}

/*
 * The job id a worker ("<pool>-<n>") runs, into buf ("" when it is idle).
 * -ENOENT when there is no such worker, -EIO.
 */
int pool_worker_job(const char *worker_id, char *buf, size_t len)
{
	const char *dash = strrchr(worker_id, '-');
	redisReply *r;
	char pool[64], *end;
	long n;
	int rv = 0;

	if (!dash || dash == worker_id ||
	    (size_t)(dash - worker_id) >= sizeof(pool))
		return -ENOENT;
	n = strtol(dash + 1, &end, 10);
	if (*end || end == dash + 1 || n < 1)
		return -ENOENT;
	memcpy(pool, worker_id, dash - worker_id);
	pool[dash - worker_id] = '\0';
	r = redis_cmd("HGET %s concurrency", redis_key("pool:%s", pool));
	if (!r)
		return -EIO;
	if (r->type != REDIS_REPLY_STRING || n > atol(r->str))
		rv = -ENOENT;
	freeReplyObject(r);
	if (rv < 0)
		return rv;
	buf[0] = '\0';
	r = redis_cmd("HGET %s %s", redis_key("pool:%s:workers", pool),
		      worker_id);
	if (!r)
		return -EIO;
	if (r->type == REDIS_REPLY_STRING)
		snprintf(buf, len, "%s", r->str);
	freeReplyObject(r);
	return 0;
}

/* Every busy worker's job id across live pools, as a JSON array. */
int pool_busy_jobs(struct json_object **out)
{
	struct json_object *ids = json_object_new_array();
	redisReply *pools, *busy;
	size_t i, k;

	pools = redis_cmd("ZRANGE %s 0 -1", redis_key("pools"));
	if (!pools)
		goto out_fail;
	for (i = 0; pools->type == REDIS_REPLY_ARRAY && i < pools->elements;
	     i++) {
		busy = redis_cmd("HVALS %s", redis_key("pool:%s:workers",
						       pools->element[i]->str));
		if (!busy) {
			freeReplyObject(pools);
			goto out_fail;
		}
		for (k = 0;
		     busy->type == REDIS_REPLY_ARRAY && k < busy->elements; k++)
			json_object_array_add(
				ids,
				json_object_new_string(busy->element[k]->str));
		freeReplyObject(busy);
	}
	freeReplyObject(pools);
	*out = ids;
	return 0;
out_fail:
	json_object_put(ids);
	return -EIO;
}
