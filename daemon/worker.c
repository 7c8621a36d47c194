/* SPDX-License-Identifier: ISC */
/*
 * The worker slots of this pool and the handler processes they run.
 *
 * A free slot claims a job (one script: the job moves from its queue to this
 * pool's claims with a fresh token) and starts the type's handler under its
 * supervisor (contain.c) with vfork+exec, so starting a handler costs the
 * same whatever the daemon's size.  The supervisor dies with the daemon and
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
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <hiredis/hiredis.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"

#define CHECKIN_MAX 1024
/* A flood on fd 3 is read CHECKIN_READ_MAX bytes at a time, with pauses. */
#define CHECKIN_READ_MAX (64 * 1024)
#define CHECKIN_PAUSE_US (10 * 1000ULL)
/* At most one check-in written to Redis per slot per second. */
#define CHECKIN_INTERVAL_US (1000 * 1000ULL)
/* The least wait for the longest wait of a job this pool could not start. */
#define REQUEUE_MIN_MS 1000

/* How the supervisor kills the job's processes (contain.c). */
#define SUPERVISOR_KILL SIGUSR1

struct worker {
	char id[48]; /* "<pool id>-<n>" */
	pid_t pid; /* the handler's supervisor, 0 when none */
	int status_fd; /* where the supervisor reports, -1 when none */
	char job_id[32];
	char job_name[72];
	char token[24];
	char *exec; /* the handler of the running job */
	long attempt; /* of the running job, from 1 */
	sd_event_source *child_src;
	sd_event_source *checkin_src;
	sd_event_source *checkin_tmr; /* resume reading, or write the latest */
	sd_event_source *kill_src;
	sd_event_source *timeout_src;
	struct jsv_buf checkin; /* a partial check-in line */
	struct jsv_buf checkin_line; /* the latest line, not yet written */
	bool checkin_pending; /* checkin_line waits for its turn */
	bool checkin_paused; /* reading stopped until checkin_resume_us */
	uint64_t checkin_resume_us;
	uint64_t checkin_sent_us; /* when the last check-in was written */
	bool stopping; /* SIGTERM sent for Stop/Free */
	bool timed_out;
	bool abandoned; /* claim gone: the result is not written */
	bool finishing; /* result not yet written to Redis */
	char result[16];
	char *error;
};

/* The backoff of results kept after an error reply (worker_flush_later). */
#define WORKER_FLUSH_MIN_US (100 * 1000ULL)
#define WORKER_FLUSH_MAX_US (5 * 1000 * 1000ULL)

static sd_event_source *kick_src;
static sd_event_source *flush_src;
static uint64_t flush_backoff_us = WORKER_FLUSH_MIN_US;
static bool drain_forced; /* the grace period of a shutdown is over */

static void worker_free_slot(struct worker *w);
static void worker_flush_later(void);
static void worker_check_drained(void);

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
		jsv_buf_free(&w->checkin);
		jsv_buf_free(&w->checkin_line);
		free(w->exec);
		free(w->error);
	}
	kick_src = sd_event_source_disable_unref(kick_src);
	flush_src = sd_event_source_disable_unref(flush_src);
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

static int worker_spawn(struct worker *w, const char *params, long attempt,
			const char *execution_id);

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
	snprintf(jsvd->claim_after, sizeof(jsvd->claim_after), "%s",
		 e[1]->str);
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

static void worker_finish(struct worker *w, bool chain, const char *result,
			  const char *fmt, ...) JSV_PRINTF(4, 5);

/*
 * Ends w's run with a result.  With chain, w goes straight on to its next
 * job; a handler that failed to start does not chain, so that a broken
 * handler cannot recurse through a whole queue.  A result that cannot be
 * written now keeps w busy until it is (worker_record).
 */
static void worker_finish(struct worker *w, bool chain, const char *result,
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

static uint64_t worker_now_us(void)
{
	uint64_t now = 0;

	sd_event_now(jsvd->ev, CLOCK_MONOTONIC, &now);
	return now;
}

/* Writes the latest check-in to Redis. */
static void worker_send_checkin(struct worker *w)
{
	struct jsv_buf text = { 0 };
	const char *argv[3] = { w->job_id, w->token, NULL };
	const char *line = w->checkin_line.data ? w->checkin_line.data : "";
	redisReply *r;

	w->checkin_pending = false;
	w->checkin_sent_us = worker_now_us();
	if (w->abandoned)
		return;
	jsv_buf_add_utf8(&text, line, strnlen(line, w->checkin_line.len),
			 false);
	argv[2] = text.data ? text.data : "";
	r = redis_script(SCRIPT_CHECKIN, 3, argv);
	if (r)
		freeReplyObject(r);
	jsv_buf_free(&text);
}

/* Makes a line the latest check-in, written when its turn comes. */
static void worker_keep_checkin(struct worker *w, const char *line, size_t len)
{
	if (len > CHECKIN_MAX)
		len = CHECKIN_MAX;
	if (len && line[len - 1] == '\r')
		len--;
	jsv_buf_reset(&w->checkin_line);
	jsv_buf_add(&w->checkin_line, line, len);
	w->checkin_pending = true;
}

static int worker_checkin_timer(sd_event_source *s, uint64_t usec, void *arg);

/* Arms the check-in timer for what waits: reading again, the next write. */
static void worker_checkin_arm(struct worker *w)
{
	uint64_t due = UINT64_MAX;

	if (w->checkin_paused)
		due = w->checkin_resume_us;
	if (w->checkin_pending &&
	    w->checkin_sent_us + CHECKIN_INTERVAL_US < due)
		due = w->checkin_sent_us + CHECKIN_INTERVAL_US;
	if (due == UINT64_MAX) {
		if (w->checkin_tmr)
			sd_event_source_set_enabled(w->checkin_tmr,
						    SD_EVENT_OFF);
		return;
	}
	if (!w->checkin_tmr) {
		if (sd_event_add_time(jsvd->ev, &w->checkin_tmr,
				      CLOCK_MONOTONIC, due, 0,
				      worker_checkin_timer, w) < 0)
			fatalx("cannot arm the check-in timer");
		return;
	}
	if (sd_event_source_set_time(w->checkin_tmr, due) < 0 ||
	    sd_event_source_set_enabled(w->checkin_tmr, SD_EVENT_ONESHOT) < 0)
		fatalx("cannot arm the check-in timer");
}

/* Writes the latest check-in if a second has passed since the last one. */
static void worker_checkin_due(struct worker *w, uint64_t now)
{
	if (w->checkin_pending &&
	    now >= w->checkin_sent_us + CHECKIN_INTERVAL_US)
		worker_send_checkin(w);
	worker_checkin_arm(w);
}

static int worker_checkin_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct worker *w = arg;

	if (w->checkin_paused && usec >= w->checkin_resume_us) {
		w->checkin_paused = false;
		if (w->checkin_src)
			sd_event_source_set_enabled(w->checkin_src,
						    SD_EVENT_ON);
	}
	worker_checkin_due(w, usec);
	return 0;
}

enum checkin_read { CHECKIN_DRAINED, CHECKIN_EOF, CHECKIN_MORE };

/*
 * Reads at most CHECKIN_READ_MAX bytes of what the handler wrote on fd 3
 * and keeps the last complete line as the latest check-in; a line longer
 * than CHECKIN_MAX counts as complete.  Says whether fd 3 was emptied,
 * closed, or has more to read.
 */
static enum checkin_read worker_checkin_read(struct worker *w, int fd)
{
	char buf[4096], *nl, *start;
	size_t total = 0;
	ssize_t n;

	while (total < CHECKIN_READ_MAX) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return CHECKIN_DRAINED;
		if (n <= 0)
			return CHECKIN_EOF;
		total += n;
		jsv_buf_add(&w->checkin, buf, n);
		nl = memrchr(w->checkin.data, '\n', w->checkin.len);
		if (nl) {
			start = memrchr(w->checkin.data, '\n',
					nl - w->checkin.data);
			start = start ? start + 1 : w->checkin.data;
			worker_keep_checkin(w, start, nl - start);
			jsv_buf_consume(&w->checkin, nl - w->checkin.data + 1);
		}
		if (w->checkin.len > CHECKIN_MAX) {
			worker_keep_checkin(w, w->checkin.data, w->checkin.len);
			jsv_buf_reset(&w->checkin);
		}
	}
	return CHECKIN_MORE;
}

/*
 * fd 3 is readable.  A handler that writes more than one read's worth is
 * not read again for CHECKIN_PAUSE_US (its writes block meanwhile), so that
 * a flood cannot keep the loop from the rest of its work.
 */
static int worker_checkin_io(sd_event_source *s, int fd, uint32_t revents,
			     void *arg)
{
	struct worker *w = arg;
	uint64_t now = worker_now_us();

	switch (worker_checkin_read(w, fd)) {
	case CHECKIN_EOF:
		if (w->checkin.len)
			worker_keep_checkin(w, w->checkin.data, w->checkin.len);
		jsv_buf_reset(&w->checkin);
		w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
		break;
	case CHECKIN_MORE:
		w->checkin_paused = true;
		w->checkin_resume_us = now + CHECKIN_PAUSE_US;
		sd_event_source_set_enabled(s, SD_EVENT_OFF);
		break;
	case CHECKIN_DRAINED:
		break;
	}
	worker_checkin_due(w, now);
	return 0;
}

/*
 * The job ended: what its handler left on fd 3 is read (bounded), the
 * latest check-in written at once, and fd 3 closed, whoever still holds
 * its other end: the next job gets a pipe of its own.
 */
static void worker_checkin_end(struct worker *w)
{
	int fd;

	if (w->checkin_src) {
		fd = sd_event_source_get_io_fd(w->checkin_src);
		if (worker_checkin_read(w, fd) != CHECKIN_MORE &&
		    w->checkin.len)
			worker_keep_checkin(w, w->checkin.data, w->checkin.len);
	}
	w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
	jsv_buf_reset(&w->checkin);
	if (w->checkin_pending)
		worker_send_checkin(w);
	w->checkin_paused = false;
	worker_checkin_arm(w);
}

static int worker_kill_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct worker *w = arg;

	if (w->pid) {
		log_info("job %s: handler still running after the grace "
			 "period, killing its processes",
			 w->job_id);
		kill(w->pid, SUPERVISOR_KILL);
	}
	return 0;
}

/*
 * SIGTERM to every process of the job now (the supervisor passes it on),
 * SIGKILL after stop_grace.
 */
static void worker_terminate(struct worker *w)
{
	kill(w->pid, SIGTERM);
	if (w->kill_src)
		return;
	if (sd_event_add_time_relative(jsvd->ev, &w->kill_src, CLOCK_MONOTONIC,
				       jsvd->conf->stop_grace_ms * 1000, 0,
				       worker_kill_timer, w) < 0)
		kill(w->pid, SUPERVISOR_KILL);
}

static int worker_timeout(sd_event_source *s, uint64_t usec, void *arg)
{
	struct worker *w = arg;

	if (!w->pid)
		return 0;
	log_info("job %s (%s): timed out, stopping its handler", w->job_id,
		 w->job_name);
	w->timed_out = true;
	worker_terminate(w);
	return 0;
}

/*
 * The supervisor's report: "exit N", "signal N", "exec ERRNO" (the handler
 * could not be executed) or, from the daemon's own child, "spawn ERRNO"
 * (the supervisor could not be).  Returns false when there is none: the
 * supervisor itself was killed.
 */
static bool worker_report(struct worker *w, char what[16], int *value)
{
	char line[64];
	ssize_t n;

	do
		n = read(w->status_fd, line, sizeof(line) - 1);
	while (n < 0 && errno == EINTR);
	close(w->status_fd);
	w->status_fd = -1;
	if (n <= 0)
		return false;
	line[n] = '\0';
	return sscanf(line, "%15s %d", what, value) == 2;
}

static void worker_ended(struct worker *w, const char *what, int value)
{
	const struct queue_conf *q;
	char tmo[32];

	if (w->stopping) {
		worker_finish(w, true, "Stopped", NULL);
	} else if (strcmp(what, "spawn") == 0) {
		worker_finish(w, false, "Requeue",
			      "could not start the job supervisor %s: %s",
			      contain_helper(), strerror(value));
	} else if (strcmp(what, "exec") == 0) {
		worker_finish(w, false, "Requeue",
			      "handler could not be executed: %s: %s", w->exec,
			      strerror(value));
	} else if (w->timed_out) {
		q = config_queue(jsvd->conf, w->job_name);
		tmo[0] = '\0';
		if (q)
			snprintf(tmo, sizeof(tmo), " after %llus",
				 (unsigned long long)q->timeout_ms / 1000);
		worker_finish(w, true, "Error", "timeout%s", tmo);
	} else if (strcmp(what, "exit") == 0 && value == 0) {
		worker_finish(w, true, "Success", NULL);
	} else if (strcmp(what, "exit") == 0) {
		worker_finish(w, true, "Error", "exit status %d", value);
	} else {
		worker_finish(w, true, "Error", "killed by signal %d (SIG%s)",
			      value,
			      sigabbrev_np(value) ? sigabbrev_np(value) : "?");
	}
}

/* The supervisor exited, after every process of the job. */
static int worker_exited(sd_event_source *s, const siginfo_t *si, void *arg)
{
	struct worker *w = arg;
	char what[16];
	int value;

	w->pid = 0;
	w->child_src = sd_event_source_disable_unref(w->child_src);
	w->kill_src = sd_event_source_disable_unref(w->kill_src);
	w->timeout_src = sd_event_source_disable_unref(w->timeout_src);
	worker_checkin_end(w);
	if (worker_report(w, what, &value)) {
		worker_ended(w, what, value);
		return 0;
	}
	/* Killed by someone else: the job's processes may be left. */
	contain_kill_leftovers(w->job_id);
	if (w->stopping)
		worker_finish(w, true, "Stopped", NULL);
	else if (si->si_code == CLD_EXITED)
		worker_finish(w, true, "Error", "job supervisor %s exited %d",
			      contain_helper(), si->si_status);
	else
		worker_finish(w, true, "Error",
			      "job supervisor %s killed by signal %d",
			      contain_helper(), si->si_status);
	return 0;
}

/* Adds "NAME=value" to env, replacing an earlier entry of that NAME. */
static void env_set(char **env, size_t *n, char *entry)
{
	size_t len = strcspn(entry, "=") + 1, i;

	for (i = 0; i < *n; i++) {
		if (strncmp(env[i], entry, len) == 0) {
			free(env[i]);
			env[i] = entry;
			return;
		}
	}
	env[(*n)++] = entry;
}

static void fd_to(int fd, int target)
{
	if (fd == target)
		fcntl(fd, F_SETFD, 0);
	else
		dup2(fd, target);
}

/*
 * Moves *fd above the fds a child gets, so that fd_to() cannot clobber it.
 * Returns 0, or -1 with errno set.
 */
static int fd_above_child_fds(int *fd)
{
	int nfd;

	if (*fd > 4)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, 5);
	if (nfd < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

/* In the child, before _exit: "spawn ERRNO" for worker_report(). */
static void spawn_failed(int fd, int err)
{
	char line[24] = "spawn ", digits[12];
	size_t n = strlen(line), k = 0;

	do
		digits[k++] = (char)('0' + err % 10);
	while ((err /= 10) && k < sizeof(digits));
	while (k)
		line[n++] = digits[--k];
	line[n++] = '\n';
	if (write(fd, line, n) < 0)
		_exit(127);
}

/*
 * Starts the handler of a claimed job under its supervisor.  Returns 0, or
 * a negative errno after sending the job back to its queue with the reason.
 */
static int worker_spawn(struct worker *w, const char *params, long attempt,
			const char *execution_id)
{
	const struct jsvd_conf *conf = jsvd->conf;
	const struct queue_conf *q = config_queue(conf, w->job_name);
	char *path = NULL, **env = NULL, *argv[5], *cgroup = NULL;
	int logfd = -1, infd = -1, pfd[2] = { -1, -1 }, sfd[2] = { -1, -1 };
	size_t nenv = 0, i, len = strlen(params);
	pid_t self = getpid(), pid;
	sigset_t mask;
	int err;

	if (!q) {
		worker_finish(w, false, "Requeue",
			      "no handler for %s in this pool's "
			      "configuration",
			      w->job_name);
		return -ENOENT;
	}
	w->exec = xstrdup(q->exec);
	xasprintf(&path, "%s/%s.log", conf->log_dir, w->job_id);
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (logfd < 0) {
		err = errno;
		worker_finish(w, false, "Requeue",
			      "cannot open the job log %s: %s", path,
			      strerror(err));
		goto out;
	}
	infd = memfd_create("jobsvc-parameters", MFD_CLOEXEC);
	if (infd < 0 || write(infd, params, len) != (ssize_t)len ||
	    lseek(infd, 0, SEEK_SET) != 0 || pipe2(pfd, O_CLOEXEC) < 0 ||
	    pipe2(sfd, O_CLOEXEC) < 0 || fd_above_child_fds(&infd) < 0 ||
	    fd_above_child_fds(&logfd) < 0 || fd_above_child_fds(&pfd[1]) < 0 ||
	    fd_above_child_fds(&sfd[1]) < 0) {
		err = errno;
		worker_finish(w, false, "Requeue",
			      "cannot set up the handler: %s", strerror(err));
		goto out;
	}
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);
	fcntl(sfd[0], F_SETFL, O_NONBLOCK);

	env = xreallocarray(NULL, conf->nenv + q->nenv + 6, sizeof(*env));
	env_set(env, &nenv,
		xstrdup("PATH=/usr/local/sbin:/usr/local/bin:"
			"/usr/sbin:/usr/bin:/sbin:/bin"));
	for (i = 0; i < conf->nenv; i++)
		env_set(env, &nenv, xstrdup(conf->env[i]));
	for (i = 0; i < q->nenv; i++)
		env_set(env, &nenv, xstrdup(q->env[i]));
	xasprintf(&env[nenv++], "JOBSVC_JOB_ID=%s", w->job_id);
	xasprintf(&env[nenv++], "JOBSVC_JOB_NAME=%s", w->job_name);
	xasprintf(&env[nenv++], "JOBSVC_ATTEMPT=%ld", attempt);
	xasprintf(&env[nenv++], "JOBSVC_EXECUTION_ID=%s", execution_id);
	env[nenv] = NULL;
	cgroup = contain_cgroup(w->job_id);
	i = 0;
	argv[i++] = (char *)contain_helper();
	if (cgroup) {
		argv[i++] = (char *)"-c";
		argv[i++] = cgroup;
	}
	argv[i++] = q->exec;
	argv[i] = NULL;
	/* What the supervisor waits for, blocked until it does. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SUPERVISOR_KILL);
	sigaddset(&mask, SIGCHLD);

	pid = vfork();
	if (pid == 0) {
		setpgid(0, 0);
		/* Dies with us; if we are already gone, runs nothing. */
		prctl(PR_SET_PDEATHSIG, SUPERVISOR_KILL);
		if (getppid() != self)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &mask, NULL);
		fd_to(infd, 0);
		fd_to(logfd, 1);
		fd_to(logfd, 2);
		fd_to(pfd[1], 3);
		fd_to(sfd[1], 4);
		close_range(5, ~0U, 0);
		execve(argv[0], argv, env);
		spawn_failed(4, errno);
		_exit(127);
	}
	if (pid < 0) {
		err = errno;
		worker_finish(w, false, "Requeue",
			      "cannot start the handler: %s", strerror(err));
		goto out;
	}
	/* Both sides set the group, so signals reach it from the start. */
	setpgid(pid, pid);
	w->pid = pid;
	w->status_fd = sfd[0];
	sfd[0] = -1;
	if (sd_event_add_child(jsvd->ev, &w->child_src, pid, WEXITED,
			       worker_exited, w) < 0)
		fatalx("cannot watch handler %d", (int)pid);
	if (sd_event_add_io(jsvd->ev, &w->checkin_src, pfd[0], EPOLLIN,
			    worker_checkin_io, w) < 0)
		fatalx("cannot watch check-ins of handler %d", (int)pid);
	sd_event_source_set_io_fd_own(w->checkin_src, 1);
	pfd[0] = -1;
	if (q->timeout_ms &&
	    sd_event_add_time_relative(jsvd->ev, &w->timeout_src,
				       CLOCK_MONOTONIC, q->timeout_ms * 1000, 0,
				       worker_timeout, w) < 0)
		fatalx("cannot arm the timeout of job %s", w->job_id);
	log_debug("job %s (%s): handler %s started under supervisor %d",
		  w->job_id, w->job_name, q->exec, (int)pid);
	err = 0;
out:
	for (i = 0; env && i < nenv; i++)
		free(env[i]);
	free(env);
	free(cgroup);
	free(path);
	if (logfd >= 0)
		close(logfd);
	if (infd >= 0)
		close(infd);
	for (i = 0; i < 2; i++) {
		if (pfd[i] >= 0)
			close(pfd[i]);
		if (sfd[i] >= 0)
			close(sfd[i]);
	}
	return err ? -err : 0;
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
 * In a shutdown, ends the loop once nothing is left: no handler runs, and
 * every result is written, or cannot be (Redis unavailable) and the grace
 * period is over.  An unwritten result leaves its job Running under this
 * pool, which dead-pool recovery hands back to its queue.
 */
static void worker_check_drained(void)
{
	unsigned i;

	if (!jsvd->draining)
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
