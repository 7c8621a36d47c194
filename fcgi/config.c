/* SPDX-License-Identifier: ISC */
/*
 * The configuration of jobsvc-fcgi: an INI file like jobsvcd's, '#'
 * comments, one section [jobsvc-fcgi] with these keys, each at most once:
 *
 *	admins = alice bob      REMOTE_USER names that may act, or * for all
 *	workers = 4             processes answering requests, 1 to
 *	                        FCGI_WORKERS_MAX
 *	timeout = 3s            each wait on the daemon, 1s to 30s
 *	readers = *             who may read the dashboard and the API: *
 *	                        (every authenticated user, the default),
 *	                        admins, or names, or both
 *	log_readers = admins    who may read the jobs' logs: the same kinds
 *	                        (default admins), readers.  Never more than
 *	                        readers.
 *	audit_readers = admins  who may read the audit trail: the same kinds
 *	                        (default admins), readers.  Never more than
 *	                        readers.
 *	secret_file = PATH      the anti-CSRF key (FCGI_SECRET_FILE, or
 *	                        $STATE_DIRECTORY/secret under systemd)
 *	csrf_window = 1h        the time an anti-CSRF token is made for,
 *	                        1s to 24h; a form's token is accepted for
 *	                        one to two of them
 *
 * Any other section or key, or a line that is not one of these, is an
 * error reported as file:line.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fcgi.h"

#define CONFIG_FILE_MAX (1024 * 1024)

static int config_error(char *err, size_t errlen, const char *name,
			unsigned line, const char *what)
{
	snprintf(err, errlen, "%s:%u: %s", name, line, what);
	return -EINVAL;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Cuts a comment: '#' at the start or after white space. */
static void cut_comment(char *s)
{
	char *p;

	for (p = s; *p; p++) {
		if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

/* A REMOTE_USER name: printable, no white space, at most 256 bytes. */
static bool valid_user(const char *s)
{
	size_t n = 0;

	for (; *s; s++, n++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return n > 0 && n <= 256;
}

/* A decimal number from 1 to FCGI_WORKERS_MAX, nothing around it. */
static int parse_workers(struct fcgi_config *cfg, char *val)
{
	unsigned long n;
	char *end;

	if (*val < '0' || *val > '9')
		return -EINVAL;
	errno = 0;
	n = strtoul(val, &end, 10);
	if (errno || *end || n < 1 || n > FCGI_WORKERS_MAX)
		return -EINVAL;
	cfg->workers = (unsigned)n;
	return 0;
}

/* A duration (jsv_parse_duration) from 1 s to FCGI_TIMEOUT_MAX_MS. */
static int parse_timeout(struct fcgi_config *cfg, char *val)
{
	uint64_t ms;

	if (jsv_parse_duration(val, &ms) < 0 || ms < 1000 ||
	    ms > FCGI_TIMEOUT_MAX_MS)
		return -EINVAL;
	cfg->timeout_ms = (int)ms;
	return 0;
}

/* A duration (jsv_parse_duration) of whole seconds, 1 s to 24 h. */
static int parse_csrf_window(struct fcgi_config *cfg, char *val)
{
	uint64_t ms;

	if (jsv_parse_duration(val, &ms) < 0 || ms < 1000 || ms % 1000 ||
	    ms > FCGI_CSRF_WINDOW_MAX * 1000)
		return -EINVAL;
	cfg->csrf_window = (int64_t)(ms / 1000);
	return 0;
}

static int parse_admins(struct fcgi_config *cfg, char *val)
{
	char *tok, *save = NULL;

	for (tok = strtok_r(val, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "*") == 0) {
			cfg->everyone = true;
			continue;
		}
		if (!valid_user(tok))
			return -EINVAL;
		cfg->admins = xreallocarray(cfg->admins, cfg->nadmins + 1,
					    sizeof(*cfg->admins));
		cfg->admins[cfg->nadmins++] = xstrdup(tok);
	}
	return 0;
}

static int parse_list(struct user_list *l, char *val)
{
	char *tok, *save = NULL;

	memset(l, 0, sizeof(*l));
	for (tok = strtok_r(val, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (strcmp(tok, "*") == 0) {
			l->everyone = true;
			continue;
		}
		if (strcmp(tok, "admins") == 0) {
			l->admins = true;
			continue;
		}
		if (!valid_user(tok))
			return -EINVAL;
		l->names = xreallocarray(l->names, l->n + 1, sizeof(*l->names));
		l->names[l->n++] = xstrdup(tok);
	}
	return 0;
}

static int parse_readers(struct fcgi_config *cfg, char *val)
{
	return parse_list(&cfg->readers, val);
}

static int parse_log_readers(struct fcgi_config *cfg, char *val)
{
	return parse_list(&cfg->log_readers, val);
}

static int parse_audit_readers(struct fcgi_config *cfg, char *val)
{
	return parse_list(&cfg->audit_readers, val);
}

static int parse_secret_file(struct fcgi_config *cfg, char *val)
{
	if (*val != '/')
		return -EINVAL;
	free(cfg->secret_file);
	cfg->secret_file = xstrdup(val);
	return 0;
}

#define STR_(x) #x
#define STR(x) STR_(x)

static const struct config_key {
	const char *name;
	int (*parse)(struct fcgi_config *cfg, char *val);
	const char *bad; /* the error for a value parse refuses */
} config_keys[] = {
	{ "admins", parse_admins,
	  "a name holds a control character or is too long" },
	{ "workers", parse_workers,
	  "not a number from 1 to " STR(FCGI_WORKERS_MAX) },
	{ "timeout", parse_timeout, "not a duration from 1s to 30s" },
	{ "readers", parse_readers,
	  "a name holds a control character or is too long" },
	{ "log_readers", parse_log_readers,
	  "a name holds a control character or is too long" },
	{ "audit_readers", parse_audit_readers,
	  "a name holds a control character or is too long" },
	{ "secret_file", parse_secret_file, "not an absolute path" },
	{ "csrf_window", parse_csrf_window,
	  "not a duration of whole seconds from 1s to 24h" },
};

/* One "key = value" line of the section; *seen has a bit per known key. */
static int parse_key(struct fcgi_config *cfg, const char *key, char *val,
		     unsigned *seen, char *err, size_t errlen, const char *name,
		     unsigned line)
{
	const struct config_key *k;
	char what[128];
	size_t i;

	for (i = 0; i < JSV_ARRAY_SIZE(config_keys); i++)
		if (strcmp(key, config_keys[i].name) == 0)
			break;
	if (i == JSV_ARRAY_SIZE(config_keys))
		return config_error(
			err, errlen, name, line,
			"unknown key (only admins, workers, timeout, "
			"readers, log_readers, audit_readers, "
			"secret_file, csrf_window)");
	k = &config_keys[i];
	if (*seen & (1u << i))
		snprintf(what, sizeof(what), "%s is set twice", k->name);
	else if (k->parse(cfg, val) < 0)
		snprintf(what, sizeof(what), "%s: %s", k->name, k->bad);
	else
		what[0] = '\0';
	*seen |= 1u << i;
	return what[0] ? config_error(err, errlen, name, line, what) : 0;
}

int config_parse(struct fcgi_config *cfg, const char *name, const char *text,
		 size_t len, char *err, size_t errlen)
{
	char *copy, *line, *next, *s, *eq, *key, *val;
	bool in_section = false;
	unsigned seen = 0;
	unsigned lineno = 0;
	int r = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->workers = FCGI_WORKERS_DEFAULT;
	cfg->timeout_ms = FCGI_TIMEOUT_MS;
	cfg->csrf_window = FCGI_CSRF_WINDOW;
	cfg->readers.everyone = true;
	cfg->log_readers.admins = true;
	cfg->audit_readers.admins = true;
	if (memchr(text, '\0', len))
		return config_error(err, errlen, name, 1,
				    "the file holds a NUL byte");
	copy = xstrndup(text, len);
	for (line = copy; line && r == 0; line = next) {
		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		cut_comment(line);
		s = trim(line);
		if (*s == '\0')
			continue;
		if (*s == '[') {
			if (strcmp(s, "[jobsvc-fcgi]") != 0)
				r = config_error(err, errlen, name, lineno,
						 "unknown section (only "
						 "[jobsvc-fcgi])");
			in_section = true;
			continue;
		}
		eq = strchr(s, '=');
		if (!eq) {
			r = config_error(err, errlen, name, lineno,
					 "expected key = value");
			continue;
		}
		*eq = '\0';
		key = trim(s);
		val = trim(eq + 1);
		if (!in_section)
			r = config_error(
				err, errlen, name, lineno,
				"key outside the [jobsvc-fcgi] section");
		else
			r = parse_key(cfg, key, val, &seen, err, errlen, name,
				      lineno);
	}
	free(copy);
	if (r < 0)
		config_free(cfg);
	return r;
}

int config_load(struct fcgi_config *cfg, const char *path, bool optional,
		char *err, size_t errlen)
{
	struct jsv_buf b = { 0 };
	char chunk[4096];
	FILE *fp;
	size_t n;
	int r;

	memset(cfg, 0, sizeof(*cfg));
	fp = fopen(path, "r");
	if (!fp) {
		if (optional && errno == ENOENT)
			return config_parse(cfg, path, "", 0, err, errlen);
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	       b.len <= CONFIG_FILE_MAX)
		jsv_buf_add(&b, chunk, n);
	if (ferror(fp) || b.len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: %s", path,
			 ferror(fp) ? "read error" : "file too large");
		fclose(fp);
		jsv_buf_free(&b);
		return -EIO;
	}
	fclose(fp);
	r = config_parse(cfg, path, b.data ? b.data : "", b.len, err, errlen);
	jsv_buf_free(&b);
	return r;
}

bool config_is_admin(const struct fcgi_config *cfg, const char *user)
{
	size_t i;

	if (!user || !*user)
		return false;
	if (cfg->everyone)
		return true;
	for (i = 0; i < cfg->nadmins; i++)
		if (strcmp(cfg->admins[i], user) == 0)
			return true;
	return false;
}

bool config_in_list(const struct fcgi_config *cfg, const struct user_list *l,
		    const char *user)
{
	size_t i;

	if (!user || !*user)
		return false;
	if (l->everyone || (l->admins && config_is_admin(cfg, user)))
		return true;
	for (i = 0; i < l->n; i++)
		if (strcmp(l->names[i], user) == 0)
			return true;
	return false;
}

static void list_free(struct user_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
}

int secret_load(const char *path, unsigned char key[FCGI_SECRET_LEN], char *err,
		size_t errlen)
{
	ssize_t n;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		if (getrandom(key, FCGI_SECRET_LEN, 0) != FCGI_SECRET_LEN) {
			r = -errno;
			snprintf(err, errlen, "getrandom: %s", strerror(errno));
			return r;
		}
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			goto out_err;
		n = write(fd, key, FCGI_SECRET_LEN);
		if (n != FCGI_SECRET_LEN || fsync(fd) < 0) {
			r = n < 0 ? -errno : -EIO;
			close(fd);
			unlink(path);
			snprintf(err, errlen, "%s: cannot write: %s", path,
				 strerror(-r));
			return r;
		}
		close(fd);
		return 0;
	}
	if (fd < 0)
		goto out_err;
	n = read(fd, key, FCGI_SECRET_LEN);
	close(fd);
	if (n != FCGI_SECRET_LEN) {
		snprintf(err, errlen, "%s: holds fewer than %d bytes", path,
			 FCGI_SECRET_LEN);
		return -EINVAL;
	}
	return 0;

out_err:
	r = -errno;
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	return r;
}

void config_free(struct fcgi_config *cfg)
{
	size_t i;

	list_free(&cfg->readers);
	list_free(&cfg->log_readers);
	list_free(&cfg->audit_readers);
	free(cfg->secret_file);

	for (i = 0; i < cfg->nadmins; i++)
		free(cfg->admins[i]);
	free(cfg->admins);
	memset(cfg, 0, sizeof(*cfg));
}
