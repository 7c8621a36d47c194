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
 *
 * "stamp floor N" starts itself as a handler N times, one at a time, with
 * posix_spawn, and prints the p50 and p99 in ms of the time from the call
 * to the handler's first instruction: the part of the pickup latency that
 * is this machine's process start, not jobsvc's.
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

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double realtime(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The handler's side of "floor": its first instruction's time, on fd 1. */
static int stamp_stdout(void)
{
	struct timespec ts;
	char line[64];
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	n = snprintf(line, sizeof(line), "%lld.%09ld\n", (long long)ts.tv_sec,
		     ts.tv_nsec);
	return write(1, line, (size_t)n) == n ? 0 : 1;
}

static int floor_bench(const char *self, long n)
{
	char *argv[] = { (char *)self, (char *)"stdout", NULL };
	posix_spawn_file_actions_t fa;
	double *lat = calloc((size_t)n, sizeof(*lat)), t0;
	char buf[64];
	ssize_t len;
	int p[2], status;
	pid_t pid;
	long i;

	if (!lat || n < 1)
		return 1;
	for (i = 0; i < n; i++) {
		if (pipe(p) < 0 || posix_spawn_file_actions_init(&fa) != 0 ||
		    posix_spawn_file_actions_adddup2(&fa, p[1], 1) != 0)
			return 1;
		t0 = realtime();
		if (posix_spawn(&pid, self, &fa, NULL, argv, environ) != 0)
			return 1;
		posix_spawn_file_actions_destroy(&fa);
		close(p[1]);
		len = read(p[0], buf, sizeof(buf) - 1);
		close(p[0]);
		if (len <= 0 || waitpid(pid, &status, 0) < 0)
			return 1;
		buf[len] = '\0';
		lat[i] = (atof(buf) - t0) * 1000;
	}
	qsort(lat, (size_t)n, sizeof(*lat), cmp_double);
	printf("%.3f %.3f\n", lat[(n - 1) / 2], lat[(n * 99 - 1) / 100]);
	free(lat);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 1)
		return stamp();
	if (argc == 2 && strcmp(argv[1], "stdout") == 0)
		return stamp_stdout();
	if (argc == 3 && strcmp(argv[1], "floor") == 0)
		return floor_bench(argv[0], atol(argv[2]));
	if (argc == 5 && strcmp(argv[1], "spawn") == 0)
		return spawn_bench(argv[2], atol(argv[3]), atol(argv[4]));
	fprintf(stderr,
		"usage: stamp | stamp spawn fork|vfork|posix_spawn N INFLIGHT | "
		"stamp floor N\n");
	return 2;
}
