/* SPDX-License-Identifier: ISC */
/*
 * The worker slots of this pool and the handler processes they run.
 *
 * A free slot claims a job (one script: the job moves from its queue to this
 * pool's claims with a fresh token) and starts the type's handler under its
 * supervisor (supervise.c), which shares the daemon's memory, so starting a
 * handler costs about what its execve does, whatever the daemon's size.  The supervisor dies with the daemon and
 * takes all the job's processes with it (a crashed daemon's jobs are run
 * again elsewhere, never twice at once), and tells how the handler ended or
 * that it could not be executed.  The handler reads the parameters from
 * stdin, writes its log on stdout/stderr and its check-ins on fd 3; only
 * the latest check-in is written to Redis, at most once a second.
 *
 * A job that this pool could not start (its handler cannot be executed,
 * the daemon is out of file descriptors, the job log cannot be opened) goes
 * back to its queue after the retry backoff without using up an attempt:
 * the fault is this host's, not the job's.
 *
 * When the handler exits its result is written back with the claim token;
 * a claim taken over meanwhile by another pool makes that write a no-op.  If
 * Redis is down at that moment, or answers with an error, the slot keeps
 * the result and stays busy until the result is written (worker_flush), so
 * nothing is lost and the slot never runs two jobs' bookkeeping at once.
 * Claims whose reply was lost are handed back by worker_reconcile.
 *
 * Starting the handler and watching it to its end is worker_spawn.c; its
 * check-ins on fd 3 are worker_checkin.c; the jobs of persistent queues go
 * to handlers that stay up between jobs, persist.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hiredis/hiredis.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "persist.h"
#include "worker.h"

/* The least wait for the longest wait of a job this pool could not start. */
#define REQUEUE_MIN_MS 1000

/* The backoff of results kept after an error reply (worker_flush_later). */
#define WORKER_FLUSH_MIN_US (100 * 1000ULL)
#define WORKER_FLUSH_MAX_US (5 * 1000 * 1000ULL)

static sd_event_source *kick_src;
static sd_event_source *flush_src;
static sd_event_source *record_src; /* worker_record_all */
static uint64_t flush_backoff_us = WORKER_FLUSH_MIN_US;
static bool drain_forced; /* the grace period of a shutdown is over */

static void worker_free_slot(struct worker *w);
static void worker_flush_later(void);

int worker_init(void)
{
	unsigned i;

	jsvd->nworkers = jsvd->conf->workers;
	jsvd->workers = xcalloc(jsvd->nworkers, sizeof(*jsvd->workers));
	for (i = 0; i < jsvd->nworkers; i++) {
		snprintf(jsvd->workers[i].id, sizeof(jsvd->workers[i].id),
			 "%s-%u", jsvd->pool_id, i + 1);
		jsvd->workers[i].status_fd = -1;
	}
	return contain_init();
}

void worker_cleanup(void)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		w->child_src = sd_event_source_disable_unref(w->child_src);
		w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
		w->checkin_tmr = sd_event_source_disable_unref(w->checkin_tmr);
		w->kill_src = sd_event_source_disable_unref(w->kill_src);
		w->timeout_src = sd_event_source_disable_unref(w->timeout_src);
		if (w->status_fd >= 0)
			close(w->status_fd);
		/* A supervisor still running (a fatal exit) keeps its stack. */
		if (!w->pid)
			supervise_free(w->area);
		jsv_buf_free(&w->checkin);
		jsv_buf_free(&w->checkin_line);
		free(w->exec);
		free(w->error);
	}
	kick_src = sd_event_source_disable_unref(kick_src);
	flush_src = sd_event_source_disable_unref(flush_src);
	record_src = sd_event_source_disable_unref(record_src);
	persist_cleanup();
	contain_cleanup();
	free(jsvd->workers);
	jsvd->workers = NULL;
	jsvd->nworkers = 0;
}

unsigned worker_busy(void)
{
	unsigned i, n = 0;

	for (i = 0; i < jsvd->nworkers; i++)
		if (jsvd->workers[i].pid || jsvd->workers[i].finishing)
			n++;
	return n;
}

/*
 * The wait before the next run after an Error: the queue's retry_backoff,
 * doubled with each attempt, up to retry_backoff_max.  For a job this pool
 * could not start, the longest wait: retry_backoff_max, at least
 * REQUEUE_MIN_MS (finish.lua doubles its wait from one second with each
 * such failure), so that a broken handler does not make the pool spin.
 */
static uint64_t worker_backoff(const struct worker *w)
{
	const struct queue_conf *q = config_queue(jsvd->conf, w->job_name);
	uint64_t ms;
	long i;

	if (strcmp(w->result, "Requeue") == 0)
		return q && q->backoff_max_ms > REQUEUE_MIN_MS ?
			       q->backoff_max_ms :
			       REQUEUE_MIN_MS;
	if (!q)
		return 0;
	ms = q->backoff_ms;
	for (i = 1; i < w->attempt && ms < q->backoff_max_ms; i++)
		ms *= 2;
	return ms < q->backoff_max_ms ? ms : q->backoff_max_ms;
}

/*
 * The arguments that claim a job for w, after the pool: worker, a new
 * token, and the job type claimed last, where the claim starts looking.
 */
static void worker_claim_args(struct worker *w, const char *argv[3])
{
	job_random_hex(w->token, 16);
	argv[0] = w->id;
	argv[1] = w->token;
	argv[2] = jsvd->claim_after;
}

/*
 * Takes the job a claim returned: a nil reply means none, an array the
 * job, "NOPOOL" that this pool must register again.  Returns 1 when a job
 * was taken (its handler started or its failure to start recorded), 0 for
 * none, -EIO.
 */
static int worker_take(struct worker *w, const redisReply *r)
{
	redisReply *const *e;

	if (r->type == REDIS_REPLY_NIL)
		return 0;
	if (redis_errstr(r)) {
		if (strcmp(redis_errstr(r), "NOPOOL") == 0)
			pool_register();
		else
			log_warnx("redis: claim failed: %s", redis_errstr(r));
		return -EIO;
	}
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 5)
		return 0;
	e = r->element;
	snprintf(w->job_id, sizeof(w->job_id), "%s", e[0]->str);
	snprintf(w->job_name, sizeof(w->job_name), "%s", e[1]->str);
	snprintf(jsvd->claim_after, sizeof(jsvd->claim_after), "%s", e[1]->str);
	w->attempt = (long)e[3]->integer;
	worker_spawn(w, e[2]->str, w->attempt, e[4]->str);
	return 1;
}

/* The arguments of one finish.lua call, and what they point to. */
struct finish_call {
	char token[24]; /* the claim being ended */
	char backoff[24];
	const char *argv[9];
};

/*
 * The arguments that write w's result and, with chain (unless the pool is
 * draining), claim w's next job in the same script, with a new token in
 * w->token; the claim's token is kept in c to put back if the call fails.
 */
static void worker_record_args(struct worker *w, bool chain,
			       struct finish_call *c)
{
	const char *cargv[3];

	memcpy(c->token, w->token, sizeof(c->token));
	snprintf(c->backoff, sizeof(c->backoff), "%llu",
		 (unsigned long long)worker_backoff(w));
	c->argv[0] = w->job_id;
	c->argv[1] = c->token;
	c->argv[2] = jsvd->pool_id;
	c->argv[3] = w->id;
	c->argv[4] = w->result;
	c->argv[5] = w->error ? w->error : "";
	c->argv[6] = c->backoff;
	c->argv[7] = "";
	c->argv[8] = "";
	if (chain && !jsvd->draining && jsvd->conf->nqueues) {
		/* The new token and the type; pool and worker are known. */
		worker_claim_args(w, cargv);
		c->argv[7] = cargv[1];
		c->argv[8] = cargv[2];
	}
}

/*
 * Takes the reply r (NULL when Redis is unavailable) of the finish.lua
 * call c of w, and logs what became of the result.  Returns r ({status,
 * claim}) when the result is recorded (or was already, or the claim is
 * stale).  Otherwise returns NULL (r freed) and w keeps its result and
 * token to try again: when Redis is unavailable worker_flush() runs on
 * reconnection, and after an error reply (NOPERM, BUSY, OOM, READONLY...)
 * from a timer, with a backoff.
 */
static redisReply *worker_recorded(struct worker *w,
				   const struct finish_call *c, redisReply *r)
{
	const char *st;

	if (!r) {
		memcpy(w->token, c->token, sizeof(c->token));
		log_warnx("job %s: Redis unavailable, result %s kept until it "
			  "is back",
			  w->job_id, w->result);
		return NULL;
	}
	if (redis_errstr(r) || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING) {
		memcpy(w->token, c->token, sizeof(c->token));
		log_warnx("job %s: cannot record result %s: %s; kept, trying "
			  "again",
			  w->job_id, w->result,
			  redis_errstr(r) ? redis_errstr(r) : "bad reply");
		freeReplyObject(r);
		worker_flush_later();
		return NULL;
	}
	st = r->element[0]->str;
	if (strcmp(st, "STALE") == 0 && strcmp(w->result, "Requeue") == 0)
		log_warnx("job %s: not started (%s); the job was handed to "
			  "another pool meanwhile",
			  w->job_id, w->error ? w->error : "");
	else if (strcmp(st, "STALE") == 0)
		log_warnx("job %s: result %s discarded: the job was handed to "
			  "another pool meanwhile",
			  w->job_id, w->result);
	else if (strcmp(st, "DONE") == 0)
		log_info("job %s: result %s was recorded already", w->job_id,
			 w->result);
	else if (strcmp(w->result, "Requeue") == 0)
		log_warnx("job %s (%s): not started: %s; back to its queue, "
			  "no attempt used",
			  w->job_id, w->job_name, w->error ? w->error : "");
	else
		log_info("job %s (%s) ended %s%s%s%s", w->job_id, w->job_name,
			 w->result, w->error ? ": " : "",
			 w->error ? w->error : "",
			 strcmp(st, w->result) ? ", will retry" : "");
	return r;
}

/* After slots were freed: the end of a graceful stop, or a dispatch. */
static void worker_freed(void)
{
	worker_check_drained();
	worker_kick();
}

/*
 * w's result is written (r, its reply, or NULL when it was abandoned): w is
 * free, and starts the job the same script claimed for it, if any.
 * Returns whether it did.
 */
static bool worker_next(struct worker *w, redisReply *r)
{
	const redisReply *next = r ? r->element[1] : NULL;
	bool taken;

	worker_free_slot(w);
	taken = next && worker_take(w, next) > 0;
	if (r)
		freeReplyObject(r);
	return taken;
}

/*
 * Writes the results that wait (worker_finish) in one round trip, one
 * finish.lua call each, and starts the jobs they claimed.  Runs after the
 * event loop has handled all it had at hand, so that handlers that end
 * together cost one round trip, and the daemon one wake-up for Redis.
 */
static int worker_record_all(sd_event_source *s, void *arg)
{
	struct finish_call *calls;
	struct worker **ws;
	redisReply **replies;
	const char **argvs;
	bool freed = false;
	unsigned i, n = 0;
	int rv;

	ws = xreallocarray(NULL, jsvd->nworkers, sizeof(*ws));
	for (i = 0; i < jsvd->nworkers; i++) {
		if (jsvd->workers[i].queued) {
			jsvd->workers[i].queued = false;
			ws[n++] = &jsvd->workers[i];
		}
	}
	calls = xreallocarray(NULL, n ? n : 1, sizeof(*calls));
	argvs = xreallocarray(NULL, n ? 9 * n : 1, sizeof(*argvs));
	replies = xreallocarray(NULL, n ? n : 1, sizeof(*replies));
	for (i = 0; i < n; i++) {
		worker_record_args(ws[i], ws[i]->chain, &calls[i]);
		memcpy(argvs + 9 * i, calls[i].argv, sizeof(calls[i].argv));
	}
	rv = n ? redis_script_many(SCRIPT_FINISH, (int)n, 9, argvs, replies) :
		 0;
	for (i = 0; i < n; i++) {
		redisReply *r = worker_recorded(ws[i], &calls[i],
						rv < 0 ? NULL : replies[i]);

		if (r && !worker_next(ws[i], r))
			freed = true;
	}
	free(replies);
	free(argvs);
	free(calls);
	free(ws);
	if (freed || rv < 0)
		worker_freed();
	return 0;
}

/*
 * Ends w's run with a result.  With chain, w goes straight on to its next
 * job; a handler that failed to start does not chain, so that a broken
 * handler cannot recurse through a whole queue.  The result is written
 * with the others that end meanwhile (worker_record_all); one that cannot
 * be written then keeps w busy until it is.
 */
void worker_finish(struct worker *w, bool chain, const char *result,
		   const char *fmt, ...)
{
	va_list ap;

	snprintf(w->result, sizeof(w->result), "%s", result);
	free(w->error);
	w->error = NULL;
	if (fmt) {
		va_start(ap, fmt);
		if (vasprintf(&w->error, fmt, ap) < 0)
			fatal("vasprintf");
		va_end(ap);
	}
	w->finishing = true;
	if (w->abandoned) {
		worker_next(w, NULL);
		worker_freed();
		return;
	}
	w->chain = chain;
	w->queued = true;
	if (!record_src && (sd_event_add_defer(jsvd->ev, &record_src,
					       worker_record_all, NULL) < 0 ||
			    sd_event_source_set_priority(
				    record_src, SD_EVENT_PRIORITY_IDLE) < 0))
		fatalx("cannot add the result event");
	if (sd_event_source_set_enabled(record_src, SD_EVENT_ONESHOT) < 0)
		fatalx("cannot add the result event");
}

void worker_flush(void)
{
	struct finish_call c;
	bool kept = false;
	redisReply *r;
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (!w->finishing || w->pid || w->queued)
			continue;
		worker_record_args(w, false, &c);
		r = worker_recorded(w, &c,
				    redis_script(SCRIPT_FINISH, 9, c.argv));
		if (!r) {
			if (!redis_ok())
				return;
			kept = true;
			continue;
		}
		freeReplyObject(r);
		worker_free_slot(w);
	}
	if (!kept)
		flush_backoff_us = WORKER_FLUSH_MIN_US;
	worker_freed();
}

static int worker_flush_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	if (redis_ok())
		worker_flush();
	return 0;
}

/* Tries the results kept after an error reply again, with a backoff. */
static void worker_flush_later(void)
{
	if (jsvd_timer(&flush_src, flush_backoff_us, worker_flush_timer, NULL) <
	    0)
		fatalx("cannot arm the result retry timer");
	flush_backoff_us *= 2;
	if (flush_backoff_us > WORKER_FLUSH_MAX_US)
		flush_backoff_us = WORKER_FLUSH_MAX_US;
}

/* Makes w free: it runs nothing and has no result to write. */
static void worker_free_slot(struct worker *w)
{
	w->finishing = false;
	w->queued = false;
	w->abandoned = false;
	w->stopping = false;
	w->timed_out = false;
	w->job_id[0] = '\0';
	w->job_name[0] = '\0';
	free(w->error);
	w->error = NULL;
	free(w->exec);
	w->exec = NULL;
	jsv_buf_reset(&w->checkin);
}

/*
 * Claims a job for each of the n slots ws in one round trip.  Returns how
 * many were taken (their handlers started or their failures to start
 * recorded), or -EIO.
 */
static int worker_claim_many(struct worker **ws, unsigned n)
{
	const char **argvs = xreallocarray(NULL, 4 * n, sizeof(*argvs));
	redisReply **replies = xreallocarray(NULL, n, sizeof(*replies));
	int rv, taken = 0;
	unsigned i;

	for (i = 0; i < n; i++) {
		argvs[4 * i] = jsvd->pool_id;
		worker_claim_args(ws[i], argvs + 4 * i + 1);
	}
	rv = redis_script_many(SCRIPT_CLAIM, (int)n, 4, argvs, replies);
	for (i = 0; rv == 0 && i < n; i++) {
		rv = worker_take(ws[i], replies[i]);
		taken += rv > 0;
		rv = rv < 0 ? rv : 0;
	}
	for (i = 0; i < n; i++)
		if (replies[i])
			freeReplyObject(replies[i]);
	free(replies);
	free(argvs);
	return rv < 0 ? rv : taken;
}

/*
 * Claims jobs for the free slots: one claim first (an idle pool's usual
 * case: one job was submitted), then twice as many in one round trip each
 * time all were taken, so that a deep queue fills the slots in a few.
 */
static void worker_dispatch(void)
{
	struct worker **ws;
	unsigned i, n, want = 1;

	if (jsvd->draining || !redis_ok() || !jsvd->conf->nqueues)
		return;
	ws = xreallocarray(NULL, jsvd->nworkers, sizeof(*ws));
	for (;;) {
		for (i = n = 0; i < jsvd->nworkers && n < want; i++) {
			struct worker *w = &jsvd->workers[i];

			if (!w->pid && !w->finishing)
				ws[n++] = w;
		}
		if (!n || worker_claim_many(ws, n) < (int)n)
			break;
		want *= 2;
	}
	free(ws);
}

static int worker_kick_cb(sd_event_source *s, void *arg)
{
	worker_dispatch();
	return 0;
}

void worker_kick(void)
{
	if ((!kick_src && sd_event_add_defer(jsvd->ev, &kick_src,
					     worker_kick_cb, NULL) < 0) ||
	    sd_event_source_set_enabled(kick_src, SD_EVENT_ONESHOT) < 0)
		fatalx("cannot add the dispatch event");
}

static struct worker *worker_running(const char *job_id)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++)
		if (jsvd->workers[i].pid &&
		    strcmp(jsvd->workers[i].job_id, job_id) == 0)
			return &jsvd->workers[i];
	return NULL;
}

void worker_stop_job(const char *job_id)
{
	struct worker *w = worker_running(job_id);

	if (!w || w->stopping)
		return;
	log_info("job %s (%s): stopping its handler", w->job_id, w->job_name);
	w->stopping = true;
	worker_terminate(w);
}

/* Stops running jobs whose stop flag a missed notification did not carry. */
void worker_check_stops(void)
{
	redisReply *r;
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (!w->pid || w->stopping || w->abandoned)
			continue;
		r = redis_cmd("HGET %s stop", redis_key("job:%s", w->job_id));
		if (!r)
			return;
		if (r->type == REDIS_REPLY_STRING && strcmp(r->str, "1") == 0)
			worker_stop_job(w->job_id);
		freeReplyObject(r);
	}
}

/*
 * Kills w's handler and drops its result: its claim is gone, or goes back
 * to its queue when the daemon leaves.
 */
static void worker_abandon(struct worker *w)
{
	w->abandoned = true;
	kill(w->pid, SUPERVISOR_KILL);
}

/*
 * Reconciles this pool's claims in Redis with its slots (handback.lua):
 * the claims no slot holds, made by commands whose reply was lost, go back
 * to their queues, and the handlers whose claim another pool recovered
 * meanwhile are killed.  Runs on every reconnection and heartbeat, since a
 * command sent on a connection that timed out may still run in Redis
 * after the reconnection.  Not while draining: what this pool still holds
 * then goes back to the queues when it leaves.
 */
void worker_reconcile(void)
{
	const char **argv;
	redisReply *r, *gone;
	struct worker *w;
	unsigned i;
	size_t k;
	int argc = 0;

	if (jsvd->draining)
		return;
	argv = xreallocarray(NULL, 1 + 3 * jsvd->nworkers, sizeof(*argv));
	argv[argc++] = jsvd->pool_id;
	for (i = 0; i < jsvd->nworkers; i++) {
		w = &jsvd->workers[i];
		if (!w->job_id[0] || !(w->pid || w->finishing))
			continue;
		argv[argc++] = w->id;
		argv[argc++] = w->job_id;
		argv[argc++] = w->token;
	}
	r = redis_script(SCRIPT_HANDBACK, argc, argv);
	free(argv);
	if (!r)
		return;
	if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
	    r->element[1]->type != REDIS_REPLY_ARRAY) {
		log_warnx("redis: cannot reconcile this pool's claims: %s",
			  redis_errstr(r) ? redis_errstr(r) : "bad reply");
		freeReplyObject(r);
		return;
	}
	if (r->element[0]->integer > 0)
		log_warnx("handed back %lld jobs claimed by commands whose "
			  "reply was lost",
			  r->element[0]->integer);
	gone = r->element[1];
	for (k = 0; k < gone->elements; k++) {
		w = worker_running(gone->element[k]->str);
		if (!w || w->abandoned)
			continue;
		log_warnx("job %s (%s): handed to another pool meanwhile, "
			  "killing this pool's duplicate handler",
			  w->job_id, w->job_name);
		worker_abandon(w);
	}
	freeReplyObject(r);
	worker_kick();
}

/*
 * Forgets every claim of this pool: the jobs were, or will be, handed back
 * to their queues by pool recovery, so the handlers still running are
 * killed and their results dropped.
 */
void worker_lost_pool(void)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (w->pid)
			worker_abandon(w);
		else if (w->finishing)
			worker_free_slot(w);
	}
	worker_freed();
}

/*
 * End of a graceful stop: what still runs goes back to its queue, and
 * results that Redis cannot take now are left to dead-pool recovery.
 */
void worker_drain(void)
{
	unsigned i;

	drain_forced = true;
	persist_drain(true);
	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (!w->pid)
			continue;
		log_info("job %s (%s): still running at shutdown, handing "
			 "it back to its queue",
			 w->job_id, w->job_name);
		worker_abandon(w);
	}
	worker_check_drained();
}

/*
 * In a shutdown, ends the loop once nothing is left: no handler runs (a
 * persistent one either, persist.c), and every result is written, or cannot be (Redis unavailable) and the grace
 * period is over.  An unwritten result leaves its job Running under this
 * pool, which dead-pool recovery hands back to its queue.
 */
void worker_check_drained(void)
{
	unsigned i;

	if (!jsvd->draining || persist_count())
		return;
	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (w->pid)
			return;
		if (w->finishing && (!drain_forced || redis_ok()))
			return;
	}
	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (w->finishing)
			log_warnx("job %s (%s): result %s not written, Redis "
				  "is unavailable; the job will be run again "
				  "once this pool is found dead",
				  w->job_id, w->job_name, w->result);
	}
	sd_event_exit(jsvd->ev, 0);
}
