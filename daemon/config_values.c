/* SPDX-License-Identifier: ISC */
/*
 * The values of the configuration file: each key's setter checks its value
 * against the key's syntax and limits, reports a problem with config_perr()
 * and stores what is valid; the defaults of every key; the configuration's
 * life (new, free).  The file's structure is read by config.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "jobsvcd.h"
#include "config_values.h"

#define DEFAULT_REDIS "redis://127.0.0.1:6379"
#define DEFAULT_REDIS_HOST "127.0.0.1"
#define DEFAULT_REDIS_PORT 6379
#define DEFAULT_NAMESPACE "jobsvc"
#define DEFAULT_WORKERS 10
#define DEFAULT_LOG_DIR "/var/log/jobsvc/jobs"
#define DEFAULT_STOP_GRACE_MS 10000
#define DEFAULT_HEARTBEAT_MS 5000
#define DEFAULT_DEAD_TIMEOUT_MS 15000
#define DEFAULT_ADMIN_GROUP "jobsvc-admin"
#define DEFAULT_RETENTION_MS (24 * 3600 * 1000ULL)
#define DEFAULT_ERROR_RETENTION_MS (7 * 24 * 3600 * 1000ULL)
#define DEFAULT_CRASH_RETRIES 2
#define DEFAULT_HANDLER_NICE 5
#define NICE_INC_MAX 19 /* the whole range, 19 being the lowest */
#define DEFAULT_BACKOFF_MS 10000
#define DEFAULT_BACKOFF_MAX_MS (3600 * 1000ULL)

/*
 * The longest durations: past them a setting is a mistake, and they keep
 * every deadline computed from a duration far from overflowing.
 */
#define DAY_MS (24 * 3600 * 1000ULL)
#define DURATION_MAX_MS (30 * DAY_MS) /* timeout, retry backoffs */
#define RETENTION_MAX_MS (3650 * DAY_MS)
#define STOP_GRACE_MAX_MS (3600 * 1000ULL)
#define TIMING_MAX_MS (3600 * 1000ULL) /* heartbeat, dead_timeout */

#define NAMESPACE_MAX 64
#define WORKERS_MAX 1024
#define GROUP_MAX 32
#define MAX_CONCURRENCY_MAX 1000000
#define MAX_RETRIES_MAX 1000
#define RESERVED_ENV_PREFIX "JOBSVC_"

/* User text as it may appear in a message: escaped and shortened. */
const char *config_vis(char *buf, const char *s)
{
	jsv_strvis(buf, CONFIG_VIS_MAX, s);
	return buf;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* Letters, digits and the characters of extra. */
static bool all_of(const char *s, const char *extra)
{
	for (; *s != '\0'; s++) {
		if (!is_alpha(*s) && !is_digit(*s) && strchr(extra, *s) == NULL)
			return false;
	}
	return true;
}

/* A decimal number from min to max, digits only. */
static bool parse_uint(const char *s, unsigned long min, unsigned long max,
		       unsigned long *out)
{
	uint64_t v = 0;

	if (*s == '\0' || strlen(s) > 10)
		return false;
	for (; *s != '\0'; s++) {
		if (!is_digit(*s))
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v < min || v > max)
		return false;
	*out = (unsigned long)v;
	return true;
}

static bool set_uint(struct parser *p, const char *key, const char *value,
		     unsigned long min, unsigned long max, unsigned *out)
{
	char buf[CONFIG_VIS_MAX];
	unsigned long v;

	if (!parse_uint(value, min, max, &v)) {
		config_perr(
			p,
			"invalid %s \"%s\": expected a number from %lu to %lu",
			key, config_vis(buf, value), min, max);
		return false;
	}
	*out = (unsigned)v;
	return true;
}

/* A duration the way a configuration writes it: "30d", "1h", "1500ms". */
static const char *fmt_duration(char *buf, size_t len, uint64_t ms)
{
	static const struct {
		const char *name;
		uint64_t ms;
	} units[] = {
		{ "d", DAY_MS }, { "h", 3600000 }, { "m", 60000 }, { "s", 1000 }
	};
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(units); i++)
		if (ms % units[i].ms == 0) {
			snprintf(buf, len, "%llu%s",
				 (unsigned long long)(ms / units[i].ms),
				 units[i].name);
			return buf;
		}
	snprintf(buf, len, "%llums", (unsigned long long)ms);
	return buf;
}

/* A duration of at most max milliseconds. */
static bool set_duration(struct parser *p, const char *key, const char *value,
			 uint64_t max, uint64_t *out)
{
	char buf[CONFIG_VIS_MAX], mbuf[32];
	uint64_t ms;
	int r;

	r = jsv_parse_duration(value, &ms);
	if (r == -ERANGE || (r == 0 && ms > max)) {
		config_perr(p, "invalid %s \"%s\": at most %s", key,
			    config_vis(buf, value),
			    fmt_duration(mbuf, sizeof(mbuf), max));
		return false;
	}
	if (r < 0) {
		config_perr(
			p,
			"invalid %s \"%s\": expected a duration such as 500ms, 10s, 1h30m or 2d",
			key, config_vis(buf, value));
		return false;
	}
	*out = ms;
	return true;
}

static bool set_path(struct parser *p, const char *key, const char *value,
		     char **out)
{
	char buf[CONFIG_VIS_MAX];

	if (value[0] != '/') {
		config_perr(p, "invalid %s \"%s\": expected an absolute path",
			    key, config_vis(buf, value));
		return false;
	}
	free(*out);
	*out = xstrdup(value);
	return true;
}

/*
 * Appends a "NAME=value" entry to an environment list.  NAME is a portable
 * variable name, not one the daemon sets itself, and not already in the list.
 */
static bool add_env(struct parser *p, const char *value, char ***env,
		    size_t *nenv)
{
	char buf[CONFIG_VIS_MAX];
	const char *eq = strchr(value, '=');
	size_t namelen, i;
	char *name;
	bool ok = false;

	if (eq == NULL || eq == value) {
		config_perr(p, "invalid env \"%s\": expected NAME=value",
			    config_vis(buf, value));
		return false;
	}
	namelen = (size_t)(eq - value);
	name = xstrndup(value, namelen);
	if (is_digit(name[0]) || !all_of(name, "_")) {
		config_perr(
			p,
			"invalid env name \"%s\": expected letters, digits and _, not starting with a digit",
			config_vis(buf, name));
		goto out_free;
	}
	if (strncmp(name, RESERVED_ENV_PREFIX, strlen(RESERVED_ENV_PREFIX)) ==
	    0) {
		config_perr(
			p,
			"env name \"%s\" is reserved: %s* names are set by jobsvcd",
			config_vis(buf, name), RESERVED_ENV_PREFIX);
		goto out_free;
	}
	for (i = 0; i < *nenv; i++) {
		if (strncmp((*env)[i], value, namelen + 1) == 0) {
			config_perr(p,
				    "env \"%s\" is already set in this section",
				    config_vis(buf, name));
			goto out_free;
		}
	}
	*env = xreallocarray(*env, *nenv + 1, sizeof(**env));
	(*env)[(*nenv)++] = xstrdup(value);
	ok = true;
out_free:
	free(name);
	return ok;
}

static void free_env(char **env, size_t nenv)
{
	size_t i;

	for (i = 0; i < nenv; i++)
		free(env[i]);
	free(env);
}

/* A host name or IPv4 address, or with brackets in the URL an IPv6 one. */
static bool valid_host(const char *s, bool bracketed)
{
	if (*s == '\0')
		return false;
	return bracketed ? all_of(s, ":.%") : all_of(s, ".-_");
}

/*
 * Splits a "unix:/path" or "redis://[:password@]host[:port][/db]" URL into
 * conf's redis fields.  Returns NULL or why the URL is invalid; conf is only
 * changed on success.  The password is taken literally (no %-decoding).
 */
static const char *parse_redis(struct jsvd_conf *conf, const char *url)
{
	struct sockaddr_un sa;
	const char *rest, *at, *hostport, *slash, *colon, *end;
	char *host = NULL, *password = NULL;
	unsigned long port = DEFAULT_REDIS_PORT, db = 0;
	bool bracketed = false;

	if (strncmp(url, "unix:", 5) == 0) {
		rest = url + 5;
		if (rest[0] != '/')
			return "the socket path must be absolute";
		if (strlen(rest) >= sizeof(sa.sun_path))
			return "the socket path is too long";
		free(conf->redis_path);
		free(conf->redis_host);
		free(conf->redis_password);
		conf->redis_path = xstrdup(rest);
		conf->redis_host = NULL;
		conf->redis_password = NULL;
		conf->redis_port = DEFAULT_REDIS_PORT;
		conf->redis_db = 0;
		return NULL;
	}
	if (strncmp(url, "redis://", 8) != 0)
		return "expected unix:/path or redis://[:password@]host[:port][/db]";
	rest = url + 8;

	at = strrchr(rest, '@');
	hostport = rest;
	if (at != NULL) {
		if (rest[0] != ':' || at == rest + 1)
			return "expected :password@ before the host";
		hostport = at + 1;
	}
	slash = strchr(hostport, '/');
	end = slash != NULL ? slash : hostport + strlen(hostport);
	if (slash != NULL && slash[1] != '\0' &&
	    !parse_uint(slash + 1, 0, 0x7fffffff, &db))
		return "the database must be a number";

	if (hostport[0] == '[') {
		const char *rb =
			memchr(hostport, ']', (size_t)(end - hostport));

		if (rb == NULL)
			return "missing ] after the IPv6 address";
		host = xstrndup(hostport + 1, (size_t)(rb - hostport - 1));
		colon = rb + 1;
		bracketed = true;
		if (colon != end && *colon != ':') {
			free(host);
			return "expected :port after the IPv6 address";
		}
	} else {
		colon = memchr(hostport, ':', (size_t)(end - hostport));
		host = xstrndup(
			hostport,
			(size_t)((colon != NULL ? colon : end) - hostport));
	}
	if (!valid_host(host, bracketed)) {
		free(host);
		return "invalid host";
	}
	if (colon != NULL && colon != end) {
		char *digits = xstrndup(colon + 1, (size_t)(end - colon - 1));
		bool ok = parse_uint(digits, 1, 65535, &port);

		free(digits);
		if (!ok) {
			free(host);
			return "the port must be a number from 1 to 65535";
		}
	}
	if (at != NULL)
		password = xstrndup(rest + 1, (size_t)(at - rest - 1));

	free(conf->redis_path);
	free(conf->redis_host);
	free(conf->redis_password);
	conf->redis_path = NULL;
	conf->redis_host = host;
	conf->redis_password = password;
	conf->redis_port = (int)port;
	conf->redis_db = (int)db;
	return NULL;
}

static bool set_redis(struct parser *p, const char *value)
{
	const char *why = parse_redis(p->conf, value);

	/* The value is not quoted back: it may hold a password. */
	if (why != NULL) {
		config_perr(p, "invalid redis URL: %s", why);
		return false;
	}
	free(p->conf->redis);
	if (p->conf->redis_password)
		xasprintf(&p->conf->redis, "redis://:***@%s",
			  strrchr(value, '@') + 1);
	else
		p->conf->redis = xstrdup(value);
	return true;
}

static bool set_namespace(struct parser *p, const char *value)
{
	char buf[CONFIG_VIS_MAX];

	if (strlen(value) > NAMESPACE_MAX || !all_of(value, "_.-")) {
		config_perr(
			p,
			"invalid namespace \"%s\": expected 1 to %d of A-Z, a-z, 0-9, _, . and -",
			config_vis(buf, value), NAMESPACE_MAX);
		return false;
	}
	free(p->conf->namespace);
	p->conf->namespace = xstrdup(value);
	return true;
}

static bool set_workers(struct parser *p, const char *value)
{
	return set_uint(p, "workers", value, 1, WORKERS_MAX, &p->conf->workers);
}

static bool set_log_dir(struct parser *p, const char *value)
{
	return set_path(p, "log_dir", value, &p->conf->log_dir);
}

static bool set_stop_grace(struct parser *p, const char *value)
{
	return set_duration(p, "stop_grace", value, STOP_GRACE_MAX_MS,
			    &p->conf->stop_grace_ms);
}

static bool set_heartbeat(struct parser *p, const char *value)
{
	char buf[CONFIG_VIS_MAX];
	uint64_t ms;

	if (!set_duration(p, "heartbeat", value, TIMING_MAX_MS, &ms))
		return false;
	if (ms == 0) {
		config_perr(p, "invalid heartbeat \"%s\": must be more than 0",
			    config_vis(buf, value));
		return false;
	}
	p->conf->heartbeat_ms = ms;
	return true;
}

static bool set_dead_timeout(struct parser *p, const char *value)
{
	return set_duration(p, "dead_timeout", value, TIMING_MAX_MS,
			    &p->conf->dead_timeout_ms);
}

static bool set_admin_group(struct parser *p, const char *value)
{
	char buf[CONFIG_VIS_MAX];

	if (strlen(value) > GROUP_MAX || value[0] == '-' ||
	    !all_of(value, "_.-")) {
		config_perr(
			p,
			"invalid admin_group \"%s\": expected a group name of 1 to %d of A-Z, a-z, 0-9, _, . and -",
			config_vis(buf, value), GROUP_MAX);
		return false;
	}
	free(p->conf->admin_group);
	p->conf->admin_group = xstrdup(value);
	return true;
}

static bool set_main_env(struct parser *p, const char *value)
{
	return add_env(p, value, &p->conf->env, &p->conf->nenv);
}

static bool set_retention(struct parser *p, const char *value)
{
	return set_duration(p, "retention", value, RETENTION_MAX_MS,
			    &p->conf->retention_ms);
}

static bool set_error_retention(struct parser *p, const char *value)
{
	return set_duration(p, "error_retention", value, RETENTION_MAX_MS,
			    &p->conf->error_retention_ms);
}

static bool set_handler_nice(struct parser *p, const char *value)
{
	return set_uint(p, "handler_nice", value, 0, NICE_INC_MAX,
			&p->conf->handler_nice);
}

static bool set_crash_retries(struct parser *p, const char *value)
{
	return set_uint(p, "crash_retries", value, 0, MAX_RETRIES_MAX,
			&p->conf->crash_retries);
}

static bool set_retry_backoff(struct parser *p, const char *value)
{
	if (set_duration(p, "retry_backoff", value, DURATION_MAX_MS,
			 &p->q->backoff_ms))
		return true;
	p->bad_backoff = true;
	return false;
}

static bool set_retry_backoff_max(struct parser *p, const char *value)
{
	if (set_duration(p, "retry_backoff_max", value, DURATION_MAX_MS,
			 &p->q->backoff_max_ms))
		return true;
	p->bad_backoff = true;
	return false;
}

static bool set_exec(struct parser *p, const char *value)
{
	return set_path(p, "exec", value, &p->q->exec);
}

static bool set_max_concurrency(struct parser *p, const char *value)
{
	return set_uint(p, "max_concurrency", value, 0, MAX_CONCURRENCY_MAX,
			&p->q->max_concurrency);
}

static bool set_max_retries(struct parser *p, const char *value)
{
	return set_uint(p, "max_retries", value, 0, MAX_RETRIES_MAX,
			&p->q->max_retries);
}

static bool set_timeout(struct parser *p, const char *value)
{
	return set_duration(p, "timeout", value, DURATION_MAX_MS,
			    &p->q->timeout_ms);
}

static bool set_queue_env(struct parser *p, const char *value)
{
	return add_env(p, value, &p->q->env, &p->q->nenv);
}

static bool set_persistent(struct parser *p, const char *value)
{
	char buf[CONFIG_VIS_MAX];

	if (strcmp(value, "yes") && strcmp(value, "no")) {
		config_perr(p, "invalid persistent \"%s\": expected yes or no",
			    config_vis(buf, value));
		return false;
	}
	p->q->persistent = strcmp(value, "yes") == 0;
	return true;
}

const struct config_key config_main_keys[MAIN_NKEYS] = {
	[MAIN_REDIS] = { "redis", false, set_redis },
	[MAIN_NAMESPACE] = { "namespace", false, set_namespace },
	[MAIN_WORKERS] = { "workers", false, set_workers },
	[MAIN_LOG_DIR] = { "log_dir", false, set_log_dir },
	[MAIN_STOP_GRACE] = { "stop_grace", false, set_stop_grace },
	[MAIN_HEARTBEAT] = { "heartbeat", false, set_heartbeat },
	[MAIN_DEAD_TIMEOUT] = { "dead_timeout", false, set_dead_timeout },
	[MAIN_ADMIN_GROUP] = { "admin_group", false, set_admin_group },
	[MAIN_ENV] = { "env", true, set_main_env },
	[MAIN_RETENTION] = { "retention", false, set_retention },
	[MAIN_ERROR_RETENTION] = { "error_retention", false,
				   set_error_retention },
	[MAIN_CRASH_RETRIES] = { "crash_retries", false, set_crash_retries },
	[MAIN_HANDLER_NICE] = { "handler_nice", false, set_handler_nice },
};

const struct config_key config_queue_keys[QUEUE_NKEYS] = {
	[QUEUE_EXEC] = { "exec", false, set_exec },
	[QUEUE_MAX_CONCURRENCY] = { "max_concurrency", false,
				    set_max_concurrency },
	[QUEUE_MAX_RETRIES] = { "max_retries", false, set_max_retries },
	[QUEUE_TIMEOUT] = { "timeout", false, set_timeout },
	[QUEUE_ENV] = { "env", true, set_queue_env },
	[QUEUE_RETRY_BACKOFF] = { "retry_backoff", false, set_retry_backoff },
	[QUEUE_RETRY_BACKOFF_MAX] = { "retry_backoff_max", false,
				      set_retry_backoff_max },
	[QUEUE_PERSISTENT] = { "persistent", false, set_persistent },
};

void config_queue_free(struct queue_conf *q)
{
	free(q->name);
	free(q->exec);
	free_env(q->env, q->nenv);
	free(q);
}

void config_free(struct jsvd_conf *conf)
{
	struct queue_conf *q;

	if (conf == NULL)
		return;
	while ((q = TAILQ_FIRST(&conf->queues)) != NULL) {
		TAILQ_REMOVE(&conf->queues, q, entry);
		config_queue_free(q);
	}
	free(conf->redis);
	free(conf->redis_path);
	free(conf->redis_host);
	free(conf->redis_password);
	free(conf->namespace);
	free(conf->log_dir);
	free(conf->admin_group);
	free_env(conf->env, conf->nenv);
	free(conf);
}

struct queue_conf *config_queue(const struct jsvd_conf *conf, const char *name)
{
	struct queue_conf *q;

	TAILQ_FOREACH(q, &conf->queues, entry) {
		if (strcmp(q->name, name) == 0)
			return q;
	}
	return NULL;
}

struct jsvd_conf *config_new(void)
{
	struct jsvd_conf *conf = xcalloc(1, sizeof(*conf));

	conf->redis = xstrdup(DEFAULT_REDIS);
	conf->redis_host = xstrdup(DEFAULT_REDIS_HOST);
	conf->redis_port = DEFAULT_REDIS_PORT;
	conf->namespace = xstrdup(DEFAULT_NAMESPACE);
	conf->workers = DEFAULT_WORKERS;
	conf->log_dir = xstrdup(DEFAULT_LOG_DIR);
	conf->stop_grace_ms = DEFAULT_STOP_GRACE_MS;
	conf->heartbeat_ms = DEFAULT_HEARTBEAT_MS;
	conf->dead_timeout_ms = DEFAULT_DEAD_TIMEOUT_MS;
	conf->admin_group = xstrdup(DEFAULT_ADMIN_GROUP);
	conf->retention_ms = DEFAULT_RETENTION_MS;
	conf->error_retention_ms = DEFAULT_ERROR_RETENTION_MS;
	conf->crash_retries = DEFAULT_CRASH_RETRIES;
	conf->handler_nice = DEFAULT_HANDLER_NICE;
	TAILQ_INIT(&conf->queues);
	return conf;
}

struct queue_conf *config_queue_new(const char *name)
{
	struct queue_conf *q = xcalloc(1, sizeof(*q));

	q->name = xstrdup(name);
	q->backoff_ms = DEFAULT_BACKOFF_MS;
	q->backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
	return q;
}
