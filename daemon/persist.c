/* SPDX-License-Identifier: ISC */
/*
 * Persistent handlers: the handlers of the queues with "persistent = yes",
 * which stay up between jobs, the way FastCGI keeps its web handlers, so
 * that a job costs a line each way instead of a process.
 *
 * A handler runs under its supervisor (contain.c) like any other, started
 * on demand when a job of its queue finds no idle handler of that queue.
 * Its environment has JOBSVC_PERSISTENT=1 instead of a job's variables.
 * Each job is written to its stdin as one JSON line, {"id", "name",
 * "attempt", "execution_id", "parameters"}; the handler answers with JSON
 * lines on fd 3: {"check_in": TEXT} any number of times, then
 * {"status": "Success"} or {"status": "Error", "error": TEXT}, which ends
 * the job.  Its stdout and stderr are a pipe that the daemon copies to the
 * log of the job it runs; what it writes between jobs is dropped.
 *
 * A handler that exits, or breaks the protocol (a line that is not one of
 * those, a line longer than PERSIST_LINE_MAX, anything on fd 3 between
 * jobs, closing its stdin), ends its job in Error, retried as usual, and is
 * killed; a fresh one is started after a backoff that grows with each crash
 * in a row, or at once for the next job.  Stop, Free and a timeout
 * terminate the handler's processes as for any job, and the next job gets
 * a fresh handler.  A reload and SIGTERM close the handlers' stdin: each
 * ends when its job is done and the handler sees the end of its input.
 *
 * Every fd the daemon reads is non-blocking and read a bounded amount at a
 * time, with a pause after a flood, and the job line waits in a buffer when
 * the handler does not read its stdin: no handler can stall the loop.
 * There are at most as many handlers up as the pool has workers, and as a
 * queue's max_concurrency: to start another, an idle one is retired.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <unistd.h>
#include <json-c/json.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "persist.h"
#include "worker.h"

/* The longest line on fd 3, and the longest error text kept. */
#define PERSIST_LINE_MAX (64 * 1024)
#define PERSIST_ERROR_MAX 1024
/* A flood is read PERSIST_READ_MAX bytes at a time, with pauses. */
#define PERSIST_READ_MAX (64 * 1024)
#define PERSIST_PAUSE_US (10 * 1000ULL)
/* At a job's end, what the handler wrote is read up to this. */
#define PERSIST_FLUSH_MAX (1024 * 1024)
/* The wait before a crashed handler starts again, doubling per crash. */
#define PERSIST_BACKOFF_MIN_US (100 * 1000ULL)
#define PERSIST_BACKOFF_MAX_US (10 * 1000 * 1000ULL)

enum persist_state {
	PERSIST_RESTART, /* no process: a fresh one starts after a backoff */
	PERSIST_IDLE, /* waits for a job */
	PERSIST_BUSY, /* runs w's job */
	PERSIST_ENDING, /* its stdin closed, or killed: waits for its end */
};

struct persist {
	TAILQ_ENTRY(persist) entry;
	enum persist_state state;
	char *queue; /* the job type */
	char id[32]; /* "persist-N": its cgroup, its name in the log */
	pid_t pid; /* its supervisor, 0 when none */
	int status_fd; /* the supervisor's report */
	int in_fd; /* its stdin */
	struct jsv_buf in; /* what its stdin did not take yet */
	sd_event_source *in_src; /* stdin writable, while in is not empty */
	sd_event_source *proto_src; /* fd 3 */
	struct jsv_buf proto; /* a partial line from fd 3 */
	sd_event_source *out_src; /* stdout and stderr */
	int log_fd; /* the log of the job it runs, or -1 */
	sd_event_source *child_src;
	sd_event_source *timer; /* the restart, or reading after a pause */
	struct worker *w; /* the slot whose job it runs */
	char *broken; /* how it broke the protocol, once it did */
	bool retire; /* goes when its job ends */
	unsigned crashes; /* in a row, for the backoff */
	char *exec; /* the handler, and its environment: kept until */
	char **env; /* its supervisor exits (supervise.c) */
	struct supervise_area *area; /* the supervisor's stack */
};

static TAILQ_HEAD(, persist) handlers = TAILQ_HEAD_INITIALIZER(handlers);
static unsigned persist_seq;

static void persist_break(struct persist *p, const char *why);

static struct persist *persist_new(const char *queue)
{
	struct persist *p = xcalloc(1, sizeof(*p));

	p->queue = xstrdup(queue);
	snprintf(p->id, sizeof(p->id), "persist-%u", ++persist_seq);
	p->status_fd = p->in_fd = p->log_fd = -1;
	TAILQ_INSERT_TAIL(&handlers, p, entry);
	return p;
}

/* Lets go of p's process: its fds and event sources. */
static void persist_close_proc(struct persist *p)
{
	p->child_src = sd_event_source_disable_unref(p->child_src);
	p->in_src = sd_event_source_disable_unref(p->in_src);
	p->proto_src = sd_event_source_disable_unref(p->proto_src);
	p->out_src = sd_event_source_disable_unref(p->out_src);
	p->timer = sd_event_source_disable_unref(p->timer);
	if (p->in_fd >= 0)
		close(p->in_fd);
	if (p->status_fd >= 0)
		close(p->status_fd);
	if (p->log_fd >= 0)
		close(p->log_fd);
	p->in_fd = p->status_fd = p->log_fd = -1;
	jsv_buf_reset(&p->in);
	jsv_buf_reset(&p->proto);
	free(p->broken);
	p->broken = NULL;
}

static void persist_free(struct persist *p)
{
	TAILQ_REMOVE(&handlers, p, entry);
	persist_close_proc(p);
	/* A supervisor still running (the daemon's exit) keeps them. */
	if (!p->pid) {
		env_free(p->env);
		free(p->exec);
		supervise_free(p->area);
	}
	jsv_buf_free(&p->in);
	jsv_buf_free(&p->proto);
	free(p->queue);
	free(p);
}

static void persist_log_write(struct persist *p, const char *buf, size_t n)
{
	ssize_t k;

	while (p->log_fd >= 0 && n > 0) {
		k = write(p->log_fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return;
		buf += k;
		n -= (size_t)k;
	}
}

enum persist_read { READ_DRAINED, READ_EOF, READ_MORE };

/*
 * Reads at most max bytes from fd: fd 3 (proto), each complete line acted
 * on until the handler breaks the protocol, or stdout and stderr, copied to
 * the log of the job (dropped between jobs).
 */
static enum persist_read persist_read(struct persist *p, int fd, size_t max,
				      bool proto);

/* The job of p ends: its output so far goes to its log, which is closed. */
static struct worker *persist_detach(struct persist *p)
{
	struct worker *w = p->w;

	if (p->out_src)
		persist_read(p, sd_event_source_get_io_fd(p->out_src),
			     PERSIST_FLUSH_MAX, false);
	if (p->log_fd >= 0)
		close(p->log_fd);
	p->log_fd = -1;
	p->w = NULL;
	w->pid = 0;
	w->timeout_src = sd_event_source_disable_unref(w->timeout_src);
	w->kill_src = sd_event_source_disable_unref(w->kill_src);
	worker_checkin_end(w);
	return w;
}

/* p goes: at once when it has no process, else once its job is done. */
static void persist_retire(struct persist *p)
{
	switch (p->state) {
	case PERSIST_RESTART:
		persist_free(p);
		break;
	case PERSIST_IDLE:
		log_debug("persistent handler %s of %s: closing its input",
			  p->id, p->queue);
		p->state = PERSIST_ENDING;
		p->in_src = sd_event_source_disable_unref(p->in_src);
		if (p->in_fd >= 0)
			close(p->in_fd);
		p->in_fd = -1;
		break;
	case PERSIST_BUSY:
		p->retire = true;
		break;
	case PERSIST_ENDING:
		break;
	}
}

/* Writes what waits for p's stdin, as much as the pipe takes now. */
static void persist_write(struct persist *p);

static int persist_in_io(sd_event_source *s, int fd, uint32_t revents,
			 void *arg)
{
	persist_write(arg);
	return 0;
}

static void persist_write(struct persist *p)
{
	ssize_t n;

	while (p->in.len && p->in_fd >= 0) {
		n = write(p->in_fd, p->in.data, p->in.len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			if (!p->in_src &&
			    sd_event_add_io(jsvd->ev, &p->in_src, p->in_fd,
					    EPOLLOUT, persist_in_io, p) < 0)
				fatalx("cannot watch the input of handler %d",
				       (int)p->pid);
			sd_event_source_set_enabled(p->in_src, SD_EVENT_ON);
			return;
		}
		if (n <= 0) {
			persist_break(p, "its standard input is closed");
			jsv_buf_reset(&p->in);
			break;
		}
		jsv_buf_consume(&p->in, (size_t)n);
	}
	if (p->in_src)
		sd_event_source_set_enabled(p->in_src, SD_EVENT_OFF);
}

/*
 * p broke the protocol: it is killed, and its job, if any, ends in Error
 * with why when it is gone.
 */
static void persist_break(struct persist *p, const char *why)
{
	if (p->broken)
		return;
	p->broken = xstrdup(why);
	log_warnx("persistent handler %s of %s (supervisor %d) broke the "
		  "protocol: %s; killing it",
		  p->id, p->queue, (int)p->pid, why);
	if (p->state == PERSIST_IDLE)
		p->state = PERSIST_ENDING;
	if (p->proto_src)
		sd_event_source_set_enabled(p->proto_src, SD_EVENT_OFF);
	if (p->pid > 0)
		kill(p->pid, SUPERVISOR_KILL);
}

/* p reported the end of its job. */
static void persist_job_done(struct persist *p, const char *result,
			     const char *error)
{
	struct worker *w;

	/* A job being stopped ends with its handler. */
	if (p->w->stopping || p->w->timed_out)
		return;
	w = persist_detach(p);
	p->crashes = 0;
	p->state = PERSIST_IDLE;
	if (p->retire || jsvd->draining)
		persist_retire(p);
	if (error)
		worker_finish(w, true, result, "%s", error);
	else
		worker_finish(w, true, result, NULL);
}

/* A status line: {"status": "Success"} or {"status": "Error", "error"}. */
static void persist_status(struct persist *p, json_object *st, json_object *msg)
{
	const char *s = json_object_get_string(st);
	struct jsv_buf error = { 0 };
	size_t len;

	if (!json_object_is_type(st, json_type_string)) {
		persist_break(p, "status is not a string");
	} else if (strcmp(s, "Success") == 0) {
		persist_job_done(p, "Success", NULL);
	} else if (strcmp(s, "Error") != 0) {
		persist_break(p, "status is neither Success nor Error");
	} else if (msg && !json_object_is_type(msg, json_type_string)) {
		persist_break(p, "error is not a string");
	} else if (!msg || !json_object_get_string_len(msg)) {
		persist_job_done(p, "Error", "the handler reported an error");
	} else {
		/* Cut at PERSIST_ERROR_MAX bytes, on a character boundary. */
		len = strnlen(json_object_get_string(msg), PERSIST_ERROR_MAX);
		jsv_buf_add_utf8(&error, json_object_get_string(msg), len,
				 true);
		persist_job_done(p, "Error", error.data ? error.data : "");
		jsv_buf_free(&error);
	}
}

/* One line from fd 3, without its newline. */
static void persist_line(struct persist *p, const char *line, size_t len)
{
	json_tokener *tok;
	json_object *o, *v, *msg = NULL;

	if (!p->w) {
		persist_break(p, "it wrote on fd 3 between jobs");
		return;
	}
	if (len && line[len - 1] == '\r')
		len--;
	tok = json_tokener_new();
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!json_object_is_type(o, json_type_object) ||
	    json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		persist_break(p, "a line on fd 3 is not a JSON object");
	} else if (json_object_object_get_ex(o, "check_in", &v)) {
		if (json_object_is_type(v, json_type_string))
			worker_checkin_text(
				p->w, json_object_get_string(v),
				(size_t)json_object_get_string_len(v));
		else
			persist_break(p, "check_in is not a string");
	} else if (json_object_object_get_ex(o, "status", &v)) {
		json_object_object_get_ex(o, "error", &msg);
		persist_status(p, v, msg);
	} else {
		persist_break(p, "a line on fd 3 has neither check_in nor "
				 "status");
	}
	json_object_put(o);
	json_tokener_free(tok);
}

/* What came on fd 3: each complete line is acted on. */
static void persist_proto_chunk(struct persist *p, const char *buf, size_t n)
{
	char *nl;
	size_t len;

	jsv_buf_add(&p->proto, buf, n);
	while (!p->broken && (nl = memchr(p->proto.data, '\n', p->proto.len))) {
		len = (size_t)(nl - p->proto.data);
		*nl = '\0';
		persist_line(p, p->proto.data, len);
		jsv_buf_consume(&p->proto, len + 1);
	}
	if (p->proto.len > PERSIST_LINE_MAX)
		persist_break(p, "a line on fd 3 is longer than 64 KiB");
}

static enum persist_read persist_read(struct persist *p, int fd, size_t max,
				      bool proto)
{
	char buf[16384];
	size_t total = 0;
	ssize_t n;

	while (total < max && !(proto && p->broken)) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return READ_DRAINED;
		if (n <= 0)
			return READ_EOF;
		total += (size_t)n;
		if (proto)
			persist_proto_chunk(p, buf, (size_t)n);
		else
			persist_log_write(p, buf, (size_t)n);
	}
	return READ_MORE;
}

static int persist_timer(sd_event_source *s, uint64_t usec, void *arg);

/* A flood on s: it is read again after a pause. */
static void persist_pause(struct persist *p, sd_event_source *s)
{
	sd_event_source_set_enabled(s, SD_EVENT_OFF);
	if (jsvd_timer(&p->timer, PERSIST_PAUSE_US, persist_timer, p) < 0)
		sd_event_source_set_enabled(s, SD_EVENT_ON);
}

/*
 * fd 3, or stdout and stderr, is readable: read a bounded amount, with a
 * pause after a flood.  The end of fd 3 waits for the supervisor's report.
 */
static int persist_io(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	struct persist *p = arg;
	bool proto = s == p->proto_src;
	enum persist_read r;

	r = persist_read(p, fd, PERSIST_READ_MAX, proto);
	if (r == READ_EOF && proto)
		p->proto_src = sd_event_source_disable_unref(p->proto_src);
	else if (r == READ_EOF)
		p->out_src = sd_event_source_disable_unref(p->out_src);
	else if (r == READ_MORE && !p->broken)
		persist_pause(p, s);
	return 0;
}

static int persist_exited(sd_event_source *s, const siginfo_t *si, void *arg);

/* Adds an io source on fd for p, owning the fd; fatal if it cannot. */
static void persist_watch(struct persist *p, sd_event_source **src, int fd,
			  sd_event_io_handler_t cb)
{
	if (sd_event_add_io(jsvd->ev, src, fd, EPOLLIN, cb, p) < 0)
		fatalx("cannot watch persistent handler %d", (int)p->pid);
	sd_event_source_set_io_fd_own(*src, 1);
}

/*
 * Starts p's process for q: stdin and stdout/stderr are pipes, fd 3 the
 * protocol, fd 4 the supervisor's report.  p is then idle.  Returns 0, or
 * a negative errno.
 */
static int persist_spawn(struct persist *p, const struct queue_conf *q)
{
	struct spawn_fds fds = { -1, -1, { -1, -1 }, { -1, -1 } };
	int in[2] = { -1, -1 }, out[2] = { -1, -1 }, err = 0;
	char **env;
	pid_t pid;

	if (pipe2(in, O_CLOEXEC) < 0 || pipe2(out, O_CLOEXEC) < 0 ||
	    pipe2(fds.checkin, O_CLOEXEC) < 0 ||
	    pipe2(fds.status, O_CLOEXEC) < 0)
		goto out_errno;
	fds.in = in[0];
	fds.log = out[1];
	in[0] = out[1] = -1;
	if (fd_above_child_fds(&fds.in) < 0 ||
	    fd_above_child_fds(&fds.log) < 0 ||
	    fd_above_child_fds(&fds.checkin[1]) < 0 ||
	    fd_above_child_fds(&fds.status[1]) < 0)
		goto out_errno;
	fcntl(in[1], F_SETFL, O_NONBLOCK);
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(fds.checkin[0], F_SETFL, O_NONBLOCK);
	fcntl(fds.status[0], F_SETFL, O_NONBLOCK);
	env = worker_spawn_env(NULL, q, 0, NULL);
	free(p->exec);
	p->exec = xstrdup(q->exec);
	pid = worker_spawn_exec(p->id, p->exec, env, &p->area, &fds);
	if (pid < 0) {
		err = -errno;
		env_free(env);
		goto out;
	}
	p->env = env;
	p->pid = pid;
	p->state = PERSIST_IDLE;
	p->in_fd = in[1];
	p->status_fd = fds.status[0];
	in[1] = fds.status[0] = -1;
	if (sd_event_add_child(jsvd->ev, &p->child_src, pid, WEXITED,
			       persist_exited, p) < 0)
		fatalx("cannot watch persistent handler %d", (int)pid);
	persist_watch(p, &p->proto_src, fds.checkin[0], persist_io);
	persist_watch(p, &p->out_src, out[0], persist_io);
	fds.checkin[0] = out[0] = -1;
	log_info("persistent handler %s of %s: %s started under supervisor %d",
		 p->id, p->queue, q->exec, (int)pid);
	goto out;
out_errno:
	err = -errno;
out:
	spawn_fds_close(&fds);
	if (in[0] >= 0)
		close(in[0]);
	if (in[1] >= 0)
		close(in[1]);
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	return err;
}

static int persist_timer(sd_event_source *s, uint64_t usec, void *arg)
{
	struct persist *p = arg;
	const struct queue_conf *q;
	int err;

	if (p->state != PERSIST_RESTART) {
		/* The end of a pause after a flood. */
		if (p->proto_src && !p->broken)
			sd_event_source_set_enabled(p->proto_src, SD_EVENT_ON);
		if (p->out_src)
			sd_event_source_set_enabled(p->out_src, SD_EVENT_ON);
		return 0;
	}
	q = config_queue(jsvd->conf, p->queue);
	if (!q || !q->persistent || jsvd->draining) {
		persist_free(p);
		return 0;
	}
	err = persist_spawn(p, q);
	if (err < 0) {
		log_warnx("persistent handler %s of %s: cannot start it "
			  "again: %s",
			  p->id, p->queue, strerror(-err));
		persist_free(p);
	}
	return 0;
}

/*
 * p's process is gone and p had a job: a fresh process starts after the
 * backoff (at once when it was stopped), unless it could not be executed
 * or its queue is no longer persistent.
 */
static void persist_restart_later(struct persist *p, bool crashed)
{
	const struct queue_conf *q = config_queue(jsvd->conf, p->queue);
	uint64_t us = 0;
	unsigned i;

	if (!q || !q->persistent || jsvd->draining) {
		persist_free(p);
		return;
	}
	if (crashed) {
		us = PERSIST_BACKOFF_MIN_US;
		for (i = 0; i < p->crashes && us < PERSIST_BACKOFF_MAX_US; i++)
			us *= 2;
		if (us > PERSIST_BACKOFF_MAX_US)
			us = PERSIST_BACKOFF_MAX_US;
		p->crashes++;
	}
	p->state = PERSIST_RESTART;
	if (jsvd_timer(&p->timer, us, persist_timer, p) < 0)
		persist_free(p);
}

/* The supervisor's report: see worker_report() in worker_spawn.c. */
static bool persist_report(struct persist *p, char what[16], int *value)
{
	char line[64];
	ssize_t n;

	do
		n = read(p->status_fd, line, sizeof(line) - 1);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return false;
	line[n] = '\0';
	return sscanf(line, "%15s %d", what, value) == 2;
}

/* Ends w's job whose persistent handler p is gone. */
static void persist_job_lost(struct persist *p, struct worker *w,
			     const char *what, int value, bool reported,
			     const char *broken)
{
	bool ordinary = w->stopping || w->timed_out ||
			(reported && strcmp(what, "exec") == 0);

	if (reported && strcmp(what, "exec") == 0)
		persist_free(p);
	else
		persist_restart_later(p, !ordinary);
	if (ordinary)
		worker_ended(w, what, value);
	else if (broken)
		worker_finish(w, true, "Error",
			      "the persistent handler broke the protocol: %s",
			      broken);
	else if (!reported)
		worker_finish(w, true, "Error",
			      "job supervisor killed before its job ended");
	else if (strcmp(what, "exit") == 0)
		worker_finish(w, true, "Error",
			      "the persistent handler exited with status %d "
			      "before its job ended",
			      value);
	else
		worker_finish(w, true, "Error",
			      "the persistent handler was killed by signal %d "
			      "(SIG%s) before its job ended",
			      value,
			      sigabbrev_np(value) ? sigabbrev_np(value) : "?");
}

/* The supervisor of p exited, after every process of the handler. */
static int persist_exited(sd_event_source *s, const siginfo_t *si, void *arg)
{
	struct persist *p = arg;
	struct worker *w;
	char what[16] = "signal", *broken;
	int value = SIGKILL;
	bool reported;

	reported = persist_report(p, what, &value);
	if (!reported)
		contain_kill_leftovers(p->id);
	log_info("persistent handler %s of %s (supervisor %d) ended: %s %d",
		 p->id, p->queue, (int)p->pid, what, value);
	p->pid = 0;
	env_free(p->env);
	p->env = NULL;
	/* What it wrote before it ended counts, its last status line too. */
	p->retire = true;
	if (p->proto_src && !p->broken)
		persist_read(p, sd_event_source_get_io_fd(p->proto_src),
			     PERSIST_FLUSH_MAX, true);
	if (p->state != PERSIST_BUSY) {
		persist_free(p);
		worker_check_drained();
		return 0;
	}
	broken = p->broken;
	p->broken = NULL;
	w = persist_detach(p);
	persist_close_proc(p);
	p->retire = false;
	persist_job_lost(p, w, what, value, reported, broken);
	free(broken);
	worker_check_drained();
	return 0;
}

/* The JSON line of a job, newline included. */
static void persist_job_line(struct jsv_buf *b, const struct worker *w,
			     const char *params, long attempt,
			     const char *execution_id)
{
	json_object *o = json_object_new_object(), *po;

	po = json_tokener_parse(params);
	if (!po)
		po = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(w->job_id));
	json_object_object_add(o, "name", json_object_new_string(w->job_name));
	json_object_object_add(o, "attempt", json_object_new_int64(attempt));
	json_object_object_add(o, "execution_id",
			       json_object_new_string(execution_id));
	json_object_object_add(o, "parameters", po);
	jsv_buf_printf(b, "%s\n",
		       json_object_to_json_string_ext(o, JSV_JSON_TO_STRING));
	json_object_put(o);
}

/*
 * The handler for a job of q: an idle one, one waiting to start again
 * (started now), or a new one, after retiring an idle one when this pool
 * runs as many as it has workers or as q's max_concurrency.
 */
static int persist_get(const struct queue_conf *q, struct persist **out)
{
	struct persist *p, *victim = NULL;
	unsigned total = 0, mine = 0;
	int err;

	TAILQ_FOREACH(p, &handlers, entry) {
		if (p->state == PERSIST_ENDING || p->retire)
			continue;
		if (strcmp(p->queue, q->name) == 0) {
			if (p->state == PERSIST_IDLE) {
				*out = p;
				return 0;
			}
			if (p->state == PERSIST_RESTART) {
				p->timer =
					sd_event_source_disable_unref(p->timer);
				goto spawn;
			}
			mine++;
		}
		if (p->state != PERSIST_BUSY &&
		    (!victim || strcmp(p->queue, q->name)))
			victim = p;
		total++;
	}
	if (victim && (total >= jsvd->nworkers ||
		       (q->max_concurrency && mine >= q->max_concurrency)))
		persist_retire(victim);
	p = persist_new(q->name);
spawn:
	err = persist_spawn(p, q);
	if (err < 0) {
		persist_free(p);
		return err;
	}
	*out = p;
	return 0;
}

static int persist_open_log(struct worker *w)
{
	char *path;
	int fd;

	xasprintf(&path, "%s/%s.log", jsvd->conf->log_dir, w->job_id);
	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		worker_finish(w, false, "Requeue",
			      "cannot open the job log %s: %s", path,
			      strerror(errno));
	free(path);
	return fd;
}

int persist_run(struct worker *w, const struct queue_conf *q,
		const char *params, long attempt, const char *execution_id)
{
	struct persist *p;
	int fd, err;

	fd = persist_open_log(w);
	if (fd < 0)
		return -EIO;
	err = persist_get(q, &p);
	if (err < 0) {
		close(fd);
		worker_finish(w, false, "Requeue",
			      "cannot start the persistent handler: %s",
			      strerror(-err));
		return err;
	}
	p->state = PERSIST_BUSY;
	p->w = w;
	p->log_fd = fd;
	w->pid = p->pid;
	persist_job_line(&p->in, w, params, attempt, execution_id);
	persist_write(p);
	if (q->timeout_ms &&
	    sd_event_add_time_relative(jsvd->ev, &w->timeout_src,
				       CLOCK_MONOTONIC, q->timeout_ms * 1000, 0,
				       worker_timeout, w) < 0)
		fatalx("cannot arm the timeout of job %s", w->job_id);
	log_debug("job %s (%s): given to persistent handler %s", w->job_id,
		  w->job_name, p->id);
	return 0;
}

unsigned persist_count(void)
{
	struct persist *p;
	unsigned n = 0;

	TAILQ_FOREACH(p, &handlers, entry)
		if (p->pid)
			n++;
	return n;
}

/* Retires every handler (as drain and reload do). */
static void persist_retire_all(void)
{
	struct persist *p, *next;

	for (p = TAILQ_FIRST(&handlers); p; p = next) {
		next = TAILQ_NEXT(p, entry);
		persist_retire(p);
	}
}

void persist_drain(bool kill_idle)
{
	struct persist *p;

	persist_retire_all();
	if (!kill_idle)
		return;
	TAILQ_FOREACH(p, &handlers, entry)
		if (p->pid && p->state != PERSIST_BUSY)
			kill(p->pid, SUPERVISOR_KILL);
}

void persist_reload(void)
{
	persist_retire_all();
}

void persist_cleanup(void)
{
	struct persist *p;

	while ((p = TAILQ_FIRST(&handlers))) {
		if (p->pid)
			kill(p->pid, SUPERVISOR_KILL);
		persist_free(p);
	}
}
