/* SPDX-License-Identifier: ISC */
/*
 * The configuration file: an INI-style file of a [jobsvcd] section and one
 * [queue NAME] section per job type.  Parsing goes on after a problem so that
 * one run reports every problem, each on its own "FILE:LINE: message" line;
 * only a configuration without any problem is returned.
 *
 * This file reads the structure (lines, comments, sections, keys) and what
 * can only be checked once the whole file is read; config_values.c checks
 * and stores each key's value.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jobsvcd.h"
#include "config_values.h"

#define CONFIG_LINE_MAX 4096 /* bytes of a line, without its newline */

void config_perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	jsv_buf_printf(p->errs, "%s:%u: ", p->fname, p->line);
	va_start(ap, fmt);
	jsv_buf_vprintf(p->errs, fmt, ap);
	va_end(ap);
	jsv_buf_add(p->errs, "\n", 1);
	p->nerrs++;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims s in place and returns its first non-blank character. */
static char *trim(char *s)
{
	size_t len;

	while (is_space(*s))
		s++;
	len = strlen(s);
	while (len > 0 && is_space(s[len - 1]))
		s[--len] = '\0';
	return s;
}

/*
 * Ends the section being read: a queue must have an exec, and its first
 * retry may not wait longer than the longest.
 */
static void section_end(struct parser *p)
{
	char buf[CONFIG_VIS_MAX];
	unsigned line = p->line, b, bm;

	if (p->section == SECTION_QUEUE && p->q_keys[QUEUE_EXEC] == 0) {
		p->line = p->q_line;
		config_perr(p, "[queue %s] has no exec",
			    config_vis(buf, p->q->name));
	}
	if (p->section == SECTION_QUEUE && !p->bad_backoff &&
	    p->q->backoff_ms > p->q->backoff_max_ms) {
		b = p->q_keys[QUEUE_RETRY_BACKOFF];
		bm = p->q_keys[QUEUE_RETRY_BACKOFF_MAX];
		p->line = b > bm ? b : bm;
		config_perr(p,
			    "[queue %s] retry_backoff is longer than "
			    "retry_backoff_max",
			    config_vis(buf, p->q->name));
	}
	p->line = line;
	p->bad_backoff = false;
	if (p->q != NULL && !p->q_listed)
		config_queue_free(p->q);
	p->q = NULL;
	p->q_listed = false;
	p->section = SECTION_NONE;
}

/*
 * Starts a [queue NAME] section.  A queue with an invalid or repeated name is
 * still read, to report problems in its keys, and then thrown away.
 */
static void queue_begin(struct parser *p, const char *name)
{
	char buf[CONFIG_VIS_MAX];
	struct queue_conf *q, *prev;
	size_t i = 0;

	p->nqsections++;
	q = config_queue_new(name);
	p->q = q;
	p->q_line = p->line;
	memset(p->q_keys, 0, sizeof(p->q_keys));
	p->section = SECTION_QUEUE;

	if (!jsv_valid_job_type(name)) {
		config_perr(
			p,
			"invalid job type \"%s\": expected 1 to 64 of A-Z, 0-9 and _, starting with a letter",
			config_vis(buf, name));
		return;
	}
	TAILQ_FOREACH(prev, &p->conf->queues, entry) {
		if (strcmp(prev->name, name) == 0) {
			config_perr(
				p,
				"duplicate section [queue %s] (first on line %u)",
				config_vis(buf, name), p->qlines[i]);
			return;
		}
		i++;
	}
	p->qlines = xreallocarray(p->qlines, p->conf->nqueues + 1,
				  sizeof(*p->qlines));
	p->qlines[p->conf->nqueues++] = p->line;
	TAILQ_INSERT_TAIL(&p->conf->queues, q, entry);
	p->q_listed = true;
}

/* s is a trimmed line starting with '['. */
static void parse_section(struct parser *p, char *s)
{
	char buf[CONFIG_VIS_MAX];
	size_t len = strlen(s);
	char *name;

	section_end(p);
	if (len < 2 || s[len - 1] != ']') {
		config_perr(p, "expected ] at the end of the section header");
		p->section = SECTION_SKIP;
		return;
	}
	s[len - 1] = '\0';
	name = trim(s + 1);
	if (strcmp(name, "jobsvcd") == 0) {
		if (p->main_line != 0)
			config_perr(
				p,
				"duplicate section [jobsvcd] (first on line %u)",
				p->main_line);
		else
			p->main_line = p->line;
		p->section = SECTION_MAIN;
	} else if (strncmp(name, "queue", 5) == 0 &&
		   (name[5] == '\0' || is_space(name[5]))) {
		name = trim(name + 5);
		if (*name == '\0') {
			config_perr(p, "missing job type in [queue NAME]");
			p->section = SECTION_SKIP;
			return;
		}
		queue_begin(p, name);
	} else {
		config_perr(p, "unknown section [%s]", config_vis(buf, name));
		p->section = SECTION_SKIP;
	}
}

/* s is a trimmed line that is not a section header. */
static void parse_key(struct parser *p, char *s)
{
	char buf[CONFIG_VIS_MAX], qbuf[CONFIG_VIS_MAX];
	const struct config_key *keys;
	unsigned *seen;
	size_t nkeys, i;
	char *eq, *key, *value;
	bool ok;

	eq = strchr(s, '=');
	if (eq == NULL) {
		config_perr(p,
			    "expected \"key = value\" or a [section] header");
		return;
	}
	*eq = '\0';
	key = trim(s);
	value = trim(eq + 1);
	if (*key == '\0') {
		config_perr(p, "missing key before =");
		return;
	}

	if (p->section == SECTION_NONE) {
		config_perr(p, "key \"%s\" outside of any section",
			    config_vis(buf, key));
		return;
	}
	if (p->section == SECTION_SKIP)
		return;
	if (p->section == SECTION_MAIN) {
		keys = config_main_keys;
		nkeys = MAIN_NKEYS;
		seen = p->main_keys;
	} else {
		keys = config_queue_keys;
		nkeys = QUEUE_NKEYS;
		seen = p->q_keys;
	}

	for (i = 0; i < nkeys; i++) {
		if (strcmp(key, keys[i].name) == 0)
			break;
	}
	if (i == nkeys) {
		if (p->section == SECTION_MAIN)
			config_perr(p, "unknown key \"%s\" in [jobsvcd]",
				    config_vis(buf, key));
		else
			config_perr(p, "unknown key \"%s\" in [queue %s]",
				    config_vis(buf, key),
				    config_vis(qbuf, p->q->name));
		return;
	}
	if (seen[i] != 0 && !keys[i].repeat) {
		config_perr(p, "duplicate key \"%s\" (first on line %u)",
			    keys[i].name, seen[i]);
		return;
	}
	if (seen[i] == 0)
		seen[i] = p->line;
	if (*value == '\0') {
		config_perr(p, "missing value for \"%s\"", keys[i].name);
		ok = false;
	} else {
		ok = keys[i].set(p, value);
	}
	/* A bad heartbeat or dead_timeout is not compared with the other. */
	if (!ok && p->section == SECTION_MAIN &&
	    (i == MAIN_HEARTBEAT || i == MAIN_DEAD_TIMEOUT))
		p->bad_timing = true;
}

/* Cuts a comment: a '#' that starts the line or follows a blank. */
static void strip_comment(char *s)
{
	char *c;

	for (c = s; *c != '\0'; c++) {
		if (*c == '#' && (c == s || is_space(c[-1]))) {
			*c = '\0';
			return;
		}
	}
}

enum read_result { READ_EOF, READ_LINE, READ_TOO_LONG, READ_NUL };

/*
 * Reads one line without its newline into buf (CONFIG_LINE_MAX + 1 bytes).
 * A longer line or one holding a NUL byte is read to its end and refused.
 */
static enum read_result read_line(FILE *fp, char *buf)
{
	size_t len = 0;
	bool nul = false;
	int c;

	while ((c = getc(fp)) != EOF && c != '\n') {
		if (c == '\0')
			nul = true;
		if (len < CONFIG_LINE_MAX)
			buf[len] = (char)c;
		len++;
	}
	if (c == EOF && len == 0)
		return READ_EOF;
	if (len > CONFIG_LINE_MAX)
		return READ_TOO_LONG;
	buf[len] = '\0';
	return nul ? READ_NUL : READ_LINE;
}

/* Checks what can only be checked once the whole file is read. */
static void check_conf(struct parser *p)
{
	struct jsvd_conf *conf = p->conf;
	unsigned hb = p->main_keys[MAIN_HEARTBEAT];
	unsigned dt = p->main_keys[MAIN_DEAD_TIMEOUT];

	if (!p->bad_timing && conf->heartbeat_ms >= conf->dead_timeout_ms) {
		p->line = hb > dt ? hb : dt;
		config_perr(p, "heartbeat must be shorter than dead_timeout");
	}
	if (p->nqsections == 0) {
		p->line = 1;
		config_perr(
			p,
			"no [queue NAME] section: at least one job type is needed");
	}
}

int config_parse(FILE *fp, const char *fname, struct jsvd_conf **out,
		 struct jsv_buf *errs)
{
	char line[CONFIG_LINE_MAX + 1];
	struct parser p;
	enum read_result r;
	char *s;

	memset(&p, 0, sizeof(p));
	p.fname = fname;
	p.errs = errs;
	p.conf = config_new();

	while ((r = read_line(fp, line)) != READ_EOF) {
		p.line++;
		if (r == READ_TOO_LONG) {
			config_perr(&p, "line longer than %d bytes",
				    CONFIG_LINE_MAX);
			continue;
		}
		if (r == READ_NUL) {
			config_perr(&p, "NUL byte in line");
			continue;
		}
		strip_comment(line);
		s = trim(line);
		if (*s == '\0')
			continue;
		if (*s == '[')
			parse_section(&p, s);
		else
			parse_key(&p, s);
	}
	if (ferror(fp)) {
		p.line++;
		config_perr(&p, "read error: %s", strerror(errno));
		/* Whatever was read is no configuration to check further. */
		section_end(&p);
		goto out_free;
	}
	section_end(&p);
	check_conf(&p);
	if (p.nerrs > 0)
		goto out_free;
	free(p.qlines);
	*out = p.conf;
	return 0;

out_free:
	free(p.qlines);
	config_free(p.conf);
	return -EINVAL;
}

int config_load(const char *path, struct jsvd_conf **out, struct jsv_buf *errs)
{
	FILE *fp;
	int r;

	fp = fopen(path, "re");
	if (fp == NULL) {
		r = -errno;
		jsv_buf_printf(errs, "%s: %s\n", path, strerror(errno));
		return r;
	}
	r = config_parse(fp, path, out, errs);
	fclose(fp);
	return r;
}

unsigned config_check_execs(const struct jsvd_conf *conf, const char *fname,
			    struct jsv_buf *errs)
{
	const struct queue_conf *q;
	unsigned n = 0;
	struct stat st;
	const char *why;

	TAILQ_FOREACH(q, &conf->queues, entry) {
		why = NULL;
		if (stat(q->exec, &st) < 0)
			why = strerror(errno);
		else if (!S_ISREG(st.st_mode))
			why = "not a regular file";
		else if (access(q->exec, X_OK) < 0)
			why = strerror(errno);
		if (!why)
			continue;
		jsv_buf_printf(errs, "%s: [queue %s] exec %s: %s\n", fname,
			       q->name, q->exec, why);
		n++;
	}
	return n;
}
