/* SPDX-License-Identifier: ISC */
/*
 * The supervisor of one job's processes (supervise.c), started by the
 * worker (worker_spawn.c).  Nothing else uses this header.
 */
#ifndef JOBSVCD_SUPERVISE_H
#define JOBSVCD_SUPERVISE_H

#include <sys/types.h>

/* The signal that makes the supervisor kill every process of its job. */
#define SUPERVISOR_KILL SIGUSR1

/* Where a supervisor runs: its stack and what it reads; one per slot. */
struct supervise_area;

/* What a supervisor is to run. */
struct supervise_job {
	const char *path; /* the handler */
	char *const *env; /* its environment */
	const char *cgroup; /* the job's cgroup directory, or NULL */
	int fd[5]; /* the handler's fds 0 to 3, the report's fd 4; all > 4 */
	unsigned nice; /* added to the daemon's nice value for the job */
};

/*
 * Starts the supervisor of job in its own process group, a child of the
 * daemon, and returns its pid, or -1 with errno set.  job->path and
 * job->env must stay as they are until the supervisor has exited; *area is
 * made on the first start and reused by the next ones, never while a
 * supervisor that uses it runs.  The supervisor takes the job's fds as its
 * own (the caller still closes its copies) and reports on fd 4 one line
 * before it exits: "exit N" or "signal N" (how the handler ended) or "exec
 * ERRNO" (the handler could not be executed).
 */
pid_t supervise_start(struct supervise_area **area,
		      const struct supervise_job *job);

/* Unmaps an area no supervisor runs on; NULL is none. */
void supervise_free(struct supervise_area *area);

#endif /* JOBSVCD_SUPERVISE_H */
