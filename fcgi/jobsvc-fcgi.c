/* SPDX-License-Identifier: ISC */
/*
 * jobsvc-fcgi: answers FastCGI requests on the listening socket it is
 * handed as standard input (by spawn-fcgi or systemd socket activation),
 * one at a time, with the dashboard and JSON API of the job service.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcgiapp.h>

#include "fcgi.h"

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

int main(int argc, char *argv[])
{
	const char *conf = JSV_SYSCONFDIR "/jobsvc/jobsvc-fcgi.conf";
	struct fcgi_config cfg;
	struct sigaction sa;
	struct app app = { .socket = JSV_CONTROL_SOCKET };
	bool conf_given = false, check = false;
	FCGX_Request fx;
	char err[512];
	int ch;

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
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);

	if (FCGX_Init() != 0)
		fatalx("FCGX_Init failed");
	if (FCGX_IsCGI())
		fatalx("standard input is not a listening socket: start "
		       "jobsvc-fcgi with spawn-fcgi or systemd socket "
		       "activation");
	FCGX_InitRequest(&fx, 0, 0);
	log_info("serving; control socket %s, %zu administrators%s", app.socket,
		 cfg.nadmins, cfg.everyone ? " (all users)" : "");
	while (!quit && FCGX_Accept_r(&fx) >= 0) {
		serve(&app, &fx);
		FCGX_Finish_r(&fx);
	}
	FCGX_Free(&fx, 1);
	config_free(&cfg);
	return 0;
}
