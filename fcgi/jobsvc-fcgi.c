/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-fcgi: answers FastCGI requests on the listening socket it is
 * handed as standard input (by spawn-fcgi or systemd socket activation)
 * with the dashboard and JSON API of the job service.
 *
 * The process started is a supervisor: it forks the configured number of
 * worker processes, each of which runs the FastCGI accept loop on the
 * shared listening socket and answers one request at a time.  A request
 * waiting on a stalled daemon (for at most the timeout setting per wait) thus
 * holds one worker while the others go on serving, static files first,
 * which never touch the daemon.  Processes rather than a pool of threads
 * calling FCGX_Accept_r: a worker that crashes, or calls fatal() or
 * aborts on a failed allocation, takes no other request with it and is
 * replaced; nothing in the request code has to be thread-safe; and a
 * worker costs only the few pages it writes.
 *
 * The supervisor restarts a worker that dies (a second later when it died
 * within a second of its start, so that a crash loop does not spin).  On
 * SIGTERM or SIGINT it passes SIGTERM on, waits for the workers to finish
 * the request they are answering (SIGKILL after FCGI_STOP_MS), and exits
 * 0.  A worker gets SIGTERM when its supervisor dies.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <fcgiapp.h>

#include "fcgi.h"

#define FCGI_STOP_MS 10000 /* workers' time to finish after SIGTERM */
#define FCGI_RESTART_MS 1000 /* a worker dead younger waits this long */

static volatile sig_atomic_t quit;

/* Ends the accept loop, also when the signal comes while waiting in it. */
static void on_term(int sig)
{
	quit = 1;
	FCGX_ShutdownPending();
}

static JSV_NORETURN void usage(void)
{
	fprintf(stderr, "usage: jobsvc-fcgi [-n] [-f file] [-s socket]\n");
	exit(2);
}

/*
 * Reads the body nginx announced in CONTENT_LENGTH, up to FCGI_BODY_MAX
 * bytes; a longer one is left unread and flagged.  Returns false when the
 * length is malformed.
 */
static bool read_body(FCGX_Request *fx, struct jsv_buf *body, bool *too_large)
{
	const char *cl = FCGX_GetParam("CONTENT_LENGTH", fx->envp);
	unsigned long long len;
	char chunk[8192], *end;
	int n;

	*too_large = false;
	if (!cl || !*cl)
		return true;
	errno = 0;
	len = strtoull(cl, &end, 10);
	if (errno || *end || *cl == '-')
		return false;
	if (len > FCGI_BODY_MAX) {
		*too_large = true;
		return true;
	}
	while (body->len < len) {
		n = FCGX_GetStr(chunk, (int)sizeof(chunk), fx->in);
		if (n <= 0)
			break;
		jsv_buf_add(body, chunk, (size_t)n);
	}
	if (body->len > len)
		body->len = len;
	return true;
}

static void serve(const struct app *app, FCGX_Request *fx)
{
	struct response rs = { 0 };
	struct jsv_buf body = { 0 }, head = { 0 };
	struct request rq;
	char err[256];
	bool too_large, body_ok;
	int bad;

	body_ok = read_body(fx, &body, &too_large);
	bad = request_init(&rq, fx->envp, body.data, body.len, err,
			   sizeof(err));
	rq.too_large = too_large;
	if (!body_ok) {
		bad = 400;
		snprintf(err, sizeof(err), "The Content-Length is malformed.");
	}
	if (bad) {
		security_headers(&rs);
		rs.status = bad;
		rs.ctype = "text/plain; charset=utf-8";
		jsv_buf_printf(&rs.body, "%d %s\n%s\n", bad, http_reason(bad),
			       err);
	} else {
		app_handle(app, &rq, &rs);
	}
	/* libfcgi's own printf knows no %zu: the head is formatted here */
	jsv_buf_printf(&head, "Status: %d %s\r\nContent-Type: %s\r\n",
		       rs.status, http_reason(rs.status), rs.ctype);
	jsv_buf_add(&head, rs.head.data ? rs.head.data : "", rs.head.len);
	jsv_buf_printf(&head, "Content-Length: %zu\r\n\r\n", rs.body.len);
	FCGX_PutStr(head.data, (int)head.len, fx->out);
	if (strcmp(rq.method, "HEAD") != 0 && rs.body.len)
		FCGX_PutStr(rs.body.data, (int)rs.body.len, fx->out);
	jsv_buf_free(&head);
	request_free(&rq);
	response_free(&rs);
	jsv_buf_free(&body);
}

struct worker {
	pid_t pid; /* 0: not running */
	int64_t started; /* when it was forked, or will be (monotonic ms) */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Only interrupts sigtimedwait(); a default SIGCHLD might not queue. */
static void on_child(int sig)
{
}

/*
 * A worker's life: the accept loop, until SIGTERM (its supervisor's, or
 * the kernel's when the supervisor dies).  mask is the signal mask to
 * restore.  Returns the process's exit status.
 */
static int worker_run(const struct app *app, pid_t parent, const sigset_t *mask)
{
	struct sigaction sa;
	FCGX_Request fx;
	int r = 0;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	sigaction(SIGCHLD, &sa, NULL);
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
		return 0;
	sigprocmask(SIG_SETMASK, mask, NULL);

	FCGX_InitRequest(&fx, 0, 0);
	while (!quit && (r = FCGX_Accept_r(&fx)) >= 0) {
		serve(app, &fx);
		FCGX_Finish_r(&fx);
	}
	FCGX_Free(&fx, 1);
	if (r < 0 && !quit) {
		log_warnx("worker %d: FCGX_Accept_r failed (%d)", (int)getpid(),
			  r);
		return 1;
	}
	return 0;
}

/* Takes the exit of every dead worker; logs those that were not told to. */
static void reap(struct worker *w, unsigned n, bool stopping)
{
	int64_t now = now_ms();
	unsigned i;
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (i = 0; i < n && w[i].pid != pid; i++)
			;
		if (i == n)
			continue;
		if (WIFSIGNALED(st) && (!stopping || WTERMSIG(st) != SIGTERM))
			log_warnx("worker %d was killed by signal %d", (int)pid,
				  WTERMSIG(st));
		else if (WIFEXITED(st) && (WEXITSTATUS(st) != 0 || !stopping))
			log_warnx("worker %d exited with status %d", (int)pid,
				  WEXITSTATUS(st));
		w[i].pid = 0;
		w[i].started = now - w[i].started < FCGI_RESTART_MS ?
				       now + FCGI_RESTART_MS :
				       now;
	}
}

/* Waits for a signal of set up to ms (forever when negative): it, or 0. */
static int wait_signal(const sigset_t *set, int64_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	int sig;

	do
		sig = sigtimedwait(set, NULL, ms < 0 ? NULL : &ts);
	while (sig < 0 && errno == EINTR);
	return sig < 0 ? 0 : sig;
}

/* SIGTERM to every worker, and their exits; SIGKILL past FCGI_STOP_MS. */
static void stop_workers(struct worker *w, unsigned n, const sigset_t *set)
{
	int64_t deadline = now_ms() + FCGI_STOP_MS;
	unsigned i, left;

	for (i = 0; i < n; i++)
		if (w[i].pid > 0)
			kill(w[i].pid, SIGTERM);
	for (;;) {
		reap(w, n, true);
		for (i = left = 0; i < n; i++)
			left += w[i].pid > 0;
		if (!left)
			return;
		if (now_ms() >= deadline)
			break;
		wait_signal(set, deadline - now_ms());
	}
	for (i = 0; i < n; i++) {
		if (w[i].pid <= 0)
			continue;
		log_warnx("worker %d still runs %d s after SIGTERM: SIGKILL",
			  (int)w[i].pid, FCGI_STOP_MS / 1000);
		kill(w[i].pid, SIGKILL);
		waitpid(w[i].pid, NULL, 0);
	}
}

/*
 * Keeps n workers running until SIGTERM or SIGINT.  Returns the exit
 * status, in the supervisor and in each worker.
 */
static int supervise(const struct app *app, unsigned n)
{
	struct worker *w = xcalloc(n, sizeof(*w));
	pid_t self = getpid();
	sigset_t set, mask;
	struct sigaction sa;
	int64_t now, wait;
	unsigned i;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_child;
	sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, &mask);

	for (sig = 0; sig != SIGTERM && sig != SIGINT;) {
		now = now_ms();
		for (i = 0; i < n; i++) {
			if (w[i].pid > 0 || w[i].started > now)
				continue;
			w[i].started = now;
			w[i].pid = fork();
			if (w[i].pid == 0) {
				free(w);
				return worker_run(app, self, &mask);
			}
			if (w[i].pid < 0) {
				log_warn("fork");
				w[i].pid = 0;
				w[i].started = now + FCGI_RESTART_MS;
			}
		}
		wait = -1;
		for (i = 0; i < n; i++)
			if (w[i].pid == 0 &&
			    (wait < 0 || w[i].started - now < wait))
				wait = w[i].started - now;
		sig = wait_signal(&set, wait);
		reap(w, n, false);
	}
	stop_workers(w, n, &set);
	free(w);
	return 0;
}

/*
 * The anti-CSRF key: secret_file =, else the state directory systemd gives
 * (StateDirectory=), else FCGI_SECRET_FILE; made at the first start.
 */
static int load_secret(struct app *app, const struct fcgi_config *cfg,
		       char *err, size_t errlen)
{
	const char *dir = getenv("STATE_DIRECTORY");
	char path[4096];

	if (cfg->secret_file)
		snprintf(path, sizeof(path), "%s", cfg->secret_file);
	else if (dir && *dir == '/' && !strchr(dir, ':'))
		snprintf(path, sizeof(path), "%s/secret", dir);
	else
		snprintf(path, sizeof(path), "%s", FCGI_SECRET_FILE);
	return secret_load(path, app->secret, err, errlen);
}

int main(int argc, char *argv[])
{
	const char *conf = JSV_SYSCONFDIR "/jobsvc/jobsvc-fcgi.conf";
	struct fcgi_config cfg;
	struct sigaction sa;
	struct app app = { .socket = JSV_CONTROL_SOCKET };
	bool conf_given = false, check = false;
	char err[512];
	int ch, rc;

	log_init("jobsvc-fcgi", false, 0);
	while ((ch = getopt(argc, argv, "f:ns:")) != -1) {
		switch (ch) {
		case 'f':
			conf = optarg;
			conf_given = true;
			break;
		case 'n':
			check = true;
			break;
		case 's':
			app.socket = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	if (config_load(&cfg, conf, !conf_given, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return 1;
	}
	app.cfg = &cfg;
	if (check) {
		config_free(&cfg);
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (load_secret(&app, &cfg, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		config_free(&cfg);
		return 1;
	}
	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	if (FCGX_IsCGI())
		fatalx("standard input is not a listening socket: start "
		       "jobsvc-fcgi with spawn-fcgi or systemd socket "
		       "activation");
	log_info("serving with %u workers; control socket %s, %zu "
		 "administrators%s",
		 cfg.workers, app.socket, cfg.nadmins,
		 cfg.everyone ? " (all users)" : "");
	rc = supervise(&app, cfg.workers);
	config_free(&cfg);
	return rc;
}
