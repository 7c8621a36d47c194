/* SPDX-License-Identifier: ISC */
/*
 * Helper for t/bench/bench.sh, built by it with cc.
 *
 * Without arguments it is a job handler: it writes one line
 * "<CLOCK_REALTIME seconds.nanoseconds> <JOBSVC_JOB_ID>\n" to the FIFO or
 * file STAMP_PATH (fixed at build time, since handlers get a clean
 * environment) as the first thing it does, and exits 0.  Doing no more than
 * that keeps the handler's own start-up out of the pickup latency measured.
 *
 * "stamp spawn fork|vfork|posix_spawn N INFLIGHT" measures how fast this
 * machine starts /bin/true N times with INFLIGHT children at a time, and
 * prints the rate in starts per second.
 */
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef STAMP_PATH
#error "build with -DSTAMP_PATH='\"/path/to/fifo\"'"
#endif

extern char **environ;

static int stamp(void)
{
	struct timespec ts;
	const char *id;
	char line[128];
	int fd, n;

	clock_gettime(CLOCK_REALTIME, &ts);
	id = getenv("JOBSVC_JOB_ID");
	n = snprintf(line, sizeof(line), "%lld.%09ld %s\n",
		     (long long)ts.tv_sec, ts.tv_nsec, id ? id : "-");
	fd = open(STAMP_PATH, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (write(fd, line, (size_t)n) != n)
		return 1;
	close(fd);
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static pid_t start_true(const char *how)
{
	char *argv[] = { (char *)"/bin/true", NULL };
	pid_t pid;

	if (strcmp(how, "posix_spawn") == 0) {
		if (posix_spawn(&pid, argv[0], NULL, NULL, argv, environ) != 0)
			return -1;
		return pid;
	}
	pid = strcmp(how, "vfork") == 0 ? vfork() : fork();
	if (pid == 0) {
		execve(argv[0], argv, environ);
		_exit(127);
	}
	return pid;
}

static int spawn_bench(const char *how, long n, long inflight)
{
	long started = 0, running = 0;
	double t0 = now(), dt;
	int status;

	while (started < n || running > 0) {
		while (started < n && running < inflight) {
			if (start_true(how) < 0) {
				perror("spawn /bin/true");
				return 1;
			}
			started++;
			running++;
		}
		if (wait(&status) < 0) {
			if (errno == EINTR)
				continue;
			perror("wait");
			return 1;
		}
		running--;
	}
	dt = now() - t0;
	printf("%.0f\n", (double)n / dt);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return stamp();
	if (argc == 5 && strcmp(argv[1], "spawn") == 0)
		return spawn_bench(argv[2], atol(argv[3]), atol(argv[4]));
	fprintf(stderr,
		"usage: stamp | stamp spawn fork|vfork|posix_spawn N INFLIGHT\n");
	return 2;
}
