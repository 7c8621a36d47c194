/* SPDX-License-Identifier: ISC */
/*
 * The daemon's two Redis connections.  Commands go over a blocking hiredis
 * context with short timeouts: Redis answers a local script in microseconds,
 * and a daemon whose store stalls has nothing better to do.  Notifications
 * arrive on a second context subscribed to the namespace's channel, read
 * from the event loop whenever its socket is readable; it never blocks.
 *
 * When either connection fails both are dropped, every caller is told Redis
 * is unavailable (NULL replies), and a timer reconnects with a backoff that
 * doubles from 100 ms to 5 s.  On reconnection the scripts are loaded again,
 * the pool re-registers if it must, and work that waited resumes.
 *
 * A NULL reply does not mean the command did not run: Redis may have run
 * it and lost the reply (a connection cut, a reply slower than the command
 * timeout), or may still run it later.  So the only script the daemon
 * sends again is finish, which recognises a result it recorded already,
 * and what a lost reply would have told the daemon (a claim) is recovered
 * by worker_reconcile().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <hiredis/hiredis.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"

#define REDIS_BACKOFF_MIN_US (100 * 1000ULL)
#define REDIS_BACKOFF_MAX_US (5 * 1000 * 1000ULL)

static redisContext *rc; /* commands */
static redisContext *sc; /* subscriber */
static sd_event_source *sub_src;
static sd_event_source *retry_src;
static uint64_t backoff_us = REDIS_BACKOFF_MIN_US;
static char script_sha[SCRIPT_MAX][41];
static bool warned; /* the current outage was logged */
static char *channel;

static void redis_drop(bool quiet);

static redisContext *redis_connect(void)
{
	const struct jsvd_conf *conf = jsvd->conf;
	struct timeval tv = { 1, 0 };
	struct timeval cmd_tv = { 2, 0 };
	redisContext *c;
	redisReply *r;

	if (conf->redis_path)
		c = redisConnectUnixWithTimeout(conf->redis_path, tv);
	else
		c = redisConnectWithTimeout(conf->redis_host, conf->redis_port,
					    tv);
	if (!c)
		return NULL;
	if (c->err) {
		if (!warned)
			log_warnx("redis %s: %s", conf->redis, c->errstr);
		warned = true;
		goto out_free;
	}
	redisSetTimeout(c, cmd_tv);
	if (!conf->redis_path)
		redisEnableKeepAlive(c);
	if (conf->redis_password) {
		r = redisCommand(c, "AUTH %s", conf->redis_password);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			log_warnx("redis %s: AUTH failed: %s", conf->redis,
				  r ? r->str : c->errstr);
			if (r)
				freeReplyObject(r);
			goto out_free;
		}
		freeReplyObject(r);
	}
	if (conf->redis_db) {
		r = redisCommand(c, "SELECT %d", conf->redis_db);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			log_warnx("redis %s: SELECT %d failed", conf->redis,
				  conf->redis_db);
			if (r)
				freeReplyObject(r);
			goto out_free;
		}
		freeReplyObject(r);
	}
	return c;
out_free:
	redisFree(c);
	return NULL;
}

static int redis_load_scripts(void)
{
	redisReply *r;
	int i;

	for (i = 0; i < SCRIPT_MAX; i++) {
		r = redisCommand(rc, "SCRIPT LOAD %s", script_src[i]);
		if (!r)
			return -EIO;
		if (r->type != REDIS_REPLY_STRING || r->len != 40) {
			log_warnx("redis: cannot load script %d: %s (jobsvcd "
				  "needs Redis 7.0 or later)",
				  i,
				  r->type == REDIS_REPLY_ERROR ? r->str : "?");
			freeReplyObject(r);
			return -EINVAL;
		}
		memcpy(script_sha[i], r->str, 41);
		freeReplyObject(r);
	}
	return 0;
}

static void redis_on_message(redisReply *r)
{
	const char *msg;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element[2]->type != REDIS_REPLY_STRING)
		return;
	msg = r->element[2]->str;
	/* Kicks coalesce: a burst of submissions is one dispatch. */
	if (strncmp(msg, "job ", 4) == 0)
		worker_kick();
	else if (strncmp(msg, "stop ", 5) == 0)
		worker_stop_job(msg + 5);
	else if (strcmp(msg, "timer") == 0)
		sched_kick();
}

static int redis_sub_io(sd_event_source *s, int fd, uint32_t revents, void *arg)
{
	void *reply;

	if (redisBufferRead(sc) != REDIS_OK) {
		log_warnx("redis: subscriber connection lost: %s", sc->errstr);
		redis_drop(false);
		return 0;
	}
	for (;;) {
		if (redisGetReplyFromReader(sc, &reply) != REDIS_OK) {
			log_warnx("redis: bad reply on subscriber connection");
			redis_drop(false);
			return 0;
		}
		if (!reply)
			break;
		redis_on_message(reply);
		freeReplyObject(reply);
		if (!sc)
			break;
	}
	return 0;
}

static int redis_subscribe(void)
{
	redisReply *r;

	sc = redis_connect();
	if (!sc)
		return -EIO;
	r = redisCommand(sc, "SUBSCRIBE %s", channel);
	if (!r || r->type == REDIS_REPLY_ERROR) {
		if (r)
			freeReplyObject(r);
		return -EIO;
	}
	freeReplyObject(r);
	if (sd_event_add_io(jsvd->ev, &sub_src, sc->fd, EPOLLIN, redis_sub_io,
			    NULL) < 0)
		return -EIO;
	return 0;
}

static void redis_schedule_retry(void);

/* The value of a Redis setting, or "" when CONFIG GET is not allowed. */
static void redis_config(const char *name, char *buf, size_t len)
{
	redisReply *r = redisCommand(rc, "CONFIG GET %s", name);

	buf[0] = '\0';
	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
	    r->element[1]->type == REDIS_REPLY_STRING)
		snprintf(buf, len, "%s", r->element[1]->str);
	if (r)
		freeReplyObject(r);
}

/*
 * Warns when Redis is set up so that it may lose or evict jobs: without
 * the append-only file, with fsync only every second, or with an eviction
 * policy.
 */
static void redis_check_config(void)
{
	char aof[16], fsync[16], policy[32];

	redis_config("appendonly", aof, sizeof(aof));
	redis_config("appendfsync", fsync, sizeof(fsync));
	redis_config("maxmemory-policy", policy, sizeof(policy));
	if (!aof[0] && !policy[0]) {
		log_info("redis: CONFIG GET is not allowed; cannot check "
			 "that Redis keeps every job");
		return;
	}
	if (strcmp(aof, "yes") != 0)
		log_warnx("redis: appendonly is %s: jobs submitted since the "
			  "last snapshot are lost if Redis stops; set "
			  "appendonly yes",
			  aof);
	else if (strcmp(fsync, "always") != 0)
		log_warnx("redis: appendfsync is %s: up to a second of jobs "
			  "and results may be lost if the host crashes; set "
			  "appendfsync always to lose none",
			  fsync);
	if (strcmp(policy, "noeviction") != 0)
		log_warnx("redis: maxmemory-policy is %s: Redis may evict "
			  "jobs and queues when memory runs short; set "
			  "maxmemory-policy noeviction",
			  policy);
}

static int redis_retry(sd_event_source *s, uint64_t usec, void *arg)
{
	rc = redis_connect();
	if (!rc || redis_load_scripts() < 0 || redis_subscribe() < 0) {
		redis_drop(false);
		backoff_us *= 2;
		if (backoff_us > REDIS_BACKOFF_MAX_US)
			backoff_us = REDIS_BACKOFF_MAX_US;
		redis_schedule_retry();
		return 0;
	}
	backoff_us = REDIS_BACKOFF_MIN_US;
	log_info("redis %s: connected", jsvd->conf->redis);
	warned = false;
	if (pool_register() < 0) {
		redis_drop(false);
		return 0;
	}
	jsvd_status("serving");
	redis_check_config();
	worker_flush();
	worker_reconcile();
	sched_kick();
	worker_check_stops();
	worker_kick();
	joblist_fill_start();
	return 0;
}

static void redis_schedule_retry(void)
{
	/* Without it Redis would never be reached again. */
	if (jsvd_timer(&retry_src, backoff_us, redis_retry, NULL) < 0)
		fatalx("cannot arm the Redis reconnection timer");
}

/*
 * Drops both connections.  Safe to call from anywhere, including while a
 * reply of the subscriber is being handled: the caller checks sc after.
 */
static void redis_drop(bool quiet)
{
	bool up = rc && sc && !quiet;

	sub_src = sd_event_source_disable_unref(sub_src);
	if (sc) {
		redisFree(sc);
		sc = NULL;
	}
	if (rc) {
		redisFree(rc);
		rc = NULL;
	}
	if (up) {
		log_warnx("redis %s: unavailable, reconnecting",
			  jsvd->conf->redis);
		jsvd_status("Redis unavailable, reconnecting");
		redis_schedule_retry();
	}
}

int redis_init(void)
{
	xasprintf(&channel, "%s:notify", jsvd->conf->namespace);
	redis_retry(NULL, 0, NULL);
	if (!rc)
		jsvd_status("Redis unavailable, reconnecting");
	return 0;
}

void redis_close(void)
{
	retry_src = sd_event_source_disable_unref(retry_src);
	redis_drop(true);
	free(channel);
	channel = NULL;
}

bool redis_ok(void)
{
	return rc != NULL && sc != NULL;
}

static redisReply *redis_check(redisReply *r)
{
	if (!r) {
		log_warnx("redis: %s", rc->errstr);
		redis_drop(false);
	}
	return r;
}

redisReply *redis_cmd(const char *fmt, ...)
{
	va_list ap;
	redisReply *r;

	if (!redis_ok())
		return NULL;
	va_start(ap, fmt);
	r = redisvCommand(rc, fmt, ap);
	va_end(ap);
	return redis_check(r);
}

redisReply *redis_cmdargv(int argc, const char **argv, const size_t *argvlen)
{
	if (!redis_ok())
		return NULL;
	return redis_check(redisCommandArgv(rc, argc, argv, argvlen));
}

const char *redis_errstr(const redisReply *r)
{
	if (r->type != REDIS_REPLY_ERROR)
		return NULL;
	return strncmp(r->str, "ERR ", 4) == 0 ? r->str + 4 : r->str;
}

static bool redis_noscript(const redisReply *r)
{
	return r->type == REDIS_REPLY_ERROR &&
	       strncmp(r->str, "NOSCRIPT", 8) == 0;
}

/* Fills v with EVALSHA/EVAL, 0 keys, the namespace, then args. */
static const char **redis_script_argv(enum script_id id, bool eval, int argc,
				      const char *const *args)
{
	const char **v = xreallocarray(NULL, argc + 4, sizeof(*v));
	int i;

	v[0] = eval ? "EVAL" : "EVALSHA";
	v[1] = eval ? script_src[id] : script_sha[id];
	v[2] = "0";
	v[3] = jsvd->conf->namespace;
	for (i = 0; i < argc; i++)
		v[i + 4] = args[i];
	return v;
}

redisReply *redis_script(enum script_id id, int argc, const char **argv)
{
	const char **v;
	redisReply *r;

	v = redis_script_argv(id, false, argc, argv);
	r = redis_cmdargv(argc + 4, v, NULL);
	free(v);
	if (r && redis_noscript(r)) {
		freeReplyObject(r);
		v = redis_script_argv(id, true, argc, argv);
		r = redis_cmdargv(argc + 4, v, NULL);
		free(v);
	}
	return r;
}

int redis_script_many(enum script_id id, int n, int argc,
		      const char *const *argvs, redisReply **replies)
{
	const char **v;
	void *reply;
	int i;

	for (i = 0; i < n; i++)
		replies[i] = NULL;
	if (!redis_ok())
		return -EIO;
	for (i = 0; i < n; i++) {
		v = redis_script_argv(id, false, argc, argvs + i * argc);
		redisAppendCommandArgv(rc, argc + 4, v, NULL);
		free(v);
	}
	for (i = 0; i < n; i++) {
		if (redisGetReply(rc, &reply) != REDIS_OK) {
			redis_check(NULL);
			goto out_fail;
		}
		replies[i] = reply;
	}
	for (i = 0; i < n; i++) {
		if (!redis_noscript(replies[i]))
			continue;
		freeReplyObject(replies[i]);
		replies[i] =
			redis_script(id, argc, (const char **)argvs + i * argc);
		if (!replies[i])
			goto out_fail;
	}
	return 0;
out_fail:
	for (i = 0; i < n; i++) {
		if (replies[i])
			freeReplyObject(replies[i]);
		replies[i] = NULL;
	}
	return -EIO;
}

const char *redis_key(const char *fmt, ...)
{
	static char bufs[4][512];
	static unsigned next;
	char *b = bufs[next++ % JSV_ARRAY_SIZE(bufs)];
	size_t n;
	va_list ap;

	n = snprintf(b, sizeof(bufs[0]), "%s:", jsvd->conf->namespace);
	va_start(ap, fmt);
	vsnprintf(b + n, sizeof(bufs[0]) - n, fmt, ap);
	va_end(ap);
	return b;
}

void redis_notify(const char *fmt, ...)
{
	redisReply *r;
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) < 0)
		fatal("vasprintf");
	va_end(ap);
	r = redis_cmd("PUBLISH %s %s", channel, msg);
	if (r)
		freeReplyObject(r);
	free(msg);
}

int64_t redis_time_ms(void)
{
	redisReply *r = redis_cmd("TIME");
	int64_t ms = -1;

	if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2)
		ms = strtoll(r->element[0]->str, NULL, 10) * 1000 +
		     strtoll(r->element[1]->str, NULL, 10) / 1000;
	if (r)
		freeReplyObject(r);
	return ms;
}
