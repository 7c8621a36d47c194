/* SPDX-License-Identifier: ISC */
/*
 * Starting a claimed job's handler and watching it to its end.
 *
 * The handler runs under its supervisor (supervise.c), a process that
 * shares the daemon's memory, so that starting a handler costs about what
 * its own execve does, whatever the daemon's size.  The supervisor dies
 * with the daemon and takes all the job's processes with it, and tells on
 * its status pipe how the handler ended or that it could not be executed.  The handler reads the
 * parameters from stdin (a memfd), writes its log on
 * stdout/stderr (the job log) and its check-ins on fd 3 (worker_checkin.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "persist.h"
#include "worker.h"

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
void worker_terminate(struct worker *w)
{
	kill(w->pid, SIGTERM);
	if (w->kill_src)
		return;
	if (sd_event_add_time_relative(jsvd->ev, &w->kill_src, CLOCK_MONOTONIC,
				       jsvd->conf->stop_grace_ms * 1000, 0,
				       worker_kill_timer, w) < 0)
		kill(w->pid, SUPERVISOR_KILL);
}

int worker_timeout(sd_event_source *s, uint64_t usec, void *arg)
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

void worker_ended(struct worker *w, const char *what, int value)
{
	const struct queue_conf *q;
	char tmo[32];

	if (w->stopping) {
		worker_finish(w, true, "Stopped", NULL);
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
	env_free(w->env);
	w->env = NULL;
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
		worker_finish(w, true, "Error", "job supervisor exited %d",
			      si->si_status);
	else
		worker_finish(w, true, "Error",
			      "job supervisor killed by signal %d",
			      si->si_status);
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

int fd_above_child_fds(int *fd)
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

void spawn_fds_close(struct spawn_fds *fds)
{
	size_t i;

	if (fds->log >= 0)
		close(fds->log);
	if (fds->in >= 0)
		close(fds->in);
	for (i = 0; i < 2; i++) {
		if (fds->checkin[i] >= 0)
			close(fds->checkin[i]);
		if (fds->status[i] >= 0)
			close(fds->status[i]);
	}
}

/*
 * The fds phase: opens (appends to) the job log, writes the parameters to
 * a memfd and makes the check-in and status pipes, all close-on-exec; the
 * child's ends are moved above the fds the child gets and the daemon's
 * ends made non-blocking.  Returns 0, or a negative errno after finishing
 * w with Requeue and the reason.  Whatever was opened is in *fds either
 * way, for spawn_fds_close().
 */
static int worker_spawn_fds(struct worker *w, const char *params,
			    struct spawn_fds *fds)
{
	size_t len = strlen(params);
	char *path = NULL;
	int err;

	xasprintf(&path, "%s/%s.log", jsvd->conf->log_dir, w->job_id);
	fds->log = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fds->log < 0) {
		err = errno;
		worker_finish(w, false, "Requeue",
			      "cannot open the job log %s: %s", path,
			      strerror(err));
		free(path);
		return -err;
	}
	free(path);
	fds->in = memfd_create("jobsvc-parameters", MFD_CLOEXEC);
	if (fds->in < 0 || write(fds->in, params, len) != (ssize_t)len ||
	    lseek(fds->in, 0, SEEK_SET) != 0 ||
	    pipe2(fds->checkin, O_CLOEXEC) < 0 ||
	    pipe2(fds->status, O_CLOEXEC) < 0 ||
	    fd_above_child_fds(&fds->in) < 0 ||
	    fd_above_child_fds(&fds->log) < 0 ||
	    fd_above_child_fds(&fds->checkin[1]) < 0 ||
	    fd_above_child_fds(&fds->status[1]) < 0) {
		err = errno;
		worker_finish(w, false, "Requeue",
			      "cannot set up the handler: %s", strerror(err));
		/* A short write leaves errno unset; it failed all the same. */
		return err ? -err : -EIO;
	}
	fcntl(fds->checkin[0], F_SETFL, O_NONBLOCK);
	fcntl(fds->status[0], F_SETFL, O_NONBLOCK);
	return 0;
}

char **worker_spawn_env(const struct worker *w, const struct queue_conf *q,
			long attempt, const char *execution_id)
{
	const struct jsvd_conf *conf = jsvd->conf;
	size_t nenv = 0, i;
	char **env;

	env = xreallocarray(NULL, conf->nenv + q->nenv + 6, sizeof(*env));
	env_set(env, &nenv,
		xstrdup("PATH=/usr/local/sbin:/usr/local/bin:"
			"/usr/sbin:/usr/bin:/sbin:/bin"));
	for (i = 0; i < conf->nenv; i++)
		env_set(env, &nenv, xstrdup(conf->env[i]));
	for (i = 0; i < q->nenv; i++)
		env_set(env, &nenv, xstrdup(q->env[i]));
	if (!w) {
		env[nenv++] = xstrdup("JOBSVC_PERSISTENT=1");
	} else {
		xasprintf(&env[nenv++], "JOBSVC_JOB_ID=%s", w->job_id);
		xasprintf(&env[nenv++], "JOBSVC_JOB_NAME=%s", w->job_name);
		xasprintf(&env[nenv++], "JOBSVC_ATTEMPT=%ld", attempt);
		xasprintf(&env[nenv++], "JOBSVC_EXECUTION_ID=%s", execution_id);
	}
	env[nenv] = NULL;
	return env;
}

void env_free(char **env)
{
	size_t i;

	for (i = 0; env && env[i]; i++)
		free(env[i]);
	free(env);
}

pid_t worker_spawn_exec(const char *id, const char *path, char **env,
			struct supervise_area **area,
			const struct spawn_fds *fds)
{
	struct supervise_job job = {
		.path = path,
		.env = env,
		.cgroup = contain_cgroup(id),
		.fd = { fds->in, fds->log, fds->log, fds->checkin[1],
			fds->status[1] },
		.nice = jsvd->conf->handler_nice,
	};
	pid_t pid;
	int err;

	pid = supervise_start(area, &job);
	err = errno;
	free((char *)job.cgroup);
	errno = err;
	return pid;
}

/*
 * The watch phase: w now runs supervisor pid.  Watches its exit
 * (worker_exited), the handler's check-ins (worker_checkin_io) and, if the
 * queue has one, its timeout (worker_timeout), taking the daemon's ends of
 * both pipes from fds.  Ends the daemon if the event loop cannot watch
 * them.
 */
static void worker_spawn_watch(struct worker *w, const struct queue_conf *q,
			       pid_t pid, struct spawn_fds *fds)
{
	w->pid = pid;
	w->status_fd = fds->status[0];
	fds->status[0] = -1;
	if (sd_event_add_child(jsvd->ev, &w->child_src, pid, WEXITED,
			       worker_exited, w) < 0)
		fatalx("cannot watch handler %d", (int)pid);
	if (sd_event_add_io(jsvd->ev, &w->checkin_src, fds->checkin[0], EPOLLIN,
			    worker_checkin_io, w) < 0)
		fatalx("cannot watch check-ins of handler %d", (int)pid);
	sd_event_source_set_io_fd_own(w->checkin_src, 1);
	fds->checkin[0] = -1;
	if (q->timeout_ms &&
	    sd_event_add_time_relative(jsvd->ev, &w->timeout_src,
				       CLOCK_MONOTONIC, q->timeout_ms * 1000, 0,
				       worker_timeout, w) < 0)
		fatalx("cannot arm the timeout of job %s", w->job_id);
}

/*
 * Starts the handler of a claimed job under its supervisor, in four
 * phases: fds, environment, exec, watch.  Returns 0, or a negative errno
 * after sending the job back to its queue with the reason.
 */
int worker_spawn(struct worker *w, const char *params, long attempt,
		 const char *execution_id)
{
	const struct queue_conf *q = config_queue(jsvd->conf, w->job_name);
	struct spawn_fds fds = { -1, -1, { -1, -1 }, { -1, -1 } };
	char **env;
	pid_t pid;
	int err;

	if (!q) {
		worker_finish(w, false, "Requeue",
			      "no handler for %s in this pool's "
			      "configuration",
			      w->job_name);
		return -ENOENT;
	}
	w->exec = xstrdup(q->exec);
	if (q->persistent)
		return persist_run(w, q, params, attempt, execution_id);
	err = worker_spawn_fds(w, params, &fds);
	if (err < 0)
		goto out;
	env = worker_spawn_env(w, q, attempt, execution_id);
	pid = worker_spawn_exec(w->job_id, w->exec, env, &w->area, &fds);
	err = pid < 0 ? -errno : 0;
	if (pid < 0) {
		env_free(env);
		worker_finish(w, false, "Requeue",
			      "cannot start the handler: %s", strerror(-err));
		goto out;
	}
	w->env = env;
	worker_spawn_watch(w, q, pid, &fds);
	log_debug("job %s (%s): handler %s started under supervisor %d",
		  w->job_id, w->job_name, q->exec, (int)pid);
out:
	spawn_fds_close(&fds);
	return err;
}
