/* SPDX-License-Identifier: ISC */
/*
 * The worker slot, shared by the files of the worker subsystem: worker.c
 * (claims, results, the slots' lifecycle), worker_spawn.c (starting the
 * handler and watching it to its end) and worker_checkin.c (the handler's
 * check-ins on fd 3).  Nothing outside them uses this header.
 */
#ifndef JOBSVCD_WORKER_H
#define JOBSVCD_WORKER_H

#include <signal.h>
#include <systemd/sd-event.h>

#include "jobsvcd.h"

/* How the supervisor kills the job's processes (contain.c). */
#define SUPERVISOR_KILL SIGUSR1

struct worker {
	char id[48]; /* "<pool id>-<n>" */
	pid_t pid; /* the handler's supervisor, 0 when none */
	int status_fd; /* where the supervisor reports, -1 when none */
	char job_id[32];
	char job_name[72];
	char token[24];
	char *exec; /* the handler of the running job */
	long attempt; /* of the running job, from 1 */
	sd_event_source *child_src;
	sd_event_source *checkin_src;
	sd_event_source *checkin_tmr; /* resume reading, or write the latest */
	sd_event_source *kill_src;
	sd_event_source *timeout_src;
	struct jsv_buf checkin; /* a partial check-in line */
	struct jsv_buf checkin_line; /* the latest line, not yet written */
	bool checkin_pending; /* checkin_line waits for its turn */
	bool checkin_paused; /* reading stopped until checkin_resume_us */
	uint64_t checkin_resume_us;
	uint64_t checkin_sent_us; /* when the last check-in was written */
	bool stopping; /* SIGTERM sent for Stop/Free */
	bool timed_out;
	bool abandoned; /* claim gone: the result is not written */
	bool finishing; /* result not yet written to Redis */
	char result[16];
	char *error;
};

/* worker.c */

/* Ends w's run with a result (see there). */
void worker_finish(struct worker *w, bool chain, const char *result,
		   const char *fmt, ...) JSV_PRINTF(4, 5);

/* worker_spawn.c */

/* Starts the handler of a claimed job: 0, or -errno after requeueing it. */
int worker_spawn(struct worker *w, const char *params, long attempt,
		 const char *execution_id);

/* Stops every process of w's job: SIGTERM now, SIGKILL after a grace. */
void worker_terminate(struct worker *w);

/* worker_checkin.c */

/* fd 3 of w's handler is readable (an sd-event io callback). */
int worker_checkin_io(sd_event_source *s, int fd, uint32_t revents, void *arg);

/* w's job ended: its last check-in is read and written, fd 3 closed. */
void worker_checkin_end(struct worker *w);

#endif /* JOBSVCD_WORKER_H */
