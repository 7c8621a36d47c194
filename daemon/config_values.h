/* SPDX-License-Identifier: ISC */
/*
 * What the two halves of the configuration parser share: config.c reads the
 * file's structure (lines, comments, sections, keys) and config_values.c
 * checks and stores each key's value.  Nothing else uses this header.
 */
#ifndef JOBSVCD_CONFIG_VALUES_H
#define JOBSVCD_CONFIG_VALUES_H

#include "jobsvcd.h"

#define CONFIG_VIS_MAX 72 /* room for user text quoted in a message */

enum section {
	SECTION_NONE, /* before the first section header */
	SECTION_MAIN, /* [jobsvcd] */
	SECTION_QUEUE, /* [queue NAME] */
	SECTION_SKIP, /* an unknown section: its keys are not checked */
};

enum main_key {
	MAIN_REDIS,
	MAIN_NAMESPACE,
	MAIN_WORKERS,
	MAIN_LOG_DIR,
	MAIN_STOP_GRACE,
	MAIN_HEARTBEAT,
	MAIN_DEAD_TIMEOUT,
	MAIN_ADMIN_GROUP,
	MAIN_ENV,
	MAIN_RETENTION,
	MAIN_ERROR_RETENTION,
	MAIN_CRASH_RETRIES,
	MAIN_HANDLER_NICE,
	MAIN_NKEYS
};

enum queue_key {
	QUEUE_EXEC,
	QUEUE_MAX_CONCURRENCY,
	QUEUE_MAX_RETRIES,
	QUEUE_TIMEOUT,
	QUEUE_ENV,
	QUEUE_RETRY_BACKOFF,
	QUEUE_RETRY_BACKOFF_MAX,
	QUEUE_PERSISTENT,
	QUEUE_NKEYS
};

struct parser {
	const char *fname;
	struct jsv_buf *errs;
	unsigned line;
	unsigned nerrs;
	struct jsvd_conf *conf;
	enum section section;
	unsigned main_line; /* of [jobsvcd], 0 if not seen yet */
	unsigned main_keys[MAIN_NKEYS]; /* line where each key was first set */
	bool bad_timing; /* heartbeat or dead_timeout invalid */
	bool bad_backoff; /* q's retry_backoff or retry_backoff_max invalid */
	unsigned nqsections; /* [queue NAME] headers seen */
	unsigned *qlines; /* header line of each listed queue */
	struct queue_conf *q; /* the queue section being read */
	bool q_listed; /* q is in conf->queues, else discarded */
	unsigned q_line; /* of q's header */
	unsigned q_keys[QUEUE_NKEYS];
};

/*
 * A key's setter checks the value (never empty), reports a problem with
 * perr() and returns false, or stores the value and returns true.
 */
struct config_key {
	const char *name;
	bool repeat; /* may be given more than once */
	bool (*set)(struct parser *p, const char *value);
};

/* config.c */

/* Reports a problem on the line being read, as "FILE:LINE: message". */
void config_perr(struct parser *p, const char *fmt, ...) JSV_PRINTF(2, 3);

/* config_values.c */

/* User text as it may appear in a message: escaped and shortened. */
const char *config_vis(char *buf, const char *s);

/* The keys of [jobsvcd] and of [queue NAME], indexed by their enums. */
extern const struct config_key config_main_keys[MAIN_NKEYS];
extern const struct config_key config_queue_keys[QUEUE_NKEYS];

/* A configuration, or a queue, with every default set. */
struct jsvd_conf *config_new(void);
struct queue_conf *config_queue_new(const char *name);
void config_queue_free(struct queue_conf *q);

#endif /* JOBSVCD_CONFIG_VALUES_H */
