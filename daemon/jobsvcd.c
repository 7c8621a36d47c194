/* SPDX-License-Identifier: ISC */
/*
 * jobsvcd: the job service daemon.  main() sets the process up and runs
 * the event loop; the subsystems live in their own files.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"
#include "persist.h"
#include "proto.h"

struct jsvd *jsvd;

static sd_event_source *grace_src;

static void usage(void)
{
	fprintf(stderr, "usage: jobsvcd [-dn] [-f file] [-s socket]\n");
	exit(2);
}

void jsvd_status(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", buf);
}

int jsvd_timer(sd_event_source **src, uint64_t usec,
	       int (*cb)(sd_event_source *s, uint64_t usec, void *arg),
	       void *arg)
{
	int rv;

	if (!*src)
		rv = sd_event_add_time_relative(jsvd->ev, src, CLOCK_MONOTONIC,
						usec, 1000, cb, arg);
	else
		rv = sd_event_source_set_time_relative(*src, usec);
	if (rv >= 0)
		rv = sd_event_source_set_enabled(*src, SD_EVENT_ONESHOT);
	if (rv < 0)
		log_warnx("cannot arm a timer: %s", strerror(-rv));
	return rv;
}

/* Logs each line of b as a warning. */
static void jsvd_warn_lines(struct jsv_buf *b)
{
	char *line, *save = NULL;

	for (line = strtok_r(b->data, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		log_warnx("%s", line);
}

static int on_grace_over(sd_event_source *s, uint64_t usec, void *arg)
{
	worker_drain();
	return 0;
}

/*
 * SIGTERM: claim nothing more, give running handlers the grace period to
 * finish, then hand what still runs back to the queues.  A second SIGTERM
 * does that at once.
 */
static int on_sigterm(sd_event_source *s, const struct signalfd_siginfo *si,
		      void *arg)
{
	if (jsvd->draining) {
		worker_drain();
		return 0;
	}
	log_info("shutting down: %u jobs running", worker_busy());
	jsvd->draining = true;
	sd_notify(0, "STOPPING=1");
	jsvd_status("shutting down");
	persist_drain(false);
	if (worker_busy() == 0 && persist_count() == 0) {
		sd_event_exit(jsvd->ev, 0);
		return 0;
	}
	if (jsvd_timer(&grace_src, jsvd->conf->stop_grace_ms * 1000,
		       on_grace_over, NULL) < 0)
		worker_drain(); /* no grace period without its timer */
	return 0;
}

/*
 * SIGHUP: read the configuration again.  Queue settings and handler
 * environments take effect for the next jobs; settings that need a restart
 * are reported and left as they are.  A configuration with errors is
 * refused whole.
 */
static int on_sighup(sd_event_source *s, const struct signalfd_siginfo *si,
		     void *arg)
{
	struct jsvd_conf *nc, *oc = jsvd->conf;
	struct jsv_buf errs = { 0 };

	if (config_load(jsvd->conf_path, &nc, &errs) < 0) {
		log_warnx("reload refused, configuration unchanged:\n%s",
			  errs.data ? errs.data : "");
		jsv_buf_free(&errs);
		return 0;
	}
	jsv_buf_free(&errs);
	if (config_check_execs(nc, jsvd->conf_path, &errs) > 0)
		jsvd_warn_lines(&errs);
	jsv_buf_free(&errs);
	if (strcmp(nc->redis, oc->redis) ||
	    !nc->redis_password != !oc->redis_password ||
	    (nc->redis_password &&
	     strcmp(nc->redis_password, oc->redis_password)) ||
	    strcmp(nc->namespace, oc->namespace) ||
	    nc->workers != oc->workers || strcmp(nc->log_dir, oc->log_dir))
		log_warnx("reload: redis, namespace, workers and log_dir "
			  "changes take effect at the next start");
	free(nc->redis);
	free(nc->redis_path);
	free(nc->redis_host);
	free(nc->redis_password);
	free(nc->namespace);
	free(nc->log_dir);
	nc->redis = oc->redis;
	nc->redis_path = oc->redis_path;
	nc->redis_host = oc->redis_host;
	nc->redis_port = oc->redis_port;
	nc->redis_db = oc->redis_db;
	nc->redis_password = oc->redis_password;
	nc->namespace = oc->namespace;
	nc->workers = oc->workers;
	nc->log_dir = oc->log_dir;
	oc->redis = oc->redis_path = oc->redis_host = NULL;
	oc->redis_password = oc->namespace = oc->log_dir = NULL;
	jsvd->conf = nc;
	queue_reload(oc, nc);
	persist_reload();
	config_free(oc);
	control_reload();
	log_info("configuration reloaded: %zu queues", nc->nqueues);
	if (redis_ok())
		pool_register();
	worker_kick();
	return 0;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char *p = xstrdup(path), *s;
	int rv = 0;

	for (s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			rv = -errno;
		*s = '/';
	}
	if (mkdir(p, mode) < 0 && errno != EEXIST)
		rv = -errno;
	free(p);
	return rv;
}

/*
 * The identity of this daemon's pool: a daemon that starts again with the
 * same identity holds the same control socket, so a pool registered under
 * it earlier is its own previous one, whose jobs it may recover at once.
 * A socket path names one socket only within one mount namespace of one
 * running kernel, so the identity is the boot id, the mount namespace and
 * the socket's absolute path: containers with equal host names, or two
 * daemons started with the same relative -s in different directories, do
 * not take each other for a restart.  Where /proc cannot tell, the host
 * name stands for the first two.
 */
static char *jsvd_identity(const char *sock)
{
	char boot[64] = "", ns[64] = "", *abs, *id;
	ssize_t n;
	FILE *fp;

	fp = fopen("/proc/sys/kernel/random/boot_id", "re");
	if (fp) {
		if (!fgets(boot, sizeof(boot), fp))
			boot[0] = '\0';
		boot[strcspn(boot, "\n")] = '\0';
		fclose(fp);
	}
	n = readlink("/proc/self/ns/mnt", ns, sizeof(ns) - 1);
	ns[n > 0 ? n : 0] = '\0';
	abs = realpath(sock, NULL);
	if (!abs && sock[0] != '/') {
		char *cwd = getcwd(NULL, 0);

		xasprintf(&abs, "%s/%s", cwd ? cwd : "", sock);
		free(cwd);
	}
	if (boot[0] && ns[0])
		xasprintf(&id, "%s:%s:%s", boot, ns, abs ? abs : sock);
	else
		xasprintf(&id, "%s:%s", jsvd->host, abs ? abs : sock);
	free(abs);
	return id;
}

/* Makes sure fds 0-2 are open, so no socket ever lands on them. */
static void open_std_fds(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/*
 * Loads the configuration at path, or ends the program: with 1 when it is
 * invalid and, with check (-n), once it is checked, with 0 when every
 * handler can be executed.  A handler missing at start is only warned
 * about: it fails its jobs, not the daemon.
 */
static struct jsvd_conf *jsvd_load_config(const char *path, bool check)
{
	struct jsv_buf errs = { 0 };
	struct jsvd_conf *conf;
	unsigned bad;

	if (config_load(path, &conf, &errs) < 0) {
		fprintf(stderr, "%s", errs.data ? errs.data : "");
		jsv_buf_free(&errs);
		exit(1);
	}
	jsv_buf_free(&errs);
	bad = config_check_execs(conf, path, &errs);
	if (check) {
		if (bad)
			fprintf(stderr, "%s", errs.data);
		else
			printf("configuration OK: %zu queues\n", conf->nqueues);
		jsv_buf_free(&errs);
		config_free(conf);
		exit(bad ? 1 : 0);
	}
	if (bad)
		jsvd_warn_lines(&errs);
	jsv_buf_free(&errs);
	return conf;
}

/*
 * Creates the event loop with the signals it handles (blocked for the
 * rest of the daemon) and the systemd watchdog; SIGPIPE is ignored.
 */
static void jsvd_event_init(void)
{
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (sd_event_default(&jsvd->ev) < 0)
		fatalx("cannot create the event loop");
	if (sd_event_add_signal(jsvd->ev, NULL, SIGTERM, on_sigterm, NULL) <
		    0 ||
	    sd_event_add_signal(jsvd->ev, NULL, SIGINT, on_sigterm, NULL) < 0 ||
	    sd_event_add_signal(jsvd->ev, NULL, SIGHUP, on_sighup, NULL) < 0 ||
	    sd_event_set_watchdog(jsvd->ev, true) < 0)
		fatalx("cannot watch signals and the watchdog");
}

/*
 * Starts the subsystems, runs the event loop until a stop, then leaves
 * the pool and stops them.  Returns main()'s exit status.
 */
static int jsvd_run(const char *sock)
{
	int rv;

	if (control_init(sock) < 0)
		return 1;
	if (worker_init() < 0) {
		control_cleanup(sock);
		worker_cleanup();
		return 1;
	}
	jsvd->identity = jsvd_identity(sock);
	if (sched_init() < 0)
		fatalx("cannot arm the scheduler");
	redis_init();
	pool_start_heartbeat();
	log_info("started: pool %s, %u workers, %zu queues, control socket %s",
		 jsvd->pool_id, jsvd->nworkers, jsvd->conf->nqueues, sock);
	sd_notify(0, "READY=1");

	rv = sd_event_loop(jsvd->ev);

	if (redis_ok())
		pool_leave();
	control_cleanup(sock);
	redis_close();
	sched_cleanup();
	joblist_cleanup();
	queue_cleanup();
	worker_cleanup();
	log_info("stopped");
	return rv < 0 ? 1 : 0;
}

int main(int argc, char *argv[])
{
	const char *conf_path = JSVD_CONF_FILE, *sock = JSV_CONTROL_SOCKET;
	bool foreground = false, check = false;
	struct jsvd_conf *conf;
	int ch, rv;

	while ((ch = getopt(argc, argv, "df:ns:")) != -1) {
		switch (ch) {
		case 'd':
			foreground = true;
			break;
		case 'f':
			conf_path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	/* Under systemd, journald keeps levels given as "<N>" prefixes. */
	log_init("jobsvcd", !foreground && getenv("JOURNAL_STREAM"),
		 foreground ? 1 : 0);
	open_std_fds();
	conf = jsvd_load_config(conf_path, check);

	jsvd = xcalloc(1, sizeof(*jsvd));
	jsvd->conf = conf;
	jsvd->conf_path = conf_path;
	jsvd->sock_path = sock;
	job_random_hex(jsvd->pool_id, 12);
	if (gethostname(jsvd->host, sizeof(jsvd->host)) < 0)
		snprintf(jsvd->host, sizeof(jsvd->host), "localhost");
	jsvd->host[sizeof(jsvd->host) - 1] = '\0';

	rv = mkdir_p(conf->log_dir, 0750);
	if (rv < 0)
		fatalx("cannot create log_dir %s: %s", conf->log_dir,
		       strerror(-rv));
	jsvd_event_init();
	rv = jsvd_run(sock);
	sd_event_unref(jsvd->ev);
	config_free(jsvd->conf);
	free(jsvd->identity);
	free(jsvd);
	return rv;
}
