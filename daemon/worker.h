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
#include "supervise.h"

struct worker {
	char id[48]; /* "<pool id>-<n>" */
	pid_t pid; /* the handler's supervisor, 0 when none */
	int status_fd; /* where the supervisor reports, -1 when none */
	struct supervise_area *area; /* the supervisor's stack, once made */
	char **env; /* the handler's, until its supervisor exits */
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
	bool queued; /* the result waits for the next batch of results */
	bool chain; /* and claims the slot's next job when it is written */
	char result[16];
	char *error;
};

/* worker.c */

/* Ends w's run with a result (see there). */
void worker_finish(struct worker *w, bool chain, const char *result,
		   const char *fmt, ...) JSV_PRINTF(4, 5);

/* In a shutdown, ends the loop once nothing is left (see there). */
void worker_check_drained(void);

/* worker_spawn.c */

/* Starts the handler of a claimed job: 0, or -errno after requeueing it. */
int worker_spawn(struct worker *w, const char *params, long attempt,
		 const char *execution_id);

/* Stops every process of w's job: SIGTERM now, SIGKILL after a grace. */
void worker_terminate(struct worker *w);

/* The timeout of w's job is over: stops it (an sd-event time callback). */
int worker_timeout(sd_event_source *s, uint64_t usec, void *arg);

/*
 * Ends w's run as the supervisor reported: what is "exit", "signal" or
 * "exec" and value its number, unless w was stopped or timed out.
 */
void worker_ended(struct worker *w, const char *what, int value);

/* The fds of a handler being started; -1 where none. */
struct spawn_fds {
	int in; /* the parameters: the handler's stdin */
	int log; /* the job log: its stdout and stderr */
	int checkin[2]; /* the check-in pipe: its fd 3 */
	int status[2]; /* the supervisor's report: its fd 4 */
};

void spawn_fds_close(struct spawn_fds *fds);

/*
 * Moves *fd above the fds a child gets, so that the child's dup2()s cannot
 * clobber it.  Returns 0, or -1 with errno set.
 */
int fd_above_child_fds(int *fd);

/*
 * The handler's environment, NULL-terminated: a fixed PATH, then the
 * [jobsvcd] env, then the queue's (a later NAME replaces an earlier one),
 * then JOBSVC_JOB_ID, JOBSVC_JOB_NAME, JOBSVC_ATTEMPT and
 * JOBSVC_EXECUTION_ID of w's job, or JOBSVC_PERSISTENT=1 when w is NULL.
 * Cannot fail; the caller frees it with env_free().
 */
char **worker_spawn_env(const struct worker *w, const struct queue_conf *q,
			long attempt, const char *execution_id);
void env_free(char **env);

/*
 * Starts the supervisor (supervise.c) of the handler path, in the cgroup
 * of id (contain_cgroup) where there are cgroups, with fds 0 to 4 taken
 * from fds; it reports on fd 4.  path and env must stay as they are until
 * the supervisor has exited; *area is its stack, made on the first start
 * and reused by the next ones (supervise_start).  Returns the supervisor's
 * pid, or -1 with errno set when there is none.
 */
pid_t worker_spawn_exec(const char *id, const char *path, char **env,
			struct supervise_area **area,
			const struct spawn_fds *fds);

/* worker_checkin.c */

/* fd 3 of w's handler is readable (an sd-event io callback). */
int worker_checkin_io(sd_event_source *s, int fd, uint32_t revents, void *arg);

/* w's job ended: its last check-in is read and written, fd 3 closed. */
void worker_checkin_end(struct worker *w);

/* A check-in of w's job that came another way (persist.c). */
void worker_checkin_text(struct worker *w, const char *text, size_t len);

#endif /* JOBSVCD_WORKER_H */
