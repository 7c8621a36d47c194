/* SPDX-License-Identifier: ISC */
/*
 * persist.c: the handlers of the queues with "persistent = yes", which stay
 * up between jobs and take them one at a time on a line protocol.
 */
#ifndef JOBSVCD_PERSIST_H
#define JOBSVCD_PERSIST_H

#include <stdbool.h>

#include "jobsvcd.h"

struct worker;

/*
 * Runs w's claimed job of the persistent queue q on an idle handler of q,
 * or on a new one.  Returns 0, or a negative errno after sending the job
 * back to its queue with the reason (worker_finish with Requeue).
 */
int persist_run(struct worker *w, const struct queue_conf *q,
		const char *params, long attempt, const char *execution_id);

/* How many persistent handlers are up (busy, idle or on their way out). */
unsigned persist_count(void);

/*
 * SIGTERM: the handlers go, each once its job is done: their stdin is
 * closed, and what is in restart backoff is forgotten.  With kill (the
 * grace period is over), the handlers without a job are killed; those with
 * one go with their job (worker_drain).
 */
void persist_drain(bool kill);

/* SIGHUP: the handlers go as for a drain; new ones take the next jobs. */
void persist_reload(void);

/* Frees everything; the handlers still up die with the daemon. */
void persist_cleanup(void);

#endif /* JOBSVCD_PERSIST_H */
