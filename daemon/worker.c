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

/*
 * Writes w's result and, with chain, claims w's next job in the same
 * script, then logs what became of the result.  Returns the script's reply
 * ({status, claim}) when the result is recorded (or was already, or the
 * claim is stale).  Otherwise returns NULL and w keeps its result and
 * token to try again: when Redis is unavailable worker_flush() runs on
 * reconnection, and after an error reply (NOPERM, BUSY, OOM, READONLY...)
 * from a timer, with a backoff.
 */
static redisReply *worker_record(struct worker *w, bool chain)
{
	char backoff[24], token[sizeof(w->token)];
	const char *argv[9], *cargv[3];
	const char *st;
	redisReply *r;
	size_t argc = 7;

	memcpy(token, w->token, sizeof(token));
	snprintf(backoff, sizeof(backoff), "%llu",
		 (unsigned long long)worker_backoff(w));
	argv[0] = w->job_id;
	argv[1] = token;
	argv[2] = jsvd->pool_id;
	argv[3] = w->id;
	argv[4] = w->result;
	argv[5] = w->error ? w->error : "";
	argv[6] = backoff;
	if (chain && !jsvd->draining && jsvd->conf->nqueues) {
		/* The new token and the type; pool and worker are known. */
		worker_claim_args(w, cargv);
		argv[argc++] = cargv[1];
		argv[argc++] = cargv[2];
	}
	r = redis_script(SCRIPT_FINISH, argc, argv);
	if (!r) {
		memcpy(w->token, token, sizeof(token));
		log_warnx("job %s: Redis unavailable, result %s kept until it "
			  "is back",
			  w->job_id, w->result);
		return NULL;
	}
	if (redis_errstr(r) || r->type != REDIS_REPLY_ARRAY ||
	    r->elements != 2 || r->element[0]->type != REDIS_REPLY_STRING) {
		memcpy(w->token, token, sizeof(token));
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
 * Ends w's run with a result.  With chain, w goes straight on to its next
 * job; a handler that failed to start does not chain, so that a broken
 * handler cannot recurse through a whole queue.  A result that cannot be
 * written now keeps w busy until it is (worker_record).
 */
void worker_finish(struct worker *w, bool chain, const char *result,
		   const char *fmt, ...)
{
	const redisReply *next = NULL;
	redisReply *r = NULL;
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
	if (!w->abandoned) {
		r = worker_record(w, chain);
		if (!r) {
			worker_check_drained();
			return;
		}
		next = r->element[1];
	}
	worker_free_slot(w);
	if (next && worker_take(w, next) > 0) {
		freeReplyObject(r);
		return;
	}
	if (r)
		freeReplyObject(r);
	worker_freed();
}

void worker_flush(void)
{
	bool kept = false;
	redisReply *r;
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (!w->finishing || w->pid)
			continue;
		r = worker_record(w, false);
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

/* Claims one job for w: 1 when one was taken, 0 when none, -EIO. */
static int worker_claim(struct worker *w)
{
	const char *argv[4] = { jsvd->pool_id };
	redisReply *r;
	int rv;

	worker_claim_args(w, argv + 1);
	r = redis_script(SCRIPT_CLAIM, 4, argv);
	if (!r)
		return -EIO;
	rv = worker_take(w, r);
	freeReplyObject(r);
	return rv;
}

static void worker_dispatch(void)
{
	unsigned i;

	if (jsvd->draining || !redis_ok() || !jsvd->conf->nqueues)
		return;
	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (w->pid || w->finishing)
			continue;
		if (worker_claim(w) <= 0)
			return;
	}
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
