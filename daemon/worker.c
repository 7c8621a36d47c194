/* SPDX-License-Identifier: ISC */
/*
 * The worker slots of this pool and the handler processes they run.
 *
 * A free slot claims a job (one script: the job moves from its queue to this
 * pool's claims with a fresh token) and starts the type's handler with
 * vfork+exec, so starting a handler costs the same whatever the daemon's
 * size.  The handler runs in its own process group, dies with the daemon
 * (PR_SET_PDEATHSIG: a crashed daemon's jobs are run again elsewhere, never
 * twice at once), reads the parameters from stdin, writes its log on
 * stdout/stderr and its check-ins on fd 3.
 *
 * When the handler exits its result is written back with the claim token;
 * a claim taken over meanwhile by another pool makes that write a no-op.  If
 * Redis is down at that moment the slot keeps the result and stays busy
 * until the result is written (worker_flush), so nothing is lost and the
 * slot never runs two jobs' bookkeeping at once.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
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

struct worker {
	char id[48]; /* "<pool id>-<n>" */
	pid_t pid; /* handler, 0 when none */
	char job_id[32];
	char job_name[72];
	char token[24];
	sd_event_source *child_src;
	sd_event_source *checkin_src;
	sd_event_source *kill_src;
	sd_event_source *timeout_src;
	struct jsv_buf checkin; /* a partial check-in line */
	bool stopping; /* SIGTERM sent for Stop/Free */
	bool timed_out;
	bool abandoned; /* claim gone: the result is not written */
	bool finishing; /* result not yet written to Redis */
	char result[16];
	char *error;
};

static sd_event_source *kick_src;

static void worker_free_slot(struct worker *w);

int worker_init(void)
{
	unsigned i;

	jsvd->nworkers = jsvd->conf->workers;
	jsvd->workers = xcalloc(jsvd->nworkers, sizeof(*jsvd->workers));
	for (i = 0; i < jsvd->nworkers; i++)
		snprintf(jsvd->workers[i].id, sizeof(jsvd->workers[i].id),
			 "%s-%u", jsvd->pool_id, i + 1);
	return 0;
}

void worker_cleanup(void)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		w->child_src = sd_event_source_disable_unref(w->child_src);
		w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
		w->kill_src = sd_event_source_disable_unref(w->kill_src);
		w->timeout_src = sd_event_source_disable_unref(w->timeout_src);
		jsv_buf_free(&w->checkin);
		free(w->error);
	}
	kick_src = sd_event_source_disable_unref(kick_src);
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

static bool worker_write_result(struct worker *w)
{
	const char *argv[6] = { w->job_id, w->token,  jsvd->pool_id,
				w->id,	   w->result, w->error ? w->error : "" };
	redisReply *r;

	r = redis_script(SCRIPT_FINISH, 6, argv);
	if (!r)
		return false;
	if (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) {
		if (strcmp(r->str, "STALE") == 0)
			log_warnx("job %s: result %s discarded: the job was "
				  "handed to another pool meanwhile",
				  w->job_id, w->result);
		else
			log_info("job %s (%s) ended %s%s%s%s", w->job_id,
				 w->job_name, w->result, w->error ? ": " : "",
				 w->error ? w->error : "",
				 strcmp(r->str, w->result) ? ", will retry" :
							     "");
	} else if (r->type == REDIS_REPLY_ERROR) {
		log_warnx("job %s: cannot record result: %s", w->job_id,
			  r->str);
	}
	freeReplyObject(r);
	return true;
}

static void worker_finish(struct worker *w, const char *result, const char *fmt,
			  ...) JSV_PRINTF(3, 4);

static void worker_finish(struct worker *w, const char *result, const char *fmt,
			  ...)
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
	if (!w->abandoned && !worker_write_result(w)) {
		log_warnx("job %s: Redis unavailable, result %s kept until "
			  "it is back",
			  w->job_id, w->result);
		return;
	}
	worker_free_slot(w);
}

void worker_flush(void)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (!w->finishing || w->pid)
			continue;
		if (!worker_write_result(w))
			return;
		worker_free_slot(w);
	}
}

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
	jsv_buf_reset(&w->checkin);
	if (jsvd->draining && worker_busy() == 0)
		sd_event_exit(jsvd->ev, 0);
	else
		worker_kick();
}

static void worker_send_checkin(struct worker *w, const char *line, size_t len)
{
	struct jsv_buf text = { 0 };
	const char *argv[3] = { w->job_id, w->token, NULL };
	redisReply *r;

	if (w->abandoned)
		return;
	if (len > CHECKIN_MAX)
		len = CHECKIN_MAX;
	if (len && line[len - 1] == '\r')
		len--;
	jsv_buf_add_utf8(&text, line, strnlen(line, len), false);
	argv[2] = text.data ? text.data : "";
	r = redis_script(SCRIPT_CHECKIN, 3, argv);
	if (r)
		freeReplyObject(r);
	jsv_buf_free(&text);
}

/* Reads what the handler wrote on fd 3; each line is a check-in. */
static int worker_checkin_io(sd_event_source *s, int fd, uint32_t revents,
			     void *arg)
{
	struct worker *w = arg;
	char buf[4096], *nl;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			break;
		jsv_buf_add(&w->checkin, buf, n);
		while ((nl = memchr(w->checkin.data, '\n', w->checkin.len))) {
			worker_send_checkin(w, w->checkin.data,
					    nl - w->checkin.data);
			jsv_buf_consume(&w->checkin, nl - w->checkin.data + 1);
		}
		if (w->checkin.len > CHECKIN_MAX) {
			worker_send_checkin(w, w->checkin.data, w->checkin.len);
			jsv_buf_reset(&w->checkin);
		}
	}
	if (w->checkin.len)
		worker_send_checkin(w, w->checkin.data, w->checkin.len);
	jsv_buf_reset(&w->checkin);
	w->checkin_src = sd_event_source_disable_unref(w->checkin_src);
	return 0;
}

static int worker_kill_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct worker *w = arg;

	if (w->pid) {
		log_info("job %s: handler still running after the grace "
			 "period, sending SIGKILL",
			 w->job_id);
		kill(-w->pid, SIGKILL);
	}
	return 0;
}

/* SIGTERM to the handler's group now, SIGKILL after stop_grace. */
static void worker_terminate(struct worker *w)
{
	kill(-w->pid, SIGTERM);
	if (w->kill_src)
		return;
	sd_event_add_time_relative(jsvd->ev, &w->kill_src, CLOCK_MONOTONIC,
				   jsvd->conf->stop_grace_ms * 1000, 0,
				   worker_kill_timer, w);
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

static int worker_exited(sd_event_source *s, const siginfo_t *si, void *arg)
{
	struct worker *w = arg;
	const struct queue_conf *q;
	char tmo[32];

	/* Whatever the handler left behind in its group goes with it. */
	kill(-w->pid, SIGKILL);
	w->pid = 0;
	w->child_src = sd_event_source_disable_unref(w->child_src);
	w->kill_src = sd_event_source_disable_unref(w->kill_src);
	w->timeout_src = sd_event_source_disable_unref(w->timeout_src);
	if (w->checkin_src)
		worker_checkin_io(w->checkin_src,
				  sd_event_source_get_io_fd(w->checkin_src), 0,
				  w);

	if (w->stopping) {
		worker_finish(w, "Stopped", NULL);
	} else if (w->timed_out) {
		q = config_queue(jsvd->conf, w->job_name);
		tmo[0] = '\0';
		if (q)
			snprintf(tmo, sizeof(tmo), " after %llus",
				 (unsigned long long)q->timeout_ms / 1000);
		worker_finish(w, "Error", "timeout%s", tmo);
	} else if (si->si_code == CLD_EXITED && si->si_status == 0) {
		worker_finish(w, "Success", NULL);
	} else if (si->si_code == CLD_EXITED) {
		worker_finish(w, "Error", "exit status %d", si->si_status);
	} else {
		worker_finish(w, "Error", "killed by signal %d (SIG%s)",
			      si->si_status,
			      sigabbrev_np(si->si_status) ?
				      sigabbrev_np(si->si_status) :
				      "?");
	}
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
 * Starts the handler of a claimed job.  Returns 0, or a negative errno
 * after ending the job in Error with the reason.
 */
static int worker_spawn(struct worker *w, const char *params, long attempt,
			const char *execution_id)
{
	const struct jsvd_conf *conf = jsvd->conf;
	const struct queue_conf *q = config_queue(conf, w->job_name);
	char *path = NULL, **env = NULL, *argv[2];
	int logfd = -1, infd = -1, pfd[2] = { -1, -1 };
	size_t nenv = 0, i, len = strlen(params);
	sigset_t none;
	pid_t pid;
	int err;

	if (!q) {
		worker_finish(w, "Error",
			      "no handler for %s in this pool's "
			      "configuration",
			      w->job_name);
		return -ENOENT;
	}
	xasprintf(&path, "%s/%s.log", conf->log_dir, w->job_id);
	logfd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (logfd < 0) {
		err = errno;
		worker_finish(w, "Error", "cannot open the job log %s: %s",
			      path, strerror(err));
		goto out;
	}
	infd = memfd_create("jobsvc-parameters", MFD_CLOEXEC);
	if (infd < 0 || write(infd, params, len) != (ssize_t)len ||
	    lseek(infd, 0, SEEK_SET) != 0 || pipe2(pfd, O_CLOEXEC) < 0) {
		err = errno;
		worker_finish(w, "Error", "cannot set up the handler: %s",
			      strerror(err));
		goto out;
	}
	fcntl(pfd[0], F_SETFL, O_NONBLOCK);

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
	argv[0] = q->exec;
	argv[1] = NULL;
	sigemptyset(&none);

	pid = vfork();
	if (pid == 0) {
		static const char msg[] = "jobsvcd: cannot execute handler\n";

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		signal(SIGPIPE, SIG_DFL);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fd_to(infd, 0);
		fd_to(logfd, 1);
		fd_to(logfd, 2);
		fd_to(pfd[1], 3);
		close_range(4, ~0U, 0);
		execve(argv[0], argv, env);
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(127);
		_exit(127);
	}
	if (pid < 0) {
		err = errno;
		worker_finish(w, "Error", "cannot start the handler: %s",
			      strerror(err));
		goto out;
	}
	/* Both sides set the group, so signals reach it from the start. */
	setpgid(pid, pid);
	w->pid = pid;
	if (sd_event_add_child(jsvd->ev, &w->child_src, pid, WEXITED,
			       worker_exited, w) < 0)
		fatalx("cannot watch handler %d", (int)pid);
	if (sd_event_add_io(jsvd->ev, &w->checkin_src, pfd[0], EPOLLIN,
			    worker_checkin_io, w) < 0)
		fatalx("cannot watch check-ins of handler %d", (int)pid);
	sd_event_source_set_io_fd_own(w->checkin_src, 1);
	pfd[0] = -1;
	if (q->timeout_ms)
		sd_event_add_time_relative(jsvd->ev, &w->timeout_src,
					   CLOCK_MONOTONIC,
					   q->timeout_ms * 1000, 0,
					   worker_timeout, w);
	log_debug("job %s (%s): handler %s started as %d", w->job_id,
		  w->job_name, q->exec, (int)pid);
	err = 0;
out:
	for (i = 0; env && i < nenv; i++)
		free(env[i]);
	free(env);
	free(path);
	if (logfd >= 0)
		close(logfd);
	if (infd >= 0)
		close(infd);
	if (pfd[0] >= 0)
		close(pfd[0]);
	if (pfd[1] >= 0)
		close(pfd[1]);
	return err ? -err : 0;
}

/*
 * Claims one job for w.  The queues are tried round-robin, starting after
 * the one served last, so a long queue cannot starve the others.  Returns
 * 1 when a job was claimed, 0 when there is none to take, -EIO.
 */
static int worker_claim(struct worker *w)
{
	const struct jsvd_conf *conf = jsvd->conf;
	struct queue_conf *q, **qs;
	const char **argv;
	char(*caps)[16];
	redisReply *r, **e;
	size_t nq = conf->nqueues, i, k;
	int argc = 0, rv = 0;

	qs = xreallocarray(NULL, nq, sizeof(*qs));
	caps = xreallocarray(NULL, nq, sizeof(*caps));
	argv = xreallocarray(NULL, 3 + 2 * nq, sizeof(*argv));
	i = 0;
	TAILQ_FOREACH(q, &conf->queues, entry)
		qs[i++] = q;
	job_random_hex(w->token, 16);
	argv[argc++] = jsvd->pool_id;
	argv[argc++] = w->id;
	argv[argc++] = w->token;
	for (i = 0; i < nq; i++) {
		k = (jsvd->rr + i) % nq;
		snprintf(caps[i], sizeof(caps[i]), "%u",
			 qs[k]->max_concurrency);
		argv[argc++] = qs[k]->name;
		argv[argc++] = caps[i];
	}
	r = redis_script(SCRIPT_CLAIM, argc, argv);
	if (!r) {
		rv = -EIO;
		goto out;
	}
	if (r->type == REDIS_REPLY_ERROR) {
		if (strcmp(redis_errstr(r), "NOPOOL") == 0) {
			pool_register();
		} else {
			log_warnx("redis: claim failed: %s", r->str);
		}
		rv = -EIO;
	} else if (r->type == REDIS_REPLY_ARRAY && r->elements == 5) {
		e = r->element;
		snprintf(w->job_id, sizeof(w->job_id), "%s", e[0]->str);
		snprintf(w->job_name, sizeof(w->job_name), "%s", e[1]->str);
		for (i = 0; i < nq; i++)
			if (strcmp(qs[i]->name, w->job_name) == 0)
				jsvd->rr = (i + 1) % nq;
		worker_spawn(w, e[2]->str, (long)e[3]->integer, e[4]->str);
		rv = 1;
	}
	freeReplyObject(r);
out:
	free(argv);
	free(caps);
	free(qs);
	return rv;
}

void worker_dispatch(void)
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
	if (!kick_src) {
		if (sd_event_add_defer(jsvd->ev, &kick_src, worker_kick_cb,
				       NULL) < 0)
			fatalx("cannot add the dispatch event");
	}
	sd_event_source_set_enabled(kick_src, SD_EVENT_ONESHOT);
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
 * Forgets every claim of this pool: the jobs were, or will be, handed back
 * to their queues by pool recovery, so the handlers still running are
 * killed and their results dropped.
 */
void worker_lost_pool(void)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (w->pid) {
			w->abandoned = true;
			kill(-w->pid, SIGKILL);
		} else if (w->finishing) {
			worker_free_slot(w);
		}
	}
}

/* End of a graceful stop: what still runs goes back to its queue. */
void worker_drain(void)
{
	unsigned i;

	for (i = 0; i < jsvd->nworkers; i++) {
		struct worker *w = &jsvd->workers[i];

		if (!w->pid)
			continue;
		log_info("job %s (%s): still running at shutdown, handing "
			 "it back to its queue",
			 w->job_id, w->job_name);
		w->abandoned = true;
		kill(-w->pid, SIGKILL);
	}
}
